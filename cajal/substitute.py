"""Substitution of closed terms for variables (all the evaluator ever substitutes is closed,
so no renaming is needed)."""

from __future__ import annotations

from typing import Mapping

from .syntax import App, BoolLit, If, Iter, Lam, Let, Nat, Succ, Term, Var


def substitute(term: Term, mapping: Mapping[str, Term]) -> Term:
    """`term[x ↦ v, …]` for every x in `mapping` (the v must be closed)."""
    if not mapping:
        return term
    match term:
        case Var(name):
            return mapping.get(name, term)
        case BoolLit() | Nat():
            return term
        case Succ(arg, span):
            return Succ(substitute(arg, mapping), span)
        case Lam(param, t, body, span, pspan):
            return Lam(param, t, substitute(body, _without(mapping, param)), span, pspan)
        case App(fn, arg, span):
            return App(substitute(fn, mapping), substitute(arg, mapping), span)
        case If(c, a, b, span):
            return If(substitute(c, mapping), substitute(a, mapping), substitute(b, mapping), span)
        case Let(name, bound, body, span, nspan):
            return Let(name, substitute(bound, mapping), substitute(body, _without(mapping, name)), span, nspan)
        case Iter(base, var, step, count, span, vspan):
            return Iter(substitute(base, mapping), var, substitute(step, _without(mapping, var)),
                        substitute(count, mapping), span, vspan)
    raise TypeError(f"not a term: {term!r}")


def _without(mapping: Mapping[str, Term], name: str) -> Mapping[str, Term]:
    if name not in mapping:
        return mapping
    return {k: v for k, v in mapping.items() if k != name}
