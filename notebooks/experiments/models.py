"""The networks of the experiments: the pieces linked into Cajal programs and the baselines.

Notebook 04 (iterated dilation):
- `CountNet`: a small CNN reading an image and scoring how many times to iterate (logits over ℕ).
- `ConvStep`: the learned step, Image → Image: x + conv₁ₓ₁(relu(conv₃ₓ₃(x))), the residual
  branch initialised to zero, so it starts as the identity. (The true step, a lerp with a
  max-pool, is not linear in pixels, so a purely linear convolution could not represent it;
  Cajal only asks a linked `Image ⊸ Image` to map images to images.)
- `DirectDilate`: the compiled `dilate` program linked to a `CountNet` (its softmax is the soft
  count) and a `ConvStep`. `program` is anything with the signature of the Cajal definition,
  `program(step=..., img=..., n=...)` — the compiled `Definition` in the notebook,
  `reference_iter` (the same sum written in PyTorch) in the tests.
- `TypePreservingDilate`: the same interface (soft count, learned step, image) but the compiled
  iteration is replaced by learned linear maps, one per count: Σᵢ nᵢ · Lᵢ(step(img)).
- `DilationCNN`: the indirect model, a plain fully-convolutional network (dilated 3×3 convs,
  residual) with about the same number of parameters as `DirectDilate`.

Notebook 05 (linear neurons):
- `Classifier`: a small CNN with 2 outputs, a 𝟚 (index 0 = tt, as Cajal encodes it).
- `Generator`: an MLP Image → Image with a sigmoid output.
- `DirectConditional`: the compiled conditional linked to a `Classifier` (check) and a
  `Generator`; the identity branch is fixed.
- `MLPImage`: the indirect model, an MLP Image → Image; `ResidualMLPImage`: x + MLP(x), a
  stronger baseline that, like the program, starts with the identity.
- `DirectAnd`: the compiled `and` on two parity classifiers (one shared network, applied to
  each image); `PairCNN`: a CNN on the two images side by side.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

NAT_DIM = 10


def n_params(module: nn.Module) -> int:
    """The number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def reference_iter(step: Callable, img: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """Σᵢ nᵢ · stepⁱ(img) for a batch (the denotation of iter{img | y ↪ step y}(n), written
    directly in PyTorch: LANGUAGE.md section 5). `n` has shape (B, N); `img` (B, …)."""
    out = 0
    h = img
    for i in range(n.shape[-1]):
        if i:
            h = step(h)
        out = out + n[:, i].view(-1, *([1] * (img.dim() - 1))) * h
    return out


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
    """A learned Image → Image step: x + conv1×1(relu(conv3×3(x))), starting as the identity."""

    def __init__(self, hidden: int = 8):
        super().__init__()
        self.inner = nn.Conv2d(1, hidden, 3, padding=1)
        self.outer = nn.Conv2d(hidden, 1, 1)
        nn.init.zeros_(self.outer.weight)
        nn.init.zeros_(self.outer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.outer(F.relu(self.inner(x)))


class DirectDilate(nn.Module):
    """The compiled `dilate` linked to a count network and a learned step."""

    def __init__(self, program: Callable, nat_dim: int = NAT_DIM, size: int = 16):
        super().__init__()
        self.program = program
        self.count = CountNet(nat_dim, size)
        self.step = ConvStep()

    def counts(self, x: torch.Tensor) -> torch.Tensor:
        """The soft count, a distribution over ℕ (B, nat_dim)."""
        return self.count(x).softmax(-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.program(step=self.step, img=x, n=self.counts(x))


class TypePreservingDilate(nn.Module):
    """Same interface as `DirectDilate`, but the iteration is a learned map: Σᵢ nᵢ · Lᵢ(step(img)),
    each Lᵢ a linear convolution (kernel 2·nat_dim−1 tall, 3 wide) starting as the identity."""

    def __init__(self, nat_dim: int = NAT_DIM, size: int = 16):
        super().__init__()
        self.count = CountNet(nat_dim, size)
        self.step = ConvStep()
        kh = 2 * nat_dim - 1
        self.maps = nn.Conv2d(1, nat_dim, (kh, 3), padding=(kh // 2, 1), bias=False)
        with torch.no_grad():
            self.maps.weight.normal_(0, 0.01)
            self.maps.weight[:, 0, kh // 2, 1] += 1.0

    def counts(self, x: torch.Tensor) -> torch.Tensor:
        return self.count(x).softmax(-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = self.counts(x)
        return (n[:, :, None, None] * self.maps(self.step(x))).sum(1, keepdim=True)


class DilationCNN(nn.Module):
    """The indirect model: a plain residual CNN, dilated 3×3 convolutions (receptive field
    covers the image), about as many parameters as `DirectDilate`."""

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


# ------------------------------------------------------------------ notebook 05


class Generator(nn.Module):
    """Image → Image through an MLP with a `hidden`-unit bottleneck and a sigmoid output."""

    def __init__(self, size: int = 16, hidden: int = 16):
        super().__init__()
        self.size = size
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(size * size, hidden), nn.ReLU(),
                                 nn.Linear(hidden, size * size), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1, 1, self.size, self.size)


class MLPImage(Generator):
    """The indirect model of the conditional task: an MLP Image → Image."""

    def __init__(self, size: int = 16, hidden: int = 20):
        super().__init__(size, hidden)


class ResidualMLPImage(nn.Module):
    """A stronger indirect model of the conditional task: x + MLP(x), starting as the identity
    (so, like the program, it gets the "pass the input through" branch for free)."""

    def __init__(self, size: int = 16, hidden: int = 20):
        super().__init__()
        self.size = size
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(size * size, hidden), nn.ReLU(),
                                 nn.Linear(hidden, size * size))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.net(x).view(-1, 1, self.size, self.size)


class DirectConditional(nn.Module):
    """The compiled conditional `cond(check, gen, x, x′)` linked to a classifier and a generator.
    `x` feeds the condition and `x′` the branches: the same image, given twice, because a
    linear program may use each input only once (duplication happens outside Cajal)."""

    def __init__(self, program: Callable, size: int = 16, hidden: int = 16):
        super().__init__()
        self.program = program
        self.check = Classifier(size)
        self.gen = Generator(size, hidden)

    def check_bool(self, x: torch.Tensor) -> torch.Tensor:
        """The soft 𝟚 the condition sees, (B, 2): [p(tt) = "is a 1", p(ff)]."""
        return self.check(x).softmax(-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.program(check=lambda img: self.check(img).softmax(-1), gen=self.gen, x=x, x2=x)


class DirectAnd(nn.Module):
    """The compiled `and` on a parity classifier applied to each image: and (odd a) (odd b)."""

    def __init__(self, program: Callable, size: int = 16):
        super().__init__()
        self.program = program
        self.odd = Classifier(size)

    def bools(self, a: torch.Tensor, b: torch.Tensor):
        return self.odd(a).softmax(-1), self.odd(b).softmax(-1)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        pa, pb = self.bools(a, b)
        return self.program(x=pa, y=pb)


class PairCNN(nn.Module):
    """The indirect model of the parity task: a CNN on the two images side by side → 2 logits."""

    def __init__(self, size: int = 16):
        super().__init__()
        self.net = SmallCNN(2, size=(size, 2 * size))

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([a, b], dim=-1)).softmax(-1)


def reference_cond(check, gen, x, x2):
    """The denotation of `iter{x2 | y ↪ gen y}(if check x then 0 else 1)`, in PyTorch:
    c_tt · x2 + c_ff · gen(x2)."""
    c = check(x)
    shape = (-1, *([1] * (x2.dim() - 1)))
    return c[:, 0].view(shape) * x2 + c[:, 1].view(shape) * gen(x2)


def reference_and(x, y):
    """The denotation of `and` (LANGUAGE.md section 5): tt only when both are tt."""
    return torch.stack([x[..., 0] * y[..., 0], x[..., 0] * y[..., 1] + x[..., 1] * (y[..., 0] + y[..., 1])], -1)
