"""What a run needs besides the environment (`Runtime`), and what it knows about the tensors
it made: which are identity bases (sampled along a batch axis) and which are literals."""

from __future__ import annotations

from typing import Optional

import torch

from .. import budget
from ..encoding import dim
from ..pretty import pretty
from ..syntax import Type

CACHED_EYE = 1 << 20  # entries of the largest identity a runtime keeps for reuse


class Runtime:
    """The module's weights, dtype and device, nat_dim, the size limit, the batch size of the
    call, and (for `iterates`) where to record hidden states.

    `sampling` counts the basis samples in progress (a λ's matrix, an iter's W, a program's
    tensor): iterates are recorded only outside them, where states are the call's own.
    The runtime remembers the identity bases it hands out (`basis`, `basis_axis`) and its
    literal one-hot vectors (`lit`, `literal`), so that applying a matrix to a basis is a
    re-indexing and an iter whose count is a literal k stops after k steps."""

    __slots__ = ("consts", "dtype", "device", "record", "trainable", "limit", "elem", "nat_dim", "sampling",
                 "batch", "_eye", "_lit", "_literal", "_bases", "_dims")

    def __init__(self, consts: list, *, dtype, device, nat_dim: int, limit: int, trainable: bool = False,
                 record: Optional[list] = None, batch: int = 1):
        self.consts, self.dtype, self.device, self.nat_dim = consts, dtype, device, nat_dim
        self.limit, self.trainable, self.record, self.batch = limit, trainable, record, batch
        self.elem = torch.empty(0, dtype=dtype).element_size()
        self.sampling = 0
        self._eye, self._lit, self._dims = {}, {}, {}
        self._literal: dict = {}  # id(tensor) -> the natural it is (the tensor is kept in _lit)
        self._bases: dict = {}  # id(tensor) -> (tensor, batch axis)

    @property
    def recording(self) -> bool:
        """Whether hidden states are recorded now (an `iterates` call, outside any sample)."""
        return self.record is not None and self.sampling == 0

    def dim(self, t: Type) -> int:
        d = self._dims.get(t)
        if d is None:
            d = self._dims[t] = dim(t, self.nat_dim)
        return d

    def eye(self, d: int) -> torch.Tensor:
        """The identity of size d; kept for reuse only when small (a large one is freed as
        soon as the sample that needs it is done)."""
        e = self._eye.get(d)
        if e is None:
            e = torch.eye(d, dtype=self.dtype, device=self.device)
            if d * d <= CACHED_EYE:
                self._eye[d] = e
        return e

    def shared(self) -> list:
        """The tensors this runtime caches (bases and literals): a result must not alias them."""
        return list(self._eye.values()) + list(self._lit.values())

    def basis(self, d: int, *, axis: int, rank: int) -> torch.Tensor:
        """The identity basis of size d along batch axis `axis` of `rank` batch axes: shape
        (1, …, d, …, 1, d), remembered as a basis."""
        b = self.eye(d).reshape((1,) * axis + (d,) + (1,) * (rank - 1 - axis) + (d,))
        self._bases[id(b)] = (b, axis)
        return b

    def forget_basis(self, t: torch.Tensor) -> None:
        """A basis no longer used (its sample is done): its memory may go."""
        self._bases.pop(id(t), None)

    def basis_axis(self, t: torch.Tensor) -> Optional[int]:
        """The batch axis along which t is an identity basis this runtime made, or None."""
        entry = self._bases.get(id(t))
        return entry[1] if entry is not None and entry[0] is t else None

    def lit(self, key) -> torch.Tensor:
        """The one-hot vector of a literal (tt/ff or a natural), made once per runtime."""
        full = (type(key), key)  # False == 0: keep tt/ff apart from the naturals
        t = self._lit.get(full)
        if t is None:
            size = 2 if isinstance(key, bool) else self.nat_dim
            t = torch.zeros(size, dtype=self.dtype, device=self.device)
            t[(0 if key else 1) if isinstance(key, bool) else key] = 1
            self._lit[full] = t
            if not isinstance(key, bool):
                self._literal[id(t)] = key
        return t

    def literal(self, t: torch.Tensor) -> Optional[int]:
        """The natural k if t is this runtime's literal k (a count known exactly), else None."""
        k = self._literal.get(id(t))
        return k if k is not None and self._lit.get((int, k)) is t else None

    def check_size(self, numel: int, ty: Type, *, span=None, what: str = "") -> None:
        budget.require(numel, self.elem, limit=self.limit, what=what or f"values of type {pretty(ty)}", span=span)
