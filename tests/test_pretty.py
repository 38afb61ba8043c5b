"""The pretty-printer: canonical Unicode and ASCII forms, and parse(pretty(t)) == t."""

import sys

import pytest
from hypothesis import given
from strategies import typed_terms, types

from cajal import evaluate, parse_term, parse_type, pretty
from cajal.syntax import (
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
    Var,
    arrows,
    succ,
)
from cajal.values import Closure, Opaque

_UNICODE_ONLY = set("λ⊸↪𝟚ℕ")


@given(typed_terms())
def test_parse_of_pretty_is_identity(example):
    term, _, _ = example
    assert parse_term(pretty(term)) == term


@given(typed_terms())
def test_parse_of_ascii_pretty_is_identity(example):
    term, _, _ = example
    text = pretty(term, ascii=True)
    assert text.isascii()
    assert parse_term(text) == term


@given(typed_terms())
def test_pretty_is_stable(example):
    """Printing is a function of the structure: print, parse, print gives the same text, and
    the two spellings differ only in their symbols."""
    term, _, _ = example
    text = pretty(term)
    assert pretty(parse_term(text)) == text
    ascii_text = pretty(term, ascii=True)
    assert pretty(parse_term(ascii_text)) == text
    for u, a in (("λ", "\\"), ("⊸", "-o"), ("↪", "=>"), ("𝟚", "Bool"), ("ℕ", "Nat")):
        text = text.replace(u, a)
    assert text == ascii_text


@given(types(3))
def test_types_round_trip(ty):
    assert parse_type(pretty(ty)) == ty
    assert parse_type(pretty(ty, ascii=True)) == ty


@pytest.mark.parametrize("term, unicode, ascii", [
    (Lam("x", BOOL, If(Var("x"), BoolLit(False), BoolLit(True))),
     "λx:𝟚. if x then ff else tt", "\\x:Bool. if x then ff else tt"),
    (Nat(0), "0", "0"),
    (succ(succ(Nat(1))), "3", "3"),
    (Lam("n", NAT, succ(Var("n"))), "λn:ℕ. succ n", "\\n:Nat. succ n"),
    (Succ(Succ(Var("n"))), "succ (succ n)", "succ (succ n)"),
    (Succ(App(Var("f"), Var("x"))), "succ (f x)", "succ (f x)"),
    (App(Succ(Var("n")), Var("x")), "succ n x", "succ n x"),
    (App(App(Var("f"), Var("x")), Var("y")), "f x y", "f x y"),
    (App(Var("f"), App(Var("x"), Var("y"))), "f (x y)", "f (x y)"),
    (App(Lam("x", BOOL, Var("x")), BoolLit(True)), "(λx:𝟚. x) tt", "(\\x:Bool. x) tt"),
    (App(Var("f"), Lam("x", BOOL, Var("x"))), "f (λx:𝟚. x)", "f (\\x:Bool. x)"),
    (Iter(BoolLit(True), "y", If(Var("y"), BoolLit(False), BoolLit(True)), Var("n")),
     "iter{tt | y ↪ if y then ff else tt}(n)", "iter{tt | y => if y then ff else tt}(n)"),
    (App(Iter(Var("f"), "g", Var("g"), Nat(2)), Var("x")), "iter{f | g ↪ g}(2) x", "iter{f | g => g}(2) x"),
    (Let("x", Nat(3), Succ(Var("x"))), "let x = 3 in succ x", "let x = 3 in succ x"),
    (App(Let("x", Var("a"), Var("x")), Var("b")), "(let x = a in x) b", "(let x = a in x) b"),
    (If(If(Var("a"), Var("b"), Var("c")), Var("d"), Var("e")),
     "if if a then b else c then d else e", "if if a then b else c then d else e"),
    (Lam("f", arrows(BOOL, BOOL), Lam("x", BOOL, App(Var("f"), Var("x")))),
     "λf:𝟚 ⊸ 𝟚. λx:𝟚. f x", "\\f:Bool -o Bool. \\x:Bool. f x"),
    (Lam("f", Arrow(arrows(BOOL, NAT), NAT), Var("f")), "λf:(𝟚 ⊸ ℕ) ⊸ ℕ. f",
     "\\f:(Bool -o Nat) -o Nat. f"),
    (Lam("i", Abstract("Image"), Var("i")), "λi:Image. i", "\\i:Image. i"),
])
def test_canonical_forms(term, unicode, ascii):
    assert pretty(term) == unicode
    assert pretty(term, ascii=True) == ascii
    assert parse_term(unicode) == term or isinstance(term, Succ) and isinstance(term.arg, Nat)
    assert parse_term(ascii) == parse_term(unicode)


@pytest.mark.parametrize("ty, unicode, ascii", [
    (BOOL, "𝟚", "Bool"), (NAT, "ℕ", "Nat"),
    (arrows(BOOL, NAT, BOOL), "𝟚 ⊸ ℕ ⊸ 𝟚", "Bool -o Nat -o Bool"),
    (Arrow(arrows(BOOL, NAT), BOOL), "(𝟚 ⊸ ℕ) ⊸ 𝟚", "(Bool -o Nat) -o Bool"),
    (Abstract("Image"), "Image", "Image"),
])
def test_types(ty, unicode, ascii):
    assert pretty(ty) == unicode
    assert pretty(ty, ascii=True) == ascii


def test_values():
    assert pretty(True) == "tt" and pretty(False) == "ff"
    assert pretty(0) == "0" and pretty(12) == "12"
    closure = evaluate(parse_term("(λx:ℕ. λy:𝟚. if y then x else succ x) 4"))
    assert isinstance(closure, Closure)
    assert pretty(closure) == "λy:𝟚. if y then 4 else succ 4"
    assert pretty(closure, ascii=True) == "\\y:Bool. if y then 4 else succ 4"
    assert pretty(Opaque(object(), parse_type("Image ⊸ Image"))) == "<linked Image ⊸ Image>"
    assert pretty(Opaque(object())) == "<linked value>"


def test_huge_numerals_print_and_parse():
    n = 7 ** 20000  # 16,902 digits: more than int() and str() accept by default
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        expected = str(n)
    finally:
        sys.set_int_max_str_digits(limit)
    text = pretty(Nat(n))
    assert text == expected and len(text) == 16902
    assert parse_term(text) == Nat(n)
    assert pretty(n) == text


def test_pretty_rejects_what_is_not_a_term():
    with pytest.raises(TypeError):
        pretty(object())
