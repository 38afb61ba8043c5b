"""Linking compiled programs with PyTorch (LANGUAGE.md section 6): inputs of every kind,
batches, abstract types, partial application, modules and trainable weights, gradients,
and clear errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import cajal
from cajal import CajalError, parse_term
from cajal.compiler import FunctionValue, Partial, compile
from cajal.compiler import encode_value as encode

torch.set_num_threads(1)

NOT = "λx:𝟚. if x then ff else tt"
AND = "λx:𝟚. λy:𝟚. if x then y else (if y then ff else ff)"
DILATE = "λstep:Image ⊸ Image. λimg:Image. λn:ℕ. iter{img | y ↪ step y}(n)"
TT, FF = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])


def C(src, ctx=None, **kw):
    return compile(parse_term(src), ctx, **kw)


def reference_iter(step, img, n):
    """Σᵢ nᵢ · stepⁱ(img), hand-written."""
    out, h = 0, img
    for i in range(n.shape[-1]):
        if i:
            h = step(h)
        out = out + n[..., i].reshape(*n.shape[:-1], *[1] * (img.dim() - n.dim() + 1)) * h
    return out


# ---------------------------------------------------------------- inputs


def test_python_values_tensors_and_batches():
    and_ = C(AND)
    assert torch.equal(and_(True, True), TT) and torch.equal(and_(True, False), FF)
    assert torch.equal(and_(x=False, y=True), FF)
    x = torch.stack([TT, FF, TT])
    assert torch.equal(and_(x, True), torch.stack([TT, FF, TT]))  # a batch of 3, broadcast with a bool
    y = torch.stack([TT, FF])[:, None, :]  # (2, 1, 2) against (3, 2): batch (2, 3)
    assert and_(x, y).shape == (2, 3, 2)
    p, q = torch.rand(7, 2).softmax(-1), torch.rand(7, 2).softmax(-1)
    expect = torch.stack([p[:, 0] * q[:, 0], p[:, 0] * q[:, 1] + p[:, 1] * (q[:, 0] + q[:, 1])], -1)
    torch.testing.assert_close(and_(p, q), expect)
    succ = C("λn:ℕ. succ n", nat_dim=4)
    assert torch.equal(succ(2), torch.tensor([0.0, 0, 0, 1])) and succ(3).abs().sum() == 0
    assert torch.equal(succ(torch.eye(4)[[0, 1]].long()), torch.eye(4)[[1, 2]])  # integer tensors are cast


def test_function_inputs_as_matrices_definitions_and_callables():
    app = C("λf:𝟚 ⊸ 𝟚. λx:𝟚. f x")
    not_m = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    assert torch.equal(app(not_m, True), FF)  # a (d₂, d₁) matrix
    assert torch.equal(app(not_m.reshape(-1), True), FF)  # or flattened
    assert torch.equal(app(torch.stack([not_m, torch.eye(2)]), True), torch.stack([FF, TT]))  # batched
    assert torch.equal(app(C(NOT), False), TT)  # another compiled definition
    assert torch.equal(app(cajal.evaluate(parse_term(NOT)), False), TT)  # a Cajal closure value
    assert torch.equal(app(lambda v: v.flip(-1), True), FF)  # an opaque Python callable on batches
    lin = nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        lin.weight.copy_(not_m)
    assert torch.equal(app(lin, torch.stack([TT, FF])), torch.stack([FF, TT]))  # an nn.Module

    class Def:  # what a session's Definition looks like: a `.compiled(nat_dim)` method
        def compiled(self, nat_dim=None):
            return C(NOT)
    assert torch.equal(app(Def(), True), FF)


def test_callables_receive_one_flattened_batch_dimension():
    seen = []

    def f(v):
        seen.append(tuple(v.shape))
        return v
    app = C("λf:ℕ ⊸ ℕ. λn:ℕ. f n", nat_dim=5)
    app(f, torch.eye(5).expand(2, 3, 5, 5)[..., 0, :])
    app(f, 3)
    assert seen == [(6, 5), (1, 5)]


def test_an_opaque_link_runs_but_has_no_matrix():
    c = C("λf:𝟚 ⊸ 𝟚. f")
    out = c(lambda v: v)
    assert isinstance(out, FunctionValue) and torch.equal(out(True), TT)
    with pytest.raises(CajalError, match="no matrix"):
        out.matrix


# ---------------------------------------------------------------- abstract types


def test_dilate_with_one_hot_counts_is_exact():
    dilate = C(DILATE, types=["Image"])
    conv = nn.Conv2d(1, 1, 3, padding=1)
    x = torch.rand(10, 1, 8, 8)
    with torch.no_grad():
        out = dilate(step=conv, img=x, n=torch.eye(10))
        h = x  # the step runs on the whole batch (a convolution's rounding depends on the batch)
        for n in range(10):
            torch.testing.assert_close(out[n], h[n], rtol=0, atol=0)
            h = conv(h)
        assert torch.equal(dilate(conv, x, 2), conv(conv(x)))  # an int count: the same images


def test_dilate_with_soft_counts_is_differentiable():
    dilate = C(DILATE, types=["Image"])
    conv = nn.Conv2d(1, 1, 3, padding=1)
    x = torch.rand(6, 1, 8, 8, requires_grad=True)
    logits = torch.randn(6, 10, requires_grad=True)
    n = logits.softmax(-1)
    out = dilate(step=conv, img=x, n=n)
    torch.testing.assert_close(out, reference_iter(conv, x, n), rtol=1e-5, atol=1e-6)
    out.square().sum().backward()
    for g in (x.grad, logits.grad, conv.weight.grad, conv.bias.grad):
        assert g is not None and torch.isfinite(g).all() and g.abs().sum() > 0


def test_condition_weights_broadcast_over_the_trailing_dimensions_of_abstract_values():
    choose = C("λc:𝟚. λf:Image ⊸ Image. λa:Image. if c then f a else iter{a | y ↪ f y}(2)", types=["Image"])
    a = torch.zeros(4, 3, 5, 5)
    c = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.25, 0.75], [0.5, 0.5]])
    out = choose(c, lambda img: img + 1, a)  # tt: one step (1), ff: two steps (2)
    assert out.shape == (4, 3, 5, 5)
    torch.testing.assert_close(out.mean(dim=(1, 2, 3)), torch.tensor([1.0, 2.0, 1.75, 1.5]))
    cls = C("λcheck:Image ⊸ 𝟚. λgen:Image ⊸ Image. λx:Image. λx2:Image. iter{x2 | y ↪ gen y}(if check x then 0 else 1)",
            types=["Image"])
    check = lambda img: torch.stack([img.mean(dim=(1, 2, 3)), -img.mean(dim=(1, 2, 3))], -1).softmax(-1)  # noqa: E731
    gen = lambda img: img + 1  # noqa: E731
    x = torch.rand(5, 1, 4, 4)
    p = check(x)
    expect = p[:, 0, None, None, None] * x + p[:, 1, None, None, None] * gen(x)
    torch.testing.assert_close(cls(check, gen, x, x), expect)


def test_abstract_values_from_finite_arguments():
    c = C("λdecode:ℕ ⊸ Image. λn:ℕ. decode n", types=["Image"], nat_dim=4)
    table = torch.arange(4 * 6.0).reshape(4, 2, 3)
    out = c(lambda v: torch.einsum("bn,nij->bij", v, table), torch.eye(4)[[1, 3]])
    assert torch.equal(out, table[[1, 3]])


# ---------------------------------------------------------------- partial application and results


def test_partial_application_and_keywords():
    and_ = C(AND)
    p = and_(True)
    assert isinstance(p, Partial) and cajal.pretty(p.type) == "𝟚 ⊸ 𝟚"
    assert torch.equal(p.matrix, torch.eye(2)) and torch.equal(p(False), FF)
    q = and_(y=False)  # a hole: x is still missing
    assert cajal.pretty(q.type) == "𝟚 ⊸ 𝟚" and torch.equal(q(True), FF) and torch.equal(q(x=True), FF)
    with pytest.raises(CajalError, match="in order"):
        q.matrix
    assert isinstance(and_(), Partial) and torch.equal(and_().matrix, and_.matrix)
    not_ = C("λnot:𝟚. if not then ff else tt")  # keyword names follow the λ; `not_` for Python keywords
    assert torch.equal(not_(not_=True), FF)
    ho = C("λf:𝟚 ⊸ 𝟚. f")
    r = ho(torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    assert isinstance(r, FunctionValue) and torch.equal(r.matrix, torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    assert torch.equal(ho(C(NOT), True), FF)  # extra positional arguments apply the result
    twice = C("λf:𝟚 ⊸ 𝟚. λx:𝟚. iter{x | y ↪ f y}(2)")
    assert torch.equal(twice(and_(True), True), TT)  # a partial application links as a function


def test_free_variables_and_parameters_together():
    c = C("λy:𝟚. if x then y else (if y then ff else ff)", {"x": "𝟚"})
    assert [n for n, _ in c.free] == ["x"] and [n for n, _ in c.params] == ["y"]
    assert torch.equal(c(True, True), TT) and torch.equal(c(x=False, y=True), FF)
    assert torch.equal(c(x=True).matrix, torch.eye(2))


# ---------------------------------------------------------------- modules and trainable weights


def test_modules_move_convert_and_have_a_state_dict():
    c = C(AND)
    assert isinstance(c.module(), nn.Module) and c.module() is c
    assert list(c.state_dict()) == ["w0"] and list(c.parameters()) == []
    d = C(AND).double()
    assert d(True, True).dtype == torch.float64 and d.matrix.dtype == torch.float64
    assert C(AND).to("cpu")(True, True).device.type == "cpu"
    m = c.module(trainable=True)
    [(name, w)] = list(m.named_parameters())
    assert name == "w0" and isinstance(w, nn.Parameter) and torch.equal(w.detach(), c.tensor)
    assert torch.equal(m(True, True), TT)
    m2 = C(AND).module(trainable=True)
    m2.load_state_dict(m.state_dict())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU")
def test_modules_move_to_the_gpu():
    m = C(AND).module(trainable=True).to("cuda")
    out = m(torch.rand(3, 2, device="cuda"), True)
    assert out.device.type == "cuda"
    dilate = C(DILATE, types=["Image"]).to("cuda")
    conv = nn.Conv2d(1, 1, 3, padding=1).cuda()
    assert dilate(conv, torch.rand(2, 1, 4, 4, device="cuda"), torch.rand(2, 10, device="cuda")).is_cuda


def test_trainable_weights_are_the_program_and_training_refines_them():
    m = C(AND).module(trainable=True)
    opt = torch.optim.SGD(m.parameters(), lr=0.5)
    # teach it "or" on hard inputs: the and-matrix is the initialisation
    inputs = [(a, b) for a in (True, False) for b in (True, False)]
    for _ in range(60):
        loss = sum(((m(a, b) - encode(a or b, "𝟚")) ** 2).sum() for a, b in inputs)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert all(m(a, b).argmax().item() == (0 if a or b else 1) for a, b in inputs)
    it = C("iter{b | y ↪ if y then ff else tt}(n)", {"b": "𝟚", "n": "ℕ"}).module(trainable=True)
    assert [k for k, _ in it.named_parameters()] == ["w0"]  # the step matrix W of the closed step
    assert torch.equal(it.w0.detach().reshape(2, 2), torch.tensor([[0.0, 1.0], [1.0, 0.0]]))


def test_module_links_register_submodules():
    conv = nn.Conv2d(1, 1, 3, padding=1)
    m = C(DILATE, types=["Image"]).module(trainable=True, step=conv)
    assert {k for k, _ in m.named_parameters()} == {"links.step.weight", "links.step.bias"}
    x = torch.rand(2, 1, 4, 4)
    assert torch.equal(m(x, 1), conv(x))


def test_a_network_learns_how_many_times_to_iterate():
    torch.manual_seed(0)
    plus = C("λn:ℕ. iter{0 | y ↪ succ y}(n)", nat_dim=8)  # the identity, as a recurrence
    dilate = C(DILATE, types=["Image"])
    logits = nn.Parameter(torch.zeros(8))
    opt = torch.optim.Adam([logits], lr=0.2)
    x = torch.rand(4, 1, 6, 6)
    blur = lambda img: nn.functional.avg_pool2d(img, 3, 1, 1)  # noqa: E731
    target = blur(blur(blur(x)))
    for _ in range(80):
        out = dilate(blur, x, torch.cat([logits.softmax(-1), torch.zeros(2)]))
        loss = (out - target).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert logits.argmax().item() == 3
    assert plus(logits.softmax(-1)).argmax().item() == 3


# ---------------------------------------------------------------- gradients


def test_gradients_through_nested_iters_soft_counts_and_higher_order_arguments():
    src = ("λg:(ℕ ⊸ ℕ) ⊸ ℕ. λf:ℕ ⊸ ℕ. λm:ℕ. λk:ℕ. λb:𝟚. "
           "iter{m | y ↪ iter{y | z ↪ f z}(k)}(g (λu:ℕ. if b then succ u else u))")
    c = C(src, nat_dim=5)
    assert set(c.nonlinear_in) >= {"f", "k"}
    gen = torch.Generator().manual_seed(1)
    leaves = {
        "g": torch.rand(5, 25, generator=gen).softmax(0),
        "f": torch.rand(3, 5, 5, generator=gen).softmax(-2),
        "m": torch.rand(3, 5, generator=gen).softmax(-1),
        "k": torch.rand(5, generator=gen).softmax(-1),
        "b": torch.rand(3, 2, generator=gen).softmax(-1),
    }
    inputs = {k: v.clone().requires_grad_() for k, v in leaves.items()}
    out = c(**inputs)
    assert out.shape == (3, 5)
    out.square().sum().backward()
    for name, t in inputs.items():
        assert t.grad is not None and torch.isfinite(t.grad).all(), name
    # one-hot inputs give exactly the evaluator's answer
    v = cajal.evaluate(parse_term(f"({src}) (λh:ℕ ⊸ ℕ. h 1) (λx:ℕ. succ x) 0 1 tt"))
    hot = c(C("λh:ℕ ⊸ ℕ. h 1", nat_dim=5), C("λx:ℕ. succ x", nat_dim=5), 0, 1, True)
    assert v < 5 and torch.equal(hot, encode(v, "ℕ", 5))


def test_gradients_exist_for_inputs_of_skipped_iterations():
    c = C("iter{b | y ↪ f y}(0)", {"b": "𝟚", "f": "𝟚 ⊸ 𝟚"})
    f = torch.rand(2, 2, requires_grad=True)
    c(b=True, f=f).sum().backward()
    assert f.grad is not None and torch.equal(f.grad, torch.zeros(2, 2))


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("call,match", [
    (lambda c: c(x=True, y=3), "`y` has type 𝟚, but it was given an int"),
    (lambda c: c(x=True, z=True), "unknown argument `z`"),
    (lambda c: c(True, x=True), "given twice"),
    (lambda c: c(torch.rand(3, 5), True), r"shape \(…, 2\), but it has shape \(3, 5\)"),
    (lambda c: c("tt", True), "`x` has type 𝟚, but it was given a str"),
    (lambda c: c(1.0, True), "the float 1.0"),
    (lambda c: c(True, lambda v: v), "it was given a function"),
])
def test_linking_errors_are_clear(call, match):
    with pytest.raises(CajalError, match=match) as err:
        call(C(AND))
    assert err.value.hint or "unknown" in err.value.message or "twice" in err.value.message


def test_more_linking_errors():
    succ = C("λn:ℕ. succ n")
    with pytest.raises(CajalError, match="has type ℕ, but it was given a bool"):
        succ(True)
    with pytest.raises(CajalError, match="does not fit") as err:
        succ(12)
    assert "nat_dim" in err.value.hint
    app = C("λf:𝟚 ⊸ 𝟚. λx:𝟚. f x")
    with pytest.raises(CajalError, match="linked program has type ℕ ⊸ ℕ"):
        app(succ, True)
    with pytest.raises(CajalError, match="returned shape"):
        app(lambda v: v[..., :1], True)
    with pytest.raises(CajalError, match="failed on an input of shape"):
        app(nn.Linear(3, 2), True)
    with pytest.raises(CajalError, match="nat_dim"):
        C("λf:ℕ ⊸ ℕ. f")(C("λn:ℕ. n", nat_dim=5))
    dilate = C(DILATE, types=["Image"])
    with pytest.raises(CajalError, match="batch has 2 dimension"):
        dilate(lambda v: v, torch.rand(3), torch.rand(2, 3, 10))
    with pytest.raises(CajalError, match="link a tensor"):
        dilate(lambda v: v, 3, 1)
    with pytest.raises(CajalError, match="too many arguments"):
        C(NOT)(True, True)
    with pytest.raises(CajalError, match="iterates needs every input"):
        C(AND).iterates(True)


def test_batches_that_do_not_broadcast_are_named():
    c = C("λf:𝟚 ⊸ 𝟚. λx:𝟚. f x")
    with pytest.raises(CajalError, match=r"`f` \(shape \(3, 2, 2\)\) and `x` \(shape \(4, 2\)\) do not broadcast"):
        c(torch.rand(3, 2, 2), torch.rand(4, 2))
    assert c(torch.rand(3, 2, 2), torch.rand(5, 1, 2)).shape == (5, 3, 2)  # size 1 broadcasts
    with pytest.raises(CajalError, match=r"`x` \(shape \(3, 2\)\) and `f` \(shape \(4, 2, 2\)\)"):
        C("λx:𝟚. λf:𝟚 ⊸ 𝟚. f x")(torch.rand(3, 2))(torch.rand(4, 2, 2))  # a partial application
    at = C("let g = λf:𝟚 ⊸ 𝟚. f x in g", {"x": "𝟚"})(torch.rand(3, 2))  # a function value, batch 3
    assert isinstance(at, FunctionValue)
    with pytest.raises(CajalError, match="this function value"):
        at(torch.rand(4, 2, 2))


def test_a_step_that_changes_the_shape_of_the_state_is_refused():
    dilate = C(DILATE, types=["Image"])
    with pytest.raises(CajalError, match=r"changed the shape of its state of type Image from \(1, 8, 8\) to \(1, 6, 6\)"):
        dilate(nn.Conv2d(1, 1, 3), torch.rand(4, 1, 8, 8), 3)
    assert dilate(nn.Conv2d(1, 1, 3, padding=1), torch.rand(4, 1, 8, 8), 3).shape == (4, 1, 8, 8)
