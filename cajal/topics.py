"""What the language's constructs and ideas mean: the text of `:help TOPIC` and of Shift-Tab.

Each topic gives the typing rule (LANGUAGE.md section 3), the meaning as neurons (section 5)
and an example. Topics are found by any spelling (`\\` finds `λ`, `then` finds `if`); the
directives document themselves in `cajal.directives`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import SPELLINGS


@dataclass(frozen=True)
class Topic:
    name: str
    summary: str   # one line: the syntax and what it is
    rule: str      # the typing rule, or "" for an idea that has none
    neurons: str   # what it compiles to
    example: str   # a cell to try, with what it shows

    def text(self) -> str:
        parts = [self.summary]
        if self.rule:
            parts.append(self.rule)
        parts.append("As neurons: " + self.neurons)
        parts.append("Example:\n" + "\n".join("  " + line for line in self.example.split("\n")))
        return "\n\n".join(parts)


_TOPICS = [
    Topic("λ", "λx:τ. e  (ASCII: \\x:τ. e) — a linear function: x is used exactly once in e", """\
 Δ, x:τ₁ ⊢ e : τ₂
 ─────────────────────── (λ)
 Δ ⊢ λx:τ₁. e : τ₁ ⊸ τ₂""",
          "the matrix of the linear map x ↦ ⟦e⟧: column j is ⟦e⟧ on the j-th basis vector of τ₁.",
          ":matrix λx:𝟚. if x then ff else tt     -- [[0, 1], [1, 0]]: not"),
    Topic("app", "f e — apply a function to an argument (also `f λx:τ. e`, a block as last argument)", """\
 Δ₁ ⊢ e₁ : τ₁ ⊸ τ₂     Δ₂ ⊢ e₂ : τ₁
 ──────────────────────────────── (app)
 Δ₁ ∘ Δ₂ ⊢ e₁ e₂ : τ₂""",
          "a layer: the matrix ⟦e₁⟧ times the vector ⟦e₂⟧.",
          "(λx:𝟚. if x then ff else tt) tt     -- ff : 𝟚"),
    Topic("if", "if e₁ then e₂ else e₃ — both branches use the SAME variables", """\
 Δ₁ ⊢ e₁ : 𝟚     Δ₂ ⊢ e₂ : τ     Δ₂ ⊢ e₃ : τ
 ─────────────────────────────────────────── (if)
 Δ₁ ∘ Δ₂ ⊢ if e₁ then e₂ else e₃ : τ""",
          "a gating neuron: c₀·⟦e₂⟧ + c₁·⟦e₃⟧ where c = ⟦e₁⟧.",
          "if tt then ff else tt     -- ff : 𝟚"),
    Topic("iter", "iter{e₁ | y ↪ e₂}(e₃) — bounded iteration: the step e₂ applied e₃ times to the base e₁", """\
 Δ₁ ⊢ e₃ : ℕ     Δ₂ ⊢ e₁ : τ     Δ₃, y:τ ⊢ e₂ : τ
 ─────────────────────────────────────────────── (iter)
 Δ₁ ∘ Δ₂ ∘ Δ₃ ⊢ iter{e₁ | y ↪ e₂}(e₃) : τ

