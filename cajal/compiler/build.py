"""Build: a checked term → nodes (compiler/nodes.py), with their static facts bottom-up."""

from __future__ import annotations

from typing import Mapping

from ..encoding import check_numeral
from ..syntax import App, Arrow, BoolLit, BoolType, If, Iter, Lam, Let, Nat, NatType, Succ, Term, Var
from .estimate import step_peak
from .nodes import AppNode, DefNode, IfNode, IterNode, LamNode, LetNode, LitNode, Node, SuccNode, VarNode


class Builder:
    """Translates every sub-term once into a node. `defs`: earlier definitions, {name: Compiled}."""

    def __init__(self, nat_dim: int, defs: Mapping, *, limit: int, elem: int):
        self.n = nat_dim
        self.defs = defs
        self.limit, self.elem = limit, elem

    def build(self, term: Term, scope: dict) -> Node:
        """scope: name -> (Type, binder key); a key tells binders of the same name apart."""
        n = self.n
        match term:
            case Var(name):
                if name in scope:
                    ty, _ = scope[name]
                    return VarNode(name).setup(term=term, ty=ty, nat_dim=n, free=frozenset([name]))
                c = self.defs[name]
                return DefNode(name, c).setup(term=term, ty=c.type, nat_dim=n,
                                              tainted=isinstance(c.type, Arrow) and not c.exact,
                                              has_iter=c.has_iter, smax=c.smax)
            case BoolLit(value):
                return LitNode(bool(value)).setup(term=term, ty=BoolType(), nat_dim=n)
            case Nat(value):
                check_numeral(value, n, term.span)
                return LitNode(int(value)).setup(term=term, ty=NatType(), nat_dim=n, smax=value)
            case Succ(arg):
                a = self.build(arg, scope)
                return SuccNode(a).setup(term=term, ty=a.ty, nat_dim=n, free=a.free, ext_cap=a.ext_cap,
                                         tainted=a.tainted, has_iter=a.has_iter, smax=min(a.smax + 1, n - 1))
            case Lam(param, pty, body):
                key = object()
                b = self.build(body, {**scope, param: (pty, key)})
                node = LamNode(param, pty, b).setup(
                    term=term, ty=Arrow(pty, b.ty), nat_dim=n, free=b.free - {param}, ext_cap=b.ext_cap - {key},
                    tainted=b.tainted or key in b.ext_cap, has_iter=b.has_iter)
                return node.finish(n)
            case App(fn, arg):
                f = self.build(fn, scope)
                a = self.build(arg, scope)
                return AppNode(f, a).setup(term=term, ty=f.ty.cod, nat_dim=n, free=f.free | a.free,
                                           ext_cap=f.ext_cap | a.ext_cap, tainted=f.tainted or a.tainted,
                                           has_iter=f.has_iter or a.has_iter)
            case If(cond, then, else_):
                c, a, b = self.build(cond, scope), self.build(then, scope), self.build(else_, scope)
                return IfNode(c, a, b).setup(
                    term=term, ty=a.ty, nat_dim=n, free=c.free | a.free, ext_cap=c.ext_cap | a.ext_cap | b.ext_cap,
                    tainted=c.tainted or a.tainted or b.tainted, has_iter=c.has_iter or a.has_iter or b.has_iter,
                    smax=max(a.smax, b.smax) if isinstance(a.ty, NatType) else None)
            case Let(name, bound, body):
                bd = self.build(bound, scope)
                key = object()
                b = self.build(body, {**scope, name: (bd.ty, key)})
                return LetNode(name, bd, b).setup(
                    term=term, ty=b.ty, nat_dim=n, free=bd.free | (b.free - {name}),
                    ext_cap=bd.ext_cap | (b.ext_cap - {key}), tainted=bd.tainted or b.tainted or key in b.ext_cap,
                    has_iter=bd.has_iter or b.has_iter, smax=b.smax if isinstance(b.ty, NatType) else None)
            case Iter():
                return self._iter(term, scope)
        raise TypeError(f"not a term: {term!r}")

    def _iter(self, term: Iter, scope: dict) -> IterNode:
        n = self.n
        base, var, step, count = term.base, term.var, term.step, term.count
        c = self.build(count, scope)
        bs = self.build(base, scope)
        key = object()
        s = self.build(step, {**scope, var: (bs.ty, key)})
        captured = s.free - {var}
        cap_keys = frozenset(scope[v][1] for v in captured)
        step_tainted = s.tainted or key in s.ext_cap
        node = IterNode(base=bs, var=var, step=s, count=c, captured=tuple(sorted(captured))).setup(
            term=term, ty=bs.ty, nat_dim=n, free=c.free | bs.free | captured,
            ext_cap=c.ext_cap | bs.ext_cap | (s.ext_cap - {key}) | cap_keys,
            tainted=c.tainted or bs.tainted or step_tainted, has_iter=True)
        node.w_static = node.dim is not None and not step_tainted
        if node.w_static:
            node.sample_peak = step_peak(node, limit=self.limit, elem=self.elem, nat_dim=n)
        return node
