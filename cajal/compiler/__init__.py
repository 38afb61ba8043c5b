"""The compiler: Cajal terms → linear and recurrent neurons (LANGUAGE.md sections 5–7).

    source ─parse─▶ Term ─check─▶ Typing ─build─▶ nodes ─fold─▶ nodes + weights ─▶ Compiled

This package's face is the public API: `compile` takes a term (or its source), checks it
once and calls the internal entry point, `program.compile_typing`, which takes a checked
`Typing` (a session compiles through it, without checking again). `build.py` turns each
sub-term once into a node (`nodes.py`) with its static facts;
`fold.py` computes closed sub-programs (and closed iter steps) once, as weights; `module.py`
wraps the result in an `nn.Module` that runs (`link.py`) on tensors. Runtime values are in
`values.py`, the tensor operations in `ops.py`, the size estimate in `estimate.py`, the
memory budget in `cajal/budget.py`. docs/COMPILER.md explains the design.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

from ..budget import SIZE_LIMIT_BYTES
from ..errors import CajalError
from ..parser import as_term, as_type
from ..types import check
from . import link
from .link import FunctionValue, Partial
from .module import Compiled
from .program import compile_typing
from .values import W_FRACTION

__all__ = ["compile", "Compiled", "FunctionValue", "Partial", "encode_value", "SIZE_LIMIT_BYTES", "W_FRACTION"]


def compile(term, ctx: Optional[Mapping] = None, nat_dim: int = 10, *, defs: Optional[Mapping] = None,
            types: Iterable[str] = (), size_limit: Optional[int] = None, dtype=None) -> Compiled:
    """Compile `term` (a Term or its source), whose free variables `ctx` types ({name: Type or
    type source}), to a neuron for ℕ of size `nat_dim`. `defs` gives earlier definitions
    ({name: Compiled}), `types` the declared abstract types. Raises CajalTypeError for an
    ill-typed term and CajalError for a numeral ≥ nat_dim or a tensor above the size limit."""
    if not isinstance(nat_dim, int) or isinstance(nat_dim, bool) or nat_dim < 1:
        raise CajalError(f"nat_dim must be a positive integer, not {nat_dim!r}")
    term = as_term(term)
    ctx = {name: as_type(t) for name, t in (ctx or {}).items()}
    defs = {name: _definition(name, d, nat_dim) for name, d in (defs or {}).items()}
    typing = check(term, ctx, defs={name: c.type for name, c in defs.items()}, types=types)
    return compile_typing(typing, ctx, nat_dim, defs=defs, size_limit=size_limit, dtype=dtype)


def encode_value(value, type, nat_dim: int = 10, *, dtype=None, device=None):
    """The tensor encoding `value` of `type` (a Type or its source): a one-hot vector, or for a
    function (an evaluator closure) the flattened matrix."""
    return link.encode_value(value, as_type(type), nat_dim, dtype=dtype, device=device)


def _definition(name: str, d, nat_dim: int) -> Compiled:
    """An earlier definition as a closed Compiled of this nat_dim (a session definition gives
    its own through `.compiled(nat_dim)`)."""
    if isinstance(d, Compiled):
        c = d
    else:
        get = getattr(d, "compiled", None)
        c = get(nat_dim) if callable(get) else get
        if not isinstance(c, Compiled):
            raise CajalError(f"the definition `{name}` is not a compiled Cajal program",
                             hint="pass defs={name: cajal.compile(term)}")
    if c.free:
        raise CajalError(f"the definition `{name}` has free variables: a definition must be closed")
    if c.nat_dim != nat_dim:
        raise CajalError(f"the definition `{name}` was compiled with nat_dim = {c.nat_dim}, "
                         f"but this program uses nat_dim = {nat_dim}", hint="recompile it with the same nat_dim")
    return c
