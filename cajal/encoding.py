"""Vector encodings of Cajal types and values (LANGUAGE.md section 5).

| type      | space          | basis                                                            |
|-----------|----------------|------------------------------------------------------------------|
| 𝟚         | ℝ²             | tt = [1, 0], ff = [0, 1]                                         |
| ℕ         | ℝᴺ             | n = eₙ for n < N (N = nat_dim)                                    |
| τ₁ ⊸ τ₂   | ℝ^(d₂·d₁)      | the matrix M (d₂, d₁), row-major flattened; column j = f(bⱼ)     |
| A (abstract) | none        | values come only from linking                                    |

`encode` turns plain values into vectors, `decode` goes back to the nearest value (argmax per
one-hot block, a function to a term or a table), and `basis_names` labels the axes. The module
is pure: it never compiles (an evaluator closure is encoded by `cajal.encode`, which does).
"""

from __future__ import annotations

from typing import Any, Optional

from .errors import CajalError, echo_number
from .parser import as_type
from .pretty import pretty
from .syntax import Abstract, Arrow, BoolLit, BoolType, If, Iter, Lam, NatType, Type, Var, abstract_names, succ
from .values import Closure, Opaque, term_value, value_term

ARROW = "↦"


def dim(t, nat_dim: int, *, strict: bool = False) -> Optional[int]:
    """The dimension of ⟦t⟧ for ℕ of size `nat_dim`; None (or, with `strict`, a CajalError)
    when t mentions an abstract type, which has no finite dimension."""
    t = as_type(t)
    match t:
        case BoolType():
            return 2
        case NatType():
            return nat_dim
        case Arrow(dom, cod):
            a = dim(dom, nat_dim, strict=strict)
            b = dim(cod, nat_dim, strict=strict)
            return None if a is None or b is None else a * b
        case Abstract(name):
            if strict:
                raise CajalError(f"the type {pretty(t)} has no finite dimension",
                                 hint=f"`{name}` is an abstract type: its values are linked tensors of any shape")
            return None
    raise TypeError(f"not a type: {t!r}")


def degree(t) -> Optional[int]:
    """How dim(t, N) grows with N: dim(t, N) = 2ᵃ · N^degree (the number of ℕ in t); None
    for a type that mentions an abstract type."""
    t = as_type(t)
    match t:
        case BoolType():
            return 0
        case NatType():
            return 1
        case Arrow(dom, cod):
            a, b = degree(dom), degree(cod)
            return None if a is None or b is None else a + b
    return None


def is_finite(t) -> bool:
    """Whether ⟦t⟧ is finite-dimensional (t mentions no abstract type)."""
    return not abstract_names(as_type(t))


# ---------------------------------------------------------------- basis names


def basis_name(t, k: int, nat_dim: int) -> str:
    """The name of the k-th basis vector of ⟦t⟧: `tt`/`ff`, `0…N-1`, and for τ₁ ⊸ τ₂ the
    unit matrix sending the c-th basis vector of τ₁ to the r-th of τ₂ (flat index
    k = r·dim τ₁ + c), written `c↦r`, parenthesised when nested."""
    t = as_type(t)
    match t:
        case BoolType():
            return ("tt", "ff")[k]
        case NatType():
            return str(k)
        case Arrow(dom, cod):
            n = dim(dom, nat_dim, strict=True)
            r, c = divmod(k, n)
            return f"{paren(basis_name(dom, c, nat_dim))}{ARROW}{paren(basis_name(cod, r, nat_dim))}"
    dim(t, nat_dim, strict=True)
    raise TypeError(f"not a type: {t!r}")


def paren(name: str) -> str:
    """A basis name as a part of a function's basis name (parenthesised when it is one)."""
    return f"({name})" if ARROW in name else name


def basis_names(t, nat_dim: int = 10) -> list[str]:
    """Labels of the basis of ⟦t⟧, in order (see `basis_name`). Raises CajalError for a type
    that mentions an abstract type."""
    t = as_type(t)
    return [basis_name(t, k, nat_dim) for k in range(dim(t, nat_dim, strict=True))]


# ---------------------------------------------------------------- encode


