"""Sessions: cells, definitions that persist, directives, and errors that keep earlier work."""

import re

import pytest

import cajal
from cajal import CajalError, CajalSyntaxError, CajalTypeError, pretty
from cajal.session import Session, python_name

PRELUDE = """\
def not (x : 𝟚) : 𝟚 = if x then ff else tt
def and (x : Bool) (y : Bool) : Bool =
  if x then y else (if y then ff else ff)
def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ not y}(n)
"""


@pytest.fixture
def session():
    s = Session()
    s.run(PRELUDE)
    return s


def test_definitions_print_their_signatures():
    results = Session().run(PRELUDE)
    assert [r.kind for r in results] == ["def", "def", "def"]
    assert [str(r) for r in results] == ["not : 𝟚 ⊸ 𝟚", "and : 𝟚 ⊸ 𝟚 ⊸ 𝟚", "parity : ℕ ⊸ 𝟚"]
    assert results[1].name == "and" and results[1].type == cajal.parse_type("Bool -o Bool -o Bool")


def test_a_bare_term_shows_value_and_type(session):
    (r,) = session.run("and (not ff) (parity 4)")
    assert r.kind == "term" and r.value is True and str(r) == "tt : 𝟚"
    (r,) = session.run("let k = 3 in succ k")
    assert str(r) == "4 : ℕ" and r.value == 4


def test_definitions_persist_and_are_used_by_value(session):
    session.run("def t = not ff")
    session.run("def not (x : 𝟚) : 𝟚 = x")  # replacing `not` does not change `t` or `parity`
    assert session.definitions["t"].value is True
    assert session.definitions["parity"].eval(1) is False
    (r,) = session.run("not ff")
    assert r.value is False


def test_redefinition_across_cells_is_announced(session):
    (r,) = session.run("def not (x : 𝟚) : 𝟚 = x")
    assert "replaces the earlier definition of `not`" in str(r)


def test_redefinition_in_one_cell_is_an_error_at_the_second_name():
    s = Session()
    with pytest.raises(CajalTypeError) as e:
        s.run("def f = tt\ndef f = ff")
    assert (e.value.span.line, e.value.span.col) == (2, 5)
    assert "already defined in this cell" in e.value.message
    assert s.definitions["f"].value is True  # the first one stays


def test_a_failing_cell_keeps_what_it_defined_before_the_error():
    s = Session()
    with pytest.raises(CajalError) as e:
        s.run("def a = tt\ndef b = a a\ndef c = ff")
    assert set(s.definitions) == {"a"}
    assert [str(r) for r in e.value.results] == ["a : 𝟚"]
    assert (e.value.span.line, e.value.span.col) == (2, 9)


def test_a_syntax_error_later_in_the_cell_keeps_earlier_items():
    s = Session()
    with pytest.raises(CajalSyntaxError):
        s.run("def a = tt\ndef b = (a")
    assert set(s.definitions) == {"a"}


def test_first_line_offsets_error_lines():
    with pytest.raises(CajalTypeError) as e:
        Session().run("def a = tt\nλx:𝟚. y", first_line=2)
    assert e.value.span.line == 3
    assert "3 | λx:𝟚. y" in str(e.value)


def test_declared_result_type_must_match(session):
    with pytest.raises(CajalTypeError) as e:
        session.run("def f (x : 𝟚) : ℕ = x")
    assert "has type 𝟚, but the definition says ℕ" in e.value.message


def test_definitions_can_be_used_many_times(session):
    (r,) = session.run("and (not tt) (not ff)")
    assert r.value is False


def test_eval_on_python_values(session):
    and_ = session.definitions["and"]
    assert [and_.eval(a, b) for a in (True, False) for b in (True, False)] == [True, False, False, False]
    assert session.definitions["parity"].eval(7) is False
    with pytest.raises(CajalError):
        and_.eval(1, True)
    with pytest.raises(CajalError):
        and_.eval(True, True, True)


def test_python_names_of_keywords():
    assert python_name("not") == "not_" and python_name("and") == "and_" and python_name("if") == "if_"
    assert python_name("parity") == "parity"


def test_directives(session):
    r = session.run(":type and tt")[0]
    assert str(r) == "and tt : 𝟚 ⊸ 𝟚"
    assert str(session.run(":eval parity 5")[0]) == "ff : 𝟚"
    defs = str(session.run(":defs")[0])
    assert "not : 𝟚 ⊸ 𝟚" in defs and "parity : ℕ ⊸ 𝟚" in defs
    assert ":graph" in str(session.run(":help")[0])


