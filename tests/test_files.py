"""`.cj` source files: `cajal.load` and `Session.load` run a file as a cell, and its errors
name the file, line and column with a caret."""

import pytest
from hypothesis import given, settings
from strategies import closed_terms

import cajal
from cajal import CajalError, CajalSyntaxError, CajalTypeError, pretty
from cajal.session import Session

pytestmark = pytest.mark.unit

LIBRARY = """\
-- a small library
def not (x : 𝟚) : 𝟚 = if x then ff else tt
def and (x : Bool) (y : Bool) : Bool =
  if x then y else (if y then ff else ff)
type Token
def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ not y}(n)
"""


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "lib.cj"
    path.write_text(LIBRARY, encoding="utf-8")
    return path


def test_load_returns_a_session_holding_the_files_definitions(library):
    session = cajal.load(library)
    assert isinstance(session, Session)
    assert {n: pretty(d.type) for n, d in session.definitions.items()} == {
        "not": "𝟚 ⊸ 𝟚", "and": "𝟚 ⊸ 𝟚 ⊸ 𝟚", "parity": "ℕ ⊸ 𝟚"}
    assert session.types == {"Token"}
    assert session.definitions["parity"].eval(5) is False
    assert str(session.run("and (parity 4) (not ff)")[0]) == "tt : 𝟚"


def test_load_adds_to_a_given_session_and_files_may_replace_definitions(library, tmp_path):
    session = Session(nat_dim=6)
    session.run("def id (x : 𝟚) : 𝟚 = x\ndef not (x : 𝟚) : 𝟚 = x")
    assert cajal.load(str(library), session) is session
    assert set(session.definitions) == {"id", "not", "and", "parity"}
    assert session.definitions["not"].eval(True) is False  # the file's `not` replaced the cell's
    assert session.nat_dim == 6


def test_a_file_runs_as_a_cell_does(library):
    """The same text gives the same items, whether it is a cell or a file."""
    as_cell = [str(r) for r in Session().run(LIBRARY)]
    as_file = [str(r) for r in Session().load(library)]
    assert as_file == as_cell == ["not : 𝟚 ⊸ 𝟚", "and : 𝟚 ⊸ 𝟚 ⊸ 𝟚", "type Token", "parity : ℕ ⊸ 𝟚"]


def test_a_type_error_names_the_file_line_and_column(tmp_path):
    path = tmp_path / "bad.cj"
    path.write_text("def ok (x : 𝟚) : 𝟚 = x\n\ndef dup (x : 𝟚) : 𝟚 = if x then x else x\n", encoding="utf-8")
    session = Session()
    with pytest.raises(CajalTypeError) as info:
        session.load(path)
    err = info.value
    assert str(err.span) == f"{path}:3:33"  # the second use of `x`
    assert str(err).splitlines()[:3] == [
        f"CajalTypeError: {path}:3:33: `x` is used twice (at {path}:3:26 and {path}:3:33)",
        "3 | def dup (x : 𝟚) : 𝟚 = if x then x else x",
        "  |                          ^      ^",
    ]
    assert "ok" in session.definitions  # what came before the error stays, as in a cell
    assert [str(r) for r in err.results] == ["ok : 𝟚 ⊸ 𝟚"]


def test_a_syntax_error_names_the_file_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "syntax.cj").write_text("def f (x : 𝟚) : 𝟚 =\n  x x)\n", encoding="utf-8")
    with pytest.raises(CajalSyntaxError) as info:
        cajal.load("syntax.cj")
    assert str(info.value).splitlines()[0].startswith("CajalSyntaxError: syntax.cj:2:6: ")
    assert "2 |   x x)" in str(info.value)


def test_a_directive_in_a_file_points_into_the_file(tmp_path):
    path = tmp_path / "d.cj"
    path.write_text("def t : 𝟚 = tt\n:type t t\n", encoding="utf-8")
    with pytest.raises(CajalTypeError) as info:
        cajal.load(path)
    assert str(info.value.span).startswith(f"{path}:2:")


def test_files_that_cannot_be_read_are_located_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CajalError, match=r"there is no file `missing.cj`") as info:
        cajal.load("missing.cj")
    assert "working directory" in info.value.hint
    (tmp_path / "lib.cj").write_text("def t : 𝟚 = tt\n", encoding="utf-8")
    with pytest.raises(CajalError) as info:
        cajal.load("lib")
    assert info.value.hint == "did you mean `lib.cj`?"
    with pytest.raises(CajalError, match="is a directory"):
        cajal.load(tmp_path)
    (tmp_path / "latin1.cj").write_bytes("def t : 𝟚 = tt -- é".encode("latin-1", "replace") + b"\xe9")
    with pytest.raises(CajalError, match="not UTF-8"):
        cajal.load("latin1.cj")


