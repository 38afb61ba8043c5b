"""Fuzzing the core: no input text makes parse_cell, parse_term, parse_type, typecheck or the
evaluators (on checked terms) raise anything but a CajalError.

Two sources of inputs: random text over Cajal's own vocabulary mixed with arbitrary Unicode,
and valid programs (pretty-printed generated terms) with tokens deleted, inserted, swapped or
duplicated, which reach much deeper into the parser and the checker."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import typed_terms

from cajal import (
    CajalError,
    check,
    evaluate,
    parse_cell,
    parse_term,
    parse_type,
    pretty,
    steps,
    typecheck,
)
from cajal.errors import Source
from cajal.parser import parse_fragment
from cajal.syntax import Def, Directive, Nat, TermItem, TypeDecl, children
from cajal.values import value_term

EXAMPLES = 4 * settings.default.max_examples  # 2,000 under the `ci` profile

PIECES = [
    # keywords and both spellings of every symbol
    "def", "type", "let", "in", "if", "then", "else", "iter", "succ", "zero", "tt", "ff", "true",
    "false", "Bool", "Nat", "λ", "\\", "⊸", "-o", "𝟚", "ℕ", "↪", "=>", "(", ")", "{", "}", "|",
    ":", ".", "=", ",", ";", "?", "?h",
    # names, numerals, layout, comments, directives, mistakes
    "x", "y", "f", "g", "n", "x'", "_", "Image", "0", "1", "3", "5", "10", "99999999999", " ", "  ",
    "\n", "\n  ", "\t", "\r\n", "--", "-- note\n", ":type ", ":eval ", ":set nat_dim 3", ":", "->",
    "→", "-", ">", "o", "λx:𝟚. x", "iter{", "}(", "\\x:Bool.",
]

_TOKENS = re.compile(r"\s+|--[^\n]*|[A-Za-z_][A-Za-z0-9_']*|[0-9]+|-o|=>|->|\S")


def texts():
    piece = st.one_of(st.sampled_from(PIECES), st.characters(), st.sampled_from(PIECES))
    return st.lists(piece, max_size=40).map("".join)


def _cheap(term) -> bool:
    """Whether evaluating is surely quick: random numerals can ask for 10⁹ iterations."""
    total, stack = 0, [term]
    while stack:
        t = stack.pop()
        if isinstance(t, Nat):
            total += t.value
        stack.extend(children(t))
    return total <= 40


def run_core(text: str) -> None:
    """Everything the core offers on `text`; only CajalErrors may come out."""
    for parse in (parse_cell, parse_term, parse_type):
        try:
            result = parse(text)
        except CajalError as err:
            assert err.message and isinstance(err.message, str)
            str(err)  # rendering the error must not fail either
            continue
        if parse is parse_type:
            pretty(result)
            try:
                typecheck(parse_term("x"), {"x": result})
            except CajalError:
                pass
        elif parse is parse_term:
            run_checked(result)
        else:
            for item in result:
                assert isinstance(item, (Def, TypeDecl, Directive, TermItem))
                if isinstance(item, (Def, TermItem)):
                    run_checked(item.term, types=[i.name for i in result if isinstance(i, TypeDecl)])
    try:  # a context given as a type source
        typecheck(parse_term("x"), {"x": text})
    except CajalError as err:
        str(err)


def run_checked(term, types=()) -> None:
    try:
        typing = check(term, types=types)
    except CajalError as err:
        str(err)
        return
    text = pretty(term)
    assert parse_term(text) == term
    if typing.holes:  # a term with holes checks, but evaluating it is an error that names a hole
        with pytest.raises(CajalError, match="the hole .* is not filled in"):
            evaluate(term)
        return
    if _cheap(term):
        value = evaluate(term)
        trace = steps(term, limit=3000)
        if len(trace) < 3000:
            assert (trace[-1].term if trace else term) == value_term(value)


@settings(max_examples=EXAMPLES)
@given(texts())
def test_random_text(text):
    run_core(text)


@pytest.mark.slow
@settings(max_examples=EXAMPLES)
@given(st.text(max_size=60))
def test_arbitrary_unicode(text):
    run_core(text)


@st.composite
def mutated_sources(draw):
    term, ty, ctx = draw(typed_terms(max_depth=3))
    text = pretty(term, ascii=draw(st.booleans()))
    if draw(st.booleans()):  # as a definition in a cell, maybe over several lines
        params = " ".join(f"({x} : {pretty(t)})" for x, t in ctx.items())
        text = f"def main {params} : {pretty(ty)} =\n  {text}\n{pretty(ty)}"
    tokens = _TOKENS.findall(text)
    for _ in range(draw(st.integers(1, 4))):
        if not tokens:
            break
        i = draw(st.integers(0, len(tokens) - 1))
        op = draw(st.sampled_from(["delete", "insert", "swap", "duplicate", "replace"]))
        if op == "delete":
            del tokens[i]
        elif op == "insert":
            tokens.insert(i, draw(st.sampled_from(PIECES)) + " ")
        elif op == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i])
        else:
            tokens[i] = draw(st.one_of(st.sampled_from(PIECES), st.characters()))
    return "".join(tokens)


@pytest.mark.slow
@settings(max_examples=EXAMPLES)
@given(mutated_sources())
def test_mutated_programs(text):
    run_core(text)


@settings(max_examples=EXAMPLES // 4)
@given(texts(), st.integers(0, 40), st.integers(0, 40))
def test_fragments(text, a, b):
    """A directive's argument is parsed from the middle of a cell."""
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    for what in ("term", "type"):
        try:
            parse_fragment(Source(text), start, end, what)
        except CajalError as err:
            str(err)


def test_known_crashers():
    """Inputs that once crashed the core, kept as regressions."""
    for text in [
        "1" * 5000,                          # int() refuses over 4300 digits
        "f " + "1 " * 3000,                  # an application spine deeper than MAX_DEPTH
        "λx:𝟚. x\u00a0",                     # an invisible character
        "(" * 3000 + "tt" + ")" * 3000,      # nesting beyond MAX_DEPTH
        "succ " * 3000 + "x",
        "𝟚 ⊸ " * 3000 + "𝟚",
        "iter{λz:ℕ. z | g ↪ λz:ℕ. succ (g z)}(3000) 0",  # a chain of 3,000 closures
    ]:
        run_core(text)
