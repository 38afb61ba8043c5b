"""The memory budget: the one place where memory that grows with nat_dim (or with a trace's
length, or with recorded states) is checked before it is allocated.

    SIZE_LIMIT_BYTES                     # the default limit (1 GiB), read at each use
    limit(override=None) -> int          # the limit in force: `override`, else SIZE_LIMIT_BYTES
    require(numel, elem, *, limit, what, span=None, hint=None, fits_at=None)
                                         # refuse (CajalError) before allocating numel entries
    human(nbytes) -> str                 # "1.0 GiB"
    largest_fitting(size_at, limit, top) # the largest n ≤ top with size_at(n) ≤ limit (size_at grows)
    with guard(what): …                  # the machine's own refusal (MemoryError, or torch's
                                         # "can't allocate memory") becomes a CajalError

A refusal says what was asked for, its size, the limit, and what to do (`hint`); with
`fits_at` (the largest nat_dim at which it would fit) it says that too. The module is pure
(no torch): callers count entries and bytes; only they allocate.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Optional

from .errors import CajalError, Span

SIZE_LIMIT_BYTES = 1 << 30

RAISE_HINT = ("use a smaller nat_dim or smaller types, or raise the limit with "
              "cajal.compile(…, size_limit=BYTES) or cajal.budget.SIZE_LIMIT_BYTES")


def limit(override: Optional[int] = None) -> int:
    """The size limit in force: an explicit one, else the module default (read now, so that
    setting `cajal.budget.SIZE_LIMIT_BYTES` takes effect at the next compile)."""
    return SIZE_LIMIT_BYTES if override is None else override


def human(nbytes: float) -> str:
    """A byte count for people: `512 bytes`, `3.2 MiB`."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.3g} EiB"  # pragma: no cover (the loop returns at PiB)


def require(numel: int, elem: int, *, limit: int, what: str, span: Optional[Span] = None,
            hint: Optional[str] = None, fits_at: Optional[int] = None) -> None:
    """Refuse, with a CajalError that says why and what to do, a tensor of `numel` entries of
    `elem` bytes each above `limit` bytes. `fits_at`: the largest nat_dim at which it fits."""
    if numel * elem <= limit:
        return
    where = f" (it would fit with nat_dim ≤ {fits_at})" if fits_at else ""
    raise CajalError(
        f"this needs a tensor of {numel:,} entries ({human(numel * elem)}) for {what}, "
        f"above the size limit of {human(limit)}{where}", span, hint=hint or RAISE_HINT)


def largest_fitting(size_at: Callable[[int], int], limit: int, top: int) -> Optional[int]:
    """The largest n in 1…top with size_at(n) ≤ limit, for a size that grows with n; None if
    even n = 1 does not fit. A binary search: size_at is called about log₂(top) times."""
    if size_at(1) > limit:
        return None
    lo, hi = 1, top
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if size_at(mid) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


OUT_OF_MEMORY = ("can't allocate memory", "out of memory", "not enough memory")


@contextmanager
def guard(what: str) -> Iterator[None]:
    """Turn running out of memory while doing `what` (above the estimate, or under a memory
    cap such as RLIMIT_AS) into a CajalError that says what to do, not a traceback."""
    try:
        yield
    except MemoryError as err:
        raise _out_of_memory(what) from err
    except RuntimeError as err:
        if any(s in str(err).lower() for s in OUT_OF_MEMORY):
            raise _out_of_memory(what) from err
        raise


def _out_of_memory(what: str) -> CajalError:
    return CajalError(f"the machine ran out of memory while {what}",
                      hint="use a smaller nat_dim or smaller types, or lower the size limit so that "
                           "programs this large are refused before they start")