def test_a_cell_error_still_reads_line_and_column():
    with pytest.raises(CajalTypeError) as info:
        Session().run("def f (x : 𝟚) : 𝟚 = tt")
    assert str(info.value.span) == "line 1, column 7"


@settings(max_examples=40)
@given(closed_terms(max_depth=3))
def test_a_file_of_definitions_gives_the_values_a_cell_gives(tmp_path_factory, term_and_type):
    """Any closed term, defined in a file, has the value and type it has defined in a cell."""
    term, ty = term_and_type
    text = f"def it : {pretty(ty)} = {pretty(term)}\nit\n"
    path = tmp_path_factory.mktemp("prop") / "it.cj"
    path.write_text(text, encoding="utf-8")
    from_file = Session().load(path)
    from_cell = Session().run(text)
    assert [str(r) for r in from_file] == [str(r) for r in from_cell]


# ---------------------------------------------------------------------------- :load


def test_load_directive_brings_a_files_definitions_in(library, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = Session()
    (r,) = session.run(":load lib.cj")
    assert r.kind == "directive" and r.name == "load"
    assert str(r) == "loaded lib.cj\nnot : 𝟚 ⊸ 𝟚\nand : 𝟚 ⊸ 𝟚 ⊸ 𝟚\ntype Token\nparity : ℕ ⊸ 𝟚"
    assert [str(x) for x in r.value] == ["not : 𝟚 ⊸ 𝟚", "and : 𝟚 ⊸ 𝟚 ⊸ 𝟚", "type Token", "parity : ℕ ⊸ 𝟚"]
    assert str(session.run("parity 3")[0]) == "ff : 𝟚"
    assert session.run(f':load "{library}"  -- again, by its absolute path')[0].text.startswith(f"loaded {library}")


def test_load_inside_a_file_starts_at_that_files_directory(tmp_path, monkeypatch):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "base.cj").write_text("def not (x : 𝟚) : 𝟚 = if x then ff else tt\n", encoding="utf-8")
    (tmp_path / "lib" / "more.cj").write_text(":load base.cj\ndef nn (x : 𝟚) : 𝟚 = not (not x)\n",
                                              encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    session = Session()
    session.run(":load ../lib/more.cj")
    assert set(session.definitions) == {"not", "nn"}
    assert session.definitions["nn"].eval(True) is True


def test_load_errors_point_into_the_loaded_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.cj").write_text("def ok : 𝟚 = tt\ndef no : 𝟚 = ok ok\n", encoding="utf-8")
    session = Session()
    with pytest.raises(CajalTypeError) as info:
        session.run("def before : 𝟚 = ff\n:load bad.cj")
    assert str(info.value).splitlines()[0].startswith("CajalTypeError: bad.cj:2:")
    assert {"before", "ok"} <= set(session.definitions)
    with pytest.raises(CajalError) as info:
        session.run("\n:load nothing.cj")
    assert str(info.value.span) == "line 2, column 1" and "no file `nothing.cj`" in info.value.message
    with pytest.raises(CajalSyntaxError, match="needs a file"):
        session.run(":load")


def test_files_that_load_each_other_in_a_circle_are_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.cj").write_text("def t : 𝟚 = tt\n:load b.cj\n", encoding="utf-8")
    (tmp_path / "b.cj").write_text(":load a.cj\n", encoding="utf-8")
    with pytest.raises(CajalError) as info:
        Session().run(":load a.cj")
    assert info.value.message == "`a.cj` is already being loaded (a.cj → b.cj → a.cj)"
    assert str(info.value.span) == "b.cj:1:1"
    (tmp_path / "self.cj").write_text(":load self.cj\n", encoding="utf-8")
    with pytest.raises(CajalError, match="already being loaded"):
        cajal.load("self.cj")


def test_the_live_check_does_not_flag_names_a_load_brings_in(library, tmp_path, monkeypatch):
    """The editor's check reads no files: it checks the items before a `:load`, and trusts the rest."""
    from cajal.diagnostics import check_cell
    monkeypatch.chdir(tmp_path)
    report = check_cell(Session(), "def t : 𝟚 = tt\n:load lib.cj\nparity 3")
    assert report.diagnostics == () and [n.name for n in report.names] == ["t"]
    report = check_cell(Session(), "tt tt\n:load lib.cj")
    assert [d.message for d in report.diagnostics] == ["this has type 𝟚, which is not a function, so it cannot be applied"]
