"""What the magic raises besides a cell's own CajalError: short messages, never a traceback
of Cajal's internals."""

from __future__ import annotations

from cajal.errors import CajalError


class CajalInternalError(CajalError):
    """A bug in Cajal itself, shown as a short message instead of a traceback of its internals
    (the original exception is kept as `__cause__`; `%tb` shows nothing more)."""


class CajalInterrupt(KeyboardInterrupt):
    """The user interrupted a Cajal computation (Kernel › Interrupt, or Ctrl-C)."""

    def _render_traceback_(self) -> list[str]:
        return ["KeyboardInterrupt: the Cajal computation was interrupted",
                "(definitions made before the interrupted item are kept)"]
