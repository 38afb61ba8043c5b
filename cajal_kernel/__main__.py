"""`python -m cajal_kernel -f CONNECTION_FILE` runs the kernel (what kernel.json says);
`python -m cajal_kernel install [--user | --sys-prefix | --prefix DIR]` installs its kernelspec;
`--help` and `--version` describe the Cajal kernel (not IPython's kernel application)."""

from __future__ import annotations

import sys

USAGE = """\
usage: python -m cajal_kernel -f CONNECTION_FILE
       python -m cajal_kernel install [--user | --sys-prefix | --prefix DIR]
       python -m cajal_kernel --help | --version

The Cajal kernel: a Jupyter kernel whose cells are Cajal, a typed, linear, higher-order
language whose programs compile to neurons (a cell that starts with %%python runs Python).

  -f CONNECTION_FILE  run the kernel (what a front-end does, via the kernelspec `cajal`)
  install             install the kernelspec `cajal` (display name "Cajal") for Jupyter:
                      --user (your home), --sys-prefix (this environment), --prefix DIR;
                      `pip install cajal-notebook` already ships it
  --help              this text; `install --help` details the install options
  --version           the versions of Cajal, ipykernel and Python

Then: jupyter lab (the Cajal tile), jupyter console --kernel cajal."""


def version() -> str:
    import ipykernel

    import cajal
    return (f"cajal_kernel {cajal.__version__} (Cajal {cajal.__version__}, ipykernel {ipykernel.__version__}, "
            f"Python {sys.version.split()[0]})")


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if argv and argv[0] in ("-V", "--version", "version"):
        print(version())
        return 0
    if argv and argv[0] == "install":
        from .install import main as install
        return install(argv[1:])
    from ipykernel.kernelapp import IPKernelApp

    from .kernel import CajalKernel
    IPKernelApp.launch_instance(argv=argv, kernel_class=CajalKernel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
