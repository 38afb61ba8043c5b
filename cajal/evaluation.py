"""Exact evaluation (LANGUAGE.md section 4): a pure big-step evaluator and a small-step
reducer that records every step, for teaching.

Big-step evaluation uses immutable environments, never substitution, so it is fast; the
small-step reducer substitutes, so every intermediate state is a term a student can read. Both
are call-by-value, and they agree: `steps(t)[-1].term` is `evaluate(t)` as a term.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Optional

from .errors import CajalError, echo, echo_number
from .substitute import substitute
from .syntax import App, BoolLit, Hole, If, Iter, Lam, Let, Nat, Succ, Term, Var, free_vars, holes
from .values import Closure, Opaque, Value, is_value


def evaluate(term: Term, env: Optional[Mapping[str, Any]] = None, *,
             defs: Optional[Mapping[str, Value]] = None) -> Value:
    """The value of `term`. `env` gives the free variables (Values or Python bool/int);
    `defs` gives the values of definitions."""
    from .errors import ensure_recursion_limit
    ensure_recursion_limit()
    if env is not None and not isinstance(env, Mapping):
        raise TypeError(f"env must map variable names to values, not {type(env).__name__}")
    env = MappingProxyType({k: _as_value(v) for k, v in (env or {}).items()})
    return _eval(term, env, defs or {})


def unfilled(hole: Hole) -> CajalError:
    """The error for evaluating a hole met without its type (a checked term has a
    `types.Goal`, whose error names the type too)."""
    return CajalError(f"the hole {hole.text} is not filled in", hole.span,
                      hint="replace it with a term (`cajal.check` gives its type and the variables it may use)")


def _as_value(v: Any) -> Value:
    if isinstance(v, (bool, int, Closure, Opaque)):
        return v
    return Opaque(v)


# The big-step evaluator is a machine with an explicit stack of continuation frames, not a
# recursive function: evaluation may nest far deeper than the syntax does (`iter` can build a
# closure that calls a chain of 10,000 closures), and Python's stack is small.
_SUCC, _ARG, _CALL, _IF, _LET, _ITER, _STEP = range(7)


def _eval(term: Term, env: Mapping[str, Value], defs: Mapping[str, Value]) -> Value:
    return _run([], term, env, defs)


def _run(stack: list, term: Optional[Term], env, defs, value: Value = None) -> Value:
    """Evaluate `term` (or, when it is None, return `value`) under the frames on `stack`."""
    while True:
        # descend into `term` until a value is reached
        while term is not None:
            match term:
                case Var(name):
                    if name in env:
                        value = env[name]
                    elif name in defs:
                        value = defs[name]
                    else:
                        raise CajalError(f"unbound variable `{echo(name)}`", term.span,
                                         hint="type-check a term before evaluating it")
                    term = None
                case BoolLit(v) | Nat(v):
                    value, term = v, None
                case Lam(param, param_type, body):
                    value, term = Closure(param, param_type, body, env, defs), None
                case Succ(arg):
                    stack.append((_SUCC, arg))
                    term = arg
                case App(fn, arg):
                    stack.append((_ARG, arg, env, defs))
                    term = fn
                case If(cond):
                    stack.append((_IF, term, env, defs))
                    term = cond
                case Let(_, bound):
                    stack.append((_LET, term, env, defs))
                    term = bound
                case Iter(count=count):
                    stack.append((_ITER, term, env, defs))
                    term = count
                case Hole():
                    raise unfilled(term)
                case _:
                    raise TypeError(f"not a term: {term!r}")
        # return `value` to the frames, until one of them has a term to evaluate
        while term is None:
            if not stack:
                return value
            frame = stack.pop()
            kind = frame[0]
            if kind == _SUCC:
                value = value.shifted(1) if isinstance(value, _Unknown) else _nat(value, frame[1]) + 1
            elif kind == _ARG:  # the function is known: evaluate the argument
                stack.append((_CALL, value))
                term, env, defs = frame[1], frame[2], frame[3]
            elif kind == _CALL:  # the argument is known: call (a tail call: no frame is kept)
                f = frame[1]
                if isinstance(f, Closure):
                    term, env, defs = f.body, _extend(f.env, f.param, value), f.defs
                elif isinstance(f, Opaque) and callable(f.obj):
                    if isinstance(value, _Unknown):
                        raise _Inspected(value)
                    value = _as_value(f.obj(value))
                else:
                    raise CajalError("applied a value that is not a function")
            elif kind == _IF:
                node, env, defs = frame[1], frame[2], frame[3]
                if not isinstance(value, bool):
                    raise CajalError("the condition of `if` is not a boolean", node.cond.span)
                term = node.then if value else node.else_
            elif kind == _LET:
                node, env, defs = frame[1], frame[2], frame[3]
                term, env = node.body, _extend(env, node.name, value)
            elif kind == _ITER:  # the count is known: evaluate the base, then step n times
                node, env, defs = frame[1], frame[2], frame[3]
                count = _nat(value, node.count)
                stack.append((_STEP, node, env, defs, count, count > PLAIN_STEPS))
                term = node.base
            else:  # _STEP: `value` is the value so far; `n` steps remain
                _, node, env, defs, n, large = frame
                if large:  # a large count: jump to the end if the states allow it
                    jumped = _iterate(node, env, defs, value, n)
                    if jumped is not None:
                        value = jumped
                        continue
                if n > 0:  # a loop, so counts of any size need no recursion
                    stack.append((_STEP, node, env, defs, n - 1, False))
                    term, env = node.step, _extend(env, node.var, value)


def apply(f: Value, v: Value, defs: Mapping[str, Value] = MappingProxyType({})) -> Value:
    """Apply a function value to an argument value."""
    if not (isinstance(f, Closure) or (isinstance(f, Opaque) and callable(f.obj))):
        raise CajalError("applied a value that is not a function")
    return _run([(_CALL, f)], None, {}, defs, v)


def _extend(env: Mapping[str, Value], name: str, value: Value) -> Mapping[str, Value]:
    return MappingProxyType({**env, name: value})


def _nat(v: Value, term: Term) -> int:
    if isinstance(v, _Unknown):
        raise _Inspected(v)
    if isinstance(v, bool) or not isinstance(v, int):
        raise CajalError("expected a natural number", term.span)
    return v


# ---------------------------------------------------------------- large counts
#
# `iter{b | y ↪ s}(n)` applies s n times, and a numeral may have 150 digits. Stepping through
# such a count never ends, so a large count is jumped over when its states allow it:
# - a first-order state (𝟚 or ℕ) under a pure step (no linked Python value reachable from it)
#   is a deterministic sequence: the first repeated state gives its cycle, and the state after
#   n steps is the one at index μ + (n − μ) mod λ;
# - a ℕ state whose step never inspects it (only adds to it with `succ` and passes it on)
#   grows by the same d at every step: the step is evaluated once on an unknown natural x and
#   gives x + d, so n steps add n·d (`iter{m | y ↪ succ y}(n)` is m + n);
# - otherwise (a function or linked state, or no repeat within the budget) the evaluation
#   steps through at most STEP_BUDGET states, and refuses a larger count (up front for a
#   function state, after CYCLE_SEARCH states without a repeat for a first-order one).

PLAIN_STEPS = 64  # counts up to this are stepped through, with no bookkeeping
STEP_BUDGET = 1_000_000  # the most steps one `iter` takes when its count cannot be jumped
CYCLE_SEARCH = 100_000  # how far the states of an `iter` over a larger count are searched for a repeat


@dataclass(frozen=True)
class _Unknown:
    """A natural number x + offset whose x is not known: what the step of an `iter` over ℕ is
    run on to learn whether it only adds to its state. `origin` tells the x of one probe from
    the x of a probe around it (a nested `iter` is probed while its parent is)."""

    offset: int
    origin: object = field(default_factory=object)

    def shifted(self, d: int) -> "_Unknown":
        return _Unknown(self.offset + d, self.origin)


class _Inspected(Exception):
    """The step looked at an unknown natural (counted with it, or passed it to Python)."""

    def __init__(self, unknown: _Unknown):
        super().__init__()
        self.origin = unknown.origin


def _iterate(node: Iter, env, defs, state: Value, n: int) -> Optional[Value]:
    """The state after n steps of `node` from `state`, found without taking the n steps; None
    when it must be stepped through (n is within the budget). Raises CajalError for a count
    too large to step through."""
    first_order = isinstance(state, (bool, int, _Unknown)) and _pure(node, env, defs)
    if not first_order:
        if n > STEP_BUDGET:
            raise _too_many(node, n, "its state is a function or a linked value, whose repeats cannot be detected")
        return None

    def step(v: Value) -> Value:
        return _run([], node.step, _extend(env, node.var, v), defs)

    if not isinstance(state, bool):
        x = _Unknown(0)
        try:
            moved = step(x)
        except _Inspected as inspected:
            if inspected.origin is not x.origin:
                raise  # the step inspected the unknown of a probe around this one
            moved = None
        if isinstance(moved, _Unknown) and moved.origin is x.origin:  # s(x) = x + d for every x
            d = moved.offset
            return state.shifted(n * d) if isinstance(state, _Unknown) else _nat(state + n * d, node.count)
        if moved is not None and not isinstance(moved, _Unknown):  # s(x) is the same for every x
            return moved
    return _cycle_jump(step, state, n, node)


def _cycle_jump(step, start: Value, n: int, node: Iter) -> Value:
    """The n-th state from `start` of a deterministic `step`, by Brent's cycle detection: in
    memory that does not grow (states may be large naturals). The first repeat gives the
    cycle's start μ and length λ, and the n-th state is the state at μ + (n − μ) mod λ."""
    # find λ: the hare runs ahead in windows of doubling length, the tortoise waits at each start
    search = n if n <= STEP_BUDGET else CYCLE_SEARCH
    power = period = 1
    tortoise, hare, taken = start, step(start), 1
    while tortoise != hare:
        if taken == n:
            return hare
        if taken >= search:
            raise _too_many(node, n, f"its state did not repeat within {search:,} steps")
        if power == period:
            tortoise, power, period = hare, power * 2, 0
        hare, taken, period = step(hare), taken + 1, period + 1
    if taken == n:
        return hare
    # find μ: two states λ apart, stepped together from the start, first meet at the cycle
    tortoise = hare = start
    for _ in range(period):
        hare = step(hare)
    first = 0
    while tortoise != hare:
        tortoise, hare, first = step(tortoise), step(hare), first + 1
    for _ in range((n - first) % period):
        tortoise = step(tortoise)
    return tortoise


