"""Issue 6: the stepper widget (cajal.widgets.stepper)."""

from __future__ import annotations

import pytest

from cajal import widgets
from cajal.parser import parse_term

PARITY2 = "iter{tt | y ↪ if y then ff else tt}(2)"


def test_stepper_next_prev_and_index():
    s = widgets.stepper(PARITY2)
    assert isinstance(s, widgets.Stepper)
    assert s.index == 0 and s.rule == "iter-succ" and s.last_rule is None
    assert s.term_now == parse_term(PARITY2)
    assert s.next() is s
    assert s.index == 1
    assert s.last_rule == "iter-succ" and s.rule == "if-tt"
    assert s.term_now == s.steps[0].term
    assert s.redex == parse_term("if tt then ff else tt")
    assert "«if tt then ff else tt»" in str(s)
    s.next().next().next().next()
    assert s.index == 5 and s.done and s.rule is None and s.term_now == parse_term("tt")
    s.next()
    assert s.index == 5  # clamped at the value
    s.prev()
    assert s.index == 4 and s.rule == "iter-zero"
    s.index = -3
    assert s.index == 0


def test_stepper_widget_follows_the_state():
    s = widgets.stepper(PARITY2)
    bundle = s._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "text/plain" in bundle
    s.next()
    assert s._slider.value == 1 and "if tt then ff else tt" in s._html.value
    s._slider.value = 3  # as the slider (or Play, linked to it) would
    assert s.index == 3 and s.last_rule == "iter-succ"
    s._play.value = 5
    assert s.index == 5 and "value" in s._html.value
    s._next.click()
    assert s.index == 5
    s._prev.click()
    assert s.index == 4


def test_stepper_with_definitions_and_errors():
    s = widgets.stepper("not tt", defs={"not": parse_term("λx:𝟚. if x then ff else tt")})
    assert [st.rule for st in s.steps] == ["δ", "β", "if-tt"]
    bad = widgets.stepper("λx:𝟚. (")
    assert getattr(bad, "kind", None) == "error"


def test_stepper_shows_hidden_states():
    s = widgets.stepper("iter{tt | y ↪ if y then ff else tt}(3)", nat_dim=6)
    states = s.hidden_states()
    assert len(states) == 1
    it, hs = states[0]
    assert tuple(hs.shape) == (6, 2)
    assert [int(h.argmax()) for h in hs] == [0, 1, 0, 1, 0, 1]  # tt, ff, tt, …
    assert "hidden states" in s.state_html()


@pytest.mark.slow
def test_hidden_states_are_budgeted_before_they_are_recorded():
    """`:set nat_dim 1000000` then `:step iter{0 | y ↪ succ y}(0)` used to record a million
    states of a million entries (OOM-killed at 24 GB). It is refused before a state is made,
    and the steps are still shown. Run under a 3 GiB address-space cap, in a child process."""
    import subprocess
    import sys
    code = """if True:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        import cajal
        s = cajal.Session()
        s.run(":set nat_dim 1000000")
        (r,) = s.run(":step iter{0 | y ↪ succ y}(0)")
        html = r.view.state_html()
        assert "hidden states not recorded: this needs a tensor of 2,000,000,000,000 entries" in html, html
        assert len(r.view) == 2 and r.view.steps[0].rule == "iter-zero"
        print("ok")
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout == "ok\n", out.stderr[-2000:]


def test_hidden_states_cache_is_bounded():
    s = widgets.stepper("iter{tt | y ↪ if y then ff else tt}(20)", nat_dim=30)
    for i in range(len(s)):
        s.hidden_states(i)
    assert len(s._hidden_cache) == widgets.HIDDEN_CACHE
