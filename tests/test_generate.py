"""`cajal.generate`: random well-typed programs, seeded and bounded, without hypothesis."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cajal.generate import random_closed_term, random_term, size, term_from_choices
from cajal.syntax import BOOL, NAT, Abstract, Arrow, free_vars
from cajal.types import check


def test_the_same_seed_gives_the_same_program():
    assert random_closed_term(seed=7) == random_closed_term(seed=7)
    assert len({random_closed_term(seed=s) for s in range(40)}) > 30


@pytest.mark.parametrize("seed", range(60))
def test_every_program_has_its_type_and_uses_its_context_once(seed):
    term, ty, ctx = random_term(seed=seed)
    assert free_vars(term) == set(ctx)
    assert check(term, ctx=ctx).type == ty
    closed, closed_ty = random_closed_term(Arrow(NAT, BOOL), seed=seed)
    assert not free_vars(closed) and check(closed).type == closed_ty == Arrow(NAT, BOOL)


def test_size_bounds():
    for seed in range(30):
        term, _ = random_closed_term(seed=seed, max_depth=6, max_size=12)
        assert size(term) <= 12
    assert {size(random_closed_term(BOOL, seed=s, max_depth=0)[0]) for s in range(30)} == {1}


def test_all_zero_choices_give_the_smallest_term():
    term, ty, ctx = term_from_choices(bytes(8), BOOL, {})
    assert ctx == {} and size(term) == 1


def test_abstract_types_are_refused():
    with pytest.raises(ValueError, match="abstract"):
        random_closed_term(Abstract("Image"))


def test_needs_no_test_dependency():
    code = ("import sys; sys.modules['hypothesis'] = None; sys.modules['pytest'] = None\n"
            "from cajal.generate import random_closed_term\n"
            "import cajal\nprint(cajal.pretty(random_closed_term(seed=1)[0]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip(), out.stderr