def _too_many(node: Iter, n: int, why: str) -> CajalError:
    return CajalError(f"this `iter` would take {echo_number(n)} steps, more than the {STEP_BUDGET:,} that exact "
                      f"evaluation takes when the count cannot be jumped over ({why})", node.count.span,
                      hint="use a smaller count, or iterate a 𝟚 or ℕ state with a step that uses no linked Python value")


def _pure(node: Iter, env, defs) -> bool:
    """Whether running the step of `node` calls no linked Python value, so that its states
    depend on nothing but the state before (what a detected cycle assumes)."""
    seen: set[int] = set()
    todo = [(free_vars(node.step) - {node.var}, env, defs)]
    while todo:
        names, env, defs = todo.pop()
        for name in names:
            v = env[name] if name in env else defs.get(name)
            if id(v) in seen:
                continue
            seen.add(id(v))
            if isinstance(v, Opaque):
                return False
            if isinstance(v, Closure):
                todo.append((free_vars(v.body) - {v.param}, v.env, v.defs))
    return True


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
    return list(_reduce(term, defs or {}, limit))


@dataclass(frozen=True)
class Reduction:
    """A reduction kept within bounds: its first and last steps, and how many there were.
    `head` holds the first steps (all of them when there are few), `tail` the last ones and
    `before_tail` the term its first step reduces. `finished` is False when the reduction was
    stopped after `limit` steps, before reaching a value."""

    term: Term
    head: tuple[Step, ...]
    tail: tuple[Step, ...]
    before_tail: Optional[Term]
    count: int
    final: Term
    finished: bool

    @property
    def steps(self) -> list[Step]:
        """The recorded steps (a gap between head and tail when `count` is larger)."""
        return [*self.head, *self.tail]

    def numbered(self) -> list[tuple[int, Term, Step]]:
        """(index, the term the step reduces, step) for every recorded step."""
        rows, before = [], self.term
        for i, s in enumerate(self.head):
            rows.append((i, before, s))
            before = s.term
        before, first = self.before_tail, self.count - len(self.tail)
        for i, s in enumerate(self.tail):
            rows.append((first + i, before, s))
            before = s.term
        return rows