Base and step have the same type τ; the step uses y exactly once (variables of Δ₃ run once
per iteration, so the map is polynomial in them).""",
          "a linear recurrent neuron: Σᵢ nᵢ · Wⁱ(b) with n = ⟦e₃⟧, b = ⟦e₁⟧, W = ⟦y ⊢ e₂⟧.",
          "def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ if y then ff else tt}(n)\n"
          "parity 3     -- ff : 𝟚\n:graph parity"),
    Topic("succ", "succ e — the next natural number", """\
 Δ ⊢ e : ℕ
 ──────────────── (succ)
 Δ ⊢ succ e : ℕ""",
          "the N×N shift S (S[i+1, i] = 1), so ⟦succ (N-1)⟧ = 0: raise `:set nat_dim` for larger numbers.",
          ":matrix λn:ℕ. succ n     -- the 10×10 shift"),
    Topic("let", "let x = e₁ in e₂ — means (λx:τ. e₂) e₁ with τ the type of e₁; x is used exactly once in e₂", """\
 Δ₁ ⊢ e₁ : τ     Δ₂, x:τ ⊢ e₂ : τ₂
 ───────────────────────────────── (let)
 Δ₁ ∘ Δ₂ ⊢ let x = e₁ in e₂ : τ₂""",
          "⟦e₂⟧ with ⟦e₁⟧ in place of x (no neuron of its own).",
          "let x = tt in if x then ff else tt     -- ff : 𝟚"),
    Topic("tt", "tt, ff (also true, false) : 𝟚 — the booleans", " ∅ ⊢ tt : 𝟚      ∅ ⊢ ff : 𝟚",
          "constant vectors: tt = [1, 0], ff = [0, 1].", "true     -- tt : 𝟚"),
    Topic("zero", "zero : ℕ — the natural 0 (a numeral n is succ applied n times to zero)", " ∅ ⊢ zero : ℕ",
          "the one-hot vector e₀ (n = eₙ).", "succ (succ zero)     -- 2 : ℕ"),
    Topic("def", "def name (x : τ) … : τ = e — a named, closed definition (a constant: usable any number of times)",
          "`def f (x : 𝟚) (y : ℕ) : T = e` means `def f : 𝟚 ⊸ ℕ ⊸ T = λx:𝟚. λy:ℕ. e`; the body is checked\n"
          "with the earlier definitions as constants. A later cell may redefine a name; the later\n"
          "definition wins, and earlier definitions keep the one they were made with.",
          "the compiled tensor of its term, compiled once per nat_dim; in Python, a callable on tensors.",
          "def not (x : 𝟚) : 𝟚 = if x then ff else tt\nnot (not tt)     -- tt : 𝟚"),
    Topic("type", "type A — declares an abstract base type, whose values come only from linking", "",
          "none of its own: values of A are tensors of any shape, which if, iter and application route "
          "unchanged.",
          "type Image\ndef keep (x : Image) : Image = x"),
    Topic("Bool", "𝟚 (ASCII: Bool) — the type of the booleans tt and ff", "",
          "ℝ²: tt = [1, 0], ff = [0, 1].", ":type λx:Bool. x     -- λx:𝟚. x : 𝟚 ⊸ 𝟚"),
    Topic("Nat", "ℕ (ASCII: Nat) — the natural numbers below nat_dim (N, default 10)", "",
          "ℝᴺ, one-hot: n = eₙ.", ":type succ 2     -- 3 : ℕ"),
    Topic("⊸", "τ₁ ⊸ τ₂ (ASCII: -o) — linear functions, which use their argument exactly once", "",
          "matrices of shape (dim τ₂, dim τ₁), stored row-major flattened.",
          ":type λf:𝟚 ⊸ 𝟚. λx:𝟚. f x     -- (𝟚 ⊸ 𝟚) ⊸ 𝟚 ⊸ 𝟚"),
    Topic("linearity", "Linearity: every variable bound by λ, let or an iter step is used exactly once",
          "The judgement Δ ⊢ e : τ uses every variable of Δ exactly once: Δ₁ ∘ Δ₂ splits the variables\n"
          "between the parts of an application; the branches of an `if` share theirs. Definitions are\n"
          "constants, usable any number of times.",
          "a term linear in its variables is a multilinear map, so it compiles to one tensor; using x\n"
          "twice would need x ⊗ x, which no matrix computes. Variables an iter step captures (Δ₃) run\n"
          "once per step, so the compiled map is polynomial in them (its matrix samples one-hot inputs).",
          "λx:𝟚. if x then x else ff     -- error: x is used twice\n"
          "λx:𝟚. λy:𝟚. if x then y else (if y then ff else ff)     -- and: y once in each branch"),
    Topic("nat_dim", "nat_dim — N, the size of ℕ (default 10): the naturals 0…N-1 have a neuron each", "",
          "ℕ is ℝᴺ, one-hot; succ (N-1) is the zero vector, and a numeral ≥ N is refused by the compiler.\n"
          "Every tensor that involves ℕ grows with N (a ℕ ⊸ ℕ matrix is N×N).",
          ":set nat_dim 16\n:matrix λn:ℕ. succ n     -- now 16×16"),
]
_TOPICS.append(Topic("?", "? or ?name — a typed hole: a term still to write; the cell checks, but does not run", """\
 ────────── (hole)   τ: the type its place requires (or unknown);
 Δ ⊢ ?h : τ          Δ: variables no other part uses (it may use them)""",
                     "none yet: running, evaluating or compiling a hole is an error that names it and its type. "
                     "The editor shows each hole's type and context, and Tab at a hole offers what fits.",
                     "def not (x : 𝟚) : 𝟚 = if x then ff else tt\n"
                     ":type λx:𝟚. not ?h     -- prints its type, then hole ?h with its type 𝟚 and x to use\n"
                     "λx:𝟚. not ?h     -- error: the hole ?h is not filled in"))
_TOPICS.append(Topic("↪", "iter{base | y ↪ step}(count) (ASCII: =>) — the step variable y and the step that maps it",
                     _TOPICS[3].rule, _TOPICS[3].neurons, _TOPICS[3].example))

TOPICS: dict[str, Topic] = {t.name: t for t in _TOPICS}
# Other words that find a topic.
_ALIASES = {"then": "if", "else": "if", "in": "let", "ff": "tt", "application": "app", "apply": "app",
            "linear": "linearity", "N": "nat_dim", "lambda": "λ", "hole": "?", "holes": "?"}


def find(word: str):
    """The topic a word or spelling names (`\\` → λ, `then` → if, `Bool` → 𝟚), or None."""
    name = _ALIASES.get(word, SPELLINGS.get(word, word))
    return TOPICS.get(_ALIASES.get(name, name))


def names() -> list[str]:
    """The topics, as `:help` lists them."""
    return list(TOPICS)
