"""The words and symbols of Cajal, with every spelling of each (LANGUAGE.md section 1).

This is the one table: the tokenizer (`tokens`), the pretty-printer's Unicode and ASCII
spellings (`pretty`), `--ascii` output (`to_ascii`), the completer's `\\name` input sequences
(`assist`), the Pygments lexer (`highlight`), the JupyterLab grammar (generated from
`as_json()`) and the TextMate grammar (`textmate`) all derive from it, so adding a spelling is one edit here.

A symbol has a canonical name (the token value the parser sees), a Unicode spelling (what the
printer writes) and an ASCII spelling (what `--ascii` writes and what a keyboard types).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Symbol:
    """A symbol of the language. `name` is the canonical token value; `role` says what it does
    (the highlighters colour by role)."""

    name: str
    unicode: str
    ascii: str
    role: str  # "binder" (λ), "arrow" (⊸ ↪) or "type" (𝟚 ℕ)


# Reserved words (besides the type names, which are symbols with a word spelling).
KEYWORDS = ("def", "type", "let", "in", "if", "then", "else", "iter", "succ", "zero")
DECLARATIONS = ("def", "type")  # keywords that name what they declare
# Boolean constants: every spelling → canonical.
CONSTANTS = {"tt": "tt", "ff": "ff", "true": "tt", "false": "ff"}

SYMBOLS = (
    Symbol("λ", "λ", "\\", "binder"),
    Symbol("⊸", "⊸", "-o", "arrow"),
    Symbol("↪", "↪", "=>", "arrow"),
    Symbol("Bool", "𝟚", "Bool", "type"),
    Symbol("Nat", "ℕ", "Nat", "type"),
)
TYPE_NAMES = tuple(s.ascii for s in SYMBOLS if s.role == "type")  # ("Bool", "Nat")

PUNCTUATION = "(){}|:.=,;"
COMMENT = "--"
# Arrows of other languages: an error with a hint (every Cajal function is linear).
BAD_ARROWS = ("->", "→")
IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_']*"
NUMERAL = r"[0-9]+"
# A typed hole: `?` or `?name` stands for a term still to write (LANGUAGE.md section 10).
HOLE = "?"
HOLE_PATTERN = re.escape(HOLE) + f"(?:{IDENTIFIER})?"

# `\name` + Tab gives the symbol (as in the Julia and Lean kernels). `\to` gives ⊸, not →,
# because every Cajal function is linear.
INPUT_SEQUENCES = {
    "\\lambda": "λ", "\\lam": "λ", "\\l": "λ",
    "\\multimap": "⊸", "\\lolli": "⊸", "\\-o": "⊸", "\\to": "⊸",
    "\\hookrightarrow": "↪", "\\into": "↪", "\\=>": "↪",
    "\\bbtwo": "𝟚", "\\two": "𝟚", "\\bool": "𝟚", "\\Bool": "𝟚",
    "\\bbN": "ℕ", "\\N": "ℕ", "\\nat": "ℕ", "\\Nat": "ℕ",
}

# ---------------------------------------------------------------------------- derived tables

# The words the tokenizer reserves: keywords, constants and the word spellings of types.
RESERVED = frozenset(KEYWORDS) | frozenset(CONSTANTS) | frozenset(TYPE_NAMES)
# Every spelling of a symbol or constant → its canonical token value.
SPELLINGS = {**{s.unicode: s.name for s in SYMBOLS}, **{s.ascii: s.name for s in SYMBOLS}, **CONSTANTS}
# Canonical name → spelling, for the printer.
UNICODE = {s.name: s.unicode for s in SYMBOLS}
ASCII = {s.name: s.ascii for s in SYMBOLS}

# Mathematical notation that messages and help texts use besides the language's own symbols,
# and what `--ascii` writes for it.
_PROSE_ASCII = {"→": "->", "…": "...", "⟦": "[[", "⟧": "]]", "Δ": "D", "∘": "o", "⊢": "|-", "τ": "t",
                "≥": ">=", "·": "*", **{chr(0x2080 + i): str(i) for i in range(10)}}
_TO_ASCII = str.maketrans({**{s.unicode: s.ascii for s in SYMBOLS}, **_PROSE_ASCII})


def to_ascii(text: str) -> str:
    """`text` with every Unicode symbol in its ASCII spelling (what `--ascii` prints)."""
    return text.translate(_TO_ASCII)


def _alternatives(spellings) -> str:
    """A regex alternation, longest spelling first (so `-o` wins over a stray `-`)."""
    return "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))


# The symbols that are not words (λ \ ⊸ -o ↪ => 𝟚 ℕ) and the punctuation.
SYMBOL_SPELLINGS = tuple(s for s in SPELLINGS if not re.fullmatch(IDENTIFIER, s))
SYMBOL_PATTERN = _alternatives(SYMBOL_SPELLINGS) + "|[" + re.escape(PUNCTUATION) + "]"
BAD_ARROW_PATTERN = _alternatives(BAD_ARROWS)

# The one token pattern. Group names are the raw kinds; `other` is any character that starts
# no token (the tokenizer reports it, the editor helpers skip it).
TOKEN = re.compile(rf"""
    (?P<space>[ \t\r]+)
  | (?P<newline>\n)
  | (?P<comment>{re.escape(COMMENT)}[^\n]*)
  | (?P<bad_arrow>{BAD_ARROW_PATTERN})
  | (?P<ident>{IDENTIFIER})
  | (?P<num>{NUMERAL})
  | (?P<hole>{HOLE_PATTERN})
  | (?P<symbol>{SYMBOL_PATTERN})
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def as_json() -> dict:
    """The table as plain JSON-able data (the JupyterLab extension generates its grammar from
    it, and a test checks that the two agree)."""
    return {
        "keywords": list(KEYWORDS),
        "declarations": list(DECLARATIONS),
        "constants": dict(CONSTANTS),
        "symbols": [{"name": s.name, "unicode": s.unicode, "ascii": s.ascii, "role": s.role} for s in SYMBOLS],
        "type_names": list(TYPE_NAMES),
        "punctuation": PUNCTUATION,
        "comment": COMMENT,
        "bad_arrows": list(BAD_ARROWS),
        "identifier": IDENTIFIER,
        "numeral": NUMERAL,
        "hole": HOLE,
        "input_sequences": dict(INPUT_SEQUENCES),
    }
