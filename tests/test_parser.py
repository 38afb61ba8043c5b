"""The lexer and parser (LANGUAGE.md sections 1 and 2): tokens, both spellings, precedence,
spans, and the layout of cells."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import typed_terms

from cajal import CajalSyntaxError, parse_cell, parse_term, parse_type, pretty
from cajal.errors import Source
from cajal.parser import iter_cell, parse_fragment
from cajal.syntax import (
    BOOL,
    NAT,
    Abstract,
    App,
    Arrow,
    BoolLit,
    Def,
    Directive,
    If,
    Iter,
    Lam,
    Let,
    Nat,
    Param,
    Succ,
    TermItem,
    TypeDecl,
    Var,
    arrows,
)
from cajal.tokens import KEYWORDS, Lexer

x, y, f, n = Var("x"), Var("y"), Var("f"), Var("n")
TT, FF = BoolLit(True), BoolLit(False)


# ---------------------------------------------------------------- spellings and tokens


@pytest.mark.parametrize("unicode, ascii", [
    ("λx:𝟚. x", "\\x:Bool. x"),
    ("λf:𝟚 ⊸ ℕ. f", "\\f:Bool -o Nat. f"),
    ("iter{tt | y ↪ y}(3)", "iter{tt | y => y}(3)"),
    ("λx:ℕ. x", "\\x:Nat. x"),
    ("tt", "true"), ("ff", "false"),
    ("λf:(𝟚 ⊸ 𝟚) ⊸ 𝟚. f", "\\f:(Bool -o Bool) -o Bool. f"),
])
def test_both_spellings_parse_alike(unicode, ascii):
    assert parse_term(unicode) == parse_term(ascii)


def test_spellings_may_be_mixed():
    assert parse_term("\\x:𝟚 -o ℕ. λy:Bool. iter{x | z => z}(0) y".replace("x |", "x |")) == \
        parse_term("λx:𝟚 ⊸ ℕ. λy:𝟚. iter{x | z ↪ z}(0) y")
    assert parse_type("Bool ⊸ ℕ -o 𝟚") == arrows(BOOL, NAT, BOOL)


def test_true_and_false_are_tt_and_ff():
    assert parse_term("true") == TT and parse_term("false") == FF
    assert pretty(parse_term("true")) == "tt"


def test_numerals_and_zero():
    assert parse_term("zero") == Nat(0) == parse_term("0")
    assert parse_term("42") == Nat(42)
    assert parse_term("007") == Nat(7)
    assert parse_term("succ succ zero") == Nat(2)      # succ of a numeral folds
    assert parse_term("succ (succ 3)") == Nat(5)
    assert parse_term("succ x") == Succ(x)
    assert parse_term("succ succ x") == Succ(Succ(x))


def test_identifiers():
    for name in ["x", "x'", "x''", "_", "_tmp", "camelCase", "snake_case_2", "Image", "a1'b"]:
        assert parse_term(name) == Var(name)
    for kw in sorted(KEYWORDS - {"tt", "ff", "true", "false", "zero"}):
        with pytest.raises(CajalSyntaxError):
            parse_term(f"λ{kw}:𝟚. {kw}")


def test_comments_and_whitespace():
    assert parse_term("  λx:𝟚. -- the identity\n  x  -- done") == Lam("x", BOOL, x)
    assert parse_term("λx:𝟚.\tx\r\n") == Lam("x", BOOL, x)
    assert parse_term("-- only\n-- comments\ntt") == TT


def test_tokens_have_positions():
    toks = Lexer(Source("λx:𝟚.\n  x")).tokens(layout=False)
    assert [(t.kind, t.value) for t in toks] == [
        ("SYM", "λ"), ("IDENT", "x"), ("SYM", ":"), ("KW", "Bool"), ("SYM", "."), ("IDENT", "x"), ("EOF", "")]
    assert [(t.span.line, t.span.col, t.span.end_col) for t in toks[:-1]] == [
        (1, 1, 2), (1, 2, 3), (1, 3, 4), (1, 4, 5), (1, 5, 6), (2, 3, 4)]


# ---------------------------------------------------------------- grammar


def test_application_is_left_associative():
    assert parse_term("f x y") == App(App(f, x), y)
    assert parse_term("f (x y)") == App(f, App(x, y))


def test_lambda_extends_as_far_right_as_possible():
    assert parse_term("λx:𝟚. f x y") == Lam("x", BOOL, App(App(f, x), y))
    assert parse_term("(λx:𝟚. x) y") == App(Lam("x", BOOL, x), y)
    assert parse_term("λx:𝟚. λy:𝟚. x") == Lam("x", BOOL, Lam("y", BOOL, x))


def test_a_block_may_be_the_last_argument():
    assert parse_term("f λx:𝟚. x") == App(f, Lam("x", BOOL, x))
    assert parse_term("f x if y then x else y") == App(App(f, x), If(y, x, y))
    assert parse_term("f let x = y in x") == App(f, Let("x", y, x))


def test_arrows_are_right_associative():
    assert parse_type("𝟚 ⊸ ℕ ⊸ 𝟚") == Arrow(BOOL, Arrow(NAT, BOOL))
    assert parse_type("(𝟚 ⊸ ℕ) ⊸ 𝟚") == Arrow(Arrow(BOOL, NAT), BOOL)
    assert parse_type("((𝟚))") == BOOL
    assert parse_type("Image ⊸ Image") == Arrow(Abstract("Image"), Abstract("Image"))


def test_succ_binds_to_one_argument():
    assert parse_term("succ f x") == App(Succ(f), x)
    assert parse_term("f succ x") == App(f, Succ(x))
    assert parse_term("succ (f x)") == Succ(App(f, x))


def test_if_let_iter():
    assert parse_term("if x then y else f") == If(x, y, f)
    assert parse_term("if if x then y else f then tt else ff") == If(If(x, y, f), TT, FF)
    assert parse_term("let x = tt in x") == Let("x", TT, x)
    assert parse_term("iter{tt | y ↪ f y}(n)") == Iter(TT, "y", App(f, y), n)
    assert parse_term("iter{tt | y ↪ y}(n) x") == App(Iter(TT, "y", y, n), x)
    assert parse_term("iter{λx:𝟚. x | g ↪ λx:𝟚. g x}(2)") == \
        Iter(Lam("x", BOOL, x), "g", Lam("x", BOOL, App(Var("g"), x)), Nat(2))


def test_spans_of_nodes():
    term = parse_term("λx:𝟚.\n  if x then (f x) else y")
    assert (term.span.line, term.span.col, term.span.end_line, term.span.end_col) == (1, 1, 2, 25)
    assert (term.param_span.line, term.param_span.col) == (1, 2)
    body = term.body
    assert (body.span.line, body.span.col) == (2, 3)
    assert (body.then.span.col, body.then.span.end_col) == (13, 18)  # with its brackets
    assert (body.else_.span.col, body.else_.span.end_col) == (24, 25)
    it = parse_term("iter{tt | acc ↪ acc}(2)")
    assert (it.var_span.col, it.var_span.end_col) == (11, 14)


def test_spans_do_not_take_part_in_equality():
    assert parse_term("λx:𝟚.   x") == parse_term("λx:𝟚. x")
    assert parse_term("tt", first_line=7).span.line == 7


@given(typed_terms(max_depth=3), st.sampled_from(["  ", "\n  ", " -- c\n  ", "\t"]))
def test_whitespace_and_comments_between_tokens_do_not_matter(example, sep):
    term, _, _ = example
    spaced = pretty(term).replace(" ", sep)
    assert parse_term(spaced) == term
    cell = parse_cell("def main =\n  " + pretty(term, ascii=True).replace(" ", "\n   "))
    assert cell[0].body == term


# ---------------------------------------------------------------- cells and layout


def test_a_cell_of_items():
    src = """
