"""A TextMate grammar for Cajal, generated from the lexicon: the format VS Code, Shiki and
GitHub-style highlighters read. The committed `share/textmate/cajal.tmLanguage.json` is what
`python -m cajal.textmate` writes (a test checks that they agree, and checks the grammar on
`tests/grammar/sample.cj` with vscode-tmgrammar-test).

Scopes, one per role of the lexicon (TextMate's common names, so themes colour them):

| text | scope |
|---|---|
| `-- …` | `comment.line.double-dash.cajal` |
| `:word` at the start of a line, its `--option`s | `keyword.other.directive.cajal`, `variable.parameter.option.cajal` |
| `def`, `type` and the name they declare | `keyword.other.declaration.cajal`, `entity.name.function.cajal` / `entity.name.type.cajal` |
| the other keywords | `keyword.control.cajal` |
| `tt ff true false` | `constant.language.boolean.cajal` |
| numerals | `constant.numeric.integer.cajal` |
| `𝟚 ℕ Bool Nat` | `support.type.cajal` |
| `λ \\` | `keyword.operator.lambda.cajal` |
| `⊸ -o ↪ =>` | `keyword.operator.arrow.cajal` |
| `-> →` (other languages' arrows, an error) | `invalid.illegal.arrow.cajal` |
| a typed hole, `?` or `?name` | `variable.other.hole.cajal` |
| other identifiers | `variable.other.cajal` |
| `( ) { }` and `| : . = , ;` | `punctuation.bracket.cajal`, `punctuation.separator.cajal` |
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from . import lexicon

SCOPE = "source.cajal"
PATH = Path(__file__).resolve().parent.parent / "share" / "textmate" / "cajal.tmLanguage.json"

_ROLE_SCOPES = {"binder": "keyword.operator.lambda.cajal", "arrow": "keyword.operator.arrow.cajal",
                "type": "support.type.cajal"}
_WORD_CHAR = "A-Za-z0-9_'"


def _words(words) -> str:
    """A regex for whole words: not part of a longer identifier on either side."""
    return rf"(?<![{_WORD_CHAR}])(?:{'|'.join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))})(?![{_WORD_CHAR}])"


def _alternatives(spellings) -> str:
    return "|".join(re.escape(s) for s in sorted(spellings, key=lambda s: (-len(s), s)))


def grammar() -> dict:
    """The grammar as JSON-able data."""
    keywords = [k for k in lexicon.KEYWORDS if k not in lexicon.DECLARATIONS]
    symbol_patterns = []
    for role, scope in _ROLE_SCOPES.items():
        spellings = {s for sym in lexicon.SYMBOLS if sym.role == role for s in (sym.unicode, sym.ascii)}
        words = {s for s in spellings if re.fullmatch(lexicon.IDENTIFIER, s)}
        signs = spellings - words
        if words:
            symbol_patterns.append({"match": _words(words), "name": scope})
        if signs:
            symbol_patterns.append({"match": _alternatives(signs), "name": scope})
    brackets = "".join(c for c in lexicon.PUNCTUATION if c in "(){}")
    separators = "".join(c for c in lexicon.PUNCTUATION if c not in "(){}")
    comment = re.escape(lexicon.COMMENT)
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "Cajal",
        "scopeName": SCOPE,
        "fileTypes": ["cj"],
        "comment": "Generated from cajal/lexicon.py by `python -m cajal.textmate`: do not edit by hand.",
        "patterns": [{"include": "#directive"}, {"include": "#code"}],
        "repository": {
            "directive": {
                "begin": r"^(:)([A-Za-z_][A-Za-z0-9_]*)",
                "beginCaptures": {"0": {"name": "keyword.other.directive.cajal"}},
                "end": "$",
                "patterns": [
                    {"match": rf"(?<=\s){comment}[A-Za-z][A-Za-z0-9_-]*", "name": "variable.parameter.option.cajal"},
                    {"include": "#code"},
                ],
            },
            "code": {
                "patterns": [
                    {"match": f"{comment}.*$", "name": "comment.line.double-dash.cajal"},
                    {"match": _alternatives(lexicon.BAD_ARROWS), "name": "invalid.illegal.arrow.cajal"},
                    {"match": rf"({_words(['def'])})\s+({lexicon.IDENTIFIER})",
                     "captures": {"1": {"name": "keyword.other.declaration.cajal"},
                                  "2": {"name": "entity.name.function.cajal"}}},
                    {"match": rf"({_words(['type'])})\s+({lexicon.IDENTIFIER})",
                     "captures": {"1": {"name": "keyword.other.declaration.cajal"},
                                  "2": {"name": "entity.name.type.cajal"}}},
                    {"match": _words(lexicon.DECLARATIONS), "name": "keyword.other.declaration.cajal"},
                    {"match": _words(keywords), "name": "keyword.control.cajal"},
                    {"match": _words(lexicon.CONSTANTS), "name": "constant.language.boolean.cajal"},
                    *symbol_patterns,
                    {"match": lexicon.HOLE_PATTERN, "name": "variable.other.hole.cajal"},
                    {"match": rf"(?<![{_WORD_CHAR}]){lexicon.NUMERAL}(?![{_WORD_CHAR}])",
                     "name": "constant.numeric.integer.cajal"},
                    {"match": lexicon.IDENTIFIER, "name": "variable.other.cajal"},
                    {"match": f"[{re.escape(brackets)}]", "name": "punctuation.bracket.cajal"},
                    {"match": f"[{re.escape(separators)}]", "name": "punctuation.separator.cajal"},
                ],
            },
        },
    }


def text() -> str:
    """The grammar file's text, as committed."""
    return json.dumps(grammar(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # python -m cajal.textmate [PATH]: write the grammar
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text(), encoding="utf-8")
    print(f"wrote {target}")
