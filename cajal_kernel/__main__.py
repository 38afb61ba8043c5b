"""`python -m cajal_kernel -f CONNECTION_FILE` runs the kernel (what kernel.json says);
`python -m cajal_kernel install [--user | --sys-prefix | --prefix DIR]` installs its kernelspec."""

from __future__ import annotations

import sys


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "install":
        from .install import main as install
        return install(argv[1:])
    from ipykernel.kernelapp import IPKernelApp

    from .kernel import CajalKernel
    IPKernelApp.launch_instance(argv=argv, kernel_class=CajalKernel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