def reduction(term: Term, *, defs: Optional[Mapping[str, Term]] = None, keep: int = 1000,
              limit: int = 100_000) -> Reduction:
    """Reduce `term` for at most `limit` steps, keeping only the first and last `keep` steps:
    memory stays bounded however long the reduction is (`steps` keeps every step)."""
    head: list[Step] = []
    tail: deque = deque(maxlen=keep + 1)  # one more: the term before the first kept tail step
    current, count = term, 0
    for step in _reduce(term, defs or {}, limit):
        count += 1
        if len(head) < keep:
            head.append(step)
        else:
            tail.append(step)
        current = step.term
    before_tail = None
    if len(tail) > keep:
        before_tail = tail.popleft().term
    elif tail:
        before_tail = head[-1].term
    finished = count < limit or _step(current, defs or {}) is None
    return Reduction(term, tuple(head), tuple(tail), before_tail, count, current, finished)


def _reduce(term: Term, defs, limit: Optional[int]) -> Iterator[Step]:
    from .errors import ensure_recursion_limit
    ensure_recursion_limit()
    found = holes(term)
    if found:  # a hole would stop the reduction half-way: say so before the first step
        raise unfilled(found[0])
    current, count = term, 0
    while limit is None or count < limit:
        try:
            found = _step(current, defs)
        except RecursionError:
            raise CajalError(f"the term after step {count} is nested too deeply to reduce step by step",
                             term.span, hint="`evaluate` (`:eval`) computes its value without the trace") from None
        if found is None:
            return
        rule, current, redex, path = found
        count += 1
        yield Step(rule, current, redex, path)


