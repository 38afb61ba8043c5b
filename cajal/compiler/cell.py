"""The recurrent cell of `iter{b | y ↪ s}(n)` when its step is a matrix W: the states
h₀ … h_k and the readout Σᵢ nᵢ hᵢ, at a cost that grows like what they write.

* A *functional* W (entries 0/1, at most one 1 per column: succ, not, a permutation of unit
  matrices, a constant step) maps each basis vector to one basis vector or to nothing, given
  by an index map f. Its states are gathered, not multiplied: W h adds each entry h[c] at
  f(c). They are made by doubling: knowing h₀ … h_{j−1} and f^j, the next j states are f^j
  applied to them, and f^{2j} = f^j ∘ f^j: log₂ k rounds of slab additions, no products.
  The states live in a buffer laid out vector-first, (d + 1, k + 1, …batch) (row d absorbs
  what f sends nowhere), seen as (k + 1, …batch, d): a basis sample then moves its axes to
  the end (`values.sample`) without copying, so a program's matrix is often this buffer.
* A count that is one-hot in every batch element (a literal, a basis, a linked int) reads
  its state out by indexing, not by a weighted sum over all k + 1 states; a basis count
  (an open count being sampled) is a view of the states.

Both are exact: they only move and add entries that a dense product would. Neither is used
when gradients must reach W, the base or the count (a trainable module, a soft input that
requires grad): then the dense recurrence runs.
"""

from __future__ import annotations

from typing import Optional

import torch

from .ops import broadcast_shape
from .runtime import Runtime

FEW_STEPS = 3  # up to this many steps, the plain recurrence is as cheap as setting these paths up


def functional_map(w: torch.Tensor, d: int) -> Optional[torch.Tensor]:
    """For a flattened (d, d) matrix W that is functional, the map f of length d + 1: column
    c goes to row f[c], or to the dummy row d when it is zero (f[d] = d). None otherwise, or
    when W is batched or needs gradients."""
    if w.dim() != 1 or w.requires_grad:
        return None
    m = w.reshape(d, d)
    if not bool(((m == 0) | (m == 1)).all()):
        return None
    ones = m.sum(0)
    if bool((ones > 1).any()):
        return None
    f = torch.full((d + 1,), d, dtype=torch.long, device=w.device)
    f[:d] = torch.where(ones == 1, m.argmax(0), d)
    return f


def gathered_states(f: torch.Tensor, b: torch.Tensor, k: int) -> torch.Tensor:
    """The states h₀ … h_k of h ↦ W h for a functional W (map f): a (k + 1, …batch, d) view
    of a vector-first buffer (d + 1, k + 1, …batch)."""
    d, batch = b.shape[-1], tuple(b.shape[:-1])
    buf = torch.zeros((d + 1, k + 1) + batch, dtype=b.dtype, device=b.device)
    buf[:d, 0] = b.movedim(-1, 0)
    j = 1
    while j < k + 1:
        m = min(j, k + 1 - j)
        buf[:, j:j + m].index_add_(0, f, buf[:, :m])
        j += m
        if j < k + 1:
            f = f[f]
    return buf[:d].movedim(0, -1)


def onehot_count(n: torch.Tensor, rt: Runtime) -> Optional[tuple]:
    """How a count that is one-hot (or zero) in every batch element picks its state:
    ("basis", axis) for a basis the runtime handed out, ("index", index, present) otherwise
    (index and present: (…batch) long and bool; present is False for a zero vector). None
    when the count is soft, or needs gradients."""
    if n.requires_grad:
        return None
    axis = rt.basis_axis(n)
    if axis is not None:
        return ("basis", axis)
    literal = rt.literal(n)
    if literal is not None:
        return ("index", torch.tensor(literal, device=n.device), torch.tensor(True, device=n.device))
    if not bool(((n == 0) | (n == 1)).all()):
        return None
    total = n.sum(-1)
    if bool((total > 1).any()):
        return None
    return ("index", n.argmax(-1), total == 1)


def read_out(states: torch.Tensor, count: tuple, n: torch.Tensor) -> torch.Tensor:
    """Σᵢ nᵢ hᵢ over stacked states (k + 1, …batch, d) for a one-hot count (`onehot_count`):
    the state its index picks, 0 where the count is zero or beyond k."""
    k1, d = states.shape[0], states.shape[-1]
    sb = tuple(states.shape[1:-1])
    if count[0] == "basis":
        axis, nb = count[1], tuple(n.shape[:-1])
        if k1 == n.shape[-1]:
            return _basis_read_out(states, axis, nb)
        index = torch.arange(n.shape[-1], device=n.device).reshape(
            [n.shape[-1] if i == axis else 1 for i in range(len(nb))])
        present = torch.ones_like(index, dtype=torch.bool)
    else:
        _, index, present = count
    nb = tuple(index.shape)
    batch = broadcast_shape([sb, nb])
    L = len(batch)
    s = states.reshape((k1,) + (1,) * (L - len(sb)) + sb + (d,)).expand((k1,) + batch + (d,))
    present = present & (index < k1)
    idx = index.clamp(max=k1 - 1).reshape((1,) * (L - len(nb)) + nb).expand(batch)
    out = torch.gather(s, 0, idx.reshape((1,) + batch + (1,)).expand((1,) + batch + (d,)))[0]
    if not bool(present.all()):
        out = out * present.reshape((1,) * (L - present.dim()) + tuple(present.shape) + (1,)).to(out.dtype)
    return out


def _basis_read_out(states: torch.Tensor, axis: int, nb: tuple) -> torch.Tensor:
    """The readout for a count that is the identity basis along batch axis `axis`: state j
    at position j of that axis. A view of the states (their diagonal when they vary along
    the same axis)."""
    sb = tuple(states.shape[1:-1])
    L = max(len(sb), len(nb))
    s = states[(slice(None),) + (None,) * (L - len(sb))]  # (k + 1, …batch of rank L, d)
    pos = L - len(nb) + axis
    if s.shape[pos + 1] == 1:
        return s.squeeze(pos + 1).movedim(0, pos)
    return torch.diagonal(s, dim1=0, dim2=pos + 1).movedim(-1, pos)
