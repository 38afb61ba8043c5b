"""Every error of the catalogue (LANGUAGE.md section 3) and every syntax error: the class, the
exact span, the message, the hint, the related spans, and the caret snippet of `str()`."""

import pytest

from cajal import (
    CajalError,
    CajalSyntaxError,
    CajalTypeError,
    Source,
    Span,
    check,
    parse_cell,
    parse_term,
    parse_type,
    typecheck,
)
from cajal.errors import snippet
from cajal.syntax import Def, TermItem


def error(src, what="term", ctx=None, first_line=1, types=()):
    """The error that parsing (and checking) `src` raises."""
    with pytest.raises(CajalError) as info:
        if what == "term":
            typecheck(parse_term(src, first_line), ctx, types=types)
        elif what == "type":
            parse_type(src, first_line)
        else:  # a cell: parse it, and check its terms and definitions
            for item in parse_cell(src, first_line):
                if isinstance(item, Def):
                    check(item.term, types=types)
                elif isinstance(item, TermItem):
                    check(item.term, types=types)
    return info.value


def where(err):
    s = err.span
    return (s.line, s.col, s.end_line, s.end_col)


def assert_caret(err, first_line=1):
    """str() names the place, shows the span's source line, and carets exactly under it."""
    text = str(err)
    s = err.span
    assert text.startswith(f"{type(err).__name__}: line {s.line}, column {s.col}: {err.message}")
    line = err.span.source.line_text(s.line)
    lines = text.split("\n")
    source_index = next(i for i, ln in enumerate(lines) if ln.endswith(f"| {line}") and ln.lstrip().startswith(str(s.line)))
    carets = lines[source_index + 1].split("| ", 1)[1]
    end = s.end_col if s.end_line == s.line else len(line) + 1
    for col in range(s.col, max(end, s.col + 1)):
        assert carets[col - 1] == "^", (col, carets)
    assert carets[:s.col - 1].strip() == "" or err.related  # nothing before, unless a related span
    if err.hint:
        assert lines[-1] == f"hint: {err.hint}"


