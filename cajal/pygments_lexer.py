"""A Pygments lexer for Cajal, so that nbconvert's HTML export, `jupyter console`, Sphinx and
anything else that uses Pygments highlight Cajal cells.

Registered under the `pygments.lexers` entry point (`cajal = "cajal.pygments_lexer:CajalLexer"`), so
`pygments.lexers.get_lexer_by_name("cajal")` finds it once the package is installed.

Besides the language itself (LANGUAGE.md section 1), it knows the two notebook conventions that
put other text into a Cajal cell: a cell-magic header (`%%cajal --ascii`, the first line of a
`%%cajal` cell in a Python notebook), and a `%%python` (or `%%python3`) cell of the Cajal kernel,
whose body is highlighted as Python.
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups
from pygments.lexers.python import PythonLexer
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    Text,
    Whitespace,
)

from . import cells, lexicon

__all__ = ["CajalLexer"]

# The words and symbols come from the one table (`cajal.lexicon`).
KEYWORDS = frozenset(lexicon.KEYWORDS)
CONSTANTS = frozenset(lexicon.CONSTANTS)
TYPES = frozenset(lexicon.TYPE_NAMES)


def _spellings(role: str) -> str:
    symbols = [spelling for s in lexicon.SYMBOLS if s.role == role for spelling in (s.unicode, s.ascii)
               if not re.fullmatch(lexicon.IDENTIFIER, spelling)]
    return "|".join(re.escape(spelling) for spelling in sorted(symbols, key=len, reverse=True))


_IDENT = lexicon.IDENTIFIER
_COMMENT = re.escape(lexicon.COMMENT)
_OPERATORS = "[" + re.escape("".join(c for c in lexicon.PUNCTUATION if c not in "(){}")) + "]"


def _identifier(lexer, match):
    word = match.group()
    if word in CONSTANTS:
        yield match.start(), Keyword.Constant, word
    elif word in TYPES:
        yield match.start(), Keyword.Type, word
    elif word in KEYWORDS:
        yield match.start(), Keyword, word
    else:
        yield match.start(), Name, word


class CajalLexer(RegexLexer):
    """Cajal: a typed, linear, higher-order language whose programs compile to neurons."""

    name = "Cajal"
    aliases = ["cajal", "cj"]
    filenames = ["*.cj"]
    mimetypes = ["text/x-cajal"]
    url = "https://arxiv.org/abs/2511.14953"
    version_added = ""

    tokens = {
        "root": [
            # A directive at the start of a line, with its `--options`.
            (r"^(:)([A-Za-z_]+)((?:[ \t]+--[A-Za-z][\w-]*)*)",
             bygroups(Punctuation, Keyword.Pseudo, Name.Attribute)),
            (_COMMENT + r"[^\n]*", Comment.Single),
            (r"\s+", Whitespace),
            # `def f` and `type A` name what they declare.
            (r"(def)(\s+)(" + _IDENT + ")", bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (r"(type)(\s+)(" + _IDENT + ")", bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (_IDENT, _identifier),
            (lexicon.NUMERAL, Number.Integer),
            (lexicon.HOLE_PATTERN, Name.Variable.Magic),  # a typed hole, `?` or `?name`
            (_spellings("binder"), Keyword),
            (_spellings("type"), Keyword.Type),
            (_spellings("arrow"), Operator),
            # not a Cajal arrow: every function is linear (write ⊸ or -o)
            (lexicon.BAD_ARROW_PATTERN, Error),
            (_OPERATORS, Operator),
            (r"[(){}]", Punctuation),
            (r".", Error),
        ],
    }

    def get_tokens_unprocessed(self, text, stack=("root",)):
        """A cell-magic header is read by `cajal.cells`: after `%%cajal` the body is Cajal, after
        `%%python` (a Cajal-kernel cell) Python, after any other cell magic plain text (as
        IPython's lexer leaves it). A cell without a header is Cajal."""
        cell = cells.classify(text)
        if not cell.header:
            yield from super().get_tokens_unprocessed(text, stack)
            return
        magic = cell.header.lstrip()
        at = text.index(cell.header) + len(cell.header) - len(magic)
        name = re.match(r"%%(\w*)", magic).group(1)
        if at:
            yield 0, Whitespace, text[:at]
        yield at, Operator, "%%"
        yield at + 2, Keyword, name
        yield at + 2 + len(name), Text, text[at + 2 + len(name):cell.body]
        body = text[cell.body:]
        if cell.kind == cells.CAJAL:
            tokens = super().get_tokens_unprocessed(body, stack)
        elif cell.kind == cells.PYTHON:
            tokens = PythonLexer(**self.options).get_tokens_unprocessed(body)
        else:
            tokens = [(0, Text, body)] if body else []
        for index, token, value in tokens:
            yield index + cell.body, token, value
