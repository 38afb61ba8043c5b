"""Cajal source files (`.cj`). A file holds what a cell holds: definitions, `type`
declarations, terms and directives, in the same layout. Reading one is the only place where
the language meets the file system; what a file's text does is the session's business
(`Session.load`, `cajal.load`, `:load`).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import CajalError

SUFFIX = ".cj"  # the kernel's language_info.file_extension


def read(path: str | os.PathLike) -> str:
    """The text of a `.cj` file, or a CajalError that names the file and says what to do
    (never an OSError or a UnicodeDecodeError)."""
    p = Path(path)
    where = f"(looked in {p.resolve().parent})" if not p.is_absolute() else ""
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CajalError(f"there is no file `{path}` {where}".rstrip(),
                         hint=_suggest(p) or "relative paths start at the working directory") from None
    except IsADirectoryError:
        raise CajalError(f"`{path}` is a directory, not a Cajal file",
                         hint=f"name a `{SUFFIX}` file in it") from None
    except UnicodeDecodeError as err:
        raise CajalError(f"`{path}` is not UTF-8 text (byte {err.start} cannot be decoded)",
                         hint="save the file as UTF-8") from None
    except OSError as err:
        raise CajalError(f"cannot read `{path}`: {err.strerror or err}") from None


def _suggest(p: Path) -> str:
    """A hint when the user left off the suffix, or wrote another one."""
    if p.suffix != SUFFIX and p.with_suffix(SUFFIX).is_file():
        return f"did you mean `{p.with_suffix(SUFFIX)}`?"
    return ""