# (id, source, what, ctx, class, span, message, hint, related spans)
CATALOGUE = [
    ("unbound variable", "λx:𝟚.\n  if x then y else tt", "term", None, CajalTypeError,
     (2, 13, 2, 14), "unbound variable `y`", "bind `y` with λ or `let`", []),
    ("unbound variable, a near name", "λflag:𝟚. flga", "term", None, CajalTypeError,
     (1, 10, 1, 14), "unbound variable `flga`", "did you mean `flag`?", []),
    ("variable used twice", "λf:𝟚 ⊸ 𝟚 ⊸ 𝟚. λx:𝟚.\n  f x x", "term", None, CajalTypeError,
     (2, 7, 2, 8), "`x` is used twice (at line 2, column 5 and line 2, column 7)", "`x` is linear",
     [(2, 5, 2, 6)]),
    ("variable used twice, in condition and branch", "λx:𝟚. if x then x else x", "term", None,
     CajalTypeError, (1, 17, 1, 18), "`x` is used twice", "use it exactly once", [(1, 10, 1, 11)]),
    ("variable used twice, across lines", "λx:ℕ.\n  iter{x | y ↪ succ y}(\n    x)", "term", None,
     CajalTypeError, (3, 5, 3, 6), "`x` is used twice", "`x` is linear", [(2, 8, 2, 9)]),
    ("variable never used (λ)", "λx:𝟚. λy:𝟚. x", "term", None, CajalTypeError,
     (1, 8, 1, 9), "`y` is never used", "use `y` exactly once", []),
    ("variable never used (let)", "let unused = tt in ff", "term", None, CajalTypeError,
     (1, 5, 1, 11), "`unused` is never used", "use `unused` exactly once", []),
    ("shadowing an unused variable", "λx:𝟚. λx:𝟚. x", "term", None, CajalTypeError,
     (1, 2, 1, 3), "`x` is never used", None, []),
    ("context variable never used", "tt", "term", {"x": "𝟚"}, CajalTypeError,
     (1, 1, 1, 3), "`x` is in the context but never used", "exactly once", []),
    ("if-branches of different types", "λx:𝟚. if x then tt else 0", "term", None, CajalTypeError,
     (1, 25, 1, 26), "the branches of `if` have different types: 𝟚 and ℕ", "same type",
     [(1, 17, 1, 19)]),
    ("if-branches using different variables", "λx:𝟚. λy:𝟚. λz:𝟚. if x then y else z", "term", None,
     CajalTypeError, (1, 29, 1, 30),
     "the branches of `if` use different variables: `y` only in the then-branch; `z` only in the else-branch",
     "both must use the same linear variables", [(1, 36, 1, 37)]),
    ("if-branch using a variable the other does not", "λx:𝟚. λn:ℕ. if x then succ n else 0", "term",
     None, CajalTypeError, (1, 28, 1, 29), "`n` only in the then-branch", None, []),
    ("condition not 𝟚", "if 3 then tt else ff", "term", None, CajalTypeError,
     (1, 4, 1, 5), "the condition of `if` must have type 𝟚, but it has type ℕ", "a condition is a boolean", []),
    ("applying a non-function", "λx:𝟚.\n  x tt", "term", None, CajalTypeError,
     (2, 3, 2, 4), "this has type 𝟚, which is not a function, so it cannot be applied", "τ₁ ⊸ τ₂", []),
    ("applying a function to too many arguments", "(λx:ℕ. x) 1 2", "term", None, CajalTypeError,
     (1, 1, 1, 12), "this has type ℕ, which is not a function", None, []),
    ("argument of the wrong type", "(λx:𝟚. x) 3", "term", None, CajalTypeError,
     (1, 11, 1, 12), "the argument has type ℕ, but the function expects 𝟚", "the function has type 𝟚 ⊸ 𝟚", []),
    ("argument of the wrong function type", "(λf:𝟚 ⊸ 𝟚. f tt) (λn:ℕ. n)", "term", None, CajalTypeError,
     (1, 18, 1, 27), "the argument has type ℕ ⊸ ℕ, but the function expects 𝟚 ⊸ 𝟚", None, []),
    ("iter count not ℕ", "iter{tt | y ↪ y}(ff)", "term", None, CajalTypeError,
     (1, 18, 1, 20), "the count of `iter` must have type ℕ, but it has type 𝟚", "n : ℕ", []),
    ("base/step type mismatch", "iter{tt | y ↪ 3}(2)", "term", None, CajalTypeError,
     (1, 15, 1, 16), "the step of `iter` has type ℕ, but its base has type 𝟚",
     "base and step must have the same type", [(1, 6, 1, 8)]),
    ("step does not use its variable", "iter{tt | y ↪ ff}(2)", "term", None, CajalTypeError,
     (1, 11, 1, 12), "the step of `iter` does not use its variable `y`", "use `y`", []),
    ("succ of a non-natural", "succ tt", "term", None, CajalTypeError,
     (1, 6, 1, 8), "`succ` needs a natural, but its argument has type 𝟚", None, []),
    ("-> in a type", "λx:𝟚 -> 𝟚. x", "term", None, CajalSyntaxError,
     (1, 6, 1, 8), "`->` is not a Cajal arrow", "write `-o` (or `⊸`)", []),
    ("-> in a type alone", "ℕ -> ℕ", "type", None, CajalSyntaxError,
     (1, 3, 1, 5), "`->` is not a Cajal arrow", "write `-o` (or `⊸`)", []),
    ("→ in a type", "ℕ → ℕ", "type", None, CajalSyntaxError,
     (1, 3, 1, 4), "`→` is not a Cajal arrow", "every function in Cajal is linear", []),
    ("-> in a definition", "def f (x : 𝟚) : 𝟚 -> 𝟚 = x", "cell", None, CajalSyntaxError,
     (1, 19, 1, 21), "`->` is not a Cajal arrow", "write `-o`", []),
    ("unknown abstract type", "λimg:Image. img", "term", None, CajalTypeError,
     (1, 6, 1, 11), "unknown type `Image`", "declare it first with `type Image`", []),
    ("unknown abstract type in a parameter", "type Image\ndef f (x : Picture) : Picture = x", "cell", None,
     CajalTypeError, (2, 12, 2, 19), "unknown type `Picture`", "`type Picture`", []),
    # ---- syntax errors
    ("unexpected token after a term", "λx:𝟚. x )", "term", None, CajalSyntaxError,
     (1, 9, 1, 10), "unexpected `)` after the end of the term", "no matching opening bracket", []),
    ("unexpected token where a term belongs", "if then tt else ff", "term", None, CajalSyntaxError,
     (1, 4, 1, 8), "expected a term, but found `then`", None, []),
    ("a type where a term belongs", "𝟚", "term", None, CajalSyntaxError,
     (1, 1, 1, 2), "expected a term, but found `Bool`", "types appear only after `:`", []),
    ("unexpected token in a cell", "tt )", "cell", None, CajalSyntaxError,
     (1, 4, 1, 5), "unexpected `)`", "no matching opening bracket", []),
    ("two items on one line", "tt def f = tt", "cell", None, CajalSyntaxError,
     (1, 4, 1, 7), "unexpected `def`", "on its own line (or separate them with `;`)", []),
    ("unclosed bracket", "(λx:𝟚.\n   x", "term", None, CajalSyntaxError,
     (1, 1, 1, 2), "unclosed `(`: expected `)`", "add the matching `)`", []),
    ("unclosed brace of iter", "iter{tt | y ↪ y", "term", None, CajalSyntaxError,
     (1, 5, 1, 6), "unclosed `{`: expected `}`", "add the matching `}`", []),
    ("unclosed count of iter", "iter{tt | y ↪ y}(3", "term", None, CajalSyntaxError,
     (1, 17, 1, 18), "unclosed `(`: expected `)` to close the count of `iter`", None, []),
    ("unclosed bracket in a cell, next line not indented", "def f = (tt\nff", "cell", None,
     CajalSyntaxError, (1, 9, 1, 10), "unclosed `(`", "if the next line continues this item, indent it", []),
    ("unclosed parameter bracket", "def f (x : 𝟚 = x", "cell", None, CajalSyntaxError,
     (1, 14, 1, 15), "expected `)` to close the parameter `x`, but found `=`", None, []),
    ("unknown character", "λx:𝟚.\n  x $ y", "term", None, CajalSyntaxError,
     (2, 5, 2, 6), "unexpected character `$`", "Cajal uses λ (or \\)", []),
    ("unknown invisible character", "tt\u00a0", "term", None, CajalSyntaxError,
     (1, 3, 1, 4), "unexpected character U+00A0 (no-break space)", "invisible character", []),
    ("unknown character: a lone minus", "λx:ℕ. x - 1", "term", None, CajalSyntaxError,
     (1, 9, 1, 10), "unexpected character `-`", "the linear arrow is `-o`", []),
    ("unknown non-ASCII letter", "λé:𝟚. é", "term", None, CajalSyntaxError,
     (1, 2, 1, 3), "unexpected character `é` (latin small letter e with acute)", "ASCII letters", []),
    ("missing then", "if tt else ff", "term", None, CajalSyntaxError,
     (1, 7, 1, 11), "expected `then` after the condition of `if`, but found `else`",
     "an `if` is written `if c then a else b`", []),
    ("missing else", "if tt then ff", "term", None, CajalSyntaxError,
     (1, 14, 1, 14), "expected `else` after the then-branch of `if`, but found the end of the input",
     "every `if` needs an `else` branch", []),
    ("missing else, next item follows", "def f (x : 𝟚) : 𝟚 = if x then ff\ntt", "cell", None,
     CajalSyntaxError, (1, 33, 1, 33),
     "expected `else` after the then-branch of `if`, but found the end of the item",
     "if the next line continues this item, indent it", []),
    ("definition body on an unindented line", "def f (x : 𝟚) : 𝟚 =\nif x then ff else tt", "cell", None,
     CajalSyntaxError, (1, 20, 1, 20), "expected a term, but found the end of the item",
     "if the next line continues this item, indent it", []),
    ("empty input", "", "term", None, CajalSyntaxError,
     (1, 1, 1, 1), "empty input: expected a term", "write a term such as", []),
    ("only a comment", "  -- nothing", "term", None, CajalSyntaxError,
     (1, 13, 1, 13), "empty input: expected a term", None, []),
    ("empty type", " ", "type", None, CajalSyntaxError,
     (1, 2, 1, 2), "empty input: expected a type", "write a type such as", []),
    ("keyword as a name", "λif:𝟚. if", "term", None, CajalSyntaxError,
     (1, 2, 1, 4), "`if` is a keyword and cannot be used as a name after λ", "choose another name", []),
    ("λ without a type", "λx. x", "term", None, CajalSyntaxError,
     (1, 3, 1, 4), "expected `:` after `λx`, but found `.`", "needs its type", []),
    ("λ without a dot", "λx:𝟚 x", "term", None, CajalSyntaxError,
     (1, 6, 1, 7), "expected `.` after the type of `x`, but found `x`", "λx:τ. body", []),
    ("missing type", "λx:. x", "term", None, CajalSyntaxError,
     (1, 4, 1, 5), "expected a type, but found `.`", "types are 𝟚 (Bool)", []),
    ("let without in", "let x = tt\n  x", "term", None, CajalSyntaxError,
     (2, 4, 2, 4), "expected `in` after the value of `x`, but found the end of the input",
     "`let x = e in body`", []),
    ("iter with -> for ↪", "iter{tt | y -> y}(2)", "term", None, CajalSyntaxError,
     (1, 13, 1, 15), "`->` is not a Cajal arrow", None, []),
    ("iter without its arrow", "iter{tt | y y}(2)", "term", None, CajalSyntaxError,
     (1, 13, 1, 14), "expected `↪` after the step variable `y`, but found `y`", "(ASCII: `=>` for ↪)", []),
    ("iter without a count", "iter{tt | y ↪ y}", "term", None, CajalSyntaxError,
     (1, 17, 1, 17), "expected `(` for the count of `iter`", None, []),
    ("definition without =", "def f (x : 𝟚) : 𝟚 x", "cell", None, CajalSyntaxError,
     (1, 19, 1, 20), "expected `=` in the definition of `f`, but found `x`", "parameters need brackets", []),
    ("definition without a name", "def (x : 𝟚) = x", "cell", None, CajalSyntaxError,
     (1, 5, 1, 6), "expected a name after `def`, but found `(`", None, []),
    ("type declaration without a name", "type 3", "cell", None, CajalSyntaxError,
     (1, 6, 1, 7), "expected a name after `type`, but found `3`", None, []),
]


