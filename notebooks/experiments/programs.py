"""The Cajal programs the experiments link into PyTorch, and how to get them compiled.

Everything goes through the public API (`cajal.Session().run(src)`, then
`session.definitions[name]`), so the experiments exercise what users use.
"""

from __future__ import annotations

# Notebook 04 ("Compiling to recurrent neurons"): iterate a linked step n times.
DILATE = """\
type Image
def dilate (step : Image ⊸ Image) (img : Image) (n : ℕ) : Image = iter{img | y ↪ step y}(n)
"""

# Notebook 05 (a): "if the digit is a 1 then the input, else an image of a 1".
# The literal `if check x then x else gen x` is not linear: x is used three times, and `gen`
# only in the else-branch (the `if` rule needs both branches to use the same variables). The
# linear form takes the image twice (x for the condition, x2 for the branches: duplication
# happens outside Cajal, when linking) and chooses between 0 and 1 applications of `gen`:
#   ⟦…⟧ = c_tt · x2 + c_ff · gen(x2),  c = ⟦check x⟧ — the gating neuron of the `if`.
COND_LITERAL = """\
type Image
def cond (check : Image ⊸ 𝟚) (gen : Image ⊸ Image) (x : Image) : Image = if check x then x else gen x
"""
COND = """\
type Image
def cond (check : Image ⊸ 𝟚) (gen : Image ⊸ Image) (x : Image) (x2 : Image) : Image =
  iter{x2 | y ↪ gen y}(if check x then 0 else 1)
"""

# Notebook 05 (b): the AND of two booleans (each the parity of a digit).
AND = """\
def and (x : 𝟚) (y : 𝟚) : 𝟚 = if x then y else (if y then ff else ff)
"""


def definitions(src: str, nat_dim: int = 10) -> dict:
    """Run `src` in a fresh session and return its definitions by Python name."""
    import cajal

    session = cajal.Session(nat_dim=nat_dim)
    session.run(src)
    return {getattr(d, "python_name", name): d for name, d in session.definitions.items()}
