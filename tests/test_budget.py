"""The memory budget (cajal/budget.py): refusals before allocating, and a compile under a
memory cap that completes or refuses cleanly (a CajalError, never a traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cajal import CajalError, budget

ROOT = Path(__file__).resolve().parents[1]


def test_require_and_largest_fitting():
    budget.require(256, 4, limit=1024, what="x")  # exactly the limit fits
    with pytest.raises(CajalError, match=r"257 entries \(1.0 KiB\) for a table, above the size limit of 1.0 KiB"):
        budget.require(257, 4, limit=1024, what="a table")
    with pytest.raises(CajalError, match=r"it would fit with nat_dim ≤ 7") as err:
        budget.require(10 ** 4, 4, limit=10_000, what="x", fits_at=7, hint="do less")
    assert err.value.hint == "do less"
    assert budget.largest_fitting(lambda n: n * n, 50, 100) == 7
    assert budget.largest_fitting(lambda n: 100 + n, 50, 100) is None
    assert budget.limit() == budget.SIZE_LIMIT_BYTES and budget.limit(5) == 5
    assert budget.human(512) == "512 bytes" and budget.human(3 * 2 ** 30) == "3.0 GiB"


def test_guard_turns_running_out_of_memory_into_a_cajal_error():
    with pytest.raises(CajalError, match="ran out of memory while testing"):
        with budget.guard("testing"):
            raise RuntimeError("[enforce fail at alloc_cpu.cpp:121] DefaultCPUAllocator: can't allocate memory")
    with pytest.raises(CajalError, match="ran out of memory"):
        with budget.guard("testing"):
            raise MemoryError
    with pytest.raises(RuntimeError, match="something else"):  # other errors pass through
        with budget.guard("testing"):
            raise RuntimeError("something else")


CAPPED = r"""
import resource, sys
import torch
torch.set_num_threads(1)
import cajal, cajal.compiler
cajal.compile("λx:𝟚. x").matrix  # everything imported and warmed up
vm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize"))
resource.setrlimit(resource.RLIMIT_AS, (vm + int(sys.argv[2]) * 2 ** 20, resource.RLIM_INFINITY))
try:
    m = cajal.compile("λf:ℕ ⊸ ℕ. f", nat_dim=int(sys.argv[1])).matrix
    print("done", tuple(m.shape))
except cajal.CajalError as err:
    print("refused:", err.message)
"""


def _capped(nat_dim: int, headroom_mb: int) -> str:
    done = subprocess.run([sys.executable, "-c", CAPPED, str(nat_dim), str(headroom_mb)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done.stdout


@pytest.mark.slow
def test_a_large_compile_fits_in_little_more_than_its_output():
    # nat_dim 60: a 3600 × 3600 matrix, 49 MiB; made in place within 80 MiB of headroom
    assert "done (3600, 3600)" in _capped(60, 80)


@pytest.mark.slow
def test_a_compile_above_the_memory_cap_is_refused_cleanly():
    out = _capped(60, 20)  # 20 MiB of headroom for 49 MiB: the allocation fails
    assert "refused: the machine ran out of memory while" in out


SHOWN = CAPPED.replace(
    'm = cajal.compile("λf:ℕ ⊸ ℕ. f", nat_dim=int(sys.argv[1])).matrix\n    print("done", tuple(m.shape))',
    's = cajal.Session(nat_dim=int(sys.argv[1]))\n'
    '    view = s.run(":matrix λf:ℕ ⊸ ℕ. f")[-1]\n'
    '    print("done", view._repr_mimebundle_()["text/plain"])')


@pytest.mark.slow
def test_a_large_matrix_is_drawn_without_copying_it():
    # The 49 MiB matrix and its summary (block means read tile by tile) within 120 MiB: a
    # float64 copy of the matrix alone would need 99 MiB more.
    done = subprocess.run([sys.executable, "-c", SHOWN, "60", "120"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "done" in done.stdout and "shape 3600×3600 (12,960,000 entries)" in done.stdout, done.stdout
    assert "nonzero 3,600" in done.stdout
