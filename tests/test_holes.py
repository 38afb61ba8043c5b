"""Typed holes (LANGUAGE.md section 10): `?` and `?name` check with a type and a context, show as
information in the editor, offer completions, and refuse to run, naming themselves."""

from __future__ import annotations

import pytest
from hypothesis import given
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from pygments.token import Error, Name
from strategies import holed_terms

import cajal
from cajal import assist, diagnostics, lexicon, parse_term, pretty
from cajal.errors import CajalError, CajalTypeError
from cajal.pygments_lexer import CajalLexer
from cajal.session import Session
from cajal.syntax import BOOL, Hole, Unknown
from cajal.types import check, has_unknown

pytestmark = pytest.mark.unit

NOT_AND = ("def not (x : 𝟚) : 𝟚 = if x then ff else tt\n"
           "def and (x : 𝟚) (y : 𝟚) : 𝟚 = if x then y else (if y then ff else ff)\n"
           "def two : ℕ = 2")


@pytest.fixture
def session():
    s = Session()
    s.run(NOT_AND)
    return s


def goals(session, source: str) -> list[str]:
    return [g.describe() for g in session.check(parse_term(source)).holes]


# ---------------------------------------------------------------------------- syntax


@pytest.mark.parametrize("text,name", [("?", ""), ("?h", "h"), ("?goal_2'", "goal_2'")])
def test_a_hole_parses_to_a_hole_node_and_prints_back(text, name):
    term = parse_term(text)
    assert term == Hole(name)
    assert (term.span.col, term.span.end_col) == (1, 1 + len(text))
    assert pretty(term) == pretty(term, ascii=True) == text


def test_holes_are_atoms_everywhere_a_term_goes():
    source = "λx:𝟚. if ?c then not ?h else iter{? | y ↪ ?s y}(?n)"
    term = parse_term(source)
    assert pretty(term) == source and parse_term(pretty(term)) == term
    assert [h.name for h in cajal.syntax.holes(term)] == ["c", "h", "", "s", "n"]
    assert parse_term("? x") != parse_term("?x")  # an anonymous hole applied to x, and the hole ?x


def test_the_lexicon_owns_the_hole_spelling():
    assert lexicon.HOLE == "?" and lexicon.as_json()["hole"] == "?"
    assert [(k, t) for k, t, _ in cajal.tokens.scan("f ?h ?")] == [("ident", "f"), ("hole", "?h"), ("hole", "?")]


def test_pygments_marks_holes_without_errors():
    tokens = [(t, v) for t, v in CajalLexer().get_tokens("λx:𝟚. not ?h ?")]
    assert (Name.Variable.Magic, "?h") in tokens and (Name.Variable.Magic, "?") in tokens
    assert not [v for t, v in tokens if t in Error]


def test_the_textmate_grammar_marks_holes():
    from test_textmate import scopes
    assert scopes("not ?h ?") == [("not", "variable.other.cajal"), ("?h", "variable.other.hole.cajal"),
                                  ("?", "variable.other.hole.cajal")]


# ---------------------------------------------------------------------------- types and contexts


@pytest.mark.parametrize("source,expected", [
    ("λx:𝟚. not ?h", ["hole ?h : 𝟚, with x : 𝟚 to use"]),
    ("if ? then tt else ff", ["hole ? : 𝟚, with no variable to use"]),
    ("iter{? | y ↪ not y}(3)", ["hole ? : 𝟚, with no variable to use"]),
    ("iter{tt | y ↪ ?s}(?n)", ["hole ?s : 𝟚, with y : 𝟚 to use", "hole ?n : ℕ, with no variable to use"]),
    ("let y = ? in not y", ["hole ? : 𝟚, with no variable to use"]),
    ("λx:𝟚. λy:𝟚. and x ?", ["hole ? : 𝟚, with y : 𝟚 to use"]),
    ("λx:𝟚. λy:ℕ. if x then ? else y", ["hole ? : ℕ, with y : ℕ to use"]),
    ("λx:𝟚. if ?c then x else ?e", ["hole ?c : 𝟚, with no variable to use", "hole ?e : 𝟚, with x : 𝟚 to use"]),
    ("λf:𝟚 ⊸ 𝟚. and (f tt) ?", ["hole ? : 𝟚, with no variable to use"]),
    ("λx:𝟚. ?", ["hole ? : unknown type, with x : 𝟚 to use"]),
    ("?", ["hole ? : unknown type, with no variable to use"]),
    ("? tt", ["hole ? : 𝟚 ⊸ τ₁, with no variable to use"]),
    ("λf:𝟚 ⊸ ℕ. ?g (f tt)", ["hole ?g : ℕ ⊸ τ₁, with no variable to use"]),
])
def test_holes_types_and_contexts(session, source, expected):
    assert goals(session, source) == expected


def test_a_definition_gives_its_body_hole_the_declared_type():
    s = Session()
    [(record)] = list(cajal.items.records(s.scope(), "def f (x : 𝟚) : 𝟚 = ?"))
    assert record.typing.type == cajal.parse_type("𝟚 ⊸ 𝟚")
    [goal] = record.typing.holes
    assert goal.describe() == "hole ? : 𝟚, with x : 𝟚 to use"
    assert goal.context == (("x", cajal.syntax.BOOL),)
    assert (goal.span.line, goal.span.col) == (1, 21)


