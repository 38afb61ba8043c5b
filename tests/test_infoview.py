"""The infoview (`cajal.infoview` and the `cajal.check` comm's info request): the type, the
linear context split and the small heatmap at the cursor, pinned on worked examples, and no
side effects in a real Cajal kernel and a real IPython kernel with the magic."""

from __future__ import annotations

import pytest
from test_kernel import jupyter_path  # noqa: F401 (the kernelspec in a temporary prefix)
from test_live_check import NOT, Kernel, history, js_slice, session_with_not, snapshot

from cajal import infoview
from cajal.session import Session

CELL = "def f = λx:𝟚. not x\ndef g (x : 𝟚) (y : 𝟚) : 𝟚 = if x then not y else y"


def at(cell: str, needle: str, session: Session | None = None, shift: int = 0, **options) -> dict:
    """The info reply with the cursor at the first `needle` of `cell` (plus `shift`)."""
    session = session or session_with_not()
    offset = units(cell[:cell.index(needle) + shift])
    line, col = infoview.position(cell, 0, 1, offset)
    return infoview.as_message(infoview.info_at(session, cell, line, col, **options), cell)


def units(text: str) -> int:
    """The length of `text` in UTF-16 code units (the editor's offsets)."""
    return len(text.encode("utf-16-le")) // 2


def context(reply: dict, key: str) -> list[tuple[str, str]]:
    return [(v["name"], v["type"]) for v in reply[key]]


@pytest.mark.unit
def test_a_variable_consumes_itself_and_highlights_its_input_axis():
    reply = at(CELL, "x\n")  # the `x` of `not x`
    assert js_slice(CELL, reply["term"]["from"], reply["term"]["to"]) == "x"
    assert reply["type"] == "𝟚" and reply["item"] == "f" and reply["error"] is None
    assert context(reply, "consumes") == [("x", "𝟚")] and context(reply, "rest") == []
    assert reply["weights"]["highlight"] == ["x"]
    assert 'data-cajal-axis="x" data-cajal-hl' in reply["weights"]["html"]


@pytest.mark.unit
def test_the_body_highlights_its_input_and_the_output_rows():
    reply = at(CELL, " x\n")  # the space inside `not x`: the application
    assert js_slice(CELL, reply["term"]["from"], reply["term"]["to"]) == "not x"
    assert reply["type"] == "𝟚" and reply["weights"]["highlight"] == ["x", "output"]
    assert 'data-cajal-axis="output" data-cajal-hl' in reply["weights"]["html"]


@pytest.mark.unit
def test_a_closed_subterm_consumes_nothing_and_leaves_the_rest_to_use():
    reply = at(CELL, "not x", shift=1)
    assert reply["type"] == "𝟚 ⊸ 𝟚" and context(reply, "consumes") == []
    assert context(reply, "rest") == [("x", "𝟚")] and reply["weights"]["highlight"] == []
    part = reply["weights"]["part_html"]  # `not`'s own weights, read from the compiled program
    assert part.startswith('<div class="cajal-infoview-part" data-cajal-hl data-cajal-span="1:15-1:18">')
    assert "not : 𝟚 ⊸ 𝟚, its weights in this program" in part and "tt, ff: 1" in part
    assert at(CELL, "x\n")["weights"]["part_html"] is None  # an open sub-term has none of its own


@pytest.mark.unit
def test_the_context_splits_between_the_branches_and_the_condition():
    reply = at(CELL, "x then")  # the condition of g's `if`
    assert context(reply, "consumes") == [("x", "𝟚")] and context(reply, "rest") == [("y", "𝟚")]
    reply = at(CELL, "y else")  # the `y` of the then-branch's `not y`
    assert (reply["type"], context(reply, "consumes"), context(reply, "rest")) == ("𝟚", [("y", "𝟚")], [("x", "𝟚")])
    assert reply["item"] == "g" and reply["weights"]["highlight"] == ["output"]  # y is drawn in the rows


