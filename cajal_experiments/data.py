"""Digits for the experiments: MNIST when a local copy exists, else scikit-learn's 8×8 digits.

MNIST cannot be downloaded in every environment, so nothing here touches the network. The
loader looks, in order, for

1. ``$CAJAL_DATA/mnist.npz`` (the Keras layout: ``x_train, y_train, x_test, y_test``);
2. torchvision's MNIST already on disk under ``$CAJAL_DATA`` (``download=False``);
3. otherwise the 1,797 handwritten 8×8 digits that ship with scikit-learn, upsampled to 16×16
   (bilinear) — the embedded default, which the tests use.

Every image is a float tensor of shape (1, size, size) in [0, 1] (ink = 1). The task
constructors below (`dilation_targets`, `dilate_cond_targets`, `blur_targets`, `digit_pairs`)
are pure functions of the images and labels, so the targets are exact and reproducible.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .mnist import Digits, load_full

SIZE = 16
ALPHA = 0.7  # x ← lerp(x, dilate(x), ALPHA)


def _resize(x: torch.Tensor, size: int) -> torch.Tensor:
    if x.shape[-1] == size:
        return x
    mode = "bilinear" if size > x.shape[-1] else "area"
    kw = {"align_corners": False} if mode == "bilinear" else {}
    return F.interpolate(x, size=(size, size), mode=mode, **kw).clamp(0.0, 1.0)


def _split(x: torch.Tensor, y: torch.Tensor, test_fraction: float, seed: int):
    """A stratified split: the same fraction of every class goes to the test set."""
    g = np.random.default_rng(seed)
    test = []
    for c in range(10):
        idx = np.flatnonzero(y.numpy() == c)
        g.shuffle(idx)
        test.extend(idx[: round(len(idx) * test_fraction)])
    mask = np.zeros(len(y), bool)
    mask[test] = True
    tr, te = torch.from_numpy(~mask), torch.from_numpy(mask)
    return x[tr], y[tr], x[te], y[te]


def load_sklearn_digits(size: int = SIZE, test_fraction: float = 0.3, seed: int = 0) -> Digits:
    """scikit-learn's handwritten digits (8×8, 17 grey levels), scaled to [0, 1] and upsampled."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(d.target, dtype=torch.long)
    x = _resize(x, size)
    return Digits(*_split(x, y, test_fraction, seed), source=f"sklearn digits 8×8 → {size}×{size}")


def _load_mnist(root: Path, size: int) -> Digits | None:
    """Full MNIST as `mnist.load_full` reads it, back in [0, 1] and resized for this setting."""
    found = load_full(root)
    if found is None:
        return None

    def images(x: torch.Tensor) -> torch.Tensor:
        return _resize((x + 1) / 2, size)

    return Digits(images(found.train_x), found.train_y, images(found.test_x), found.test_y,
                  source=f"MNIST 28×28 → {size}×{size} ({root})")


def load_digits(source: str = "auto", size: int = SIZE, seed: int = 0) -> Digits:
    """The experiments' digits. `source`: "auto" (MNIST if a local copy exists under
    $CAJAL_DATA, else scikit-learn), "mnist" (error if absent) or "sklearn"."""
    if source not in ("auto", "mnist", "sklearn"):
        raise ValueError(f"unknown source {source!r}: use 'auto', 'mnist' or 'sklearn'")
    if source != "sklearn":
        root = os.environ.get("CAJAL_DATA")
        found = _load_mnist(Path(root).expanduser(), size) if root else None
        if found is not None:
            return found
        if source == "mnist":
            raise FileNotFoundError("no local MNIST: put mnist.npz (x_train, y_train, x_test, y_test) "
                                    "or torchvision's MNIST folder under $CAJAL_DATA")
    return load_sklearn_digits(size=size, seed=seed)


# ------------------------------------------------------------------ iterated steps


def iterates(step: Callable, x: torch.Tensor, steps: int) -> torch.Tensor:
    """The iterates h₀ = x, h₁ = step(h₀), …, h_steps, stacked on a new dim 1."""
    hs = [x]
    for _ in range(steps):
        hs.append(step(hs[-1]))
    return torch.stack(hs, dim=1)


