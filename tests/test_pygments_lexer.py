"""The Pygments lexer: registered, finds every token class, and never emits errors on valid Cajal."""

from __future__ import annotations

import pytest
from pygments import highlight, lex
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename, get_lexer_for_mimetype
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, Text, Token

from cajal.pygments_lexer import CONSTANTS, KEYWORDS, TYPES, CajalLexer
from cajal.tokens import KEYWORDS as LANGUAGE_KEYWORDS

PROGRAM = """\
-- booleans
def not (x : 𝟚) : 𝟚 = if x then ff else tt
def and (x : Bool) (y : Bool) : Bool =
  if x then y else (if y then false else false)
def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ not y}(n)
def twice (f : Nat -o Nat) (n : Nat) : Nat = iter{n | y => f y}(2)
def app (f : ℕ ⊸ ℕ) : ℕ ⊸ ℕ = f
type Image
let z = succ zero in \\w:Nat. succ w
:set nat_dim 16
:graph --unroll λn:ℕ. parity n
:type not ; tt
"""


def tokens(text: str):
    return [(t, v) for t, v in lex(text, CajalLexer()) if v.strip()]


def test_registered_under_the_entry_point():
    assert isinstance(get_lexer_by_name("cajal"), CajalLexer)
    assert isinstance(get_lexer_by_name("cj"), CajalLexer)
    assert isinstance(get_lexer_for_filename("prog.cj"), CajalLexer)
    assert isinstance(get_lexer_for_mimetype("text/x-cajal"), CajalLexer)


def test_keywords_agree_with_the_language():
    assert KEYWORDS | CONSTANTS | TYPES == LANGUAGE_KEYWORDS


def test_valid_program_has_no_error_tokens():
    from cajal import parse_cell
    assert len(parse_cell(PROGRAM)) == 10  # the sample is valid Cajal
    assert not [v for t, v in tokens(PROGRAM) if t in Error]
    # the lexer round-trips the text exactly
    assert "".join(v for _, v in lex(PROGRAM, CajalLexer())) == PROGRAM


@pytest.mark.parametrize("word,kind", [
    ("def", Keyword.Declaration), ("type", Keyword.Declaration), ("if", Keyword), ("then", Keyword),
    ("else", Keyword), ("iter", Keyword), ("succ", Keyword), ("zero", Keyword), ("let", Keyword),
    ("in", Keyword), ("tt", Keyword.Constant), ("false", Keyword.Constant),
    ("𝟚", Keyword.Type), ("ℕ", Keyword.Type), ("Bool", Keyword.Type), ("Nat", Keyword.Type),
    ("λ", Keyword), ("\\", Keyword), ("⊸", Operator), ("-o", Operator), ("↪", Operator), ("=>", Operator),
    ("16", Number.Integer), ("parity", Name.Function), ("Image", Name.Class), ("w", Name),
    ("-- booleans", Comment.Single), ("graph", Keyword.Pseudo), ("--unroll", Name.Attribute),
])
def test_token_classes(word, kind):
    found = {t for t, v in tokens(PROGRAM) if v.strip() == word}
    assert kind in found, (word, found)


def test_identifiers_with_primes_and_keyword_prefixes_are_names():
    toks = tokens("iter' tt2 x'' deff")
    assert [t for t, _ in toks] == [Name, Name, Name, Name]


def test_bad_arrow_is_marked():
    assert (Error, "->") in tokens("λx:𝟚 -> 𝟚. x")


def test_cajal_magic_header():
    toks = tokens("%%cajal --ascii\nnot tt")
    assert toks[0] == (Operator, "%%") and toks[1] == (Keyword, "cajal")
    assert not [v for t, v in toks if t in Error]
    assert (Name, "not") in toks and (Keyword.Constant, "tt") in toks


def test_python_cell_of_the_kernel_is_python():
    toks = tokens("%%python\nimport torch\nfor i in range(3): print(i)  # ok\n")
    assert not [v for t, v in toks if t in Error]
    assert (Keyword.Namespace, "import") in toks
    assert any(t in Comment for t, v in toks if v.startswith("# ok"))


@pytest.mark.parametrize("header", ["%%python3", "%%python  # a comment", "\n%%python"])
def test_every_python_header_of_the_kernel_is_python(header):
    code = f"{header}\nimport torch\n"
    toks = list(lex(code, CajalLexer(stripnl=False)))
    assert "".join(v for _, v in toks) == code
    assert (Keyword.Namespace, "import") in toks and not [v for t, v in toks if t in Error]


def test_other_cell_magics_are_left_plain():
    toks = list(lex("%%html\n<b>hi</b> -> ?\n", CajalLexer()))
    assert not [v for t, v in toks if t in Error]
    assert toks[-1][0] in Text or toks[-1][0] is Token.Text


def test_html_has_pygments_classes():
    html = highlight("def not (x : 𝟚) : 𝟚 = if x then ff else tt -- c", CajalLexer(), HtmlFormatter())
    for css in ('class="kd"', 'class="nf"', 'class="k"', 'class="kc"', 'class="kt"', 'class="c1"'):
        assert css in html