def test_a_definition_whose_holes_leave_its_type_unknown_must_declare_it():
    with pytest.raises(CajalTypeError) as err:
        Session().run("def g (x : 𝟚) = ?")
    assert err.value.message == "the type of `g` is not known: its holes leave it 𝟚 ⊸ τ₁"
    assert "declare its result type, e.g. `def g (x : 𝟚) : 𝟚 = …`" in err.value.hint


def test_unknown_parts_of_a_type_are_numbered_in_the_order_the_holes_show_them():
    typing = check(parse_term("?a ?b"))
    assert [pretty(g.type) for g in typing.holes] == ["τ₁ ⊸ τ₂", "τ₁"]
    assert typing.type == Unknown(2) and has_unknown(typing.type)


def test_a_hole_may_use_the_variables_no_other_part_uses():
    # x, y, z would be unused: a hole may use them, so none is an error
    assert goals(Session(), "λx:𝟚. λy:ℕ. λz:𝟚. ?") == ["hole ? : unknown type, with x : 𝟚, y : ℕ, z : 𝟚 to use"]
    assert check(parse_term("?"), {"x": cajal.syntax.BOOL}).holes[0].context == (("x", cajal.syntax.BOOL),)


def test_linearity_still_holds_around_holes(session):
    with pytest.raises(CajalTypeError, match="`x` is used twice"):
        session.check(parse_term("λx:𝟚. and x (?h x)"))
    with pytest.raises(CajalTypeError, match="`y` is never used"):
        session.check(parse_term("λx:𝟚. ?h (λy:𝟚. tt)"))  # no hole in y's scope may use it
    with pytest.raises(CajalTypeError, match="the argument has type ℕ, but the function expects 𝟚"):
        session.check(parse_term("not (if ?c then 3 else ?e)"))


def test_a_branch_with_a_hole_may_use_what_the_other_branch_uses(session):
    assert goals(session, "λx:𝟚. λy:𝟚. if x then y else ?") == ["hole ? : 𝟚, with y : 𝟚 to use"]
    with pytest.raises(CajalTypeError, match="use different variables"):
        session.check(parse_term("λx:𝟚. λy:𝟚. if ?c then y else tt"))


@given(holed_terms())
def test_any_subterm_can_become_a_hole_of_its_type_with_its_variables_available(drawn):
    """Replace one sub-term of a well-typed term by a hole: the term still checks (at the same
    type, which is declared, as a definition's), the hole's type is the sub-term's where it is
    determined, and the variables the sub-term used are available to the hole."""
    holed, ty, ctx, term, target = drawn
    original = check(term, ctx)
    typing = check(holed, ctx, expected=ty)
    assert typing.type == ty
    [goal] = typing.holes
    assert goal.hole.name == "h"
    if not has_unknown(goal.type):
        assert goal.type == original.types[id(target)]
    assert set(original.contexts[id(target)]) <= {name for name, _ in goal.context}


# ---------------------------------------------------------------------------- running is an error


def test_running_a_hole_names_it_and_its_type_with_a_caret(session):
    with pytest.raises(CajalError) as err:
        session.run("tt\nλx:𝟚. not ?h")
    assert str(err.value) == (
        "CajalError: line 2, column 11: the hole ?h : 𝟚 is not filled in\n"
        "2 | λx:𝟚. not ?h\n"
        "  |           ^^\n"
        "hint: replace it with a term of type 𝟚 (it may use `x`)")
    assert [r.text for r in err.value.results] == ["tt : 𝟚"]  # the items before it ran


def test_defining_with_a_hole_is_an_error_and_defines_nothing():
    s = Session()
    with pytest.raises(CajalError, match=r"the hole \? : 𝟚 is not filled in"):
        s.run("def f (x : 𝟚) : 𝟚 = ?")
    assert "f" not in s.definitions


@pytest.mark.parametrize("directive", [":eval", ":trace", ":step", ":compile", ":matrix", ":graph"])
def test_directives_that_run_or_compile_refuse_a_hole(session, directive):
    with pytest.raises(CajalError) as err:
        session.run(f"{directive} not ?h")
    assert err.value.message == "the hole ?h : 𝟚 is not filled in"
    assert (err.value.span.line, err.value.span.col) == (1, len(directive) + 6)


def test_type_and_derive_only_check_so_they_show_the_holes(session):
    [typed, derived] = session.run(":type λx:𝟚. λy:𝟚. if ?c then not ?h else y\n:derive λx:𝟚. not ?h")
    assert typed.text == ("λx:𝟚. λy:𝟚. if ?c then not ?h else y : 𝟚 ⊸ 𝟚 ⊸ 𝟚\n"
                          "hole ?c : 𝟚, with x : 𝟚 to use\n"
                          "hole ?h : 𝟚, with x : 𝟚, y : 𝟚 to use")
    assert "∅ ⊢ ?h : 𝟚   (hole)" in derived.text


