"""The canonical layout of a cell or a `.cj` file (`cajal fmt`): one item per line, each
printed by the pretty-printer, in Unicode or in ASCII spellings.

Comments are never lost. The parser drops them, so an item whose lines hold a comment is kept
as written (in ASCII spellings with `ascii=True`, through `lexicon.to_ascii`); comment lines
and blank lines between items are kept where they are. Formatting changes no meaning: the
formatted text parses to the same items, and formatting it again changes nothing.
"""

from __future__ import annotations

import re

from . import directives, lexicon
from .parser import parse_cell
from .pretty import pretty
from .syntax import Def, Directive, Item, TermItem, TypeDecl
from .tokens import line_items


def format_text(text: str, ascii: bool = False, name: str | None = None) -> str:
    """`text` in the canonical layout. A syntax error (in a directive's term too) is raised
    as it is when the text runs, naming the file `name`."""
    items = parse_cell(text, name=name)
    for item in items:
        if isinstance(item, Directive):
            _directive(item, ascii)  # raises what running would, before anything is printed
    line_of_run = []  # the first line of each run of lines that forms items
    runs = line_items(text)
    for start, _ in runs:
        line_of_run.append(text.count("\n", 0, start) + 1)
    out: list[str] = [_as_written(text[:runs[0][0]], ascii)] if runs else []  # comments before the first item
    for (start, end), first in zip(runs, line_of_run):
        chunk = text[start:end]
        body, tail = _split_tail(chunk)
        mine = [i for i in items if first <= i.span.line < first + body.count("\n") + 1]
        if not mine:  # a run of comments and blank lines only
            out.append(_as_written(body, ascii))
        elif _has_comment(body):
            out.append(_as_written(body, ascii))
        else:
            out.append("\n".join(_item(i, ascii) for i in mine))
        out.append(tail)
    result = "".join(part if part.endswith("\n") or not part else part + "\n" for part in out)
    return result.rstrip("\n") + "\n" if result.strip() else ""


def _split_tail(chunk: str) -> tuple[str, str]:
    """An item's own lines, and the blank and comment lines after them (kept as written)."""
    lines = chunk.split("\n")
    keep = len(lines)
    while keep > 1 and (not lines[keep - 1].strip() or lines[keep - 1].lstrip().startswith(lexicon.COMMENT)):
        keep -= 1
    body = "\n".join(lines[:keep]).rstrip()
    tail = "\n".join(lines[keep:])
    return body, tail


# a directive's options (`:graph --unroll`) are not comments, though they start like one
_OPTIONS = re.compile(r"^(:\w+)((?:[ \t]+--[A-Za-z][\w-]*)+)", re.MULTILINE)


def _has_comment(text: str) -> bool:
    text = _OPTIONS.sub(r"\1", text)
    return any(m.lastgroup == "comment" for m in lexicon.TOKEN.finditer(text))


def _as_written(text: str, ascii: bool) -> str:
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return lexicon.to_ascii(text) if ascii else text


def _item(item: Item, ascii: bool) -> str:
    match item:
        case TypeDecl(name):
            return f"type {name}"
        case Def(name, params, result_type, body):
            parts = [f"def {name}"]
            parts += [f"({p.name} : {pretty(p.type, ascii)})" for p in params]
            if result_type is not None:
                parts += [":", pretty(result_type, ascii)]
            return " ".join(parts + ["=", pretty(body, ascii)])
        case TermItem(term):
            return pretty(term, ascii)
        case Directive():
            return _directive(item, ascii)
    raise TypeError(f"unknown item {item!r}")


def _directive(d: Directive, ascii: bool) -> str:
    """`:word --flags term`, its term printed canonically; other directives as written."""
    cmd = directives.command_for(d)
    if cmd.word == "equiv":  # `:equiv e₁ ≡ e₂`: two terms, `==` in ASCII
        left, right = directives.two_terms(d)
        return f":{d.word} {pretty(left, ascii)} {'==' if ascii else '≡'} {pretty(right, ascii)}"
    if not cmd.term:
        text = " ".join(d.text.split())
        return f":{d.word} {lexicon.to_ascii(text) if ascii else text}".rstrip()
    flags, term = directives.term_argument(d)
    return " ".join([f":{d.word}", *flags, pretty(term, ascii)])