def iterated(step: Callable, x: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """Image i with `step` applied n[i] times."""
    n = torch.as_tensor(n, dtype=torch.long)
    if len(n) == 0:
        return x.clone()
    return iterates(step, x, int(n.max()))[torch.arange(len(x)), n]


# ------------------------------------------------------------------ dilation (dilate, dilate_cond)


def dilate_once(x: torch.Tensor) -> torch.Tensor:
    """Grey-scale dilation by a flat vertical 3-pixel structuring element (max over the
    pixel and its neighbours above and below; the border is padded with -inf)."""
    return F.max_pool2d(x, kernel_size=(3, 1), stride=1, padding=(1, 0))


def dilation_step(x: torch.Tensor, alpha: float = ALPHA) -> torch.Tensor:
    """One step of the task: x ← lerp(x, dilate(x), alpha)."""
    return torch.lerp(x, dilate_once(x), alpha)


def dilation_iterates(x: torch.Tensor, steps: int) -> torch.Tensor:
    return iterates(dilation_step, x, steps)


def dilation_targets(x: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """Image i dilated n[i] times (the `dilate` task: a digit of class n, n times)."""
    return iterated(dilation_step, x, n)


def even(y: torch.Tensor) -> torch.Tensor:
    """The parity of each digit as a bool tensor (True = even)."""
    return (y % 2) == 0


def dilate_cond_targets(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The `dilate_cond` task: an even digit is kept, an odd digit n is dilated n times."""
    return iterated(dilation_step, x, torch.where(even(y), 0, y))


# ------------------------------------------------------------------ blur

BLUR_SIZE, BLUR_SIGMA = 13, 1.0


def gaussian_kernel(size: int = BLUR_SIZE, sigma: float = BLUR_SIGMA) -> torch.Tensor:
    """The normalised 2-D Gaussian (size × size), as torchvision's `gaussian_blur` makes it."""
    half = (size - 1) * 0.5
    k = torch.exp(-0.5 * (torch.linspace(-half, half, size) / sigma) ** 2)
    k = k / k.sum()
    return torch.outer(k, k)


def _blur_torch(x: torch.Tensor, size: int, sigma: float) -> torch.Tensor:
    pad = size // 2
    k = gaussian_kernel(size, sigma).to(x)[None, None]
    return F.conv2d(F.pad(x, (pad, pad, pad, pad), mode="reflect"), k)


def blur_once(x: torch.Tensor, size: int = BLUR_SIZE, sigma: float = BLUR_SIGMA) -> torch.Tensor:
    """One Gaussian blur (13×13, σ = 1, reflect padding): torchvision's `gaussian_blur` when
    installed, else the same computation in torch (`_blur_torch`; a test checks they agree)."""
    try:
        from torchvision.transforms.functional import gaussian_blur
    except ImportError:
        return _blur_torch(x, size, sigma)
    return gaussian_blur(x, [size, size], [sigma, sigma])


def blur_targets(x: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """Image i blurred n[i] times (the `blur` task: a digit of class n, n times)."""
    return iterated(blur_once, x, n)


# ------------------------------------------------------------------ pairs of digits (and, eq)


def odd(y: torch.Tensor) -> torch.Tensor:
    """The parity of each digit as a bool tensor (True = odd)."""
    return (y % 2) == 1


def digit_pairs(x: torch.Tensor, y: torch.Tensor, count: int, seed: int = 0):
    """`count` random pairs of images with their digits' parities.

    Returns (a, b, odd_a, odd_b): images (count, 1, S, S) ×2 and bool tensors (count,)."""
    g = torch.Generator().manual_seed(seed)
    i = torch.randint(len(x), (count,), generator=g)
    j = torch.randint(len(x), (count,), generator=g)
    return x[i], x[j], odd(y[i]), odd(y[j])


def subset(n_items: int, count: int | None, seed: int) -> torch.Tensor:
    """Indices of a random subset of `count` of `n_items` (all of them when count is None)."""
    if count is None or count >= n_items:
        return torch.arange(n_items)
    return torch.randperm(n_items, generator=torch.Generator().manual_seed(seed))[:count]