def test_the_python_api_refuses_holes():
    with pytest.raises(CajalError, match=r"the hole \?h : 𝟚 is not filled in"):
        cajal.evaluate("if tt then tt else ?h")  # even where evaluation would not reach it
    with pytest.raises(CajalError, match=r"the hole \?h is not filled in"):
        cajal.evaluate("not ?h", defs={"not": True})  # not closed: named without its type
    with pytest.raises(CajalError, match=r"the hole \? : 𝟚 is not filled in"):
        cajal.steps("if ? then tt else ff")
    with pytest.raises(CajalError) as err:
        cajal.compile("λx:𝟚. ?h")
    assert err.value.message == "the hole ?h (of unknown type) is not filled in"
    assert err.value.hint == "replace it with a term (it may use `x`)"
    assert "(of unknown type)" in str(cajal.render.graph("λx:𝟚. ?h"))


@pytest.fixture(scope="module")
def shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "cajal_magic")
    yield ip


def test_the_magic_reports_a_hole_as_a_short_error(shell):
    from cajal_magic import reset_session
    shell.reset(new_session=False)
    reset_session(shell)
    with capture_output() as cap:
        result = shell.run_cell("%%cajal\ndef f (x : 𝟚) : 𝟚 = ?h", store_history=False)
    assert isinstance(result.error_in_exec or result.error_before_exec, CajalError)
    assert cap.stdout == (
        "CajalError: line 2, column 21: the hole ?h : 𝟚 is not filled in\n"
        "2 | def f (x : 𝟚) : 𝟚 = ?h\n"
        "  |                     ^^\n"
        "hint: replace it with a term of type 𝟚 (it may use `x`)\n")
    assert "Traceback" not in cap.stdout + cap.stderr and "f" not in shell.user_ns


# ---------------------------------------------------------------------------- the editor


def test_the_live_check_shows_a_hole_as_information_not_an_error(session):
    cell = "def f (x : 𝟚) : 𝟚 ⊸ 𝟚 = λy:𝟚. and x ?h\nf tt"
    report = diagnostics.check_cell(session, cell)
    [d] = report.diagnostics
    assert (d.severity, d.message) == ("info", "hole ?h : 𝟚, with y : 𝟚 to use")
    assert (d.span.line, d.span.col, d.span.end_col) == (1, 37, 39)
    message = diagnostics.as_message(report, cell)
    assert [(m["severity"], m["from"], m["to"]) for m in message["diagnostics"]] == [("info", 40, 42)]  # each 𝟚 is 2 units
    assert "f" not in session.definitions  # checking never defines
    assert {"from": 40, "to": 42, "name": "?h", "type": "𝟚"} in message["names"]  # hovering it


def test_the_infoview_at_a_hole_shows_its_type_and_what_it_may_use(session):
    from cajal.infoview import info_at
    code = "def f (x : 𝟚) (y : 𝟚) : 𝟚 = if x then ?h else y"
    info = info_at(session, code, 1, code.index("?h") + 1)
    assert (pretty(info.type), info.consumes, info.rest) == ("𝟚", (("y", BOOL),), (("x", BOOL),))
    assert info.error is None and info.weights_note == "not compiled for the panel: the hole ?h : 𝟚 is not filled in"


def test_shift_tab_on_a_hole_shows_its_goal(session):
    code = "λx:𝟚. λy:ℕ. if x then ?h else y"
    assert assist.inspect(session, code, code.index("?h") + 1) == "hole ?h : ℕ, with y : ℕ to use"
    assert assist.inspect(session, "λx:𝟚. ?h x x", 8).startswith("? or ?name — a typed hole")  # x used twice


def test_holes_before_an_error_are_shown_with_it(session):
    report = diagnostics.check_cell(session, "not ?a\nnot 3")
    assert [(d.severity, d.message) for d in report.diagnostics] == [
        ("info", "hole ?a : 𝟚, with no variable to use"),
        ("error", "the argument has type ℕ, but the function expects 𝟚")]


def test_completion_at_a_hole_offers_available_variables_and_definitions_of_its_type(session):
    code = "def f (x : 𝟚) (n : ℕ) (m : ℕ) : ℕ = if x then ?h else iter{n | y ↪ y}(m)"
    at = code.index("?h")
    for cursor in (at, at + 1, at + 2):  # on the `?`, inside, just after
        found = assist.complete(session, code, cursor)
        assert found.matches == ["n", "m", "two"]
        assert (found.start, found.end) == (at, at + 2)
    assert [i["signature"] for i in found.items] == ["n : ℕ", "m : ℕ", "two : ℕ"]
    exact = assist.complete(session, "λa:𝟚. λb:ℕ. if ? then b else b", 16)
    assert exact.matches == ["a"]  # 𝟚 only: b is used by the branches, `two` is ℕ, `not` a function


def test_completion_at_a_hole_of_unknown_type_offers_everything_available(session):
    found = assist.complete(session, "λx:𝟚. ?", 7)
    assert found.matches == ["x", "not", "and", "two"]
