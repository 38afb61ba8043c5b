"""The tensor operations that compiled programs are made of. Plain torch on plain tensors:
what a tensor *is* (a basis, a literal) is the caller's knowledge, passed in as arguments.

Batch dimensions are leading and broadcast right-aligned; a finite value is (…, dim τ), a
function value its row-major flattened matrix (…, d₂·d₁).
"""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F


def strip(t: torch.Tensor, keep: int) -> torch.Tensor:
    """Drop leading batch dimensions of size 1 (finite tensors broadcast right-aligned)."""
    while t.dim() > keep and t.shape[0] == 1:
        t = t[0]
    return t


def shift(x: torch.Tensor) -> torch.Tensor:
    """succ on one-hot blocks: eᵢ ↦ eᵢ₊₁, and the last natural to 0 (it has no successor)."""
    return F.pad(x[..., :-1], (1, 0))


def matvec(m: torch.Tensor, v: torch.Tensor, *, rows: int, cols: int,
           m_basis: Optional[int] = None, v_basis: Optional[int] = None) -> torch.Tensor:
    """Apply a batch of flattened (rows, cols) matrices to a batch of vectors; batch dims
    broadcast right-aligned. `v_basis` = a: v is the identity basis along its batch axis a, so
    the result is a re-indexing of m's columns, not a product. `m_basis` = a: m is the basis
    of unit matrices along batch axis a (out[k] = e_{row k} · v[col k])."""
    bm, bv = m.dim() - 1, v.dim() - 1
    if v_basis is not None:
        L = max(bm, bv)
        pos = L - bv + v_basis
        mp = m.reshape((1,) * (L - bm) + tuple(m.shape[:-1]) + (rows, cols))
        if mp.shape[pos] == 1:
            return mp.squeeze(pos).movedim(-1, pos)
    if m_basis is not None:
        L = max(bm, bv)
        pos = L - bm + m_basis
        vp = v.reshape((1,) * (L - bv) + tuple(v.shape))
        if vp.shape[pos] == 1:
            lanes = vp.squeeze(pos).movedim(-1, pos).unsqueeze(pos).unsqueeze(-1)  # (…, 1, cols, …, 1)
            eye = torch.eye(rows, dtype=v.dtype, device=v.device)
            shape = [1] * (L + 2)
            shape[pos], shape[-1] = rows, rows
            out = lanes * eye.reshape(shape)  # (…, rows, cols, …, rows)
            return out.reshape(*out.shape[:pos], rows * cols, *out.shape[pos + 2:])
    mm = m.reshape(*m.shape[:-1], rows, cols)
    if bm == 0:
        return F.linear(v, mm)
    if bv == 0:
        return mm @ v
    return torch.einsum("...ij,...j->...i", mm, v)


def weigh(w: torch.Tensor, t: torch.Tensor, rank: int, *, acc: Optional[torch.Tensor] = None,
          abstract: bool = False) -> torch.Tensor:
    """acc + w·t, w batch-shaped weights. A finite t is (…batch, d); an abstract one has
    exactly `rank` batch dimensions then the value's own shape."""
    if abstract:
        term = w.reshape((1,) * (rank - w.dim()) + tuple(w.shape) + (1,) * (t.dim() - rank)) * t
    else:
        term = w.unsqueeze(-1) * t
    return term if acc is None else acc + term


def broadcast_shape(shapes) -> tuple:
    """Right-aligned broadcast of batch shapes (torch.broadcast_shapes imports sympy)."""
    out: list = []
    for shape in shapes:
        for i, size in enumerate(reversed(shape)):
            if i == len(out):
                out.append(size)
            elif out[i] == 1 or size == out[i]:
                out[i] = size
            elif size != 1:
                out[i] = max(out[i], size)
    return tuple(reversed(out))