@pytest.mark.parametrize("name, src, what, ctx, cls, span, message, hint, related", CATALOGUE,
                         ids=[c[0] for c in CATALOGUE])
def test_catalogue(name, src, what, ctx, cls, span, message, hint, related):
    err = error(src, what, ctx)
    assert type(err) is cls
    assert where(err) == span, str(err)
    assert message in err.message
    assert "\n" not in err.message  # one line
    if hint is not None:
        assert err.hint and hint in err.hint
    assert [(s.line, s.col, s.end_line, s.end_col) for s in err.related] == related
    assert_caret(err)
    for s in err.related:  # related spans get carets too
        carets = str(err).split("\n")
        assert any(ln.strip().startswith("|") and len(ln.split("| ", 1)[-1]) >= s.col
                   and ln.split("| ", 1)[-1][s.col - 1] == "^" for ln in carets), str(err)


def test_every_error_is_a_cajal_error_with_message_and_span():
    for _, src, what, ctx, *_ in CATALOGUE:
        err = error(src, what, ctx)
        assert isinstance(err, CajalError) and isinstance(err, (CajalSyntaxError, CajalTypeError))
        assert err.message and err.span is not None and err.span.source is not None
        assert err.args[0] == err.message


def test_lines_count_from_first_line():
    """A `%%cajal` cell starts at line 2: spans and snippets count from there."""
    err = error("λx:𝟚.\n  x tt", first_line=2)
    assert where(err) == (3, 3, 3, 4)
    assert str(err).split("\n")[1:3] == ["3 |   x tt", "  |   ^"]
    err = error("tt\n$", what="cell", first_line=5)
    assert where(err) == (6, 1, 6, 2)


