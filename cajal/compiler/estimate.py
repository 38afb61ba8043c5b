"""The size of the largest tensor a run allocates, computed from the types alone, before
anything is allocated, and checked against the budget (cajal/budget.py).

Each basis sample (a λ's matrix, an iter's W, a program's tensor) adds a batch axis, carried
by the variables that depend on it; a value's size is dim τ times its axes' sizes. Every
size is c · N^k for N = nat_dim (a product of dimensions), so a `Size` also carries k, and a
refusal can say at which nat_dim the program would fit.
"""

from __future__ import annotations

from typing import NamedTuple

from .. import budget
from ..encoding import degree
from ..pretty import pretty
from ..syntax import Arrow, Type
from .nodes import AppNode, IfNode, IterNode, LamNode, LetNode, Node, SuccNode


class Size(NamedTuple):
    """A number of entries at this nat_dim, and its degree k in nat_dim (entries = c · N^k)."""

    numel: int
    deg: int


ONE = Size(1, 0)


def size_of(ty: Type, d: int) -> Size:
    """The Size of a value of type ty whose dimension is d."""
    return Size(d, degree(ty) or 0)


def product(sizes) -> Size:
    numel, deg = 1, 0
    for s in sizes:
        numel *= s[0]
        deg += s[1]
    return Size(numel, deg)


class Estimate:
    """The largest tensor seen so far while visiting nodes: (Size, node, what it is)."""

    def __init__(self, limit: int, elem: int, nat_dim: int):
        self.limit, self.elem, self.nat_dim = limit, elem, nat_dim
        self.best = (ONE, None, "")

    def note(self, size: Size, node: Node, what: tuple = ()) -> None:
        """A tensor of `size` made by `node`; what: (words, type) to say what it is."""
        if size[0] > self.best[0][0] or (size[0] == self.best[0][0] and what and not self.best[2]):
            self.best = (size, node, what)

    def check(self) -> None:
        """Refuse (CajalError) when the largest tensor is above the limit, saying at which
        nat_dim it would fit."""
        size, node, what = self.best
        if node is None or size.numel * self.elem <= self.limit:
            return
        fits = None
        if size.deg:
            n = self.nat_dim
            fits = budget.largest_fitting(lambda m: size.numel * (m / n) ** size.deg * self.elem, self.limit, n)
        words, ty = what or ("values of type", node.ty)
        budget.require(size.numel, self.elem, limit=self.limit, span=node.term.span, fits_at=fits,
                       what=f"{words} {pretty(ty)}")

    def visit(self, node: Node, env: dict) -> frozenset:
        """Note the tensors `node` makes; env: variable -> its batch axes {(key, Size)}."""
        axes = frozenset().union(*(env.get(v, ()) for v in node.free))
        size = product(s for _, s in axes)
        if node.dim:
            self.note(product((size, node.size)), node)
        if isinstance(node, SuccNode):
            self.visit(node.arg, env)
        elif isinstance(node, LamNode):
            if node.dim is not None:
                self.note(product((size, node.size)), node, ("the matrix of", node.ty))
                self.visit(node.body, {**env, node.param: frozenset([(object(), node.dom_size)])})
            else:
                self.visit(node.body, {**env, node.param: frozenset()})
        elif isinstance(node, AppNode):
            if isinstance(node.fn, LamNode):  # β: the body runs on the argument
                arg = self.visit(node.arg, env)
                self.visit(node.fn.body, {**env, node.fn.param: arg})
            else:
                self.visit(node.fn, env)
                self.visit(node.arg, env)
        elif isinstance(node, LetNode):
            bound = self.visit(node.bound, env)
            self.visit(node.body, {**env, node.name: bound})
        elif isinstance(node, IfNode):
            for child in node.children():
                self.visit(child, env)
        elif isinstance(node, IterNode):
            self._visit_iter(node, env)
        return axes

    def _visit_iter(self, node: IterNode, env: dict) -> None:
        count = self.visit(node.count, env)
        base = self.visit(node.base, env)
        cap = frozenset().union(*(env.get(v, ()) for v in node.captured))
        m = product(s for _, s in cap)
        if node.w_static and (node.w_index is not None or node.w_fits(m.numel, self.limit, self.elem)):
            self.note(product((m, node.size, node.size)), node, ("the step matrix W of type", Arrow(node.ty, node.ty)))
            self.visit(node.step, {**env, node.var: frozenset([(object(), node.size)])})
        else:
            self.visit(node.step, {**env, node.var: base | cap | count})


def step_peak(node: IterNode, *, limit: int, elem: int, nat_dim: int) -> int:
    """The largest tensor sampling an iter's step on a basis makes, per batch element."""
    est = Estimate(limit, elem, nat_dim)
    est.visit(node.step, {node.var: frozenset([(object(), node.size)])})
    return est.best[0].numel
