"""Editor help for Cajal cells: completion, inspection (Shift-Tab) and "is this cell complete?".

The front-ends only adapt these answers to their protocols (the Jupyter kernel's
`complete_request`, `inspect_request` and `is_complete_request`), so the kernel and the magic
agree. Nothing here imports torch; the functions never raise on malformed input (a cell being
typed is usually malformed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from . import directives, lexicon, topics
from .errors import CajalError
from .lexicon import INPUT_SEQUENCES, TYPE_NAMES
from .pretty import pretty
from .tokens import KEYWORDS, line_item_at, scan

_IDENT_CHARS = re.compile(r"[A-Za-z0-9_']")
# A `\\name` being typed: a backslash and characters that occur in the names.
_INPUT_SEQUENCE = re.compile(
    r"\\[" + re.escape("".join(sorted({c for name in INPUT_SEQUENCES for c in name[1:]}))) + "]*$")
# The symbols written with other than letters, longest first (`-o` before `λ`).
_SYMBOLS = sorted(lexicon.SYMBOL_SPELLINGS, key=len, reverse=True)

# ---------------------------------------------------------------------------- completion


@dataclass
class Completion:
    """Candidates that replace code[start:end]. `items` carry a kind and a signature each, in
    the shape of Jupyter's `_jupyter_types_experimental` metadata."""

    matches: list[str]
    start: int
    end: int
    items: list[dict[str, Any]] = field(default_factory=list)


def complete(session, code: str, cursor_pos: Optional[int] = None) -> Completion:
    """Completions at `cursor_pos` (default: the end) of a Cajal cell."""
    cursor = len(code) if cursor_pos is None else max(0, min(cursor_pos, len(code)))
    before = code[:cursor]
    try:
        return _complete(session, code, before, cursor)
    except Exception:  # completion must never fail loudly while the user types
        return Completion([], cursor, cursor)


def _complete(session, code: str, before: str, cursor: int) -> Completion:
    m = _INPUT_SEQUENCE.search(before)
    if m and len(m.group()) > 1:
        typed = m.group()
        names = sorted(n for n in INPUT_SEQUENCES if n.startswith(typed))
        if names:
            symbols = {INPUT_SEQUENCES[n] for n in names}
            if typed in INPUT_SEQUENCES:
                found = [(INPUT_SEQUENCES[typed], typed)]
            elif len(symbols) == 1:
                found = [(symbols.pop(), names[0])]
            else:
                found = [(n, INPUT_SEQUENCES[n]) for n in names]
            return _completion(found, m.start(), cursor, "symbol")

    hole = _hole_at(code, cursor)
    if hole is not None:
        return _complete_hole(session, code, *hole)

    line_start = before.rfind("\n") + 1
    m = re.fullmatch(r":([A-Za-z_]*)", before[line_start:])
    if m:
        found = [(f":{w}", directives.BY_WORD[w].text().split("\n")[0]) for w in directives.words()
                 if w.startswith(m.group(1))]
        return _completion(found, line_start, cursor, "directive")

    m = re.search(r"[A-Za-z_][A-Za-z0-9_']*$", before)
    prefix = m.group() if m else ""
    start = cursor - len(prefix)
    if start > 0 and re.match(r"[0-9]", before[start - 1]):
        return Completion([], cursor, cursor)
    item_start = _item_start(code, start)
    tokens = _tokens(code, item_start, start)
    candidates: list[tuple[str, str, str]] = []  # (text, kind, signature)
    abstract = sorted(getattr(session, "types", ()) or ())
    if _in_type_position(tokens):
        candidates += [(t, "type", "") for t in list(TYPE_NAMES) + abstract]
    else:
        for name, type_text in reversed(_bound_at(tokens)):
            candidates.append((name, "variable", f"{name} : {type_text}" if type_text else name))
        for name, d in getattr(session, "definitions", {}).items():
            kind = "function" if type(d.type).__name__ == "Arrow" else "constant"
            candidates.append((name, kind, f"{name} : {pretty(d.type)}"))
        candidates += [(k, "keyword", "") for k in sorted(KEYWORDS - set(TYPE_NAMES))]
        candidates += [(t, "type", "") for t in list(TYPE_NAMES) + abstract]
    seen: set[str] = set()
    matches, items = [], []
    for text, kind, sig in candidates:
        if text.startswith(prefix) and text not in seen:
            seen.add(text)
            matches.append(text)
            items.append({"start": start, "end": cursor, "text": text, "type": kind, "signature": sig})
    return Completion(matches, start, cursor, items)


