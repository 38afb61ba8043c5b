"""Errors as pictures: the message, the source lines with the offending span highlighted (and,
for linearity errors, every other use of the variable, from `err.related`), and the hint."""

from __future__ import annotations

from ..errors import CajalError, Span
from .view import View, esc, wrap


def error_view(err: CajalError) -> View:
    """The display of a CajalError (text/plain is `str(err)`, with carets)."""
    return View(str(err), wrap(_html(err), "error"), kind="error")


def _html(err: CajalError) -> str:
    kind = type(err).__name__
    where = f" at {err.span}" if getattr(err, "span", None) is not None else ""
    parts = [f'<div class="cj-err"><div class="msg">{esc(kind)}{esc(where)}: {esc(err.message)}</div>']
    span = getattr(err, "span", None)
    related = tuple(getattr(err, "related", ()) or ())
    if span is not None and span.source is not None:
        parts.append(_excerpt(span, related))
        if related:
            parts.append('<div class="cj-meta"><mark class="cj-main">here</mark> the error, '
                         '<mark class="cj-rel">also</mark> the other place(s) involved</div>')
    if getattr(err, "hint", None):
        parts.append(f'<div class="cj-hint">hint: {esc(err.hint)}</div>')
    parts.append("</div>")
    return "".join(parts)


def _excerpt(span: Span, related: tuple[Span, ...]) -> str:
    source = span.source
    spans = [(span, "cj-main")] + [(s, "cj-rel") for s in related if s.source in (None, source)]
    lines = sorted({n for s, _ in spans for n in range(s.line, s.end_line + 1)})
    width = len(str(lines[-1])) if lines else 1
    out, previous = [], None
    for n in lines:
        if previous is not None and n > previous + 1:
            out.append(f'{"⋮":>{width}} |')
        previous = n
        text = source.line_text(n)
        marks = [None] * (len(text) + 1)
        for s, cls in reversed(spans):  # the main span wins where they overlap
            if not (s.line <= n <= s.end_line):
                continue
            start = s.col - 1 if n == s.line else 0
            end = s.end_col - 1 if n == s.end_line else len(text)
            for i in range(max(0, start), min(len(marks), max(end, start + 1))):
                marks[i] = cls
        segs, cur, buf = [], None, ""
        for i, ch in enumerate(text + " "):
            cls = marks[i]
            if cls != cur:
                segs.append((cur, buf))
                cur, buf = cls, ""
            buf += ch if i < len(text) else ("&nbsp;" if cls else "")
        segs.append((cur, buf))
        line_html = "".join(
            (f'<mark class="{cls}">{_e(t)}</mark>' if cls else _e(t)) for cls, t in segs if t)
        out.append(f'<span style="color:#999">{n:>{width}} |</span> {line_html}')
    return f'<pre class="cj-mono">{"<br>".join(out)}</pre>'.replace("<br>", "\n")


def _e(t: str) -> str:
    return esc(t).replace("&amp;nbsp;", "&nbsp;")