-- a comment line
type Image

def not (x : 𝟚) : 𝟚 = if x then ff else tt
def and (x : Bool) (y : Bool) : Bool =
  if x
    then y
    else (if y then ff else ff)   -- continuation lines are indented

:type and tt
not tt; and tt ff
def id : 𝟚 ⊸ 𝟚 = λx:𝟚. x
"""
    items = parse_cell(src)
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["TypeDecl", "Def", "Def", "Directive", "TermItem", "TermItem", "Def"]
    decl, not_, and_, directive, t1, t2, id_ = items
    assert decl == TypeDecl("Image")
    assert not_.name == "not" and not_.params == (Param("x", BOOL),) and not_.result_type == BOOL
    assert not_.term == Lam("x", BOOL, If(x, FF, TT))
    assert and_.term == Lam("x", BOOL, Lam("y", BOOL, If(x, y, If(y, FF, FF))))
    assert directive.word == "type" and directive.text == "and tt"
    assert src[directive.text_offset:].startswith("and tt")
    assert t1.term == App(Var("not"), TT) and t2.term == App(App(Var("and"), TT), FF)
    assert id_.params == () and id_.result_type == arrows(BOOL, BOOL) and id_.term == Lam("x", BOOL, x)
    assert (not_.span.line, and_.span.line, and_.span.end_line) == (5, 6, 9)
    assert (not_.name_span.col, not_.name_span.end_col) == (5, 8)


def test_definition_means_curried_lambdas():
    [d] = parse_cell("def k (a : 𝟚) (b : ℕ ⊸ ℕ) (c : Image) : 𝟚 = a")
    assert [p.name for p in d.params] == ["a", "b", "c"]
    assert d.term == Lam("a", BOOL, Lam("b", arrows(NAT, NAT), Lam("c", Abstract("Image"), Var("a"))))
    [d] = parse_cell("def k = tt")
    assert d.params == () and d.result_type is None and d.term == TT


def test_semicolons_separate_items():
    items = parse_cell("def a = tt; def b = ff;tt;  ; ff")
    assert [type(i).__name__ for i in items] == ["Def", "Def", "TermItem", "TermItem"]
    assert parse_cell("tt;") == [TermItem(TT)]


def test_blank_lines_and_comments_between_and_inside_items():
    items = parse_cell("\n\ndef f (x : 𝟚) : 𝟚 =\n\n  -- explain\n\n  x\n\n\n-- end\n")
    assert len(items) == 1 and items[0].term == Lam("x", BOOL, x)
    assert parse_cell("") == [] and parse_cell("-- nothing\n\n  \n") == []


def test_a_line_in_column_one_starts_a_new_item():
    items = parse_cell("f\nx")
    assert [i.term for i in items] == [f, x]
    items = parse_cell("f\n x")
    assert [i.term for i in items] == [App(f, x)]
    with pytest.raises(CajalSyntaxError, match="indent it"):
        parse_cell("def f (x : 𝟚) : 𝟚 =\nx")


def test_directives_keep_their_text_raw():
    src = ":set nat_dim 4\n:trace (λx:𝟚. x) tt\n:graph --unroll f\n  continued\n:help\n:defs\n"
    items = parse_cell(src)
    assert [(d.word, d.text) for d in items] == [
        ("set", "nat_dim 4"), ("trace", "(λx:𝟚. x) tt"), ("graph", "--unroll f\n  continued"),
        ("help", ""), ("defs", "")]
    for d in items:
        assert src[d.text_offset:d.text_offset + len(d.text)] == d.text
    assert (items[1].span.line, items[1].span.col) == (2, 1)
    # a directive's argument parses from the middle of the cell, with true positions
    term = parse_fragment(Source(src), items[1].text_offset, items[1].text_offset + len(items[1].text))
    assert term == App(Lam("x", BOOL, x), TT) and term.span.line == 2 and term.span.col == 8
    # after `;` too, and a colon elsewhere is a symbol
    items = parse_cell("tt; :eval ff")
    assert isinstance(items[1], Directive) and items[1].text == "ff"
    assert isinstance(parse_cell("def f : 𝟚 = tt")[0], Def)


def test_iter_cell_yields_items_before_an_error():
    it = iter_cell("def a = tt\ndef b = ff\ndef c = )\ndef d = tt")
    assert next(it).name == "a" and next(it).name == "b"
    with pytest.raises(CajalSyntaxError) as info:
        next(it)
    assert info.value.span.line == 3


def test_cell_first_line():
    [d] = parse_cell("def f = tt", first_line=2)
    assert d.span.line == 2


@given(typed_terms(max_depth=3))
def test_generated_terms_as_definitions(example):
    term, ty, ctx = example
    params = " ".join(f"({name} : {pretty(t)})" for name, t in ctx.items())
    [d, item] = parse_cell(f"def main {params} : {pretty(ty)} =\n  {pretty(term)}\nmain")
    assert d.body == term and d.result_type == ty
    assert [(p.name, p.type) for p in d.params] == list(ctx.items())
    assert item == TermItem(Var("main"))
