"""`CajalValue`: what a term gives Python (`x = %cajal not tt`, and a cell's last term), and
how it is displayed (through cajal.result.bundle, the one display of a result)."""

from __future__ import annotations

import dataclasses
from typing import Any

from cajal.lexicon import to_ascii
from cajal.pretty import pretty
from cajal.result import DEFAULT_SHOW, Result, bundle
from cajal.session import Definition, Session

from .errors import CajalInterrupt


class CajalValue:
    """A term's result as a Python object: what `x = %cajal not (not tt)` binds, and what a
    `%%cajal` cell ending with a term returns (so `_` is it).

    `.value` is a Python bool or int, or a callable `Definition` for a function; `.type` is the
    Cajal type; `.tensor` the compiled vector (or matrix, for a function); `bool()` and `int()`
    convert; in a notebook it displays its type, value and compiled vector.
    """

    def __init__(self, result: Result, session: Session, show=DEFAULT_SHOW, ascii: bool = False):
        self.result = result
        self._session = session
        self._show = frozenset(show) - {"graph"}
        self._ascii = ascii
        self._value: Any = _UNSET

    # -------------------------------------------------------- data

    @property
    def type(self):
        """The Cajal type of the value (`str()` prints it as Cajal: `𝟚 ⊸ ℕ`)."""
        return self.result.type

    @property
    def term(self):
        """The term that was evaluated."""
        return self.result.term

    @property
    def value(self) -> Any:
        """The value in Python: a bool, an int, a callable `Definition` for a function, or a
        linked object."""
        if self._value is _UNSET:
            self._value = python_value(self.result, self._session)
        return self._value

    @property
    def tensor(self):
        """Compiled on each use and not kept: a value in `Out` holds its term, not its tensors."""
        return self._unkept().tensor

    def _unkept(self) -> Result:
        """A copy of the result to compile and render: what it makes is dropped with it."""
        return dataclasses.replace(self.result)

    @property
    def text(self) -> str:
        """The result as text, `value : type` (in ASCII with `--ascii`)."""
        text = self.result.text
        return to_ascii(text) if self._ascii else text

    # -------------------------------------------------------- conversions

    def __bool__(self) -> bool:
        v = self.value
        if isinstance(v, (bool, int)):
            return bool(v)
        raise TypeError(f"a value of type {pretty(self.type)} has no truth value")

    def __int__(self) -> int:
        v = self.value
        if isinstance(v, (bool, int)):
            return int(v)
        raise TypeError(f"a value of type {pretty(self.type)} is not a number")

    def __index__(self) -> int:
        v = self.value
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        raise TypeError(f"a value of type {pretty(self.type)} cannot be used as an index")

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, CajalValue):
            return self.type == other.type and self.result.value == other.result.value
        if isinstance(other, (bool, int)) and isinstance(self.result.value, (bool, int)):
            return self.result.value == other
        return NotImplemented

    def __hash__(self) -> int:
        v = self.result.value
        return hash(v) if isinstance(v, (bool, int)) else id(self)

    def __call__(self, *args, **kwargs):
        """Apply a function value to linked inputs (bools, ints or tensors), through its neuron."""
        v = self.value
        if not callable(v):
            raise TypeError(f"a value of type {pretty(self.type)} is not a function")
        return v(*args, **kwargs)

    # -------------------------------------------------------- display

    def __repr__(self) -> str:
        return self._plain()

    def _repr_pretty_(self, p, cycle):
        p.text(self._plain())

    def _plain(self) -> str:
        """The value and/or type, as `--show` asks (not the vector: that is the display's)."""
        return bundle(self.result, self._show - {"tensor"}, self._ascii, html=False)["text/plain"]

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The display (cajal.result.bundle) of a copy of the result: what is compiled for it
        is not kept in `Out`."""
        try:
            return bundle(self._unkept(), self._show, self._ascii, html=wants_html(include))
        except KeyboardInterrupt:  # displaying is interruptible: the interrupt ends the cell
            raise CajalInterrupt() from None


def wants_html(include=None) -> bool:
    """Whether anyone will see the HTML (compiling for a terminal that shows text only would
    import torch for nothing)."""
    if include is not None:
        return "text/html" in include
    from IPython import get_ipython
    shell = get_ipython()
    return shell is None or "text/html" in shell.display_formatter.active_types


class _Unset:
    pass


_UNSET = _Unset()


def python_value(result: Result, session: Session) -> Any:
    """bool and int stay; a function becomes a callable `Definition`; a linked value its object."""
    from cajal.syntax import Def, Param, Var, leading_lambdas
    from cajal.values import Closure, Opaque

    v = result.value
    if isinstance(v, (bool, int)):
        return v
    if isinstance(v, Opaque):
        return v.obj
    if isinstance(v, Closure):
        term = result.term
        if isinstance(term, Var) and term.name in session.definitions:
            return session.definitions[term.name]
        term = v.as_term()
        lams, body = leading_lambdas(term)
        item = Def("it", tuple(Param(lam.param, lam.param_type, lam.param_span) for lam in lams), None, body, term.span)
        typing = session.check(item.term)  # the typing of the very term the definition holds
        return Definition(item, typing.type, typing, pretty(term), session, session.definitions)
    return v
