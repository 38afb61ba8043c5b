"""The name a definition gets in Python (LANGUAGE.md sections 7 and 8).

A `def f` is bound in Python as `f`, except where that would break the host or cannot be
spelled: a Python keyword gets a trailing underscore (`not_`), a prime becomes an underscore
(`f'` is `f_`), and the names IPython or Python rely on (`get_ipython`, `__builtins__`, `_`,
`__`, `___`, `_i…`, `_1…`, `In`, `Out`, `exit`, `quit`, dunders) stay Cajal-only: the
definition works in Cajal cells and is reachable as `session.definitions[name]`, but Python
keeps its own object. A name that shadows a Python builtin (`len`, `print`) is bound, with a
warning. Pure: no IPython import; the magic (and so the kernel) applies these rules.
"""

from __future__ import annotations

import builtins
import keyword
import re
from typing import Optional

RESERVED = frozenset({"get_ipython", "__builtins__", "_", "__", "___", "In", "Out", "exit", "quit",
                      "_ih", "_oh", "_dh", "_exit_code"})
# IPython's input and output history (_i, _ii, _iii, _i7, _7) and Python's dunders (__name__)
_HOST_PATTERN = re.compile(r"_i+\d*|_\d+|__\w+__")


def python_name(name: str) -> Optional[str]:
    """The Python name of the definition `name`; None when it stays Cajal-only."""
    if name in RESERVED or _HOST_PATTERN.fullmatch(name):
        return None
    if is_keyword(name):
        return name + "_"
    return name.replace("'", "_")


def is_keyword(name: str) -> bool:
    """A Python keyword, hard (`not`) or soft (`match`): the definition gets a trailing `_`."""
    return keyword.iskeyword(name) or (keyword.issoftkeyword(name) and name != "_")


def shadows_builtin(name: str) -> bool:
    py = python_name(name)
    return py is not None and hasattr(builtins, py)


def note(name: str) -> Optional[str]:
    """What a cell says about the Python name of `name`, if anything: a Cajal-only name, a
    shadowed builtin, a prime. (Keywords are said once per cell: `keywords_note`.)"""
    py = python_name(name)
    if py is None:
        return (f"note: `{name}` is a name IPython or Python relies on, so it is not bound in Python "
                f"(it works in Cajal cells; from Python use `get_session().definitions[{name!r}]`, "
                "with `from cajal_magic import get_session`)")
    if shadows_builtin(name):
        return (f"warning: `{py}` now shadows Python's builtin `{py}` in Python cells "
                f"(`del {py}` brings the builtin back)")
    if py != name and not is_keyword(name):
        return f"note: `{name}` is not a Python identifier, so in Python use `{py}`"
    return None


def keywords_note(names: list[str]) -> Optional[str]:
    """One line for the definitions of a cell whose names are Python keywords."""
    if not names:
        return None
    verb = "is a Python keyword" if len(names) == 1 else "are Python keywords"
    return (f"note: {', '.join(f'`{n}`' for n in names)} {verb}, so in Python use "
            f"{', '.join(f'`{python_name(n)}`' for n in names)}")