def encode(value: Any, type, nat_dim: int = 10, *, dtype=None, device=None):
    """The vector of a value of `type`: a Python/Cajal bool (𝟚), int (ℕ, must be < nat_dim),
    an Opaque holding a tensor, or a tensor (checked and returned). Returns a tensor of shape
    (dim type,). An evaluator closure is encoded by `cajal.encode`, which compiles it."""
    import torch

    t = as_type(type)
    dtype = dtype or torch.get_default_dtype()
    if isinstance(value, Opaque):
        value = value.obj
    if isinstance(t, Abstract) or not is_finite(t):
        if isinstance(value, torch.Tensor):
            return value
        raise CajalError(f"a value of type {pretty(t)} must be a tensor, not {_describe(value)}",
                         hint="abstract types have no Cajal values: link a tensor")
    d = dim(t, nat_dim)
    if isinstance(value, bool):
        if not isinstance(t, BoolType):
            raise CajalError(f"a bool is not a value of type {pretty(t)}", hint=_hint_for(t, nat_dim))
        out = torch.zeros(2, dtype=dtype, device=device)
        out[0 if value else 1] = 1
        return out
    if isinstance(value, int):
        if not isinstance(t, NatType):
            raise CajalError(f"an int is not a value of type {pretty(t)}", hint=_hint_for(t, nat_dim))
        check_numeral(value, nat_dim)
        out = torch.zeros(nat_dim, dtype=dtype, device=device)
        out[value] = 1
        return out
    if isinstance(value, Closure):
        raise CajalError("encoding.encode takes plain values; a closure's vector is its compiled matrix",
                         hint="use cajal.encode(closure, type, nat_dim), which compiles it")
    if isinstance(value, torch.Tensor):
        if value.shape[-1:] != (d,):
            raise CajalError(f"a tensor for type {pretty(t)} must have last dimension {d}, "
                             f"but it has shape {tuple(value.shape)}")
        return value.to(dtype=dtype, device=device)
    raise CajalError(f"cannot encode {_describe(value)} as a value of type {pretty(t)}",
                     hint=_hint_for(t, nat_dim))


def check_numeral(n: int, nat_dim: int, span=None) -> None:
    """Refuse a natural that does not fit in ℕ of size nat_dim, saying how to raise the bound."""
    if n < 0:
        raise CajalError(f"{n} is not a natural number", span)
    if n >= nat_dim:
        bound = echo_number(n + 1)
        raise CajalError(
            f"the numeral {echo_number(n)} does not fit in ℕ with nat_dim = {nat_dim} (naturals 0…{nat_dim - 1})", span,
            hint=f"raise the bound to at least {bound}: `:set nat_dim {bound}` in a session, "
                 f"or cajal.compile(…, nat_dim={bound})")


def _hint_for(t: Type, nat_dim: int) -> str:
    if isinstance(t, BoolType):
        return "pass True/False, or a tensor of shape (…, 2)"
    if isinstance(t, NatType):
        return f"pass an int 0…{nat_dim - 1}, or a tensor of shape (…, {nat_dim})"
    d = dim(t, nat_dim)
    if d is None:
        return "link a tensor (abstract types) or a Python callable"
    return (f"pass a matrix of shape (…, {dim(t.cod, nat_dim)}, {dim(t.dom, nat_dim)}) or (…, {d}), "
            "a compiled Cajal definition, or a Python callable / nn.Module")


def _describe(v: Any) -> str:
    import torch
    if isinstance(v, torch.Tensor):
        return f"a tensor of shape {tuple(v.shape)}"
    return f"{type(v).__name__} {v!r}" if not callable(v) else f"the callable {v!r}"


# ---------------------------------------------------------------- decode


def infer_nat_dim(t, size: int) -> int:
    """The N with dim(t, N) == size (dims grow with N, so a binary search)."""
    t = as_type(t)
    if dim(t, 1) == dim(t, 2):  # no ℕ in t
        if dim(t, 1) != size:
            raise CajalError(f"a vector of type {pretty(t)} has {dim(t, 1)} entries, not {size}")
        return 10
    lo, hi = 1, max(1, size)
    while lo < hi:
        mid = (lo + hi) // 2
        if dim(t, mid) < size:
            lo = mid + 1
        else:
            hi = mid
    if dim(t, lo) != size:
        raise CajalError(f"no nat_dim gives the type {pretty(t)} exactly {size} entries")
    return lo


