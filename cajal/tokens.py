"""Turn a cell's text into tokens, applying the layout rule.

Both spellings of every symbol become one token value (`\\` and `λ` are both `λ`), so the
parser sees only the canonical form. Items are separated by `SEP` tokens: a new item starts on
a line that begins in column 1, or after `;`. A directive (`:word …` at the start of an item)
is one `DIRECTIVE` token that keeps its text raw, because its arguments (`--unroll`, `nat_dim`)
are not Cajal terms.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Optional

from .errors import CajalSyntaxError, Source, Span

KEYWORDS = {"def", "type", "let", "in", "if", "then", "else", "iter", "succ", "zero", "tt", "ff",
            "true", "false", "Bool", "Nat"}

# Canonical value of each spelling.
_SPELLINGS = {
    "\\": "λ", "λ": "λ", "-o": "⊸", "⊸": "⊸", "=>": "↪", "↪": "↪",
    "𝟚": "Bool", "Bool": "Bool", "ℕ": "Nat", "Nat": "Nat", "true": "tt", "false": "ff",
}

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r]+)
  | (?P<newline>\n)
  | (?P<comment>--[^\n]*)
  | (?P<bad_arrow>->|→)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_']*)
  | (?P<num>[0-9]+)
  | (?P<symbol>-o|=>|[λ\\⊸↪𝟚ℕ(){}|:.=,;])
""", re.VERBOSE)


_NON_SPACE = re.compile(r"\S")
_DIRECTIVE = re.compile(r":([A-Za-z_]+)")


class Token:
    """A token: `kind` is IDENT NUM KW SYM DIRECTIVE SEP or EOF; `value` its canonical
    spelling; `offset` its character offset in the text (directives parse from it); `end`, for
    a DIRECTIVE, the offset where its raw text ends. (A plain slotted class, not a dataclass:
    a cell has thousands of tokens, and this is several times cheaper to make.)"""

    __slots__ = ("kind", "value", "span", "offset", "end")

    def __init__(self, kind: str, value: str, span: Span, offset: int = 0, end: int = 0):
        self.kind = kind
        self.value = value
        self.span = span
        self.offset = offset
        self.end = end

    def __eq__(self, other):
        return isinstance(other, Token) and (self.kind, self.value, self.span, self.offset, self.end) == (
            other.kind, other.value, other.span, other.offset, other.end)

    def __hash__(self):
        return hash((self.kind, self.value, self.span, self.offset, self.end))

    def __repr__(self):
        return f"Token({self.kind!r}, {self.value!r}, {self.span!r}, {self.offset!r}, {self.end!r})"

    def is_(self, value: str) -> bool:
        return self.kind in ("KW", "SYM") and self.value == value

    def describe(self) -> str:
        if self.kind == "EOF":
            return "the end of the item" if self.value == "item" else "the end of the input"
        if self.kind == "SEP":
            return "the end of the item"
        return f"`{self.span_text()}`"

    def span_text(self) -> str:
        return self.value if self.kind != "DIRECTIVE" else ":" + self.value


def _bad_character(ch: str, span: Span) -> CajalSyntaxError:
    import unicodedata
    shown = f"`{ch}`" if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    if name and not ch.isascii():
        shown += f" ({name.lower()})"
    hint = ("Cajal uses λ (or \\), ⊸ (or -o), ↪ (or =>), 𝟚 (or Bool), ℕ (or Nat), "
            "( ) { } | : . = ; and identifiers made of ASCII letters, digits, _ and '")
    if ch == "-":
        hint = "`-` alone is not an operator: a comment starts with `--`, and the linear arrow is `-o`"
    elif ch.isspace():
        hint = "only spaces, tabs and newlines separate tokens; replace this invisible character with a space"
    elif ch.isdigit() or ch.isalpha():
        hint = "names use ASCII letters, digits, `_` and `'` only, and numerals ASCII digits"
    return CajalSyntaxError(f"unexpected character {shown}", span, hint=hint)


