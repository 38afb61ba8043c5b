"""The TextMate grammar (share/textmate/cajal.tmLanguage.json): generated from the lexicon,
committed as generated, and checked by vscode-tmgrammar-test (npm, installed in tests/grammar/
by .ci/setup) on tests/grammar/sample.cj, whose `--   ^^ scope` lines are the assertions."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cajal import lexicon, textmate

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR_TESTS = ROOT / "tests" / "grammar"
SAMPLE = GRAMMAR_TESTS / "sample.cj"


def scopes(line: str) -> list[tuple[str, str]]:
    """(text, scope) of each token of a line of code, as a TextMate engine finds them with the
    grammar's `code` patterns: at each position the earliest match wins, the first pattern on a
    tie (enough for one-line patterns; the real engine runs in test_vscode_tmgrammar_test)."""
    patterns = textmate.grammar()["repository"]["code"]["patterns"]
    compiled = [(re.compile(p["match"]), p) for p in patterns]
    out, pos = [], 0
    while pos < len(line):
        found = [(m.start(), i, m, p) for i, (rx, p) in enumerate(compiled) if (m := rx.search(line, pos))]
        if not found:
            break
        _, _, m, p = min(found, key=lambda f: (f[0], f[1]))
        if "captures" in p:
            out += [(m.group(int(k)), c["name"]) for k, c in p["captures"].items()]
        else:
            out.append((m.group(), p["name"]))
        pos = max(m.end(), pos + 1)
    return out


@pytest.mark.unit
def test_the_committed_grammar_is_the_generated_one():
    assert textmate.PATH == ROOT / "share" / "textmate" / "cajal.tmLanguage.json"
    committed = textmate.PATH.read_text(encoding="utf-8")
    assert committed == textmate.text(), "run `python -m cajal.textmate` and commit the result"
    assert json.loads(committed)["scopeName"] == "source.cajal"


@pytest.mark.unit
def test_every_spelling_of_the_lexicon_has_its_roles_scope():
    expected = {**{k: "keyword.control.cajal" for k in lexicon.KEYWORDS},
                **{k: "keyword.other.declaration.cajal" for k in lexicon.DECLARATIONS},
                **{c: "constant.language.boolean.cajal" for c in lexicon.CONSTANTS},
                **{b: "invalid.illegal.arrow.cajal" for b in lexicon.BAD_ARROWS}}
    roles = {"binder": "keyword.operator.lambda.cajal", "arrow": "keyword.operator.arrow.cajal",
             "type": "support.type.cajal"}
    for sym in lexicon.SYMBOLS:
        expected[sym.unicode] = expected[sym.ascii] = roles[sym.role]
    for spelling, scope in expected.items():
        assert scopes(f"( {spelling} )") == [("(", "punctuation.bracket.cajal"), (spelling, scope),
                                             (")", "punctuation.bracket.cajal")], spelling
    assert scopes("-- ⊸ tt") == [("-- ⊸ tt", "comment.line.double-dash.cajal")]
    assert scopes("def f' = 12") == [("def", "keyword.other.declaration.cajal"), ("f'", "entity.name.function.cajal"),
                                     ("=", "punctuation.separator.cajal"), ("12", "constant.numeric.integer.cajal")]


@pytest.mark.unit
@given(st.from_regex(lexicon.IDENTIFIER, fullmatch=True))
def test_identifiers_that_are_not_reserved_are_variables(name):
    assume(name not in lexicon.RESERVED)
    assert scopes(name) == [(name, "variable.other.cajal")]


@pytest.mark.unit
def test_the_sample_uses_every_spelling():
    code = "\n".join(line for line in SAMPLE.read_text(encoding="utf-8").splitlines()
                     if not line.startswith(lexicon.COMMENT))
    spellings = [*lexicon.KEYWORDS, *lexicon.CONSTANTS, *lexicon.BAD_ARROWS,
                 *(s for sym in lexicon.SYMBOLS for s in (sym.unicode, sym.ascii))]
    assert [s for s in spellings if s not in code] == []


@pytest.mark.integration
def test_vscode_tmgrammar_test_passes_on_the_sample(tmp_path):
    """The real TextMate engine (vscode-textmate with Oniguruma) checks every assertion of the
    sample; a grammar that gives one token another scope fails it (checked on a broken copy)."""
    tool = GRAMMAR_TESTS / "node_modules" / ".bin" / "vscode-tmgrammar-test"
    assert shutil.which("node"), "Node.js runs vscode-tmgrammar-test (.ci/setup installs it)"
    assert tool.exists(), "run `npm ci` in tests/grammar (.ci/setup does)"
    ran = subprocess.run([str(tool), "--grammar", str(textmate.PATH), str(SAMPLE)], capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    broken = tmp_path / "broken.tmLanguage.json"
    broken.write_text(textmate.text().replace("keyword.operator.arrow.cajal", "keyword.operator.cajal"))
    ran = subprocess.run([str(tool), "--grammar", str(broken), str(SAMPLE)], capture_output=True, text=True,
                         timeout=120)
    assert ran.returncode != 0 and "missing required scopes: keyword.operator.arrow.cajal" in ran.stdout
