"""The original experiments' networks (`joeyginorio/cajal`, `experiments/*/model_*.py`), written
anew in PyTorch, each linked model around a compiled Cajal program of this package.

Names follow the original's files: its `model_direct.py` is the **linked** model (the compiled
program inside), its `model_indirect.py` the **plain** network, `model_type.py` the
type-preserving model, `model_direct_simple.py` the linked model with one learned convolution
as its step, `and/model_church.py` the Church-encoded `and`. Every count and boolean a network
hands to a program is its raw logits (no softmax), as in the original.

`program` arguments are compiled Cajal definitions (a session `Definition`; `linked` takes its
module, so `.to(device)` moves it with the networks) or, in the tests, a PyTorch reference.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

SIZE, KERNEL, PAD = 28, 13, 6  # 28×28 images, 13×13 kernels, padded by 6 with −1 (the background)
NAT_DIM = 10


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def linked(program):
    """The compiled module of a Cajal `Definition`; any other callable as it is."""
    return program.module() if hasattr(program, "module") and hasattr(program, "compiled") else program


def pad_background(x: torch.Tensor) -> torch.Tensor:
    """Pad by 6 pixels of −1 (the background after Normalize(0.5, 0.5)): a 13×13 kernel then keeps 28×28."""
    return F.pad(x, (PAD, PAD, PAD, PAD), mode="constant", value=-1.0)


def kron(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The Kronecker product of two batches of vectors (B, m), (B, n) → (B, m·n), as torch.kron per row."""
    return (a[:, :, None] * b[:, None, :]).flatten(1)


# ------------------------------------------------------------------ plain networks (model_indirect.py)


class PlainCNN(nn.Sequential):
    """3 × (pad −1, Conv 13×13), channels 1 → 6 → 6 → 1, ReLU between: 8,125 parameters.
    It runs channels-last (the same maths): oneDNN's 13×13 kernels are about 1.4× faster so."""

    def __init__(self):
        super().__init__(
            nn.ConstantPad2d(PAD, -1.0), nn.Conv2d(1, 6, KERNEL), nn.ReLU(),
            nn.ConstantPad2d(PAD, -1.0), nn.Conv2d(6, 6, KERNEL), nn.ReLU(),
            nn.ConstantPad2d(PAD, -1.0), nn.Conv2d(6, 1, KERNEL),
        )
        self.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.contiguous(memory_format=torch.channels_last)).contiguous()


class MLP(nn.Sequential):
    """Flatten → Linear(inputs, 400) → ReLU → Linear(400, out): raw logits."""

    def __init__(self, inputs: int = SIZE * SIZE, out: int = 2, hidden: int = 400):
        super().__init__(nn.Flatten(), nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, out))


class PlainPair(nn.Module):
    """The plain network of `and`/`eq`: MLP 1568-400-2 on the two images side by side."""

    def __init__(self):
        super().__init__()
        self.net = MLP(2 * SIZE * SIZE)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([a.flatten(1), b.flatten(1)], 1))


# ------------------------------------------------------------------ the pieces a program is linked to


def trunk() -> nn.Sequential:
    """Conv(1,8,5,pad 2) → ReLU → Conv(8,16,5,pad 2) → ReLU → MaxPool(3) → flatten (1,296 features)."""
    return nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(),
                         nn.MaxPool2d(3), nn.Flatten())


class CountCNN(nn.Sequential):
    """Image → raw logits over ℕ (the count, no softmax): trunk → Linear(1296, 10)."""

    def __init__(self, nat_dim: int = NAT_DIM):
        super().__init__(*trunk(), nn.Linear(16 * 9 * 9, nat_dim))


class HyperStep(nn.Module):
    """The learned step Image ⊸ Image: a 13×13 kernel predicted from the current iterate
    (trunk → Linear(1296, 169) → tanh), times `scale`, applied with −1 padding and no bias.
    dilate uses tanh and scale 1; blur uses no tanh and scale 0.1."""

    def __init__(self, tanh: bool = True, scale: float = 1.0):
        super().__init__()
        self.net = nn.Sequential(*trunk(), nn.Linear(16 * 9 * 9, KERNEL * KERNEL), *([nn.Tanh()] if tanh else []))
        self.scale = scale

    def kernels(self, y: torch.Tensor) -> torch.Tensor:
        """(B, 13, 13): the kernel predicted for each image of the batch."""
        return self.net(y).view(-1, KERNEL, KERNEL) * self.scale

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        b = y.shape[0]
        w = self.kernels(y).view(b, 1, KERNEL, KERNEL)
        out = F.conv2d(pad_background(y).view(1, b, SIZE + 2 * PAD, SIZE + 2 * PAD), w, groups=b)
        return out.view(b, 1, SIZE, SIZE)


