"""The compiled program: a `torch.nn.Module` whose buffers (or parameters) are the folded
constants, with its static facts (linearity, exactness), its tensors, and calling (link.py)."""

from __future__ import annotations

import math
from typing import Optional

import torch
from torch import nn

from .. import budget
from ..encoding import dim, is_finite
from ..errors import CajalError
from ..pretty import pretty
from ..syntax import Arrow, leading_lambdas
from .estimate import Estimate, product, size_of
from .link import call
from .nodes import ConstNode, DefNode, LamNode, Node
from .runtime import Runtime
from .values import force, no_matrix


class Compiled(nn.Module):
    """A compiled Cajal program: a `torch.nn.Module` whose buffers (or, with
    `module(trainable=True)`, parameters) are the weights of its closed sub-programs.

    `.type`, `.free` ((name, Type) of the context, in order), `.params` ((name, Type) of the
    λ-parameters at the top), `.nat_dim`, `.typing`, `.tensor`, `.matrix`, `.linear`,
    `.nonlinear_in`; call it (or `.call`) with inputs linked by position or name."""

    def __init__(self, *, term, typing, ctx, nat_dim, root, consts, const_names, size_limit, dtype,
                 trainable=False, links=None):
        super().__init__()
        self.term, self.typing, self.nat_dim, self.root = term, typing, nat_dim, root
        self.type = typing.type
        self.free = tuple(ctx.items())
        self.params = _chain(term)
        self.size_limit = size_limit
        self.trainable = trainable
        self.const_names = list(const_names)
        self.register_buffer("_probe", torch.zeros(0, dtype=dtype), persistent=False)
        for i, value in enumerate(consts):
            if trainable:
                self.register_parameter(f"w{i}", nn.Parameter(value.detach().clone()))
            else:
                self.register_buffer(f"w{i}", value)
        self.bound_inputs = dict(links or {})  # inputs bound by module(**links), by name
        self.links = nn.ModuleDict({k: v for k, v in self.bound_inputs.items() if isinstance(v, nn.Module)})
        self._cache = None
        self._analyse()

    # ------------------------------------------------------------ static facts

    def _analyse(self):
        inputs = [n for n, _ in self.free] + [n for n, _ in self.params]
        nonlinear = {n for n, _ in self.free if n in self.typing.nonlinear}
        nonlinear |= {lam.param for lam in leading_lambdas(self.term)[0] if id(lam) in self.typing.nonlinear}
        raw = self.root.raw if isinstance(self.root, ConstNode) else self.root
        # a capture of a variable bound strictly inside (not an input), or a definition that is
        # not linear, may make the map non-linear in any input: say so for all (conservative)
        if _inner_taint(raw):
            nonlinear |= set(inputs)
        self.nonlinear = frozenset(nonlinear)
        self.nonlinear_in = tuple(n for n in inputs if n in nonlinear)
        self.linear = not nonlinear
        self.exact = not raw.tainted
        self.has_iter = raw.has_iter
        self.smax = raw.smax
        self.finite = is_finite(self.type) and all(is_finite(t) for _, t in self.free)

    # ------------------------------------------------------------ runtime

    @property
    def dtype(self):
        """The floating-point dtype of the compiled weights."""
        return self._probe.dtype

    @property
    def device(self):
        """The device the compiled weights are on."""
        return self._probe.device

    def _consts(self):
        return [getattr(self, f"w{i}") for i in range(len(self.const_names))]

    def runtime(self, *, record: Optional[list] = None, batch: int = 1) -> Runtime:
        """A fresh runtime (constants, dtype, device, ℕ size) for one run of the network."""
        return Runtime(self._consts(), dtype=self.dtype, device=self.device, nat_dim=self.nat_dim,
                       limit=self.size_limit, trainable=self.trainable, record=record, batch=batch)

    def linked(self, rt: Runtime, name: str) -> tuple:
        """(type, runtime value) of this program given as an input `name` of a call running in
        `rt` (link.py): it must be closed, and made for the same nat_dim, dtype and device."""
        if self.free:
            raise CajalError(f"`{name}`: the linked program has free variables "
                             f"({', '.join(n for n, _ in self.free)}), so it is not a value")
        if self.nat_dim != rt.nat_dim:
            raise CajalError(f"`{name}`: the linked program was compiled with nat_dim = {self.nat_dim}, "
                             f"but this one uses {rt.nat_dim}", hint="compile both with the same nat_dim")
        if self.dtype != rt.dtype or self.device != rt.device:
            raise CajalError(f"`{name}`: the linked program is {self.dtype} on {self.device}, but this one is "
                             f"{rt.dtype} on {rt.device}", hint="convert one of them with .to(…)/.double()/.float()")
        return self.type, self.value()

    def value(self):
        """The runtime value of a closed program (a tensor, an Abs, or a function value)."""
        if self.free:
            raise CajalError(f"this program has free variables ({', '.join(n for n, _ in self.free)})",
                             hint="link them: call it with their values")
        return self.root.run({}, 0, self.runtime())

    def _apply(self, fn, *args, **kwargs):
        self._cache = None
        return super()._apply(fn, *args, **kwargs)

    # ------------------------------------------------------------ tensors

    @property
    def tensor(self) -> torch.Tensor:
        """The multilinear map as one tensor of shape (dim τ, dim τ₁, …, dim τ_k) for the free
        variables x₁:τ₁ … x_k:τ_k (a closed term: its vector, a function's flattened matrix).
        Column (i₁, …, i_k) is the program run on basis vectors, also where it is not linear."""
        if not self.finite:
            bad = next(t for t in [self.type] + [t for _, t in self.free] if not is_finite(t))
            raise no_matrix(bad)
        if self._cache is not None and not self.trainable:
            return self._cache
        with budget.guard(f"computing the tensor of {pretty(self.type)}"):
            out = force(self.value(), 0).reshape(-1) if not self.free else self._open_tensor()
        if not self.trainable:
            self._cache = out
        return out

    def _open_tensor(self) -> torch.Tensor:
        dims = [dim(t, self.nat_dim) for _, t in self.free]
        k = len(dims)
        d = dim(self.type, self.nat_dim)
        rt = self.runtime(batch=math.prod(dims))
        est = Estimate(rt.limit, rt.elem, rt.nat_dim)
        inputs = [size_of(t, di) for (_, t), di in zip(self.free, dims)]
        est.note(product([size_of(self.type, d), *inputs]), self.root, (f"the tensor (with {k} input axes) of", self.type))
        est.visit(self.root, {name: frozenset([(object(), s)]) for (name, _), s in zip(self.free, inputs)})
        est.check()
        env = {name: rt.basis(di, axis=i, rank=k) for i, ((name, _), di) in enumerate(zip(self.free, dims))}
        rt.sampling += 1  # the states of this run are samples, not the call's own
        out = force(self.root.run(env, k, rt), k)
        nb = out.dim() - 1
        out = out.reshape((1,) * (k - nb) + tuple(out.shape)).expand(*dims, d)
        return out.permute(k, *range(k)).contiguous()

    @property
    def matrix(self) -> torch.Tensor:
        """The matrix (dim τ₂, dim τ₁) of a closed function: column j is the output on basis
        vector j (for a curried function, itself a flattened matrix)."""
        if not isinstance(self.type, Arrow):
            raise CajalError(f"a value of type {pretty(self.type)} has a vector, not a matrix",
                             hint="use .tensor")
        if self.free:
            raise CajalError(
                f"this term has free variables ({', '.join(n for n, _ in self.free)}), so it is not a closed "
                "function with one matrix", hint="use .tensor (output × inputs), or link the variables first")
        t = self.tensor
        return t.reshape(dim(self.type.cod, self.nat_dim), dim(self.type.dom, self.nat_dim))

    def tensor_of(self, term) -> Optional[torch.Tensor]:
        """The flattened tensor of a closed, finite sub-term of this program (the node whose
        term *is* `term`), read from the compiled nodes: its folded weight, the compiled
        definition it names, or its node run once. None when the sub-term is open, not finite,
        or not part of this program. (A graph draws a 𝟚 ⊸ 𝟚 layer's weights from it.)"""
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            if node.term is term:
                if isinstance(node, ConstNode):
                    return self._consts()[node.index]
                if isinstance(node, DefNode):
                    return node.compiled.tensor
                if node.free or node.dim is None:
                    return None
                with budget.guard(f"computing the tensor of {pretty(node.ty)}"):
                    return force(node.run({}, 0, self.runtime()), 0).reshape(-1)
            stack.extend((node.raw,) if isinstance(node, ConstNode) else node.children())
        return None

    def uncurried(self, k: Optional[int] = None) -> torch.Tensor:
        """The tensor of a closed curried function of its first k parameters (default: all the
        λs at the top), shape (dim result, dim τ₁, …, dim τ_k)."""
        k = len(self.params) if k is None else k
        ts, t = [], self.type
        for _ in range(k):
            if not isinstance(t, Arrow):
                raise CajalError(f"{pretty(self.type)} does not take {k} arguments")
            ts.append(dim(t.dom, self.nat_dim))
            t = t.cod
        m = self.matrix if k else self.tensor
        return m.reshape(dim(t, self.nat_dim), *reversed(ts)).permute(0, *range(k, 0, -1))

    # ------------------------------------------------------------ calling

    def forward(self, *args, **kwargs):
        """Run the network on linked inputs (as `call`): what `module(x)` does."""
        return call(self, args, kwargs)

    def call(self, *args, **kwargs):
        """Run the program on linked inputs: the free variables, then the λ-parameters at the
        top, by position or by name; fewer arguments give a partial application."""
        return self(*args, **kwargs)

    def iterates(self, *args, **kwargs) -> list:
        """Run like `call` and return the hidden states of every iter that ran on the data:
        a list of (Iter term, tensor of shape (N, …batch, dim τ)): h₀ … h_{N−1}."""
        record: list = []
        call(self, args, kwargs, record=record)
        return record

    def module(self, trainable: bool = False, **links) -> "Compiled":
        """A torch.nn.Module of this program. `trainable=True` makes the weights (the tensors
        of the closed sub-programs) nn.Parameters initialised to the program. `links` bind
        inputs now (an nn.Module link becomes a submodule, so its parameters are included)."""
        if trainable == self.trainable and not links:
            return self
        consts = [t.detach().clone() for t in self._consts()]
        return Compiled(term=self.term, typing=self.typing, ctx=dict(self.free), nat_dim=self.nat_dim,
                        root=self.root, consts=consts, const_names=self.const_names, size_limit=self.size_limit,
                        dtype=self.dtype, trainable=trainable, links={**self.bound_inputs, **links}).to(self.device)

    # ------------------------------------------------------------ export (export.py)

    def exportable(self) -> nn.Module:
        """This program as a module whose `forward` takes one named tensor per input (free
        variables, then the arguments of its type) and returns a tensor: the fixed signature
        `torch.jit.script`, `torch.export` and ONNX need (docs/LANGUAGE.md section 6)."""
        from .export import exportable
        return exportable(self)

    def export(self, path, format: str = "onnx", batch: bool = True):
        """Write this program (with its current, possibly trained, weights) as a file that runs
        without Cajal: `format` "onnx", "torch" (torch.export) or "torchscript". Returns the path."""
        from .export import export
        return export(self, path, format=format, batch=batch)

    def __prepare_scriptable__(self):
        """`torch.jit.script(module)` compiles the fixed-signature tabular module."""
        from .export import exportable
        return exportable(self)

    @property
    def weights(self) -> dict:
        """{name: (kind, term)}: which sub-program each weight is ('value' or 'step' matrix)."""
        return {f"w{i}": what for i, what in enumerate(self.const_names)}

    def extra_repr(self) -> str:
        """The type and settings, for `print(module)`."""
        return f"{pretty(self.type)}, nat_dim={self.nat_dim}" + (", trainable" if self.trainable else "")

    def __repr__(self) -> str:
        free = ", ".join(f"{n} : {pretty(t)}" for n, t in self.free)
        return f"<compiled {free + ' ⊢ ' if free else ''}{pretty(self.term)} : {pretty(self.type)} (nat_dim={self.nat_dim})>"


def _chain(term) -> tuple:
    return tuple((lam.param, lam.param_type) for lam in leading_lambdas(term)[0])


def _inner_taint(node: Node) -> bool:
    """Whether something inside the top λ-chain makes a non-linear function of its own."""
    while isinstance(node, LamNode):
        node = node.body
    return node.tainted