class Lexer:
    """Positions are (line, column) in the source, columns counting characters."""

    def __init__(self, source: Source, start: int = 0, end: Optional[int] = None):
        self.source = source
        self.text = source.text
        self.start = start
        self.end = len(self.text) if end is None else end
        self._line_starts = source.line_starts  # shared by the lexers of a cell's items

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self._line_starts, offset) - 1
        return index + self.source.first_line, offset - self._line_starts[index] + 1

    def _token_span(self, start: int, end: int) -> Span:
        """The span of [start, end) within one line (every token but a directive)."""
        index = bisect_right(self._line_starts, start) - 1
        line = index + self.source.first_line
        col = start - self._line_starts[index] + 1
        return Span(line, col, line, col + end - start, self.source)

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Span(line, col, end_line, end_col, self.source)

    def tokens(self, layout: bool = True) -> list[Token]:
        """All tokens. With `layout`, insert SEP between items and recognise directives."""
        out: list[Token] = []
        self._scan(out, layout)
        if out and out[-1].kind == "SEP":
            out.pop()
        if layout and out and _NON_SPACE.search(self.text, self.end) is not None:
            # the end of one item of a longer cell: point just after its last token (not at the
            # next item), and say "the end of the item"
            last = out[-1].span
            end = Span(last.end_line, last.end_col, last.end_line, last.end_col, self.source)
            out.append(Token("EOF", "item", end, self.end))
        else:
            out.append(Token("EOF", "", self.span(self.end, self.end), self.end))
        return out

    def _scan(self, out: list[Token], layout: bool) -> None:
        pos = self.start
        item_start = True
        while pos < self.end:
            line_start = pos == 0 or self.text[pos - 1] == "\n"
            m = _TOKEN.match(self.text, pos, self.end)
            if m is None:
                raise _bad_character(self.text[pos], self.span(pos, pos + 1))
            kind = m.lastgroup
            text = m.group()
            if kind in ("space", "newline", "comment"):
                pos = m.end()
                continue
            if layout and line_start and out and out[-1].kind != "SEP":
                out.append(Token("SEP", "", self.span(pos, pos), pos))
                item_start = True
            if kind == "bad_arrow":
                raise CajalSyntaxError(
                    f"`{text}` is not a Cajal arrow", self.span(pos, m.end()),
                    hint="write `-o` (or `⊸`): every function in Cajal is linear")
            if layout and item_start and text == ":":
                directive = self._directive(pos)
                if directive is not None:
                    out.append(directive)
                    pos = self._item_end(pos)
                    item_start = False
                    continue
            item_start = False
            if kind == "ident":
                tok_kind = "KW" if text in KEYWORDS else "IDENT"
                value = _SPELLINGS.get(text, text)
            elif kind == "num":
                tok_kind, value = "NUM", text
            else:
                tok_kind, value = "SYM", _SPELLINGS.get(text, text)
                if value == "Bool" or value == "Nat":
                    tok_kind = "KW"
            if layout and value == ";" and tok_kind == "SYM":
                if out and out[-1].kind != "SEP":
                    out.append(Token("SEP", ";", self.span(pos, m.end()), pos))
                item_start = True
                pos = m.end()
                continue
            end = m.end()
            out.append(Token(tok_kind, value, self._token_span(pos, end), pos))
            pos = end

    def _directive(self, pos: int) -> Optional[Token]:
        m = _DIRECTIVE.match(self.text, pos, self.end)
        if m is None:
            return None
        end = self._item_end(pos)
        return Token("DIRECTIVE", m.group(1), self.span(pos, end), m.end(), end)

    def _item_end(self, pos: int) -> int:
        """The end of the item starting at `pos`: the next line that starts in column 1."""
        while True:
            nl = self.text.find("\n", pos, self.end)
            if nl < 0:
                return self.end
            nxt = nl + 1
            if nxt >= self.end:
                return nl
            ch = self.text[nxt]
            if ch not in " \t\n\r" and not self.text.startswith("--", nxt):
                return nl
            pos = nxt