@pytest.mark.unit
def test_let_and_iter_bind_their_variables_with_the_bound_type():
    cell = "def c (n : ℕ) : 𝟚 = iter{ff | b ↪ not b}(n)\nlet z = 3 in succ z"
    reply = at(cell, "b}")
    assert (reply["type"], context(reply, "consumes"), context(reply, "rest")) == ("𝟚", [("b", "𝟚")], [("n", "ℕ")])
    reply = at(cell, "succ z", shift=5)
    assert (reply["type"], context(reply, "consumes"), reply["item"]) == ("ℕ", [("z", "ℕ")], "let z = 3 in succ z")


@pytest.mark.unit
def test_the_error_comes_with_its_hint_and_the_types_before_it_stay():
    cell = "def f = λx:𝟚. not x\nf y"
    reply = at(cell, "not")
    assert reply["type"] == "𝟚 ⊸ 𝟚"
    assert reply["error"]["message"] == "unbound variable `y`" and reply["error"]["hint"]
    assert js_slice(cell, reply["error"]["from"], reply["error"]["to"]) == "y"


@pytest.mark.unit
def test_weights_need_the_cells_earlier_definitions_to_have_run():
    cell = "def h = λb:𝟚. b\ndef k = λb:𝟚. h b"
    reply = at(cell, "h b")
    assert reply["weights"] is None and "`h`" in reply["weights_note"]
    assert reply["type"] == "𝟚 ⊸ 𝟚"


@pytest.mark.unit
def test_a_program_too_large_for_the_panel_is_named_not_drawn():
    session = Session(nat_dim=40)
    reply = at("def big = λa:ℕ. λb:ℕ. λc:ℕ. iter{a | y ↪ y}(iter{b | z ↪ z}(c))", "iter", session=session)
    assert reply["weights"] is None and "too many for the panel" in reply["weights_note"]
    assert reply["type"] == "ℕ"


@pytest.mark.unit
def test_no_weights_asked_for_means_no_compiling():
    reply = at(CELL, "x\n", weights=False)
    assert reply["weights"] is None and reply["weights_note"] is None and reply["type"] == "𝟚"


@pytest.mark.unit
def test_positions_count_utf16_units_and_skip_a_magic_header():
    cell = "%%cajal\nλx:𝟚. x"
    assert infoview.position(cell, 8, 2, 3) is None  # in the header line
    assert infoview.position(cell, 8, 2, 8 + 6) == (2, 6)  # after `λx:𝟚.` (𝟚 counts 2 units)


@pytest.mark.unit
def test_the_infoview_changes_nothing_in_the_session():
    session = session_with_not()
    before = snapshot(session)
    for needle in ["x\n", "not", "if", "y else"]:
        at(CELL, needle, session=session)
    at(":set nat_dim 3\ntype T", "T", session=session)
    assert snapshot(session) == before and "f" not in session.definitions


# ---------------------------------------------------------------------------- the comm in real kernels


def ask(kernel: Kernel, code, offset) -> tuple[dict, list[dict]]:
    kernel.seq += 1
    msg_id = kernel._send("comm_msg", {"comm_id": kernel.comm_id,
                                       "data": {"seq": kernel.seq, "code": code, "info": offset}})
    return kernel.answer(msg_id)


@pytest.fixture(scope="module")
def cajal_kernel(request):
    request.getfixturevalue("jupyter_path")
    kernel = Kernel("cajal")
    assert kernel.execute(NOT)["status"] == "ok"
    yield kernel
    kernel.close()


