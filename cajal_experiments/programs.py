"""The Cajal programs of the five families: `.cj` files in `cajal_experiments/cj/` (package
data), loaded with `cajal.load`. The notebooks' `%%cajal` cells hold the same text (a test
checks it), so a reader sees the program that is linked.

Where the original program is not linear, the literal form (rejected by the checker, shown
failing in the notebook) sits next to the linear equivalent that is linked. The comments below
say why each program reads as it does.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "cj"


def path(name: str) -> Path:
    """The `.cj` file of a program: cajal_experiments/cj/<name>.cj."""
    return FOLDER / f"{name}.cj"


def source(name: str) -> str:
    return path(name).read_text(encoding="utf-8")


# dilate: iterate a linked step n times.
DILATE = source("dilate")

# dilate_cond: "if the digit is even keep the image, else dilate it n times". The literal form
# uses `step` and `n` in one branch only; both branches of an `if` must use the same linear
# variables. The linear form spends them in the then-branch too, on zero iterations:
# consumes n and is 0 (`spend n`). `dilate_cond` is the conditional around the iter; `dilate_cond1` moves
# the conditional onto the count — the same linear map (checked in the notebook) with one loop
# instead of two, which is the one linked.
DILATE_COND_LITERAL = source("dilate_cond_literal")
DILATE_COND = source("dilate_cond")

# blur: the same loop as dilate, with a linear step (a Gaussian blur is linear in pixels).
BLUR = source("blur")

# and: `if x then y else ff` drops y in the else-branch; the linear form consumes it there.
AND_LITERAL = source("and_literal")
AND = source("and")

# and, Church-encoded: 𝟚 as A ⊸ A ⊸ A. Church's tt = λt f. t drops f, which a linear language
# forbids, and there is no polymorphism to instantiate A. The closest linear form takes A = 𝟚,
# a type that can be consumed by branching on it: tt = λt f. if f then t else t. And, with no
# polymorphic p, q is decoded (q tt ff) before p chooses: `p (q tt ff) ff`.
CHURCH_LITERAL = source("church_literal")
CHURCH = source("church")

# The original's Church-encoded `and` (experiments/and/model_church.py): each network hands the
# program an arbitrary Church boolean g : 𝟚 ⊸ 𝟚 ⊸ 𝟚 (a learned 2×4 matrix, not only the
# encodings of tt and ff), and `cand f r tt ff` decides with f and r. `cfalse` consumes its
# first argument by branching on it (linear), `cfls` consumes its Church argument the same way.
CHURCH_AND = source("church_and")

# eq: `if x then y else not y` is linear as it stands (y is used once in each branch).
EQ = source("eq")


def definitions(src: str, nat_dim: int = 10) -> dict:
    """Run the text `src` in a fresh session and return its definitions by Python name."""
    import cajal

    session = cajal.Session(nat_dim=nat_dim)
    session.run(src)
    return {getattr(d, "python_name", name): d for name, d in session.definitions.items()}


def load(*names: str, nat_dim: int = 10) -> dict:
    """The definitions of the named `.cj` files (`cajal.load`, one fresh session), by Python name."""
    import cajal

    session = cajal.Session(nat_dim=nat_dim)
    for name in names:
        cajal.load(path(name), session)
    return {getattr(d, "python_name", name): d for name, d in session.definitions.items()}

