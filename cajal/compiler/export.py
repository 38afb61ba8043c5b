"""Compiled programs as modules with a fixed signature, and files that run without Cajal
(ONNX, `torch.export`, TorchScript). LANGUAGE.md section 6 ("Export") is the contract.

A program's exported module has one `forward` argument per input — its free variables, then
the parameters of its type's arrows, named after them (`not_` for `not`, `x0` where a name
cannot be spelled in Python) and typed `torch.Tensor` — and returns a tensor. So
`torch.jit.script`, `torch.export` and the ONNX exporter see a fixed signature, where the
Cajal-side `Compiled.forward(*args, **kwargs)` binds inputs by position or name.

The module is the program's multilinear map as one weight tensor, contracted with the inputs
by one `torch.einsum`: for a linear program of finite types (every program whose `.linear` is
True) it equals the compiled program on every input, one-hot or soft, and it is scriptable,
traceable and small. Its weight is a parameter when the program's weights were trainable (a
trained module exports what it has learnt). A program that is not linear (an iter step captures
an input), mentions an abstract type, or has inputs bound by links is refused with the reason:
its tensor describes one-hot inputs only, and its own run checks its inputs in Python
(`torch.export` cannot trace that).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import linecache
import logging
import os
import warnings
from pathlib import Path

import torch
from torch import nn

from ..encoding import dim, is_finite
from ..errors import CajalError
from ..pretty import pretty
from ..python_names import python_name
from ..syntax import Arrow

FORMATS = ("onnx", "torch", "torchscript")
_LETTERS = "abcdefghijklmnopqrstuvwxy"  # einsum axes of the inputs; `z` is the output's
_PYTHON_ONLY = {"self", "torch"}
_serial = itertools.count()
_CLASSES: dict[tuple, type] = {}


# ---------------------------------------------------------------------------- the inputs


def inputs(c) -> list[tuple[str, str, object]]:
    """(Cajal name, Python argument name, type) of each input of the exported module, in the
    order `Compiled.call` binds them: the free variables not bound by `module(**links)`, then
    one per arrow of the program's type (the top λ-parameters give the names)."""
    cajal_names = [n for n, _ in c.free if n not in c.bound_inputs]
    types = [t for n, t in c.free if n not in c.bound_inputs]
    params = [n for n, _ in c.params]
    t, i = c.type, 0
    while isinstance(t, Arrow):
        cajal_names.append(params[i] if i < len(params) and params[i] not in c.bound_inputs else f"arg{i + 1}")
        types.append(t.dom)
        t, i = t.cod, i + 1
    used: set[str] = set()
    out = []
    for k, (name, ty) in enumerate(zip(cajal_names, types)):
        py = python_name(name)
        if py is None or not py.isidentifier() or py in _PYTHON_ONLY or py in used:
            py = f"x{k}"
        used.add(py)
        out.append((name, py, ty))
    return out


def result_type(c):
    """The type of what the exported module returns: the type after all its arrows."""
    t = c.type
    while isinstance(t, Arrow):
        t = t.cod
    return t


def is_tabular(c) -> bool:
    """Whether the program exports as its tensor (see the module docstring)."""
    finite = is_finite(c.type) and all(is_finite(t) for _, t in c.free)
    return finite and c.linear and not c.bound_inputs


# ---------------------------------------------------------------------------- the modules


class Tabular(nn.Module):
    """A linear program as its tensor: `weight` has shape (dim result, dim input₁, …), and
    `forward` (one argument per input, made per program) contracts it with the inputs."""

    def __init__(self, weight: torch.Tensor, trainable: bool, signature: str):
        super().__init__()
        if trainable:
            self.weight = nn.Parameter(weight)
        else:
            self.register_buffer("weight", weight)
        self.signature = signature

    def extra_repr(self) -> str:
        return self.signature


def exportable(c) -> Tabular:
    """The program as a module with a fixed signature, or a CajalError saying why it has none."""
    if not is_tabular(c):
        raise CajalError(_not_tabular(c), hint="export a linear program of finite types without bound links "
                         "(the compiled module itself still runs in PyTorch, and torch.compile compiles it)")
    args = inputs(c)
    if len(args) > len(_LETTERS):
        raise CajalError(f"a program of {len(args)} inputs is too many for one tensor contraction",
                         hint=f"export a program of at most {len(_LETTERS)} inputs")
    signature = (", ".join(f"{py} : {pretty(t)}" for _, py, t in args) or "()") + f" → {pretty(result_type(c))}"
    letters = _LETTERS[:len(args)]
    equation = "z" + letters + "," + ",".join(f"...{a}" for a in letters) + "->...z"
    names = [py for _, py, _ in args]
    body = f'torch.einsum("{equation}", [self.weight, {", ".join(names)}])' if args else "self.weight"
    cls = _with_forward(Tabular, names, body)
    return cls(weight_tensor(c).detach().clone(), c.trainable, signature)


