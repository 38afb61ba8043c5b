"""Substitution of closed terms for variables (all the evaluator ever substitutes is closed,
so no renaming is needed)."""

from __future__ import annotations

from typing import Mapping

from .syntax import App, BoolLit, Hole, If, Iter, Lam, Let, Nat, Succ, Term, Var


def substitute(term: Term, mapping: Mapping[str, Term]) -> Term:
    """`term[x ↦ v, …]` for every x in `mapping` (the v must be closed). Sub-terms that
    contain none of the variables are shared with `term`, not copied."""
    if not mapping:
        return term
    return _subst(term, mapping)


def _subst(t: Term, m: Mapping[str, Term]) -> Term:
    cls = type(t)
    if cls is Var:
        return m.get(t.name, t)
    if cls is BoolLit or cls is Nat or cls is Hole:
        return t
    if cls is App:
        fn, arg = _subst(t.fn, m), _subst(t.arg, m)
        return t if fn is t.fn and arg is t.arg else App(fn, arg, t.span)
    if cls is Lam:
        inner = _without(m, t.param)
        body = _subst(t.body, inner) if inner else t.body
        return t if body is t.body else Lam(t.param, t.param_type, body, t.span, t.param_span)
    if cls is Succ:
        arg = _subst(t.arg, m)
        return t if arg is t.arg else Succ(arg, t.span)
    if cls is If:
        c, a, b = _subst(t.cond, m), _subst(t.then, m), _subst(t.else_, m)
        return t if c is t.cond and a is t.then and b is t.else_ else If(c, a, b, t.span)
    if cls is Let:
        bound = _subst(t.bound, m)
        inner = _without(m, t.name)
        body = _subst(t.body, inner) if inner else t.body
        return t if bound is t.bound and body is t.body else Let(t.name, bound, body, t.span, t.name_span)
    if cls is Iter:
        base, count = _subst(t.base, m), _subst(t.count, m)
        inner = _without(m, t.var)
        step = _subst(t.step, inner) if inner else t.step
        if base is t.base and step is t.step and count is t.count:
            return t
        return Iter(base, t.var, step, count, t.span, t.var_span)
    raise TypeError(f"not a term: {t!r}")


def _without(mapping: Mapping[str, Term], name: str) -> Mapping[str, Term]:
    if name not in mapping:
        return mapping
    return {k: v for k, v in mapping.items() if k != name}