def _step(t: Term, defs) -> Optional[tuple[str, Term, Term, tuple]]:
    """One call-by-value, left-to-right step of `t` as (rule, new term, redex, path), or None if
    t is a value or stuck. A loop finds the redex and another rebuilds the term around its
    contractum, so that terms of any depth need no recursion (and paths no copying)."""
    above: list[tuple[Term, int]] = []  # (node, index of the child the redex is in), root first
    node = t
    while True:
        found = _focus(node, defs)
        if found is None:
            return None
        if found[0] is None:  # the redex is in a child
            above.append((node, found[1]))
            node = found[2]
            continue
        rule, new = found
        break
    for parent, index in reversed(above):
        new = _with_child(parent, index, new)
    return rule, new, node, tuple(index for _, index in above)


def _with_child(t: Term, index: int, child: Term) -> Term:
    """`t` with its child number `index` (as syntax.children) replaced; spans kept."""
    cls = type(t)
    if cls is App:
        return App(child, t.arg, t.span) if index == 0 else App(t.fn, child, t.span)
    if cls is Succ:
        return Succ(child, t.span)
    if cls is If:
        return If(child, t.then, t.else_, t.span)  # only the condition is ever reduced
    if cls is Let:
        return Let(t.name, child, t.body, t.span, t.name_span)
    if cls is Iter:
        if index == 0:
            return Iter(child, t.var, t.step, t.count, t.span, t.var_span)
        return Iter(t.base, t.var, t.step, child, t.span, t.var_span)
    raise TypeError(f"no reduction inside {t!r}")


def _focus(t: Term, defs):
    """`(rule, contractum)` if `t` is a redex; `(None, index, child)` if the next redex is in
    that child; None if t is a value or stuck."""
    match t:
        case Var(name) if name in defs:
            return "δ", defs[name]
        case Succ(arg):
            if isinstance(arg, Nat):
                return "succ", Nat(arg.value + 1)
            return None, 0, arg
        case App(fn, arg):
            if not is_value(fn):
                return None, 0, fn
            if not is_value(arg):
                return None, 1, arg
            if isinstance(fn, Lam):
                return "β", substitute(fn.body, {fn.param: arg})
            return None
        case If(cond, then, else_):
            if isinstance(cond, BoolLit):
                return ("if-tt", then) if cond.value else ("if-ff", else_)
            return None, 0, cond
        case Let(name, bound, body):
            if is_value(bound):
                return "β", substitute(body, {name: bound})
            return None, 0, bound
        case Iter(base, var, step, count):
            if not isinstance(count, Nat):
                return None, 2, count
            if not is_value(base):
                return None, 0, base
            if count.value == 0:
                return "iter-zero", base
            # iter{v | y ↪ s}(n+1) → iter{s[y ↦ v] | y ↪ s}(n): the step runs on the value so far
            return "iter-succ", Iter(substitute(step, {var: base}), var, step, Nat(count.value - 1),
                                     t.span, t.var_span)
    return None