def test_exact_rendering():
    err = error("λx:𝟚. λy:𝟚. λz:𝟚. if x then y else z")
    assert str(err) == (
        "CajalTypeError: line 1, column 29: the branches of `if` use different variables: `y` only in "
        "the then-branch; `z` only in the else-branch\n"
        "1 | λx:𝟚. λy:𝟚. λz:𝟚. if x then y else z\n"
        "  |                             ^      ^\n"
        "hint: only one branch runs, so both must use the same linear variables, each exactly once")


def test_related_span_on_another_line():
    err = error("λf:𝟚 ⊸ 𝟚 ⊸ 𝟚. λx:𝟚. f\n  x\n\n\n\n\n\n\n\n\n  x")
    assert where(err) == (11, 3, 11, 4) and [(s.line, s.col) for s in err.related] == [(2, 3)]
    lines = str(err).split("\n")
    assert lines[1:5] == ["11 |   x", "   |   ^", " 2 |   x", "   |   ^"]


def test_tabs_keep_carets_aligned():
    err = error("λx:𝟚.\n\t\tif x then x else tt")
    assert str(err).split("\n")[2] == "  | \t\t   ^      ^"


def test_long_lines_are_cut_around_the_caret():
    src = "λx:𝟚. " + "(λy:𝟚. y) (" * 40 + "z" + ")" * 40
    err = error(src)
    assert err.message == "unbound variable `z`"
    line, carets = str(err).split("\n")[1:3]
    assert len(line) < 140 and "…" in line
    at = carets.index("^")
    assert line[at:at + 3] == "(z)" and carets[at:] == "^^^"  # a bracketed variable: with its brackets


