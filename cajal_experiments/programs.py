"""The Cajal programs of the five families, as the notebooks' `%%cajal` cells hold them.

Where the original program is not linear, the literal form (rejected by the checker, shown
failing in the notebook) sits next to the linear equivalent that is linked. The tests check that
each notebook's `%%cajal` cells are exactly these sources.
"""

from __future__ import annotations

# dilate: iterate a linked step n times.
DILATE = """\
type Image
def dilate (step : Image ⊸ Image) (img : Image) (n : ℕ) : Image = iter{img | y ↪ step y}(n)
"""

# dilate_cond: "if the digit is even keep the image, else dilate it n times". The literal form
# uses `step` and `n` in one branch only; both branches of an `if` must use the same linear
# variables. The linear form spends them in the then-branch too, on zero iterations:
# consumes n and is 0 (`spend n`). `dilate_cond` is the conditional around the iter; `dilate_cond1` moves
# the conditional onto the count — the same linear map (checked in the notebook) with one loop
# instead of two, which is the one linked.
DILATE_COND_LITERAL = """\
type Image
def dilate_cond (even : 𝟚) (step : Image ⊸ Image) (img : Image) (n : ℕ) : Image =
  if even then img else iter{img | y ↪ step y}(n)
"""
DILATE_COND = """\
type Image
def spend (n : ℕ) : ℕ = iter{0 | k ↪ k}(n)
def dilate_cond (even : 𝟚) (step : Image ⊸ Image) (img : Image) (n : ℕ) : Image =
  if even then iter{img | y ↪ step y}(spend n) else iter{img | y ↪ step y}(n)
def dilate_cond1 (even : 𝟚) (step : Image ⊸ Image) (img : Image) (n : ℕ) : Image =
  iter{img | y ↪ step y}(if even then spend n else n)
"""

# blur: the same loop as dilate, with a linear step (a Gaussian blur is linear in pixels).
BLUR = """\
type Image
def blur (step : Image ⊸ Image) (img : Image) (n : ℕ) : Image = iter{img | y ↪ step y}(n)
"""

# and: `if x then y else ff` drops y in the else-branch; the linear form consumes it there.
AND_LITERAL = """\
def and (x : 𝟚) (y : 𝟚) : 𝟚 = if x then y else ff
"""
AND = """\
def and (x : 𝟚) (y : 𝟚) : 𝟚 = if x then y else (if y then ff else ff)
"""

# and, Church-encoded: 𝟚 as A ⊸ A ⊸ A. Church's tt = λt f. t drops f, which a linear language
# forbids, and there is no polymorphism to instantiate A. The closest linear form takes A = 𝟚,
# a type that can be consumed by branching on it: tt = λt f. if f then t else t. And, with no
# polymorphic p, q is decoded (q tt ff) before p chooses: `p (q tt ff) ff`.
CHURCH_LITERAL = """\
def ctt (t : 𝟚) (f : 𝟚) : 𝟚 = t
"""
CHURCH = """\
def church (b : 𝟚) : 𝟚 ⊸ 𝟚 ⊸ 𝟚 = λt:𝟚. λf:𝟚. if b then (if f then t else t) else (if t then f else f)
def cand (p : 𝟚 ⊸ 𝟚 ⊸ 𝟚) (q : 𝟚 ⊸ 𝟚 ⊸ 𝟚) : 𝟚 = p (q tt ff) ff
def and_church (x : 𝟚) (y : 𝟚) : 𝟚 = cand (church x) (church y)
"""

# eq: `if x then y else not y` is linear as it stands (y is used once in each branch).
EQ = """\
def not (x : 𝟚) : 𝟚 = if x then ff else tt
def eq (x : 𝟚) (y : 𝟚) : 𝟚 = if x then y else not y
"""


def definitions(src: str, nat_dim: int = 10) -> dict:
    """Run `src` in a fresh session and return its definitions by Python name."""
    import cajal

    session = cajal.Session(nat_dim=nat_dim)
    session.run(src)
    return {getattr(d, "python_name", name): d for name, d in session.definitions.items()}


# The original's Church-encoded `and` (experiments/and/model_church.py): each network hands the
# program an arbitrary Church boolean g : 𝟚 ⊸ 𝟚 ⊸ 𝟚 (a learned 2×4 matrix, not only the
# encodings of tt and ff), and `cand f r tt ff` decides with f and r. `cfalse` consumes its
# first argument by branching on it (linear), `cfls` consumes its Church argument the same way.
CHURCH_AND = """\
def cfalse (x : 𝟚) (y : 𝟚) : 𝟚 = if x then y else y
def cfls (g : 𝟚 ⊸ 𝟚 ⊸ 𝟚) : 𝟚 ⊸ 𝟚 ⊸ 𝟚 = if g tt ff then cfalse else cfalse
def cand (g : 𝟚 ⊸ 𝟚 ⊸ 𝟚) : (𝟚 ⊸ 𝟚 ⊸ 𝟚) ⊸ 𝟚 ⊸ 𝟚 ⊸ 𝟚 = if g tt ff then (λh:𝟚 ⊸ 𝟚 ⊸ 𝟚. h) else cfls
def and_church (f : 𝟚 ⊸ 𝟚 ⊸ 𝟚) (r : 𝟚 ⊸ 𝟚 ⊸ 𝟚) : 𝟚 = cand f r tt ff
"""