class ConvStep(nn.Module):
    """`direct_simple`'s step: one learned Conv2d(1, 1, 13) (with bias) after −1 padding."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, KERNEL)

    def kernels(self, y: torch.Tensor) -> torch.Tensor:
        return self.conv.weight.view(1, KERNEL, KERNEL).expand(y.shape[0], KERNEL, KERNEL)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        # the batch as channels of one grouped convolution sharing the kernel: the same maths as
        # self.conv(pad_background(y)), and about 4× faster on a CPU for one 13×13 channel
        b = y.shape[0]
        w = self.conv.weight.expand(b, 1, KERNEL, KERNEL)
        out = F.conv2d(pad_background(y).view(1, b, SIZE + 2 * PAD, SIZE + 2 * PAD), w, self.conv.bias.expand(b),
                       groups=b)
        return out.view(b, 1, SIZE, SIZE)


# ------------------------------------------------------------------ linked models (model_direct.py)


class LinkedIter(nn.Module):
    """dilate, blur: `program(step, img, n)` = iter{img | y ↪ step y}(n) with n the count CNN's raw logits."""

    def __init__(self, program, step: nn.Module):
        super().__init__()
        self.program = linked(program)
        self.count = CountCNN()
        self.step = step

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.program(step=self.step, img=x, n=self.count(x))


class LinkedCondIter(LinkedIter):
    """dilate_cond: `program(even, step, img, n)` = if even then img else iter{…}(n), with the
    parity MLP's raw logits as `even`."""

    def __init__(self, program, step: nn.Module):
        super().__init__(program, step)
        self.parity = MLP()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.program(even=self.parity(x), step=self.step, img=x, n=self.count(x))


class LinkedPair(nn.Module):
    """and, eq: `program(x, y)` : 𝟚 ⊸ 𝟚 ⊸ 𝟚 on two separate MLPs 784-400-2 (raw logits). With
    `out=8` (Church), each MLP outputs an arbitrary Church boolean 𝟚 ⊸ 𝟚 ⊸ 𝟚 (a 2×4 matrix)."""

    def __init__(self, program, out: int = 2, names: tuple[str, str] = ("x", "y")):
        super().__init__()
        self.program = linked(program)
        self.left, self.right = MLP(out=out), MLP(out=out)
        self.names = names

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.program(**{self.names[0]: self.left(a), self.names[1]: self.right(b)})


# ------------------------------------------------------------------ type-preserving (model_type.py)


class TypePreservingIter(nn.Module):
    """dilate: the count CNN's logits, then Linear(7840 → 784) on kron(image, count)."""

    def __init__(self):
        super().__init__()
        self.count = CountCNN()
        self.body = nn.Linear(SIZE * SIZE * NAT_DIM, SIZE * SIZE)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(kron(x.flatten(1), self.count(x))).view(-1, 1, SIZE, SIZE)


class TypePreservingCondIter(TypePreservingIter):
    """dilate_cond: Linear(15680 → 784) on kron(kron(image, count), parity)."""

    def __init__(self):
        super().__init__()
        self.parity = MLP()
        self.body = nn.Linear(SIZE * SIZE * NAT_DIM * 2, SIZE * SIZE)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = kron(kron(x.flatten(1), self.count(x)), self.parity(x))
        return self.body(features).view(-1, 1, SIZE, SIZE)


class TypePreservingPair(nn.Module):
    """and, eq: two MLPs 784-400-2, then Linear(4 → 2) on the kron of their logits."""

    def __init__(self):
        super().__init__()
        self.left, self.right = MLP(), MLP()
        self.body = nn.Linear(4, 2)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.body(kron(self.left(a), self.right(b)))


# ------------------------------------------------------------------ references (for the tests)


def reference_iter(step, img: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """Σᵢ nᵢ · stepⁱ(img) for i = 0 … nat_dim − 1, by hand: the denotation of iter{img | y ↪ step y}(n)."""
    out, h = 0, img
    for i in range(n.shape[-1]):
        if i:
            h = step(h)
        out = out + n[:, i].view(-1, 1, 1, 1) * h
    return out
