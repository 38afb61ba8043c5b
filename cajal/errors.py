"""Errors a user can cause. Each one points at source with a caret and says what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True, eq=False)
class Source:
    """The text an error points into. `first_line` is the number shown for its first line
    (a `%%cajal` cell starts at 2, because the magic's own line counts)."""

    text: str
    first_line: int = 1

    def line_text(self, line: int) -> str:
        lines = self.text.split("\n")
        index = line - self.first_line
        return lines[index] if 0 <= index < len(lines) else ""


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
        return f"line {self.line}, column {self.col}"


def snippet(span: Span, marks: tuple[Span, ...] = ()) -> str:
    """The source line(s) of `span` with carets under it, and under `marks` on the same lines."""
    if span.source is None:
        return ""
    lines = []
    width = len(str(span.end_line))
    for line in range(span.line, span.end_line + 1):
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
        lines.append(f"{line:>{width}} | {text}")
        lines.append(f"{'':>{width}} | {''.join(carets).rstrip()}")
    for s in marks:
        if not (span.line <= s.line <= span.end_line):
            text = s.source.line_text(s.line) if s.source else ""
            lines.append(f"{s.line:>{width}} | {text}")
            lines.append(f"{'':>{width}} | {' ' * (s.col - 1)}{'^' * max(1, s.end_col - s.col)}")
    return "\n".join(lines)


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