def _hole_at(code: str, cursor: int) -> Optional[tuple[int, int]]:
    """[start, end) of the hole (`?` or `?name`) the cursor is on or just after, if any."""
    start, end = line_item_at(code, cursor)
    for kind, text, offset in scan(code, start, max(end, cursor)):
        if kind == "hole" and offset <= cursor <= offset + len(text):
            return offset, offset + len(text)
    return None


def _complete_hole(session, code: str, start: int, end: int) -> Completion:
    """At a hole: the variables still available there whose type is the hole's, then the
    definitions of that type (every available variable and definition where the type is
    unknown, or where the cell does not check)."""
    goal = _goal_at(session, code, start)
    definitions = getattr(session, "definitions", {})
    if goal is None:  # the item does not check: offer what is bound there, untyped
        variables = [(name, text) for name, text in reversed(_bound_at(_tokens(code, _item_start(code, start), start)))]
        found = [(name, "variable", f"{name} : {text}" if text else name) for name, text in variables]
        found += [(name, "function" if type(d.type).__name__ == "Arrow" else "constant", f"{name} : {pretty(d.type)}")
                  for name, d in definitions.items()]
    else:
        from .types import has_unknown
        fits = (lambda t: True) if has_unknown(goal.type) else (lambda t: t == goal.type)
        found = [(name, "variable", f"{name} : {pretty(t)}") for name, t in goal.context if fits(t)]
        found += [(name, "function" if type(d.type).__name__ == "Arrow" else "constant", f"{name} : {pretty(d.type)}")
                  for name, d in definitions.items() if fits(d.type)]
    return Completion([text for text, _, _ in found], start, end,
                      [{"start": start, "end": end, "text": text, "type": kind, "signature": sig}
                       for text, kind, sig in found])


def _goal_at(session, code: str, offset: int):
    """The checker's goal for the hole at `offset` (None if its item does not check)."""
    from .items import Scope, records
    start, end = line_item_at(code, offset)
    first_line = code.count("\n", 0, start) + 1
    line = code.count("\n", 0, offset) + 1
    col = offset - (code.rfind("\n", 0, offset) + 1) + 1
    scope = session.scope() if hasattr(session, "scope") else Scope({}, (), 10)
    try:
        for record in records(scope, code[start:end], first_line):
            for goal in record.typing.holes if record.typing is not None else ():
                if goal.span is not None and (goal.span.line, goal.span.col) == (line, col):
                    return goal
    except (CajalError, RecursionError):
        return None
    return None


def _completion(found: list[tuple[str, str]], start: int, end: int, kind: str) -> Completion:
    return Completion([t for t, _ in found], start, end,
                      [{"start": start, "end": end, "text": t, "type": kind, "signature": s} for t, s in found])


def _item_start(code: str, pos: int) -> int:
    """Where the item containing `pos` starts (layout rule: a line beginning in column 1 that
    is neither blank nor a comment, or just after a `;`)."""
    start = line_item_at(code, pos)[0]
    # a `;` between the item start and pos starts a new item
    semi = start
    for tok in _tokens(code, start, pos):
        if tok[1] == ";":
            semi = tok[2] + 1
    return semi