def test_tall_spans_show_first_and_last_lines():
    src = "if tt\n" + "\n" * 30 + "then 1 else 2"
    err = error(src, ctx={"x": "𝟚"})
    assert where(err) == (1, 1, 32, 14)
    assert str(err).split("\n")[1:] == [
        " 1 | if tt", "   | ^^^^^", " 2 | ", "   | ^", " 3 | ", "   | ^", "   | ...",
        "31 | ", "   | ^", "32 | then 1 else 2", "   | ^^^^^^^^^^^^^",
        "hint: every variable of the context must be used exactly once"]


def test_errors_on_hand_built_terms_have_spans_or_none():
    """Terms built in Python have no spans; errors still have a message (and with_source can
    attach a source for display)."""
    from cajal.syntax import App, BoolLit
    with pytest.raises(CajalTypeError) as info:
        typecheck(App(BoolLit(True), BoolLit(False)))
    assert info.value.span is None
    assert str(info.value).startswith("CajalTypeError: this has type 𝟚")


def test_with_source_attaches_a_source():
    err = CajalTypeError("boom", Span(1, 3, 1, 5), hint="h", related=(Span(1, 1, 1, 2),))
    err.with_source(Source("abcdef"))
    assert str(err) == "CajalTypeError: line 1, column 3: boom\n1 | abcdef\n  | ^ ^^\nhint: h"


def test_snippet_without_source_is_empty():
    assert snippet(Span(1, 1, 1, 2)) == ""


def test_ipython_traceback_is_the_message():
    err = error("tt tt")
    assert err._render_traceback_() == str(err).split("\n")


# ---------------------------------------------------------------- echoed user text


@pytest.mark.parametrize("source, message", [
    (":help " + "word " * 1600, "no help on `word word word word word word word word…`"),
    (":" + "x" * 8000, "unknown directive `:" + "x" * 39 + "…`"),
    (":set nat_dim " + "9x" * 4000, "`" + "9x" * 19 + "9…` is not a positive whole number"),
    (":graph --" + "u" * 8000 + " tt", "unknown option `--" + "u" * 37 + "…` for `:graph`"),
    ("v" * 8000, "unbound variable `" + "v" * 39 + "…`"),
    ("λx:" + "T" * 8000 + ". x", "unknown type `" + "T" * 39 + "…`"),
])
def test_user_text_in_an_error_is_cut_to_one_short_line(source, message):
    """8 KB of typed text is echoed as its first 40 characters and `…`: the message is one line,
    and the whole error (message, windowed source line, carets, hint) stays short."""
    from cajal.session import Session
    with pytest.raises(CajalError) as err:
        Session().run(source)
    assert err.value.message == message
    assert len(str(err.value)) < 1000


@pytest.mark.parametrize("text, cut", [
    ("short", "short"),
    ("x" * 40, "x" * 40),
    ("x" * 41, "x" * 39 + "…"),
    ("first line\nsecond line", "first line…"),
    ("  padded  ", "padded"),
])
def test_echo_keeps_short_text_and_cuts_long_or_multiline_text(text, cut):
    from cajal.errors import echo
    assert echo(text) == cut