@pytest.mark.integration
@pytest.mark.slow
def test_kernel_info_reply_and_no_side_effects(cajal_kernel):
    count = cajal_kernel.execute("tt")["execution_count"]
    past = history(cajal_kernel)
    reply, others = ask(cajal_kernel, CELL, units(CELL[:CELL.index("x\n")]))
    assert reply["seq"] == cajal_kernel.seq and others == []
    info = reply["info"]
    assert (info["type"], info["weights"]["highlight"]) == ("𝟚", ["x"])
    for code, offset in [(":set nat_dim 3", 3), ("type Secret", 6), (CELL, 200), (CELL, 0)]:
        reply, others = ask(cajal_kernel, code, offset)
        assert others == [] and "info" in reply, code
    for bad in [None, -1, "3", True]:
        reply, others = ask(cajal_kernel, CELL, bad)
        assert others == [] and "skipped" in reply
    assert history(cajal_kernel) == past
    assert cajal_kernel.execute("tt")["execution_count"] == count + 1
    assert cajal_kernel.execute("f")["status"] == "error"  # `f` was looked at, never defined
    assert cajal_kernel.execute(":type tt")["status"] == "ok"


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.usefixtures("jupyter_path")
def test_magic_answers_info_for_cajal_cells_in_a_python_kernel():
    kernel = Kernel("python3")
    try:
        assert kernel.execute("%load_ext cajal_magic")["status"] == "ok"
        kernel.open_comm()  # the comm opened before the extension loaded was closed
        cell = "%%cajal\nλb:𝟚. if b then ff else tt"
        reply, others = ask(kernel, cell, units(cell[:cell.index("b then")]))
        info = reply["info"]
        assert js_slice(cell, info["term"]["from"], info["term"]["to"]) == "b" and others == []
        assert info["type"] == "𝟚" and info["weights"]["highlight"] == ["b"]
        reply, _ = ask(kernel, "x = 1", 2)
        assert reply["skipped"] == "not a Cajal cell"
    finally:
        kernel.close()



# ---------------------------------------------------------------------------- source ↔ neuron linking


def spans_in(html: str, tag: str) -> dict[str, str]:
    """{the source text of each data-cajal-span on `tag` elements: its classes or axis}."""
    import re
    found = {}
    for attrs in re.findall(rf"<{tag}\b([^>]*data-cajal-span[^>]*)>", html):
        span = re.search(r'data-cajal-span="(\d+):(\d+)-(\d+):(\d+)"', attrs).groups()
        what = re.search(r'data-cajal-axis="([^"]*)"' if tag == "th" else r'class="([^"]*)"', attrs).group(1)
        found[tuple(map(int, span))] = what
    return found


def source_at(cell: str, span: tuple[int, int, int, int]) -> str:
    l1, c1, l2, c2 = span
    assert l1 == l2
    return cell.split("\n")[l1 - 1][c1 - 1:c2 - 1]


@pytest.mark.unit
def test_matrix_axes_carry_the_spans_of_their_parameter_and_body():
    session = session_with_not()
    cell = "tt\n:matrix λy:𝟚. not y"
    html = session.run(cell)[-1].view._repr_mimebundle_()["text/html"]
    linked = {source_at(cell, span): what for span, what in spans_in(html, "th").items()}
    assert linked == {"y": "y", "not y": "output"}


@pytest.mark.unit
def test_graph_nodes_carry_the_spans_of_their_subterms_in_the_cell_that_drew_them():
    from cajal.render import dot_available
    if not dot_available():
        pytest.skip("Graphviz's dot is not installed")  # the text view has no SVG nodes
    session = session_with_not()
    cell = ":graph λn:ℕ. iter{tt | y ↪ not y}(n)"
    html = session.run(cell)[-1].view._repr_mimebundle_()["text/html"]
    linked = {source_at(cell, span): what.split()[-1] for span, what in spans_in(html, "g").items()}
    assert linked["n"] == "input" and linked["tt"] == "const" and linked["not y"] == "layer"
    assert linked["y"] == "state" and linked["iter{tt | y ↪ not y}(n)"] in ("readout", "output")
    # a definition drawn by name has its spans in another cell: none are attached
    html = session.run(":graph not")[-1].view._repr_mimebundle_()["text/html"]
    assert "data-cajal-span" not in html


@pytest.mark.unit
def test_both_sides_of_equiv_have_types_and_no_heatmap():
    cell = ":equiv not ≡ λb:𝟚. b"
    left, right = at(cell, "not"), at(cell, "b", shift=0)
    assert (left["type"], right["type"]) == ("𝟚 ⊸ 𝟚", "𝟚")
    assert context(right, "consumes") == [("b", "𝟚")]  # the λ's parameter at `λb`
    assert left["weights"] is None and left["weights_note"] == "weights are drawn for definitions and terms"
