"""The networks of the experiments, and the pieces that link them to compiled Cajal programs.

Building blocks: `SmallCNN` (and its heads `CountNet`, image → logits over ℕ, and `Classifier`,
image → logits of a 𝟚), the learned steps `ConvStep` (non-linear, for dilation) and `LinearStep`
(one 13×13 convolution, for blur), the plain baselines `ImageCNN`, `ImageMLP` and `PairCNN`.

Linked models take `program`: the compiled Cajal definition (anything with its keyword
signature; `linked` turns a `Definition` into its compiled `nn.Module`, so `.to(device)` moves
it with the network), or a PyTorch reference of the same denotation in the tests.

The type-preserving models (`LearnedIter`, `LearnedCondIter`, `LearnedBool2`) keep the typed
interface of a program — the same soft ℕ and 𝟚 values and learned step — but replace the
program's body with a learned map of the same type.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

NAT_DIM = 10


def n_params(module: nn.Module) -> int:
    """The number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def linked(program):
    """The compiled module of a Cajal `Definition` (a submodule that follows `.to(device)`);
    any other callable (a reference written in PyTorch) as it is."""
    return program.module() if hasattr(program, "module") and hasattr(program, "compiled") else program


def _col(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A per-example weight (B,) shaped to broadcast against a batch like `like`."""
    return v.view(-1, *([1] * (like.dim() - 1)))


def reference_iter(step: Callable, img: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """Σᵢ nᵢ · stepⁱ(img), the denotation of iter{img | y ↪ step y}(n) (LANGUAGE.md §5),
    written by hand in PyTorch. `n` is (B, nat_dim)."""
    out, h = 0, img
    for i in range(n.shape[-1]):
        if i:
            h = step(h)
        out = out + _col(n[:, i], img) * h
    return out


def reference_dilate_cond(even: torch.Tensor, step: Callable, img: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """e_tt · img + e_ff · Σᵢ nᵢ · stepⁱ(img), the denotation of `dilate_cond`, by hand."""
    return _col(even[:, 0], img) * img + _col(even[:, 1], img) * reference_iter(step, img, n)


def reference_and(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The denotation of `and` on soft booleans [p(tt), p(ff)]: tt only when both are tt."""
    return torch.stack([x[..., 0] * y[..., 0], x[..., 0] * y[..., 1] + x[..., 1] * (y[..., 0] + y[..., 1])], -1)


def reference_eq(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The denotation of `eq` = if x then y else not y."""
    return torch.stack([x[..., 0] * y[..., 0] + x[..., 1] * y[..., 1],
                        x[..., 0] * y[..., 1] + x[..., 1] * y[..., 0]], -1)


# ------------------------------------------------------------------ building blocks


class SmallCNN(nn.Module):
    """conv 3×3 (8) → relu → pool → conv 3×3 (16) → relu → pool → linear."""

    def __init__(self, out: int, in_channels: int = 1, size: tuple[int, int] = (16, 16)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Linear(16 * (size[0] // 4) * (size[1] // 4), out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1))


class CountNet(SmallCNN):
    """Image → logits over ℕ (nat_dim values): how many times to iterate."""

    def __init__(self, nat_dim: int = NAT_DIM, size: int = 16):
        super().__init__(nat_dim, size=(size, size))


class Classifier(SmallCNN):
    """Image → logits of a 𝟚 (index 0 is tt, index 1 is ff, as Cajal encodes booleans)."""

    def __init__(self, size: int = 16):
        super().__init__(2, size=(size, size))


class ConvStep(nn.Module):
    """A learned Image → Image step: x + conv1×1(relu(conv3×3(x))), starting as the identity.
    (The true dilation step, a lerp with a max-pool, is not linear in pixels.)"""

    def __init__(self, hidden: int = 8):
        super().__init__()
        self.inner = nn.Conv2d(1, hidden, 3, padding=1)
        self.outer = nn.Conv2d(hidden, 1, 1)
        nn.init.zeros_(self.outer.weight)
        nn.init.zeros_(self.outer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.outer(F.relu(self.inner(x)))


class LinearStep(nn.Module):
    """A learned linear Image → Image step: one k×k convolution with reflect padding, starting
    as the identity (a Gaussian blur is such a step)."""

    def __init__(self, size: int = 7):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, size, padding=size // 2, padding_mode="reflect", bias=False)
        with torch.no_grad():
            self.conv.weight.zero_()
            self.conv.weight[0, 0, size // 2, size // 2] = 1.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


# ------------------------------------------------------------------ direct: plain networks


class ImageCNN(nn.Module):
    """A plain residual CNN, image → image: dilated 3×3 convolutions (the receptive field covers
    the image), the output layer initialised to zero so that it starts as the identity."""

    def __init__(self, width: int = 12):
        super().__init__()
        layers, c = [], 1
        for d in (1, 2, 4, 8):
            layers += [nn.Conv2d(c, width, 3, padding=d, dilation=d), nn.ReLU()]
            c = width
        self.body = nn.Sequential(*layers)
        self.out = nn.Conv2d(width, 1, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.out(self.body(x))


class ImageMLP(nn.Module):
    """The simplest plain network, image → image: x + MLP(x), one hidden layer, starting as the
    identity."""

    def __init__(self, size: int = 16, hidden: int = 16):
        super().__init__()
        self.size = size
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(size * size, hidden), nn.ReLU(),
                                 nn.Linear(hidden, size * size))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.net(x).view(-1, 1, self.size, self.size)


class PairCNN(nn.Module):
    """A plain network on two images side by side → a soft 𝟚."""

    def __init__(self, size: int = 16):
        super().__init__()
        self.net = SmallCNN(2, size=(size, 2 * size))

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([a, b], dim=-1)).softmax(-1)


# ------------------------------------------------------------------ indirect: linked programs


class LinkedIter(nn.Module):
    """`program(step, img, n)` (dilate, blur) linked to a count network and a learned step."""

    def __init__(self, program: Callable, step: nn.Module, nat_dim: int = NAT_DIM, size: int = 16):
        super().__init__()
        self.program = linked(program)
        self.count = CountNet(nat_dim, size)
        self.step = step

    def counts(self, x: torch.Tensor) -> torch.Tensor:
        """The soft count, a distribution over ℕ (B, nat_dim)."""
        return self.count(x).softmax(-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.program(step=self.step, img=x, n=self.counts(x))


class LinkedCondIter(LinkedIter):
    """`program(even, step, img, n)` (dilate_cond) linked to a parity classifier, a count
    network and a learned step."""

    def __init__(self, program: Callable, step: nn.Module, nat_dim: int = NAT_DIM, size: int = 16):
        super().__init__(program, step, nat_dim, size)
        self.check = Classifier(size)

    def even(self, x: torch.Tensor) -> torch.Tensor:
        """The soft 𝟚 "is even" (B, 2)."""
        return self.check(x).softmax(-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.program(even=self.even(x), step=self.step, img=x, n=self.counts(x))


class LinkedBool2(nn.Module):
    """`program(x, y)` : 𝟚 ⊸ 𝟚 ⊸ 𝟚 (and, eq) on one parity classifier applied to each image."""

    def __init__(self, program: Callable, size: int = 16):
        super().__init__()
        self.program = linked(program)
        self.odd = Classifier(size)

    def bools(self, a: torch.Tensor, b: torch.Tensor):
        return self.odd(a).softmax(-1), self.odd(b).softmax(-1)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        pa, pb = self.bools(a, b)
        return self.program(x=pa, y=pb)


# ------------------------------------------------------------------ type-preserving: learned bodies


def _identity_maps(channels: int, height: int) -> nn.Conv2d:
    """`channels` linear maps Image → Image (height × 3 convolutions), each starting near the identity."""
    maps = nn.Conv2d(1, channels, (height, 3), padding=(height // 2, 1), bias=False)
    with torch.no_grad():
        maps.weight.normal_(0, 0.01)
        maps.weight[:, 0, height // 2, 1] += 1.0
    return maps


class LearnedIter(LinkedIter):
    """The typed interface of `dilate`/`blur` (soft count, learned step, image) with the
    iteration replaced by learned linear maps, one per count: Σᵢ nᵢ · Lᵢ(step(img))."""

    def __init__(self, step: nn.Module, nat_dim: int = NAT_DIM, size: int = 16):
        super().__init__(None, step, nat_dim, size)
        self.maps = _identity_maps(nat_dim, 2 * nat_dim - 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = self.counts(x)
        return (n[:, :, None, None] * self.maps(self.step(x))).sum(1, keepdim=True)


class LearnedCondIter(LinkedCondIter):
    """The typed interface of `dilate_cond` with its body learned: Σⱼ Σᵢ eⱼ nᵢ · Lⱼᵢ(step(img))."""

    def __init__(self, step: nn.Module, nat_dim: int = NAT_DIM, size: int = 16):
        super().__init__(None, step, nat_dim, size)
        self.maps = _identity_maps(2 * nat_dim, 2 * nat_dim - 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = (self.even(x)[:, :, None] * self.counts(x)[:, None, :]).flatten(1)  # (B, 2·nat_dim)
        return (w[:, :, None, None] * self.maps(self.step(x))).sum(1, keepdim=True)


class LearnedBool2(LinkedBool2):
    """The typed interface of `and`/`eq` with a learned body of type 𝟚 ⊸ 𝟚 ⊸ 𝟚: each pair of
    basis booleans maps to a learned distribution over 𝟚, so soft booleans stay soft booleans."""

    def __init__(self, size: int = 16):
        super().__init__(None, size)
        # random, not uniform: with equal rows the output ignores the booleans, and no gradient
        # would ever reach the classifier
        self.table = nn.Parameter(torch.randn(2, 2, 2))

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        pa, pb = self.bools(a, b)
        return torch.einsum("bi,bj,ijk->bk", pa, pb, self.table.softmax(-1))
