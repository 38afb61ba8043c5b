"""The one device every experiment runs on: a GPU when present, else the CPU.

Picked once per notebook (`pick()`), overridable with `CAJAL_DEVICE` (`cpu`, `cuda`, `cuda:1`,
`mps`). Models, compiled programs and data all move to it; the code path is the same on every
device.
"""

from __future__ import annotations

import os

import torch


def _available(device: torch.device) -> bool:
    if device.type == "cpu":
        return True
    if device.type == "cuda":
        return torch.cuda.is_available() and (device.index or 0) < torch.cuda.device_count()
    if device.type == "mps":
        return bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    return False


def pick(override: str | None = None) -> torch.device:
    """`override` (or `$CAJAL_DEVICE`) when given, else CUDA when available, else the CPU."""
    name = override if override is not None else os.environ.get("CAJAL_DEVICE", "").strip()
    if not name:
        return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f"CAJAL_DEVICE={name!r} is not a device: use cpu, cuda, cuda:N or mps") from None
    if not _available(device):
        raise ValueError(f"CAJAL_DEVICE={name!r}, but this machine has no such device: unset it or use cpu")
    return device


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    return str(device)
