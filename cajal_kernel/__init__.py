"""The Cajal Jupyter kernel (`python -m cajal_kernel install` registers it; `pip install` ships
its kernelspec). Importing this package is cheap; the kernel class lives in `cajal_kernel.kernel`.
"""

__all__ = ["CajalKernel"]


def __getattr__(name):
    if name == "CajalKernel":
        from .kernel import CajalKernel
        return CajalKernel
    raise AttributeError(f"module 'cajal_kernel' has no attribute {name!r}")
