"""The size of the largest tensor a run allocates, computed from the types alone, before
anything is allocated, and checked against the budget (cajal/budget.py).

Each basis sample (a λ's matrix, an iter's W, a program's tensor) adds a batch axis, carried
by the variables that depend on it; a value's size is dim τ times its axes' sizes.
"""

from __future__ import annotations

import math

from .. import budget
from ..pretty import pretty
from ..syntax import Arrow
from .nodes import AppNode, IfNode, IterNode, LamNode, LetNode, Node, SuccNode


class Estimate:
    """The largest tensor seen so far while visiting nodes: (entries, node, what it is)."""

    def __init__(self, limit: int, elem: int):
        self.limit, self.elem = limit, elem
        self.best = (0, None, "")

    def note(self, numel: int, node: Node, what: str = "") -> None:
        if numel > self.best[0] or (numel == self.best[0] and what and not self.best[2]):
            self.best = (numel, node, what)

    def check(self) -> None:
        """Refuse (CajalError) when the largest tensor is above the limit."""
        numel, node, what = self.best
        if node is not None:
            budget.require(numel, self.elem, limit=self.limit, span=node.term.span,
                           what=what or f"values of type {pretty(node.ty)}")

    def visit(self, node: Node, env: dict) -> frozenset:
        """Note the tensors `node` makes; env: variable -> its batch axes {(key, size)}."""
        axes = frozenset().union(*(env.get(v, ()) for v in node.free))
        size = math.prod(s for _, s in axes)
        if node.dim:
            self.note(size * node.dim, node)
        if isinstance(node, SuccNode):
            self.visit(node.arg, env)
        elif isinstance(node, LamNode):
            if node.dim is not None:
                self.note(size * node.dim, node, f"the matrix of {pretty(node.ty)}")
                self.visit(node.body, {**env, node.param: frozenset([(object(), node.d_dom)])})
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
        m = math.prod(s for _, s in cap)
        w = m * node.dim * node.dim if node.dim else 0
        if node.w_static and (node.w_index is not None or node.w_fits(m, self.limit, self.elem)):
            self.note(w, node, f"the step matrix W of type {pretty(Arrow(node.ty, node.ty))}")
            self.visit(node.step, {**env, node.var: frozenset([(object(), node.dim)])})
        else:
            self.visit(node.step, {**env, node.var: base | cap | count})


def step_peak(node: IterNode, limit: int, elem: int) -> int:
    """The largest tensor sampling an iter's step on a basis makes, per batch element."""
    est = Estimate(limit, elem)
    est.visit(node.step, {node.var: frozenset([(object(), node.dim)])})
    return est.best[0]
