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

from . import lexicon
from .errors import CajalSyntaxError, Source, Span, echo

KEYWORDS = lexicon.RESERVED  # the words no identifier may be
BOM = "\ufeff"  # a byte-order mark at the start of a cell is skipped


def starts_item(line: str) -> bool:
    """The layout rule: a line that begins in column 1 with neither a space nor a comment starts
    a new item (so does a `;`, which the tokenizer handles)."""
    return line[:1] not in ("", " ", "\t", "\r") and not line.startswith(lexicon.COMMENT)


def line_items(text: str) -> list[tuple[int, int]]:
    """[start, end) offsets of the runs of lines that the layout rule groups into items (each
    run ends where the next starts, so it includes its trailing newline, blank lines and
    comments). Indented text before the first item is a run of its own, for the parser to
    report."""
    starts = []
    offset = 0
    for line in text.split("\n"):
        if starts_item(line):
            starts.append(offset)
        offset += len(line) + 1
    if not starts or text[:starts[0]].strip(" \t\r\n") and not _only_comments(text[:starts[0]]):
        starts.insert(0, 0)
    bounds = starts + [len(text)]
    return list(zip(bounds, bounds[1:]))


def line_item_at(text: str, pos: int) -> tuple[int, int]:
    """The run of lines (as in `line_items`) that holds offset `pos`."""
    for start, end in line_items(text):
        if pos < end:
            return start, end
    return (0, 0) if not text else line_items(text)[-1]


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith(lexicon.COMMENT) for line in text.split("\n"))


def scan(text: str, start: int = 0, end: Optional[int] = None):
    """The raw tokens of text[start:end] as (kind, text, offset), skipping spaces and comments,
    never failing: a character that starts no token is kind "other", a foreign arrow
    "bad_arrow". Editor help (completion, inspection) reads a half-typed cell with this."""
    end = len(text) if end is None else end
    for m in lexicon.TOKEN.finditer(text, start, end):
        kind = m.lastgroup
        if kind not in ("space", "newline", "comment"):
            yield kind, m.group(), m.start()


_NON_SPACE = re.compile(r"\S")
_DIRECTIVE = re.compile(r":([A-Za-z_]+)")


class Token:
    """A token: `kind` is IDENT NUM HOLE KW SYM DIRECTIVE SEP or EOF; `value` its canonical
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
        return f"`{echo(self.span_text())}`"

    def span_text(self) -> str:
        return self.value if self.kind != "DIRECTIVE" else ":" + self.value


def _bad_character(ch: str, span: Span) -> CajalSyntaxError:
    import unicodedata
    shown = f"`{ch}`" if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    if name and not ch.isascii():
        shown += f" ({name.lower()})"
    symbols = ", ".join(f"{s.unicode} (or {s.ascii})" for s in lexicon.SYMBOLS)
    hint = (f"Cajal uses {symbols}, {' '.join(lexicon.PUNCTUATION)} "
            "and identifiers made of ASCII letters, digits, _ and '")
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
        if pos == 0 and self.text.startswith(BOM):  # editors on Windows save one: it is not text
            pos = 1
        item_start = True
        while pos < self.end:
            line_start = pos == 0 or self.text[pos - 1] == "\n"
            m = lexicon.TOKEN.match(self.text, pos, self.end)
            kind = m.lastgroup
            if kind == "other":
                raise _bad_character(self.text[pos], self.span(pos, pos + 1))
            text = m.group()
            if kind in ("space", "newline", "comment"):
                pos = m.end()
                continue
            if layout and line_start and out and out[-1].kind != "SEP":
                out.append(Token("SEP", "", self.span(pos, pos), pos))
                item_start = True
            if kind == "bad_arrow":
                raise CajalSyntaxError(
                    f"`{echo(text)}` is not a Cajal arrow", self.span(pos, m.end()),
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
                value = lexicon.SPELLINGS.get(text, text)
            elif kind == "num":
                tok_kind, value = "NUM", text
            elif kind == "hole":
                tok_kind, value = "HOLE", text  # `?` or `?name`: the parser makes a Hole
            else:
                tok_kind, value = "SYM", lexicon.SPELLINGS.get(text, text)
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
        """The end of the item starting at `pos` (a directive's raw text runs to it): the end of
        its run of lines, less the newline that ends the run."""
        end = pos + line_items(self.text[pos:self.end])[0][1]
        return end - 1 if end > pos and self.text[end - 1] == "\n" else end
