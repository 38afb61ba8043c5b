"""The linear type checker (LANGUAGE.md section 3).

`check` synthesises a type bottom-up and, for every sub-term, the variables it uses, each of
which must be used exactly once. Splitting a context (Δ₁ ∘ Δ₂) is then checking that the uses
of the parts are disjoint, and the `if` rule is checking that both branches use the same ones.
The result records what later stages need: every sub-term's type and context (for derivation
trees), and which variables an `iter` step captures (Δ₃), which makes a map non-linear in them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Union

from .errors import CajalTypeError, Span, echo
from .pretty import pretty
from .syntax import (
    BOOL,
    NAT,
    Abstract,
    App,
    Arrow,
    BoolLit,
    If,
    Iter,
    Lam,
    Let,
    Nat,
    Succ,
    Term,
    Type,
    Var,
)

Binder = Union[int, str]  # id() of the binding Lam/Let/Iter node, or the name of a free variable


@dataclass
class Typing:
    """What the checker learned about `term`, keyed by `id()` of its nodes. It holds the term,
    so those nodes stay alive and their ids cannot be reused by other nodes: a fact is about
    a node of `term` (look nodes up in the term it holds, not in a copy)."""

    term: Term
    type: Type
    types: dict[int, Type] = field(default_factory=dict)
    contexts: dict[int, dict[str, Type]] = field(default_factory=dict)
    captured: dict[int, frozenset[str]] = field(default_factory=dict)  # iter node -> Δ₃
    nonlinear: set[Binder] = field(default_factory=set)  # binders captured by some iter step

    def is_linear_in(self, binder: Binder) -> bool:
        return binder not in self.nonlinear


def typecheck(term: Term, ctx: Optional[Mapping] = None, *, defs: Optional[Mapping[str, Type]] = None,
              types: Iterable[str] = ()) -> Type:
    """The type of `term`, whose free variables `ctx` types (each used exactly once)."""
    return check(term, ctx, defs=defs, types=types).type


def check(term: Term, ctx: Optional[Mapping] = None, *, defs: Optional[Mapping[str, Type]] = None,
          types: Iterable[str] = ()) -> Typing:
    """Check `term` and return everything learned. `defs` are constants, usable any number of
    times; `types` are the declared abstract types. Raises CajalTypeError. (A term or type
    given as its source is parsed by the public API, `cajal.check`: stages take syntax.)"""
    from .errors import ensure_recursion_limit
    ensure_recursion_limit()
    if ctx is not None and not isinstance(ctx, Mapping):
        raise TypeError(f"ctx must map variable names to types, not {type(ctx).__name__}")
    known = set(types)
    linear = {}
    for name, t in (ctx or {}).items():
        known |= _abstract_in(t)
        linear[name] = (t, name)
    checker = _Checker(term, defs if defs is not None else {}, known)  # defs read, never copied (many defs stay linear)
    try:
        result_type, uses = checker.check(term, linear)
    except RecursionError:
        raise CajalTypeError("the term is nested too deeply to check", term.span,
                             hint="split it into smaller definitions with `def`") from None
    unused = [name for name in linear if name not in uses]
    if unused:
        raise CajalTypeError(
            f"`{unused[0]}` is in the context but never used",
            term.span,
            hint="every variable of the context must be used exactly once",
        )
    checker.typing.type = result_type
    return checker.typing


def _abstract_in(t: Type) -> frozenset[str]:
    from .syntax import abstract_names
    return abstract_names(t)


def _show(t: Type) -> str:
    return pretty(t)


Uses = dict[str, Span]  # variable -> where it is used


class _Checker:
    def __init__(self, term: Term, defs: Mapping[str, Type], known_types: set[str]):
        self.defs = defs
        self.known = known_types
        self.typing = Typing(term, BOOL)  # its type is set when the check ends

    # Each call returns the term's type and the linear variables it uses, with where.
    def check(self, term: Term, env: dict[str, tuple[Type, Binder]]) -> tuple[Type, Uses]:
        t, uses = self._check(term, env)
        self.typing.types[id(term)] = t
        self.typing.contexts[id(term)] = {name: env[name][0] for name in uses}
        return t, uses

    def _check(self, term: Term, env) -> tuple[Type, Uses]:
        match term:
            case Var(name, span):
                if name in env:
                    return env[name][0], {name: span}
                if name in self.defs:
                    return self.defs[name], {}
                raise CajalTypeError(f"unbound variable `{echo(name)}`", span, hint=self._unbound_hint(name, env))
            case BoolLit():
                return BOOL, {}
            case Nat():
                return NAT, {}
            case Succ(arg, span):
                t, uses = self.check(arg, env)
                if t != NAT:
                    raise CajalTypeError(f"`succ` needs a natural, but its argument has type {_show(t)}",
                                         arg.span, hint="`succ e` is defined for e : ℕ only")
                return NAT, uses
            case Lam(param, param_type, body):
                self.require_known(param_type)
                inner = {**env, param: (param_type, id(term))}
                body_type, uses = self.check(body, inner)
                if param not in uses:
                    raise CajalTypeError(
                        f"`{param}` is never used", term.param_span or term.span,
                        hint=f"every variable is linear: use `{param}` exactly once in the body "
                             "(Cajal has no weakening, so an unused argument is an error)")
                uses = dict(uses)
                del uses[param]
                return Arrow(param_type, body_type), uses
            case App(fn, arg):
                fn_type, fn_uses = self.check(fn, env)
                if not isinstance(fn_type, Arrow):
                    raise CajalTypeError(
                        f"this has type {_show(fn_type)}, which is not a function, so it cannot be applied",
                        fn.span, hint="only terms of a type τ₁ ⊸ τ₂ can be applied to an argument")
                arg_type, arg_uses = self.check(arg, env)
                if arg_type != fn_type.dom:
                    raise CajalTypeError(
                        f"the argument has type {_show(arg_type)}, but the function expects {_show(fn_type.dom)}",
                        arg.span, hint=f"the function has type {_show(fn_type)}")
                return fn_type.cod, self.join(fn_uses, arg_uses)
            case If(cond, then, else_):
                cond_type, cond_uses = self.check(cond, env)
                if cond_type != BOOL:
                    raise CajalTypeError(f"the condition of `if` must have type 𝟚, but it has type {_show(cond_type)}",
                                         cond.span, hint="a condition is a boolean: tt, ff, or a term of type 𝟚")
                then_type, then_uses = self.check(then, env)
                else_type, else_uses = self.check(else_, env)
                if then_type != else_type:
                    raise CajalTypeError(
                        f"the branches of `if` have different types: {_show(then_type)} and {_show(else_type)}",
                        else_.span, related=(then.span,), hint="both branches of `if` must have the same type")
                # a variable of the condition used again in a branch is used twice (say so,
                # rather than that the branches differ)
                self.join(cond_uses, then_uses)
                self.join(cond_uses, else_uses)
                self.same_uses(then, then_uses, else_, else_uses)
                return then_type, self.join(cond_uses, then_uses)
            case Let(name, bound, body):
                bound_type, bound_uses = self.check(bound, env)
                inner = {**env, name: (bound_type, id(term))}
                body_type, body_uses = self.check(body, inner)
                if name not in body_uses:
                    raise CajalTypeError(f"`{name}` is never used", term.name_span or term.span,
                                         hint=f"a `let`-bound variable is linear: use `{name}` exactly once in the body")
                body_uses = dict(body_uses)
                del body_uses[name]
                return body_type, self.join(bound_uses, body_uses)
            case Iter(base, var, step, count):
                count_type, count_uses = self.check(count, env)
                if count_type != NAT:
                    raise CajalTypeError(f"the count of `iter` must have type ℕ, but it has type {_show(count_type)}",
                                         count.span, hint="`iter{base | y ↪ step}(n)` applies step n times; n : ℕ")
                base_type, base_uses = self.check(base, env)
                inner = {**env, var: (base_type, id(term))}
                step_type, step_uses = self.check(step, inner)
                if step_type != base_type:
                    raise CajalTypeError(
                        f"the step of `iter` has type {_show(step_type)}, but its base has type {_show(base_type)}",
                        step.span, related=(base.span,),
                        hint=f"the step maps the previous value `{var}` : {_show(base_type)} to the next one, "
                             "so base and step must have the same type")
                if var not in step_uses:
                    raise CajalTypeError(f"the step of `iter` does not use its variable `{var}`",
                                         term.var_span or step.span,
                                         hint=f"use `{var}` (the value so far) exactly once in the step")
                step_uses = dict(step_uses)
                del step_uses[var]
                self.typing.captured[id(term)] = frozenset(step_uses)
                for name in step_uses:
                    self.typing.nonlinear.add(env[name][1])
                return base_type, self.join(self.join(count_uses, base_uses), step_uses)
        raise TypeError(f"not a term: {term!r}")

    def join(self, first: Uses, second: Uses) -> Uses:
        """Δ₁ ∘ Δ₂: the parts must use disjoint variables."""
        for name, span in second.items():
            if name in first:
                one, two = first[name], span
                if one is not None and two is not None and (two.line, two.col) < (one.line, one.col):
                    one, two = two, one  # name them in source order; point at the second
                where = f" (at {one} and {two})" if one is not None and two is not None else ""
                raise CajalTypeError(
                    f"`{name}` is used twice{where}", two, related=(one,),
                    hint=f"`{name}` is linear: use it exactly once. To use a value twice, pass it as two "
                         "arguments, or make it a `def` (definitions can be used freely)")
        return {**first, **second}

    def same_uses(self, then: Term, then_uses: Uses, else_: Term, else_uses: Uses) -> None:
        only_then = sorted(set(then_uses) - set(else_uses))
        only_else = sorted(set(else_uses) - set(then_uses))
        if only_then or only_else:
            parts = []
            if only_then:
                parts.append(", ".join(f"`{n}`" for n in only_then) + " only in the then-branch")
            if only_else:
                parts.append(", ".join(f"`{n}`" for n in only_else) + " only in the else-branch")
            marks = tuple(then_uses[n] for n in only_then) + tuple(else_uses[n] for n in only_else)
            raise CajalTypeError(
                "the branches of `if` use different variables: " + "; ".join(parts),
                marks[0], related=marks[1:],
                hint="only one branch runs, so both must use the same linear variables, each exactly once")

    def require_known(self, t: Type) -> None:
        match t:
            case Arrow(dom, cod):
                self.require_known(dom)
                self.require_known(cod)
            case Abstract(name, span) if name not in self.known:
                raise CajalTypeError(f"unknown type `{echo(name)}`", span,
                                     hint=f"declare it first with `type {echo(name)}`, or use 𝟚 or ℕ")

    def _unbound_hint(self, name: str, env) -> str:
        import difflib
        candidates = list(env) + list(self.defs)
        close = difflib.get_close_matches(name, candidates, n=1)
        if close:
            return f"did you mean `{close[0]}`?"
        return f"bind `{echo(name)}` with λ or `let`, or define it with `def {echo(name)} = …` first"
