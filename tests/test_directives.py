"""The directive registry drives dispatch, `:help`, completion and the README's table; `:help
TOPIC` explains every construct and idea of LANGUAGE.md section 8."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cajal import assist, directives, topics
from cajal.errors import CajalError, CajalSyntaxError
from cajal.session import Session

ROOT = Path(__file__).resolve().parent.parent
SECTION_8 = ["type", "eval", "trace", "derive", "compile", "matrix", "graph", "set", "defs", "load", "help", "step",
             "equiv", "decompile"]


def test_every_directive_has_usage_help_and_a_handler():
    assert sorted(directives.words()) == sorted(SECTION_8)
    for cmd in directives.COMMANDS:
        assert cmd.help and callable(cmd.handler)
        for word in cmd.words:
            assert f":{word}" in cmd.usage
            assert directives.BY_WORD[word] is cmd


def test_the_readme_table_is_the_registry():
    readme = (ROOT / "README.md").read_text()
    assert directives.markdown_table() in readme


def test_help_lists_every_directive_and_topic():
    [result] = Session().run(":help")
    for cmd in directives.COMMANDS:
        assert cmd.usage in result.text and cmd.help in result.text
    for name in topics.names():
        assert name in result.text


@pytest.mark.parametrize("topic", ["iter", "if", "λ", "\\", "let", "succ", "app", "def", "linearity", "nat_dim",
                                   "then", "true", "𝟚", "Nat", "-o", "=>"])
def test_help_topic_has_rule_neurons_and_example(topic):
    [result] = Session().run(f":help {topic}")
    assert "As neurons:" in result.text and "Example:" in result.text
    found = topics.find(topic)
    if found.rule:
        assert found.rule in result.text


@pytest.mark.parametrize("word", SECTION_8)
def test_help_on_each_directive(word):
    for spelling in (word, f":{word}"):
        [result] = Session().run(f":help {spelling}")
        assert directives.BY_WORD[word].usage in result.text


def test_help_on_the_typing_rules_of_section_3():
    for topic, rule in [("λ", "(λ)"), ("app", "(app)"), ("if", "(if)"), ("iter", "(iter)"), ("succ", "(succ)")]:
        assert rule in Session().run(f":help {topic}")[0].text


def test_unknown_help_topic_is_a_clean_error():
    with pytest.raises(CajalSyntaxError) as info:
        Session().run(":help itr")
    assert "no help on `itr`" in info.value.message and "iter" in info.value.hint


@pytest.mark.parametrize("topic", topics.names())
def test_every_topic_example_runs_as_it_says(topic):
    """The example of each topic is a cell; a line `… -- v : τ` shows `v : τ`, a line `… -- error:`
    is refused."""
    session = Session()
    for line in topics.TOPICS[topic].example.split("\n"):
        code, _, expected = line.partition("     -- ")
        if expected.startswith("error"):
            with pytest.raises(CajalError):
                session.run(code)
            continue
        results = session.run(code)
        if re.fullmatch(r".+ : .+", expected):
            assert results[-1].text == expected, (line, results[-1].text)


@pytest.mark.parametrize("cmd", directives.COMMANDS, ids=lambda c: c.word)
def test_every_directive_example_runs(cmd, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lib.cj").write_text("def not (x : 𝟚) : 𝟚 = if x then ff else tt\n", encoding="utf-8")  # for :load
    session = Session()
    for line in cmd.example.split("\n") if cmd.example else []:
        code, _, expected = line.partition("     -- ")
        [result] = session.run(code)
        if re.fullmatch(r".+ : .+", expected):
            assert result.text == expected


def test_completion_offers_every_directive():
    found = assist.complete(Session(), ":")
    assert found.matches == [f":{w}" for w in directives.words()]
    assert all(item["signature"] for item in found.items)


def test_inspect_on_a_directive_and_a_keyword():
    assert assist.inspect(Session(), ":graph tt", 3).startswith(":graph e")
    assert "(iter)" in assist.inspect(Session(), "iter", 2)
