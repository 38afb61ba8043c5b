"""Errors a user can cause. Each one points at source with a caret and says what to do."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True, eq=False)
class Source:
    """The text an error points into. `first_line` is the number shown for its first line
    (a `%%cajal` cell starts at 2, because the magic's own line counts); `name` is the file it
    was read from (a `.cj` file), so that places read `lib.cj:3:7`, or None for a cell."""

    text: str
    first_line: int = 1
    name: Optional[str] = None

    def __post_init__(self):
        """Every entry point that reads source (parse_*, Session.run) refuses non-text here."""
        if not isinstance(self.text, str):
            hint = ": decode it first, e.g. `source.decode('utf-8')`" if isinstance(self.text, (bytes, bytearray)) else ""
            raise TypeError(f"Cajal source must be a str, not {type(self.text).__name__}{hint}")
        if not isinstance(self.first_line, int) or isinstance(self.first_line, bool):
            raise TypeError(f"first_line must be an int, not {type(self.first_line).__name__}")
        if self.name is not None and not isinstance(self.name, str):
            raise TypeError(f"a source's name must be a str, not {type(self.name).__name__}")

    @functools.cached_property
    def line_starts(self) -> list[int]:
        """The offset at which each line starts (computed once per source)."""
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def line_text(self, line: int) -> str:
        """The text of source line `line` (numbered as the cell numbers them)."""
        starts = self.line_starts
        index = line - self.first_line
        if not 0 <= index < len(starts):
            return ""
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.text)
        return self.text[starts[index]:end]


@dataclass(frozen=True)
class Span:
    """A region of source: 1-based lines and columns (columns count Unicode characters);
    `end_col` is one past the last character."""

    line: int
    col: int
    end_line: int
    end_col: int
    source: Optional[Source] = field(default=None, compare=False, repr=False)

    def to(self, other: Optional["Span"]) -> "Span":
        """The span from the start of this one to the end of `other`."""
        if other is None:
            return self
        return Span(self.line, self.col, other.end_line, other.end_col, self.source)

    def __str__(self) -> str:
        """`line 3, column 7` in a cell; `lib.cj:3:7` in a file, as compilers write places."""
        if self.source is not None and self.source.name is not None:
            return f"{self.source.name}:{self.line}:{self.col}"
        return f"line {self.line}, column {self.col}"


_WIDE = 160     # lines longer than this are shown as a window around the caret
_WINDOW = 120
_TALL = 8       # spans over more lines than this show their first and last lines only


def snippet(span: Span, marks: tuple[Span, ...] = ()) -> str:
    """The source line(s) of `span` with carets under it, and under `marks` on the same lines."""
    if span.source is None:
        return ""
    shown = list(range(span.line, span.end_line + 1))
    if len(shown) > _TALL:
        shown = shown[:3] + [None] + shown[-2:]
    others = [s for s in marks if not (span.line <= s.line <= span.end_line)]
    width = len(str(max([span.end_line] + [s.line for s in others])))
    lines = []
    for line in shown:
        if line is None:
            lines.append(f"{'':>{width}} | ...")
            continue
        text = span.source.line_text(line)
        carets = [" "] * (len(text) + 1)
        for s in (span, *marks):
            if s.line <= line <= s.end_line:
                start = s.col - 1 if line == s.line else 0
                end = s.end_col - 1 if line == s.end_line else len(text)
                for i in range(start, max(end, start + 1)):
                    if i >= len(carets):
                        carets.extend(" " * (i + 1 - len(carets)))
                    carets[i] = "^"
        lines.extend(_two_lines(line, width, text, carets))
    for s in others:
        text = s.source.line_text(s.line) if s.source else ""
        carets = [" "] * max(len(text) + 1, s.col)
        for i in range(s.col - 1, s.col - 1 + max(1, s.end_col - s.col if s.end_line == s.line else 1)):
            if i >= len(carets):
                carets.append(" ")
            carets[i] = "^"
        lines.extend(_two_lines(s.line, width, text, carets))
    return "\n".join(lines)


def _two_lines(line: int, width: int, text: str, carets: list[str]) -> list[str]:
    """A source line and its caret line; tabs are copied so that the carets line up, and a long
    line is cut to a window around its first caret."""
    for i, ch in enumerate(text):
        if ch == "\t" and carets[i] == " ":
            carets[i] = "\t"
    if len(text) > _WIDE:
        first = next((i for i, c in enumerate(carets) if c == "^"), 0)
        lo = max(0, min(first - _WINDOW // 3, len(text) - _WINDOW))
        hi = min(len(text), lo + _WINDOW)
        text = ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")
        carets = ([" "] if lo else []) + carets[lo:hi + 1]
    return [f"{line:>{width}} | {text}", f"{'':>{width}} | {''.join(carets).rstrip()}"]


ECHO_WIDTH = 40  # user text quoted in a message is cut to this many characters


def echo(text: str, width: int = ECHO_WIDTH) -> str:
    """User text as a message quotes it: its first line, cut to `width` characters with `…`
    where anything was left out, so that an error stays one readable line however much was typed."""
    text = str(text).strip()
    line = text.split("\n", 1)[0].rstrip()
    if len(line) > width:
        return line[:width - 1].rstrip() + "…"
    return line + ("…" if len(line) < len(text) else "")


def echo_number(n: int, digits: int = 12) -> str:
    """A number as a message quotes it: in full when short, else its first digits and length
    (a 150-digit numeral is not repeated in full, three times, in one error)."""
    text = str(n)
    return text if len(text) <= digits else f"{text[:4]}…{text[-1]} (a {len(text)}-digit number)"


class CajalError(Exception):
    """Any error in a Cajal program. `str()` shows the place, the source and a caret."""

    kind = "error"

    def __init__(
        self,
        message: str,
        span: Optional[Span] = None,
        hint: Optional[str] = None,
        related: tuple[Span, ...] = (),
    ):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.related = tuple(s for s in related if s is not None)

    def __str__(self) -> str:
        parts = []
        where = f"{self.span}: " if self.span is not None else ""
        parts.append(f"{type(self).__name__}: {where}{self.message}")
        if self.span is not None and self.span.source is not None:
            parts.append(snippet(self.span, self.related))
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)

    def _render_traceback_(self) -> list[str]:
        """IPython shows this instead of a Python traceback."""
        return str(self).split("\n")

    def with_source(self, source: Source) -> "CajalError":
        """Attach a source to spans that lack one (errors raised on hand-built terms)."""
        def fix(s):
            if s is not None and s.source is None:
                return Span(s.line, s.col, s.end_line, s.end_col, source)
            return s
        self.span = fix(self.span)
        self.related = tuple(fix(s) for s in self.related)
        return self


class CajalSyntaxError(CajalError):
    """The source is not a well-formed Cajal cell."""


class CajalTypeError(CajalError):
    """The program is well-formed but breaks a typing rule (often linearity)."""


def ensure_recursion_limit(limit: int = 20000) -> None:
    """Nesting is capped at parser.MAX_DEPTH, and each level costs a few Python frames. Some
    libraries lower the limit after `import cajal`, so every entry point raises it again."""
    import sys
    if sys.getrecursionlimit() < limit:
        sys.setrecursionlimit(limit)
