"""The compiler's internal entry point: a checked `Typing` → a `Compiled` program.

The checker has run once already (the item pipeline for a session, `cajal.compile` for the
public API), so nothing here checks again: build → fold → module (docs/COMPILER.md).
"""

from __future__ import annotations

from typing import Mapping, Optional

import torch

from .. import budget
from ..syntax import Type
from ..types import Typing
from .build import Builder
from .fold import Folder
from .module import Compiled
from .runtime import Runtime


def compile_typing(typing: Typing, ctx: Mapping[str, Type], nat_dim: int, *, defs: Mapping[str, Compiled],
                   size_limit: Optional[int] = None, dtype=None) -> Compiled:
    """Compile the term `typing` holds (checked with free variables `ctx` and definitions
    `defs`, {name: Compiled} of this nat_dim) to a neuron for ℕ of size `nat_dim`. Raises
    CajalError for a numeral ≥ nat_dim or a tensor above the size limit, and for a hole
    (a term with holes checks, but does not compile)."""
    if typing.holes:
        raise typing.holes[0].error()
    dtype = dtype or torch.get_default_dtype()
    limit = budget.limit(size_limit)
    rt = Runtime([], dtype=dtype, device=torch.device("cpu"), nat_dim=nat_dim, limit=limit)
    scope = {name: (t, ("free", name)) for name, t in ctx.items()}
    root = Builder(nat_dim, defs, limit=limit, elem=rt.elem).build(typing.term, scope)
    names: list = []
    with budget.guard("compiling this program"):
        root = Folder(rt, names).prepare(root)
    return Compiled(term=typing.term, typing=typing, ctx=dict(ctx), nat_dim=nat_dim, root=root, consts=rt.consts,
                    const_names=names, size_limit=limit, dtype=dtype)