def decode(tensor, type, nat_dim: Optional[int] = None):
    """The value nearest to a vector: argmax per one-hot block. N is inferred from the size
    unless given. A 1-D vector (or, for a function, its (d₂, d₁) matrix) gives one value;
    more leading dimensions give nested lists of values.

    Functions decode to a Closure when their table can be written as a term (a domain 𝟚: a
    conditional; a domain ℕ: an `iter` that reproduces the table), and otherwise to an
    `Opaque` table, a callable on values that the evaluator can apply."""
    import torch

    t = as_type(type)
    if not is_finite(t):
        raise CajalError(f"values of type {pretty(t)} cannot be decoded: it has no finite dimension")
    if not isinstance(tensor, torch.Tensor) and (tensor is None or isinstance(tensor, (str, bytes, bool, int, float))):
        raise TypeError(f"decode takes a tensor (or a nested list of numbers), not {tensor.__class__.__name__}")
    x = torch.as_tensor(tensor).detach()
    if isinstance(t, Arrow) and x.dim() >= 2:
        n = nat_dim or _infer_matrix(t, x)
        if n is not None and (x.shape[-2], x.shape[-1]) == (dim(t.cod, n), dim(t.dom, n)) \
                and x.shape[-1] != dim(t, n):
            x = x.reshape(*x.shape[:-2], -1)
    if x.dim() == 0:
        raise CajalError("decode needs a vector, not a scalar")
    n = nat_dim or infer_nat_dim(t, x.shape[-1])
    if x.shape[-1] != dim(t, n):
        raise CajalError(f"a vector of type {pretty(t)} with nat_dim {n} has {dim(t, n)} entries, "
                         f"not {x.shape[-1]}")
    return _decode_batch(x.double(), t, n)


def _infer_matrix(t: Arrow, x) -> Optional[int]:
    try:
        n = infer_nat_dim(t.dom, x.shape[-1])
    except CajalError:
        return None
    return n if dim(t.cod, n) == x.shape[-2] else None


def _decode_batch(x, t, n):
    if x.dim() > 1:
        return [_decode_batch(row, t, n) for row in x]
    return _decode(x, t, n)


def _decode(x, t: Type, n: int):
    return _decode_clean(x, t, n)[0]


def _decode_clean(x, t: Type, n: int) -> tuple:
    """(the value nearest to x, the vector that encodes it exactly)."""
    import torch
    if isinstance(t, (BoolType, NatType)):
        v = bool(int(x.argmax()) == 0) if isinstance(t, BoolType) else int(x.argmax())
        return v, encode(v, t, n, dtype=torch.float64)
    d1, d2 = dim(t.dom, n), dim(t.cod, n)
    m = x.reshape(d2, d1)
    pairs = [_decode_clean(m[:, j], t.cod, n) for j in range(d1)]
    columns = [v for v, _ in pairs]
    clean = torch.stack([c for _, c in pairs], dim=1)  # the nearest function table
    term = _function_term(columns, t, n, clean)
    value = term_value(term) if term is not None else Opaque(_Table(clean, t, n), t)
    return value, clean.reshape(-1)


def _value_term(v):
    if isinstance(v, (bool, int, Closure)):
        return value_term(v)
    return None


def _function_term(columns, t: Arrow, n: int, clean):
    """A closed term of type t whose table is `columns` (encoded: `clean`), or None. For a
    domain ℕ, `λn:ℕ. iter{v₀ | y ↪ step}(n)` for a few steps whose matrix S is known: its
    table's column k is Sᵏ v₀, compared with the table."""
    import torch
    terms = [_value_term(v) for v in columns]
    if any(term is None for term in terms):
        return None
    if isinstance(t.dom, BoolType):
        return Lam("x", t.dom, If(Var("x"), terms[0], terms[1]))
    if isinstance(t.dom, NatType):
        d2 = clean.shape[0]
        steps = [(Var("y"), torch.eye(d2, dtype=clean.dtype))]
        if isinstance(t.cod, BoolType):
            T = lambda rows: torch.tensor(rows, dtype=clean.dtype)  # noqa: E731
            steps += [(If(Var("y"), BoolLit(False), BoolLit(True)), T([[0, 1], [1, 0]])),
                      (If(Var("y"), BoolLit(True), BoolLit(True)), T([[1, 1], [0, 0]])),
                      (If(Var("y"), BoolLit(False), BoolLit(False)), T([[0, 0], [1, 1]]))]
        elif isinstance(t.cod, NatType):
            steps += [(succ(Var("y")), torch.diag(torch.ones(d2 - 1, dtype=clean.dtype), -1))]
        for step, S in steps:
            table = [clean[:, 0]]
            for _ in range(1, clean.shape[1]):
                table.append(S @ table[-1])
            if torch.stack(table, dim=1).equal(clean):
                return Lam("n", t.dom, Iter(terms[0], "y", step, Var("n")))
    return None


class _Table:
    """A decoded function that no small term reproduces: applies its (clean) matrix."""

    def __init__(self, matrix, type: Arrow, nat_dim: int):
        self.matrix, self.type, self.nat_dim = matrix, type, nat_dim

    def __call__(self, value):
        import torch
        v = encode(value, self.type.dom, self.nat_dim, dtype=torch.float64)
        return _decode(self.matrix @ v, self.type.cod, self.nat_dim)

    def __repr__(self) -> str:
        return f"<table of type {pretty(self.type)}>"