def test_trace_directive_names_rules(session):
    (r,) = session.run(":trace not (not tt)")
    rules = [s.rule for s in r.value]
    assert rules == ["δ", "δ", "β", "if-tt", "β", "if-ff"]
    assert str(r).splitlines()[-1].split() == ["value", "tt"]


def test_trace_of_an_older_definition_uses_what_it_was_defined_with():
    s = Session()
    s.run("def f (x : 𝟚) : 𝟚 = x\ndef g (x : 𝟚) : 𝟚 = f x")
    s.run("def f (x : 𝟚) : 𝟚 = if x then ff else tt")  # g keeps the old f (used by value)
    (trace, value, now) = s.run(":trace g tt\n:eval g tt\n:trace f tt")
    assert value.value is True
    assert trace.value[-1].term == cajal.parse_term("tt")  # the trace reaches g's value
    assert pretty(trace.value[0].term) == "(λx:𝟚. (λx:𝟚. x) x) tt"  # old f inlined, not named
    assert pretty(now.value[-1].term) == "ff"  # the name f is the current definition


def test_set_nat_dim_persists_and_validates():
    s = Session()
    assert "nat_dim = 12" in str(s.run(":set nat_dim 12")[0])
    assert s.nat_dim == 12
    for bad in (":set nat_dim zero", ":set nat_dim 0", ":set size 3", ":set"):
        with pytest.raises(CajalSyntaxError):
            s.run(bad)
    assert s.nat_dim == 12


def test_unknown_directive_suggests_one():
    with pytest.raises(CajalSyntaxError) as e:
        Session().run(":tpye tt")
    assert "did you mean `:type`" in e.value.hint


def test_directive_without_term():
    with pytest.raises(CajalSyntaxError) as e:
        Session().run(":type")
    assert "needs a term" in e.value.message


def test_directive_term_errors_point_into_the_cell():
    with pytest.raises(CajalTypeError) as e:
        Session().run("def a = tt\n:type   λx:𝟚. y")
    assert (e.value.span.line, e.value.span.col) == (2, 15)


def test_abstract_types_are_declared_per_session():
    s = Session()
    with pytest.raises(CajalTypeError):
        s.run("def id (x : Image) : Image = x")
    s.run("type Image")
    (r,) = s.run("def dilate (step : Image ⊸ Image) (img : Image) (n : ℕ) : Image = iter{img | y ↪ step y}(n)")
    assert str(r) == "dilate : (Image ⊸ Image) ⊸ Image ⊸ ℕ ⊸ Image"


def test_definition_source_and_params(session):
    d = session.definitions["and"]
    assert d.source == "def and (x : Bool) (y : Bool) : Bool =\n  if x then y else (if y then ff else ff)"
    assert [name for name, _ in d.params] == ["x", "y"]
    assert repr(d) == "and : 𝟚 ⊸ 𝟚 ⊸ 𝟚"


def test_empty_and_comment_only_cells():
    assert Session().run("") == []
    assert Session().run("-- nothing here\n\n   \n") == []


def test_semicolons_separate_items():
    results = Session().run("def a = tt; a")
    assert [r.kind for r in results] == ["def", "term"]


# ---------------------------------------------------------------------------- views use the definitions a value captured


def _captured_session():
    s = Session()
    s.run("def not (x : 𝟚) : 𝟚 = if x then ff else tt\ndef base : 𝟚 ⊸ 𝟚 = not\ndef user (x : 𝟚) : 𝟚 = base x")
    return s


def _inline_weights(dot: str) -> list[str]:
    """The numbers of the 2×2 matrices drawn inside the graph's layers, row by row."""
    return re.findall(r"<font color=\"(?:white|#999999)\">([^<]*)</font>", dot)


def test_graph_of_a_definition_draws_the_definitions_it_captured():
    s = _captured_session()
    s.run("def base (x : 𝟚) : 𝟚 = x")           # a newer base: user still computes not
    assert s.run("user tt")[0].text == "ff : 𝟚"
    [graph] = s.run(":graph user")
    assert _inline_weights(graph.view.dot) == ["0", "1", "1", "0"]  # not's weights, not the identity's
    assert [str(w) for w in s.definitions["user"].matrix.flatten().tolist()] == ["0.0", "1.0", "1.0", "0.0"]


