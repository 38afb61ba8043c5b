"""Tab completion inside `%%cajal` cells of a Python notebook (IPython's completer API v2).

The candidates come from `cajal.assist`, as in the Cajal kernel: keywords, types, the
session's definitions, the variables bound at the cursor, and `\\lambda` → `λ`.
"""

from __future__ import annotations

from IPython.core.completer import SimpleCompletion, context_matcher

from cajal.cells import cajal_body

_IDENTIFIER = "cajal_magic.completion.cajal_matcher"


def _matcher(context):
    from cajal import assist

    from .magic import get_session

    body_start = cajal_body(context.full_text, notebook="python")
    if body_start is None:
        return {"completions": [], "suppress": False}
    lines = context.full_text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: context.cursor_line]) + context.cursor_position
    if offset < body_start or "\n" not in context.full_text[:body_start]:
        # on the header line: let IPython complete magics and options
        return {"completions": [], "suppress": False}
    body = context.full_text[body_start:]
    found = assist.complete(get_session(), body, offset - body_start)
    fragment = body[found.start:found.end]
    return {
        "completions": [SimpleCompletion(item["text"], type=item["type"]) for item in found.items],
        "matched_fragment": fragment,
        "suppress": True,  # Python names make no sense in a Cajal cell
        "ordered": True,
    }


cajal_matcher = context_matcher(priority=100, identifier=_IDENTIFIER)(_matcher)


def register_completer(shell) -> None:
    completer = getattr(shell, "Completer", None)
    if completer is None:
        return
    unregister_completer(shell)
    completer.custom_matchers.append(cajal_matcher)


def unregister_completer(shell) -> None:
    completer = getattr(shell, "Completer", None)
    if completer is None:
        return
    completer.custom_matchers[:] = [
        m for m in completer.custom_matchers if getattr(m, "matcher_identifier", None) != _IDENTIFIER]