def _tokens(code: str, start: int, end: int) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of the significant tokens of code[start:end], tolerant of errors."""
    out = [(kind, lexicon.SPELLINGS.get(text, text) if kind == "symbol" else text, offset)
           for kind, text, offset in scan(code, start, end)]
    # a directive `:word` at the start of a line is not a type annotation
    cleaned = []
    for i, tok in enumerate(out):
        if tok[1] == ":" and (tok[2] == 0 or code[tok[2] - 1] == "\n") and i + 1 < len(out) \
                and out[i + 1][0] == "ident" and out[i + 1][2] == tok[2] + 1:
            cleaned.append(("directive", ":" + out[i + 1][1], tok[2]))
            out[i + 1] = ("skip", "", -1)
            continue
        if tok[0] != "skip":
            cleaned.append(tok)
    return cleaned


def _in_type_position(tokens) -> bool:
    if not tokens:
        return False
    last = tokens[-1][1]
    if last in (":", "⊸"):
        return True
    return last == "(" and len(tokens) > 1 and tokens[-2][1] in (":", "⊸")


def _bound_at(tokens) -> list[tuple[str, str]]:
    """The variables in scope after `tokens` (the item so far), oldest first, with the text of
    their declared type where it is written."""
    bound: list[tuple[str, str, int]] = []  # name, type text, bracket depth
    pending_let: list[tuple[str, int]] = []
    depth = 0
    is_def = bool(tokens) and tokens[0][1] == "def"
    i = 0
    n = len(tokens)
    while i < n:
        kind, text, _ = tokens[i]
        if text in ("(", "{"):
            depth += 1
            if is_def and depth == 1 and text == "(" and i + 2 < n and tokens[i + 1][0] == "ident" \
                    and tokens[i + 2][1] == ":" and not any(t[1] == "=" for t in tokens[:i]):
                j, type_text = _type_until(tokens, i + 3, (")",))
                if j < n:
                    bound.append((tokens[i + 1][1], type_text, 0))
                    i = j + 1
                    depth -= 1
                    continue
        elif text in (")", "}"):
            depth = max(0, depth - 1)
            bound = [b for b in bound if b[2] <= depth]
            pending_let = [p for p in pending_let if p[1] <= depth]
        elif text == "λ" and i + 2 < n and tokens[i + 1][0] == "ident" and tokens[i + 2][1] == ":":
            j, type_text = _type_until(tokens, i + 3, (".",))
            if j < n:
                bound.append((tokens[i + 1][1], type_text, depth))
                i = j + 1
                continue
            return [(b[0], b[1]) for b in bound]
        elif text == "let" and i + 1 < n and tokens[i + 1][0] == "ident":
            pending_let.append((tokens[i + 1][1], depth))
            i += 2
            continue
        elif text == "in" and pending_let:
            name, d = pending_let.pop()
            bound.append((name, "", d))
        elif text == "|" and i + 2 < n and tokens[i + 1][0] == "ident" and tokens[i + 2][1] == "↪":
            bound.append((tokens[i + 1][1], "", depth))
            i += 3
            continue
        i += 1
    return [(b[0], b[1]) for b in bound]


def _type_until(tokens, i: int, stops: tuple[str, ...]) -> tuple[int, str]:
    """Read a type from tokens[i:] up to a stop token at bracket depth 0; return the index of
    the stop token (len(tokens) if none) and the type, pretty-printed when it parses."""
    depth = 0
    j = i
    while j < len(tokens):
        t = tokens[j][1]
        if depth == 0 and t in stops:
            break
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        j += 1
    text = " ".join(t[1] for t in tokens[i:j])
    try:
        from .parser import parse_type
        text = pretty(parse_type(text))
    except CajalError:
        pass
    return j, text


# ---------------------------------------------------------------------------- inspection


def inspect(session, code: str, cursor_pos: Optional[int] = None, detail_level: int = 0) -> Optional[str]:
    """What Shift-Tab shows for the name or symbol at the cursor, or None: the type and source
    of a definition, the typing rule of a keyword, the type of a bound variable."""
    cursor = len(code) if cursor_pos is None else max(0, min(cursor_pos, len(code)))
    try:
        return _inspect(session, code, cursor, detail_level)
    except Exception:
        return None


def word_at(code: str, cursor: int) -> tuple[str, int, int]:
    """The identifier, keyword or symbol the cursor is in or just after (else just before)."""
    def ident_around(pos: int):
        if not (0 <= pos < len(code)) or not _IDENT_CHARS.match(code[pos]):
            return None
        start = end = pos
        while start > 0 and _IDENT_CHARS.match(code[start - 1]):
            start -= 1
        while end < len(code) and _IDENT_CHARS.match(code[end]):
            end += 1
        return (code[start:end], start, end) if re.match(r"[A-Za-z_]", code[start]) else None

    def symbol_at(pos: int):
        if not (0 <= pos < len(code)):
            return None
        for sym in _SYMBOLS:
            for s in range(pos - len(sym) + 1, pos + 1):
                if s >= 0 and code.startswith(sym, s):
                    return sym, s, s + len(sym)
        return None

    for found in (ident_around(cursor - 1), symbol_at(cursor - 1), ident_around(cursor), symbol_at(cursor)):
        if found is not None:
            return found
    return "", cursor, cursor


def _inspect(session, code: str, cursor: int, detail_level: int) -> Optional[str]:
    hole = _hole_at(code, cursor)
    if hole is not None:
        goal = _goal_at(session, code, hole[0])
        return goal.describe() if goal is not None else topics.find(lexicon.HOLE).text()
    word, start, end = word_at(code, cursor)
    if not word:
        return None
    line_start = code.rfind("\n", 0, start) + 1
    if start == line_start + 1 and code[line_start] == ":" and word in directives.BY_WORD:
        return directives.BY_WORD[word].text()
    local = _typed_binding(session, code, start)
    if local is not None:
        return local
    if re.match(r"[A-Za-z_]", word) and word not in KEYWORDS:
        for name, type_text in reversed(_bound_at(_tokens(code, _item_start(code, start), start))):
            if name == word:
                return f"{name} : {type_text}  (a bound variable: use it exactly once)" if type_text \
                    else f"{name}  (a bound variable: use it exactly once)"
    definitions = getattr(session, "definitions", {})
    if word in definitions:
        return describe_definition(definitions[word], detail_level)
    topic = topics.find(word)
    if topic is not None and (word in KEYWORDS or not re.match(r"[A-Za-z_]", word)):
        return topic.text()
    if word in getattr(session, "types", ()):
        return f"type {word} — an abstract type declared in this session; its values come only from linking"
    return None


def describe_definition(d, detail_level: int = 0) -> str:
    lines = [f"{d.name} : {pretty(d.type)}", "", d.source]
    from .python_names import note
    if note(d.name):
        lines += ["", note(d.name)]
    if detail_level and d.python_name is not None:
        lines += ["", "Call it from Python on tensors, modules or callables (linking); "
                      f"`{d.python_name}.eval(...)` evaluates it exactly."]
    return "\n".join(lines)


def _typed_binding(session, code: str, pos: int) -> Optional[str]:
    """If the item around `pos` checks (its record from the item pipeline), the exact type of
    the variable there."""
    from .items import Scope, records
    from .syntax import Iter, Lam, Let, Var, children

    start, end = line_item_at(code, pos)
    first_line = code.count("\n", 0, start) + 1
    line = code.count("\n", 0, pos) + 1
    col = pos - (code.rfind("\n", 0, pos) + 1) + 1
    scope = session.scope() if hasattr(session, "scope") else Scope({}, (), 10)

    def inside(span) -> bool:
        return span is not None and (span.line, span.col) <= (line, col) < (span.end_line, span.end_col)

    try:
        record = next((r for r in records(scope, code[start:end], first_line) if inside(r.span)), None)
    except (CajalError, RecursionError):
        return None
    if record is None or record.typing is None:
        return None
    typing = record.typing
    stack = [record.term]
    while stack:
        node = stack.pop()
        if isinstance(node, Lam) and inside(node.param_span):
            return f"{node.param} : {pretty(node.param_type)}  (bound by λ: use it exactly once)"
        if isinstance(node, Let) and inside(node.name_span) and id(node.bound) in typing.types:
            return f"{node.name} : {pretty(typing.types[id(node.bound)])}  (bound by let: use it exactly once)"
        if isinstance(node, Iter) and inside(node.var_span) and id(node.base) in typing.types:
            return (f"{node.var} : {pretty(typing.types[id(node.base)])}  "
                    "(the value so far in iter: use it exactly once in the step)")
        if isinstance(node, Var) and inside(node.span) and node.name in typing.contexts.get(id(node), {}):
            return f"{node.name} : {pretty(typing.types[id(node)])}  (a bound variable: use it exactly once)"
        stack.extend(children(node))
    return None


# ---------------------------------------------------------------------------- completeness

_OPEN = {"(": ")", "{": "}"}
_CONTINUES = {"then", "else", "in", "=", ".", "↪", "⊸", "λ", ":", "|", "if", "let", "iter", "succ", "def",
              ",", "(", "{"}


def is_complete(code: str) -> tuple[str, str]:
    """("complete" | "incomplete" | "invalid", indent for the next line): whether a console
    should run the cell on Enter, or wait for more lines."""
    from .errors import Source
    from .tokens import Lexer

    if not code.strip():
        return "complete", ""
    # A directive's word is not a Cajal token (`:type` is not the keyword `type`); blank it out.
    text = re.sub(r"(?m)^:[A-Za-z_]+(?:[ \t]+--[A-Za-z][\w-]*)*", lambda m: " " * len(m.group()), code)
    try:
        tokens = Lexer(Source(text)).tokens(layout=False)
    except CajalError:
        return "invalid", ""
    stack = []
    for tok in tokens:
        if tok.kind == "SYM" and tok.value in _OPEN:
            stack.append(tok.value)
        elif tok.kind == "SYM" and tok.value in (")", "}"):
            if not stack or _OPEN[stack.pop()] != tok.value:
                return "invalid", ""
    lines = code.rstrip("\n").split("\n")
    last_line = lines[-1]
    if code.endswith("\n\n") and not stack:
        return "complete", ""
    if stack:
        return "incomplete", "  "
    significant = [t for t in tokens if t.kind != "EOF"]
    if significant and significant[-1].kind in ("KW", "SYM") and significant[-1].value in _CONTINUES:
        return "incomplete", "  "
    if len(lines) > 1 and last_line[:1] in (" ", "\t") and last_line.strip() and not code.endswith("\n"):
        indent = last_line[: len(last_line) - len(last_line.lstrip())]
        return "incomplete", indent
    return "complete", ""
