"""Exact evaluation (LANGUAGE.md section 4): a pure big-step evaluator and a small-step
reducer that records every step, for teaching.

Big-step evaluation uses immutable environments, never substitution, so it is fast; the
small-step reducer substitutes, so every intermediate state is a term a student can read. Both
are call-by-value, and they agree: `steps(t)[-1].term` is `evaluate(t)` as a term.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping, Optional

from .errors import CajalError
from .substitute import substitute
from .syntax import App, BoolLit, If, Iter, Lam, Let, Nat, Succ, Term, Var
from .values import Closure, Opaque, Value, is_value, term_value, value_term


def evaluate(term: Term, env: Optional[Mapping[str, Any]] = None, *,
             defs: Optional[Mapping[str, Value]] = None) -> Value:
    """The value of `term`. `env` gives the free variables (Values or Python bool/int);
    `defs` gives the values of definitions."""
    env = MappingProxyType({k: _as_value(v) for k, v in (env or {}).items()})
    return _eval(term, env, defs or {})


def _as_value(v: Any) -> Value:
    if isinstance(v, (bool, int, Closure, Opaque)):
        return v
    return Opaque(v)


def _eval(term: Term, env: Mapping[str, Value], defs: Mapping[str, Value]) -> Value:
    match term:
        case Var(name):
            if name in env:
                return env[name]
            if name in defs:
                return defs[name]
            raise CajalError(f"unbound variable `{name}`", term.span,
                             hint="type-check a term before evaluating it")
        case BoolLit(value):
            return value
        case Nat(value):
            return value
        case Succ(arg):
            return _nat(_eval(arg, env, defs), arg) + 1
        case Lam(param, param_type, body):
            return Closure(param, param_type, body, env, defs)
        case App(fn, arg):
            f = _eval(fn, env, defs)
            v = _eval(arg, env, defs)
            return apply(f, v, defs)
        case If(cond, then, else_):
            c = _eval(cond, env, defs)
            if not isinstance(c, bool):
                raise CajalError("the condition of `if` is not a boolean", cond.span)
            return _eval(then if c else else_, env, defs)
        case Let(name, bound, body):
            v = _eval(bound, env, defs)
            return _eval(body, _extend(env, name, v), defs)
        case Iter(base, var, step, count):
            n = _nat(_eval(count, env, defs), count)
            value = _eval(base, env, defs)
            for _ in range(n):  # a loop, so counts of any size need no recursion
                value = _eval(step, _extend(env, var, value), defs)
            return value
    raise TypeError(f"not a term: {term!r}")


def apply(f: Value, v: Value, defs: Mapping[str, Value] = MappingProxyType({})) -> Value:
    """Apply a function value to an argument value."""
    if isinstance(f, Closure):
        return _eval(f.body, _extend(f.env, f.param, v), f.defs)
    if isinstance(f, Opaque) and callable(f.obj):
        return _as_value(f.obj(v))
    raise CajalError("applied a value that is not a function")


def _extend(env: Mapping[str, Value], name: str, value: Value) -> Mapping[str, Value]:
    return MappingProxyType({**env, name: value})


def _nat(v: Value, term: Term) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise CajalError("expected a natural number", term.span)
    return v


# ---------------------------------------------------------------- small-step


class Step(tuple):
    """One reduction step: unpacks as `(rule, term)`; also knows the redex it contracted
    (`.redex`, a sub-term of the previous term) and where (`.path`, child indices)."""

    def __new__(cls, rule: str, term: Term, redex: Term, path: tuple[int, ...]):
        self = super().__new__(cls, (rule, term))
        self.redex = redex
        self.path = path
        return self

    rule = property(lambda self: self[0])
    term = property(lambda self: self[1])


def steps(term: Term, *, defs: Optional[Mapping[str, Term]] = None, limit: Optional[int] = None) -> list[Step]:
    """The small-step reduction of `term` to its value: one `Step` per rule applied
    (β, if-tt, if-ff, iter-zero, iter-succ, succ, and δ for unfolding a definition)."""
    defs = defs or {}
    trace = []
    current = term
    while limit is None or len(trace) < limit:
        found = _step(current, defs, ())
        if found is None:
            break
        rule, current, redex, path = found
        trace.append(Step(rule, current, redex, path))
    return trace


def _step(t: Term, defs, path) -> Optional[tuple[str, Term, Term, tuple]]:
    """One call-by-value, left-to-right step of `t`, or None if t is a value or stuck."""
    match t:
        case Var(name) if name in defs:
            return "δ", defs[name], t, path
        case Succ(arg):
            if isinstance(arg, Nat):
                return "succ", Nat(arg.value + 1), t, path
            return _inside(t, 0, arg, defs, path, lambda a: Succ(a, t.span))
        case App(fn, arg):
            if not is_value(fn):
                return _inside(t, 0, fn, defs, path, lambda f: App(f, arg, t.span))
            if not is_value(arg):
                return _inside(t, 1, arg, defs, path, lambda a: App(fn, a, t.span))
            if isinstance(fn, Lam):
                return "β", substitute(fn.body, {fn.param: arg}), t, path
            return None
        case If(cond, then, else_):
            if isinstance(cond, BoolLit):
                return ("if-tt", then, t, path) if cond.value else ("if-ff", else_, t, path)
            return _inside(t, 0, cond, defs, path, lambda c: If(c, then, else_, t.span))
        case Let(name, bound, body):
            if is_value(bound):
                return "β", substitute(body, {name: bound}), t, path
            return _inside(t, 0, bound, defs, path, lambda b: Let(name, b, body, t.span, t.name_span))
        case Iter(base, var, step, count):
            if not isinstance(count, Nat):
                return _inside(t, 2, count, defs, path, lambda c: Iter(base, var, step, c, t.span, t.var_span))
            if not is_value(base):
                return _inside(t, 0, base, defs, path, lambda b: Iter(b, var, step, count, t.span, t.var_span))
            if count.value == 0:
                return "iter-zero", base, t, path
            # iter{v | y ↪ s}(n+1) → iter{s[y ↦ v] | y ↪ s}(n): the step runs on the value so far
            return "iter-succ", Iter(substitute(step, {var: base}), var, step, Nat(count.value - 1),
                                     t.span, t.var_span), t, path
    return None


def _inside(t, index, child, defs, path, rebuild):
    found = _step(child, defs, path + (index,))
    if found is None:
        return None
    rule, new_child, redex, where = found
    return rule, rebuild(new_child), redex, where