def weight_tensor(c) -> torch.Tensor:
    """The tensor of a tabular program, axes (result, free variables…, arrow inputs…)."""
    ts, t = [], c.type
    while isinstance(t, Arrow):
        ts.append(dim(t.dom, c.nat_dim))
        t = t.cod
    free = [dim(ty, c.nat_dim) for _, ty in c.free]
    k, m = len(ts), len(free)
    # c.tensor: (dim of the type, free…); a function's flat index is (result, τ_k, …, τ₁)
    tensor = c.tensor.reshape(dim(t, c.nat_dim), *reversed(ts), *free)
    return tensor.permute(0, *range(k + 1, k + 1 + m), *range(k, 0, -1)).contiguous()


def _with_forward(base: type, names: list[str], body: str) -> type:
    """A subclass of `base` whose `forward` takes `names` as tensors and returns `body`. Its
    source is kept in `linecache`, as TorchScript reads a method's source to compile it; one
    class per signature and body, so exporting again adds nothing."""
    key = (base, tuple(names), body)
    if key not in _CLASSES:
        _CLASSES[key] = _make_class(base, names, body)
    return _CLASSES[key]


def _make_class(base: type, names: list[str], body: str) -> type:
    params = "".join(f", {n}: torch.Tensor" for n in names)
    source = (f"class Program({base.__name__}):\n"
              f"    def forward(self{params}) -> torch.Tensor:\n"
              f"        return {body}\n")
    filename = f"<cajal-program-{next(_serial)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"torch": torch, base.__name__: base}
    exec(compile(source, filename, "exec", dont_inherit=True), namespace)  # annotations stay types
    cls = namespace["Program"]
    cls.__module__ = __name__
    return cls


# ---------------------------------------------------------------------------- files


def example_inputs(c, batch: bool) -> tuple[torch.Tensor, ...]:
    """Uniform soft inputs (a batch of 2, or single vectors), to trace the module with."""
    out = []
    for _, _, t in inputs(c):
        if not is_finite(t):
            raise CajalError(f"an input of type {pretty(t)} has no fixed size to export it with",
                             hint="export a program whose inputs are of finite types (𝟚, ℕ and functions of them)")
        d = dim(t, c.nat_dim)
        shape = (2, d) if batch else (d,)
        out.append(torch.full(shape, 1.0 / d, dtype=c.dtype, device=c.device))
    return tuple(out)


def export(c, path: str | os.PathLike, format: str = "onnx", batch: bool = True) -> Path:
    """Write the program as a file that runs without Cajal: `onnx` (onnxruntime), `torch`
    (`torch.export.save`; load it with `torch.export.load`) or `torchscript` (`torch.jit.load`).
    Inputs are float tensors of shape (batch, dim τᵢ), or (dim τᵢ) with `batch=False`."""
    if format not in FORMATS:
        raise CajalError(f"unknown export format `{format}`", hint=f"use one of {', '.join(FORMATS)}")
    path = Path(path)
    module = exportable(c).eval()
    args = example_inputs(c, batch)
    names = [py for _, py, _ in inputs(c)]
    dynamic = {n: {0: torch.export.Dim("batch")} for n in names} if batch and names else None
    try:
        if format == "torchscript":
            torch.jit.script(module).save(str(path))
        elif format == "torch":
            program = torch.export.export(module, args, dynamic_shapes=dynamic)
            torch.export.save(program, str(path))
        else:
            _onnx(module, args, names, dynamic, path)
    except OSError as err:
        raise CajalError(f"cannot write `{path}`: {err.strerror or err}") from None
    return path


def _onnx(module, args, names, dynamic, path: Path) -> None:
    try:
        import onnxscript  # noqa: F401 — torch.onnx's exporter needs it
    except ImportError:
        raise CajalError("exporting to ONNX needs the packages onnx and onnxscript",
                         hint="pip install 'cajal-notebook[export]'") from None
    with _quiet():
        torch.onnx.export(module, args, str(path), input_names=names, output_names=["output"],
                          dynamic_shapes=dynamic, dynamo=True, external_data=False, verbose=False)


@contextlib.contextmanager
def _quiet():
    """The ONNX exporter reports its progress on stdout and logs optional operator sets it
    skips (torchvision's): none of it concerns the user."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _not_tabular(c) -> str:
    if c.bound_inputs:
        why = "it has inputs bound by links"
    elif not c.linear:
        why = f"it is not linear in {', '.join(f'`{n}`' for n in c.nonlinear_in)} (an iter step captures it)"
    else:
        why = "it mentions an abstract type"
    return f"this program cannot be written as one tensor: {why}"


def describe(c) -> str:
    """The layout of the exported module's inputs and output, for messages and docs."""
    parts = [f"{py} : {pretty(t)} ({dim(t, c.nat_dim)})" for _, py, t in inputs(c) if is_finite(t)]
    out = result_type(c)
    size = dim(out, c.nat_dim) if is_finite(out) else "any"
    return f"{', '.join(parts) or 'no inputs'} → {pretty(out)} ({size})"

