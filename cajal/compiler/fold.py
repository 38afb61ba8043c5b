"""Fold: closed, finite sub-programs become constants (computed once, at compile time), and
every iter whose step is closed gets its step matrix W as a constant. The constants are the
module's weights; `names` says what each one is, for people: (kind, term)."""

from __future__ import annotations

import torch

from ..syntax import Arrow, NatType
from .estimate import Estimate, product
from .nodes import ConstNode, DefNode, IterNode, Node
from .runtime import Runtime
from .values import force, sample

CHILDREN = ("arg", "body", "fn", "bound", "cond", "then", "else_", "base", "step", "count")


class Folder:
    def __init__(self, rt: Runtime, names: list):
        self.rt = rt
        self.names = names

    def foldable(self, node: Node) -> bool:
        """Closed, finite, and not a function that may be non-linear (that one stays a closure:
        its matrix would not be exact on every argument)."""
        if isinstance(node, ConstNode) or node.free or node.dim is None:
            return False
        return not (isinstance(node.ty, Arrow) and node.tainted)

    def prepare(self, node: Node) -> Node:
        """The node with its maximal foldable sub-programs folded."""
        if self.foldable(node):
            return self.fold(node)
        rt = self.rt
        closed_step = (isinstance(node, IterNode) and node.w_static and not node.captured
                       and node.w_fits(1, rt.limit, rt.elem))
        for attr in CHILDREN:
            child = getattr(node, attr, None)
            if isinstance(child, Node) and not (closed_step and attr == "step"):
                setattr(node, attr, self.prepare(child))
        if closed_step:  # the step's matrix W is the weight; its parts stay raw (no weights of their own)
            self._fold_step(node)
        return node

    def _fold_step(self, node: IterNode) -> None:
        rt = self.rt
        est = Estimate(rt.limit, rt.elem, rt.nat_dim)
        est.note(product((node.size, node.size)), node, ("the step matrix W of type", Arrow(node.ty, node.ty)))
        est.visit(node.step, {node.var: frozenset([(object(), node.size)])})
        est.check()
        step, var = node.step, node.var
        with torch.no_grad():
            w = sample(lambda y, r1: step.run({var: y}, r1, rt), d_in=node.dim, d_out=node.dim, r=0, rt=rt,
                       ty=node.ty)
        w = w.reshape(-1)
        node.w_index = self.add(w if self.owned(w) else w.clone(), ("step", node.term))

    def fold(self, node: Node) -> ConstNode:
        est = Estimate(self.rt.limit, self.rt.elem, self.rt.nat_dim)
        est.visit(node, {})
        est.check()
        if isinstance(node, DefNode):
            value = node.compiled.tensor.detach().to(self.rt.dtype)
        else:
            with torch.no_grad():
                value = force(node.run({}, 0, self.rt), 0)
        value = value.reshape(-1)
        if not self.owned(value):
            value = value.clone()
        smax = node.smax
        if isinstance(node.ty, NatType):  # the count is known now: iterate no further than it
            nz = (value != 0).nonzero()
            smax = int(nz[-1, 0]) if len(nz) else 0
        index = self.add(value, ("value", node.term))
        return ConstNode(index, node).setup(term=node.term, ty=node.ty, nat_dim=self.rt.nat_dim,
                                            has_iter=node.has_iter, smax=smax)

    def owned(self, value: torch.Tensor) -> bool:
        """Whether `value` has its own memory (not a cached basis, literal or other weight)."""
        ptr = value.untyped_storage().data_ptr()
        return all(t.untyped_storage().data_ptr() != ptr for t in self.rt.shared() + list(self.rt.consts))

    def add(self, value: torch.Tensor, what: tuple) -> int:
        self.rt.consts.append(value)
        self.names.append(what)
        return len(self.rt.consts) - 1
