"""IPython extension for Cajal: `%load_ext cajal_magic`, then `%%cajal` cells and `%cajal` lines.

    %load_ext cajal_magic

    %%cajal
    def not (x : 𝟚) : 𝟚 = if x then ff else tt
    not (not tt)

Each `def` becomes a Python name (a `cajal.Definition`, callable on tensors); see
`cajal_magic.magic` for the details and `%%cajal?` for the options.
"""

from __future__ import annotations

from .errors import CajalInternalError, CajalInterrupt
from .magic import CajalMagics, Options, get_session, reset_session, run_cajal
from .value import CajalValue

__all__ = [
    "CajalInternalError", "CajalInterrupt", "CajalMagics", "CajalValue", "Options", "get_session", "reset_session",
    "run_cajal", "load_ipython_extension", "unload_ipython_extension",
]


def load_ipython_extension(ipython) -> None:
    """Register `%%cajal` / `%cajal`, which run in the shell's Cajal session (one per shell; a
    `%reload_ext` keeps it, so definitions survive)."""
    get_session(ipython)
    ipython.register_magics(CajalMagics(ipython))
    from .completion import register_completer
    register_completer(ipython)
    from cajal import cells

    from . import live
    live.register(ipython, notebook=cells.PYTHON)  # `%%cajal` cells of a Python notebook


def unload_ipython_extension(ipython) -> None:
    manager = ipython.magics_manager
    for kind in ("line", "cell"):
        manager.magics[kind].pop("cajal", None)
    manager.registry.pop("CajalMagics", None)
    from .completion import unregister_completer
    unregister_completer(ipython)
