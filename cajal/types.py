"""The linear type checker (LANGUAGE.md section 3).

`check` synthesises a type bottom-up and, for every sub-term, the variables it uses, each of
which must be used exactly once. Splitting a context (Δ₁ ∘ Δ₂) is then checking that the uses
of the parts are disjoint, and the `if` rule is checking that both branches use the same ones.
The result records what later stages need: every sub-term's type and context (for derivation
trees), and which variables an `iter` step captures (Δ₃), which makes a map non-linear in them.

Typed holes (`?name`, LANGUAGE.md section 10): a hole synthesises a fresh unknown type, which
unification with what its place expects fixes (the argument of a known function, a sibling
branch, the declared result of a definition, …), and it may use any linear variable still
available, so a variable that only a hole could use is not reported unused. Each hole's type
and available context is recorded as a `Goal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Union

from .errors import CajalError, CajalTypeError, Span, echo
from .pretty import pretty
from .syntax import (
    BOOL,
    NAT,
    Abstract,
    App,
    Arrow,
    BoolLit,
    Hole,
    If,
    Iter,
    Lam,
    Let,
    Nat,
    Succ,
    Term,
    Type,
    Unknown,
    Var,
    holes,
)


@dataclass(frozen=True)
class Goal:
    """A hole as the checker sees it: the type its place expects (`Unknown` where nothing fixes
    it) and the linear variables still available there (which a term filling it may use)."""

    hole: Hole
    type: Type
    context: tuple[tuple[str, Type], ...]

    @property
    def span(self) -> Optional[Span]:
        return self.hole.span

    def type_text(self) -> str:
        return "unknown type" if isinstance(self.type, Unknown) else pretty(self.type)

    def describe(self) -> str:
        """`hole ?h : 𝟚 ⊸ 𝟚, with x : 𝟚 to use` (what the editor shows at the hole)."""
        if not self.context:
            return f"hole {self.hole.text} : {self.type_text()}, with no variable to use"
        used = ", ".join(f"{name} : {pretty(t)}" for name, t in self.context)
        return f"hole {self.hole.text} : {self.type_text()}, with {used} to use"

    def error(self) -> CajalError:
        """The error running, evaluating or compiling this hole raises."""
        hint = "replace it with a term" + ("" if isinstance(self.type, Unknown) else f" of type {pretty(self.type)}")
        if self.context:
            hint += " (it may use " + ", ".join(f"`{name}`" for name, _ in self.context) + ")"
        typed = "(of unknown type)" if isinstance(self.type, Unknown) else f": {pretty(self.type)}"
        return CajalError(f"the hole {self.hole.text} {typed} is not filled in", self.span, hint=hint)


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
    holes: list[Goal] = field(default_factory=list)  # in source order; a term with holes never runs

    def is_linear_in(self, binder: Binder) -> bool:
        return binder not in self.nonlinear


def typecheck(term: Term, ctx: Optional[Mapping] = None, *, defs: Optional[Mapping[str, Type]] = None,
              types: Iterable[str] = ()) -> Type:
    """The type of `term`, whose free variables `ctx` types (each used exactly once)."""
    return check(term, ctx, defs=defs, types=types).type


def check(term: Term, ctx: Optional[Mapping] = None, *, defs: Optional[Mapping[str, Type]] = None,
          types: Iterable[str] = (), expected: Optional[Type] = None) -> Typing:
    """Check `term` and return everything learned. `defs` are constants, usable any number of
    times; `types` are the declared abstract types; `expected`, the type the term's place
    declares (a definition's), fixes the types of its holes (the caller compares the result
    with it). Raises CajalTypeError. (A term or type given as its source is parsed by the
    public API, `cajal.check`: stages take syntax.)"""
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
    if unused and not checker.holes:  # a hole may use them
        raise CajalTypeError(
            f"`{unused[0]}` is in the context but never used",
            term.span,
            hint="every variable of the context must be used exactly once",
        )
    if expected is not None:
        checker.unify(result_type, expected)
    checker.typing.type = result_type
    if checker.holes:
        checker.solve()
        checker.typing.holes = _goals(checker.typing, {name: t for name, (t, _) in linear.items()})
    return checker.typing


def _goals(typing: Typing, ctx: dict[str, Type]) -> list[Goal]:
    """Each hole's goal: its type, and the variables of its scope that no other part of the
    term uses (the parts of a context split are disjoint, so those are the ones left for it)."""
    goals: list[Goal] = []

    def uses(node: Term) -> set[str]:
        return set(typing.contexts.get(id(node), ()))

    def walk(node: Term, env: dict[str, Type], taken: set[str]) -> None:
        match node:
            case Hole():
                context = tuple((name, t) for name, t in env.items() if name not in taken)
                goals.append(Goal(node, typing.types[id(node)], context))
            case Lam(param, param_type, body):
                walk(body, {**env, param: param_type}, taken - {param})
            case Succ(arg):
                walk(arg, env, taken)
            case App(fn, arg):
                walk(fn, env, taken | uses(arg))
                walk(arg, env, taken | uses(fn))
            case If(cond, then, else_):
                walk(cond, env, taken | uses(then) | uses(else_))
                walk(then, env, taken | uses(cond))
                walk(else_, env, taken | uses(cond))
            case Let(name, bound, body):
                walk(bound, env, taken | (uses(body) - {name}))
                walk(body, {**env, name: typing.types[id(bound)]}, (taken | uses(bound)) - {name})
            case Iter(base, var, step, count):
                step_uses = uses(step) - {var}
                walk(base, env, taken | uses(count) | step_uses)
                walk(step, {**env, var: typing.types[id(base)]}, (taken | uses(count) | uses(base)) - {var})
                walk(count, env, taken | uses(base) | step_uses)

    walk(typing.term, ctx, set())
    return goals


def _unknowns(t: Type) -> list[Unknown]:
    """The unknown types in `t`, left to right."""
    match t:
        case Unknown():
            return [t]
        case Arrow(dom, cod):
            return _unknowns(dom) + _unknowns(cod)
    return []


def has_unknown(t: Type) -> bool:
    """Whether a type has a part that the checker could not determine (a hole's doing)."""
    return bool(_unknowns(t))


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
        self.holes = 0  # holes checked so far: a part that holds one may use any variable
        self.unknowns = 0  # unknown types made so far (one per hole, two per unknown function)
        self.solution: dict[int, Type] = {}  # what unification fixed each unknown type to

    # ------------------------------------------------------------ unknown types (holes only)

    def fresh(self) -> Unknown:
        self.unknowns += 1
        return Unknown(self.unknowns)

    def head(self, t: Type) -> Type:
        """`t` with its outermost unknown replaced by what it was fixed to."""
        while isinstance(t, Unknown) and t.number in self.solution:
            t = self.solution[t.number]
        return t

    def resolve(self, t: Type) -> Type:
        """`t` with every fixed unknown replaced, all the way down."""
        if not self.unknowns:
            return t
        t = self.head(t)
        if isinstance(t, Arrow):
            return Arrow(self.resolve(t.dom), self.resolve(t.cod), t.span)
        return t

    def unify(self, a: Type, b: Type) -> bool:
        """Whether `a` and `b` are the same type, fixing unknowns to make them so. Without holes
        this is plain equality."""
        if a == b:
            return True
        if not self.unknowns:
            return False
        a, b = self.head(a), self.head(b)
        if isinstance(b, Unknown) and not isinstance(a, Unknown):
            a, b = b, a
        if isinstance(a, Unknown):
            if a == b:
                return True
            if self._occurs(a, b):
                return False
            self.solution[a.number] = b
            return True
        if isinstance(a, Arrow) and isinstance(b, Arrow):
            return self.unify(a.dom, b.dom) and self.unify(a.cod, b.cod)
        return a == b

    def _occurs(self, u: Unknown, t: Type) -> bool:
        t = self.head(t)
        if isinstance(t, Arrow):
            return self._occurs(u, t.dom) or self._occurs(u, t.cod)
        return t == u

    def solve(self) -> None:
        """Replace fixed unknowns in everything recorded (once, when the check ends), and
        number the unknowns left τ₁, τ₂, … in the order the holes show them."""
        typing = self.typing
        order: dict[int, Unknown] = {}
        for t in [typing.types[id(h)] for h in holes(typing.term)] + [typing.type]:
            for u in _unknowns(self.resolve(t)):
                order.setdefault(u.number, Unknown(len(order) + 1))
        cache: dict[Type, Type] = {}

        def renumber(t: Type) -> Type:
            match t:
                case Unknown(number):
                    return order.get(number, t)
                case Arrow(dom, cod):
                    return Arrow(renumber(dom), renumber(cod), t.span)
            return t

        def final(t: Type) -> Type:
            if t not in cache:
                cache[t] = renumber(self.resolve(t))
            return cache[t]

        typing.type = final(typing.type)
        for key, t in typing.types.items():
            typing.types[key] = final(t)
        for ctx in typing.contexts.values():
            for name, t in ctx.items():
                ctx[name] = final(t)

    def _show(self, t: Type) -> str:
        return _show(self.resolve(t))

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
            case Hole():
                self.holes += 1
                return self.fresh(), {}
            case BoolLit():
                return BOOL, {}
            case Nat():
                return NAT, {}
            case Succ(arg, span):
                t, uses = self.check(arg, env)
                if not self.unify(t, NAT):
                    raise CajalTypeError(f"`succ` needs a natural, but its argument has type {self._show(t)}",
                                         arg.span, hint="`succ e` is defined for e : ℕ only")
                return NAT, uses
            case Lam(param, param_type, body):
                self.require_known(param_type)
                inner = {**env, param: (param_type, id(term))}
                holes = self.holes
                body_type, uses = self.check(body, inner)
                if param not in uses and self.holes == holes:
                    raise CajalTypeError(
                        f"`{param}` is never used", term.param_span or term.span,
                        hint=f"every variable is linear: use `{param}` exactly once in the body "
                             "(Cajal has no weakening, so an unused argument is an error)")
                uses = dict(uses)
                uses.pop(param, None)
                return Arrow(param_type, body_type), uses
            case App(fn, arg):
                fn_type, fn_uses = self.check(fn, env)
                fn_type = self.head(fn_type)
                if isinstance(fn_type, Unknown):  # a hole applied: a function of unknown types
                    arrow = Arrow(self.fresh(), self.fresh())
                    self.unify(fn_type, arrow)
                    fn_type = arrow
                if not isinstance(fn_type, Arrow):
                    raise CajalTypeError(
                        f"this has type {self._show(fn_type)}, which is not a function, so it cannot be applied",
                        fn.span, hint="only terms of a type τ₁ ⊸ τ₂ can be applied to an argument")
                arg_type, arg_uses = self.check(arg, env)
                if not self.unify(arg_type, fn_type.dom):
                    raise CajalTypeError(
                        f"the argument has type {self._show(arg_type)}, but the function expects "
                        f"{self._show(fn_type.dom)}", arg.span, hint=f"the function has type {self._show(fn_type)}")
                return fn_type.cod, self.join(fn_uses, arg_uses)
            case If(cond, then, else_):
                cond_type, cond_uses = self.check(cond, env)
                if not self.unify(cond_type, BOOL):
                    raise CajalTypeError(f"the condition of `if` must have type 𝟚, but it has type {self._show(cond_type)}",
                                         cond.span, hint="a condition is a boolean: tt, ff, or a term of type 𝟚")
                holes = self.holes
                then_type, then_uses = self.check(then, env)
                then_open, holes = self.holes > holes, self.holes
                else_type, else_uses = self.check(else_, env)
                else_open = self.holes > holes
                if not self.unify(then_type, else_type):
                    raise CajalTypeError(
                        f"the branches of `if` have different types: {self._show(then_type)} and {self._show(else_type)}",
                        else_.span, related=(then.span,), hint="both branches of `if` must have the same type")
                # a variable of the condition used again in a branch is used twice (say so,
                # rather than that the branches differ)
                self.join(cond_uses, then_uses)
                self.join(cond_uses, else_uses)
                self.same_uses(then, then_uses, else_, else_uses, then_open, else_open)
                if then_open or else_open:  # a branch's hole uses what the other branch uses
                    then_uses = {**else_uses, **then_uses}
                return then_type, self.join(cond_uses, then_uses)
            case Let(name, bound, body):
                bound_type, bound_uses = self.check(bound, env)
                inner = {**env, name: (bound_type, id(term))}
                holes = self.holes
                body_type, body_uses = self.check(body, inner)
                if name not in body_uses and self.holes == holes:
                    raise CajalTypeError(f"`{name}` is never used", term.name_span or term.span,
                                         hint=f"a `let`-bound variable is linear: use `{name}` exactly once in the body")
                body_uses = dict(body_uses)
                body_uses.pop(name, None)
                return body_type, self.join(bound_uses, body_uses)
            case Iter(base, var, step, count):
                count_type, count_uses = self.check(count, env)
                if not self.unify(count_type, NAT):
                    raise CajalTypeError(f"the count of `iter` must have type ℕ, but it has type {self._show(count_type)}",
                                         count.span, hint="`iter{base | y ↪ step}(n)` applies step n times; n : ℕ")
                base_type, base_uses = self.check(base, env)
                inner = {**env, var: (base_type, id(term))}
                holes = self.holes
                step_type, step_uses = self.check(step, inner)
                if not self.unify(step_type, base_type):
                    raise CajalTypeError(
                        f"the step of `iter` has type {self._show(step_type)}, but its base has type {self._show(base_type)}",
                        step.span, related=(base.span,),
                        hint=f"the step maps the previous value `{var}` : {self._show(base_type)} to the next one, "
                             "so base and step must have the same type")
                if var not in step_uses and self.holes == holes:
                    raise CajalTypeError(f"the step of `iter` does not use its variable `{var}`",
                                         term.var_span or step.span,
                                         hint=f"use `{var}` (the value so far) exactly once in the step")
                step_uses = dict(step_uses)
                step_uses.pop(var, None)
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

    def same_uses(self, then: Term, then_uses: Uses, else_: Term, else_uses: Uses,
                  then_open: bool = False, else_open: bool = False) -> None:
        """Both branches use the same variables; a branch with a hole may use what it lacks."""
        only_then = [] if else_open else sorted(set(then_uses) - set(else_uses))
        only_else = [] if then_open else sorted(set(else_uses) - set(then_uses))
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