def test_graph_of_a_definition_survives_a_redefinition_at_another_type():
    s = _captured_session()
    s.run("def base (n : ℕ) : ℕ = succ n")
    [graph] = s.run(":graph user")
    assert graph.view.kind == "graph", str(graph.view)
    assert graph.text.startswith("user : 𝟚 ⊸ 𝟚")
    assert _inline_weights(graph.view.dot) == ["0", "1", "1", "0"]
    assert s.run(":graph λx:𝟚. user x")[0].view.kind == "graph"


def test_graph_result_carries_its_typing_and_the_checker_runs_once(monkeypatch):
    import cajal.session as session_module
    from cajal import types
    s = _captured_session()
    calls = []
    real = types.check

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(session_module, "check", counting)
    monkeypatch.setattr(types, "check", counting)
    [graph] = s.run(":graph λx:𝟚. user x")
    assert graph.typing is not None and graph.typing.type == graph.type
    assert len(calls) == 1  # the view is drawn from the result's typing


@pytest.mark.slow
def test_a_definition_keeps_one_compiled_neuron():
    """A sweep over nat_dim holds one neuron per definition, not one per size (it held 560 MB
    after a sweep of ten)."""
    import gc
    import weakref
    s = Session()
    s.run("def app (f : ℕ ⊸ ℕ) (x : ℕ) : ℕ = f x\ndef twice (f : ℕ ⊸ ℕ) (x : ℕ) : ℕ = app f x")
    twice, app = s.definitions["twice"], s.definitions["app"]
    old = [weakref.ref(twice.compiled(5)), weakref.ref(app.compiled(5))]
    assert tuple(twice.compiled(6).tensor.shape) == (6 ** 4,)
    gc.collect()
    assert [ref() for ref in old] == [None, None]
    assert twice.compiled(6) is twice.compiled(6)  # the current one is kept


@pytest.mark.parametrize("call,says", [
    (lambda: Session().run(None), "Cajal source must be a str, not NoneType"),
    (lambda: Session().run(b"tt"), "not bytes: decode it first"),
    (lambda: Session().run(5), "Cajal source must be a str, not int"),
    (lambda: Session().run("tt", first_line="2"), "first_line must be an int"),
    (lambda: cajal.parse_term(None), "Cajal source must be a str, not NoneType"),
    (lambda: cajal.parse_type(5), "Cajal source must be a str, not int"),
    (lambda: cajal.parse_cell(None), "Cajal source must be a str"),
    (lambda: cajal.typecheck(None), "expected a Cajal term"),
    (lambda: cajal.typecheck("x", ctx=5), "ctx must map variable names to types"),
    (lambda: cajal.evaluate(None), "expected a Cajal term"),
    (lambda: cajal.evaluate("x", env=3), "env must map variable names to values"),
    (lambda: cajal.steps(None), "expected a Cajal term"),
    (lambda: cajal.compile(None), "expected a Cajal term"),
    (lambda: cajal.encode(True, None), "expected a Cajal type"),
    (lambda: cajal.decode(None, "𝟚"), "decode takes a tensor"),
])
def test_public_entry_points_say_what_they_expected(call, says):
    """LANGUAGE.md section 7: wrong input is a TypeError naming what was expected, never an
    AttributeError from deep inside."""
    with pytest.raises(TypeError, match=re.escape(says)):
        call()


def test_definitions_pickle_and_copy():
    import copy
    import pickle
    s = Session()
    s.run("def not (x : 𝟚) : 𝟚 = if x then ff else tt\ndef nn (x : 𝟚) : 𝟚 = not (not x)")
    for clone in (pickle.loads(pickle.dumps(s.definitions["nn"])), copy.deepcopy(s.definitions["nn"])):
        assert clone.eval(True) is True and pretty(clone.type) == "𝟚 ⊸ 𝟚"
        assert clone.uses["not"].eval(True) is False


def test_a_bom_at_the_start_of_a_cell_is_accepted():
    s = Session()
    assert [str(r) for r in s.run("\ufeffdef f (x : 𝟚) : 𝟚 = x\nf tt")] == ["f : 𝟚 ⊸ 𝟚", "tt : 𝟚"]
    assert str(s.run("\ufeff:type tt")[0]) == "tt : 𝟚"


def test_a_natural_beyond_nat_dim_says_so():
    s = Session()
    s.run("def add (m : ℕ) (n : ℕ) : ℕ = iter{m | acc ↪ succ acc}(n)")
    (r,) = s.run("add 5 5")
    assert r.notes == ["note: 10 is beyond ℕ's size (nat_dim 10 holds 0…9), so its compiled vector is all zeros; "
                       "`:set nat_dim 11` holds it"]
    assert s.run("add 4 5")[0].notes == []
