"""Install the Cajal kernelspec: `python -m cajal_kernel install [--user | --sys-prefix | --prefix DIR]`.

`pip install cajal-notebook` already ships the kernelspec as wheel data
(`{prefix}/share/jupyter/kernels/cajal`), so this is for editable installs, for another
prefix, or to point the kernel at this interpreter explicitly.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Optional

KERNEL_NAME = "cajal"
LOGOS = ("logo-svg.svg", "logo-64x64.png", "logo-32x32.png")


def kernel_json(python: str = "python") -> dict:
    """The kernelspec. `python` as argv[0] makes jupyter_client use its own interpreter."""
    return {
        "argv": [python, "-m", "cajal_kernel", "-f", "{connection_file}"],
        "display_name": "Cajal",
        "language": "cajal",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


def shipped_kernelspec_dir() -> Optional[Path]:
    """Where the kernelspec files (kernel.json and the logos) are: the source tree (an
    editable install), or the prefix the wheel installed them into."""
    candidates = [Path(__file__).resolve().parent.parent / "share" / "jupyter" / "kernels" / KERNEL_NAME,
                  Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME]
    for path in candidates:
        if (path / LOGOS[1]).is_file():
            return path
    return None


def install(user: bool = False, prefix: Optional[str] = None, python: Optional[str] = None) -> str:
    """Install the kernelspec; return the directory it went to."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = Path(tmp) / KERNEL_NAME
        spec_dir.mkdir()
        (spec_dir / "kernel.json").write_text(
            json.dumps(kernel_json(python or sys.executable), indent=1, ensure_ascii=False) + "\n", "utf-8")
        source = shipped_kernelspec_dir()
        if source is not None:
            for logo in LOGOS:
                if (source / logo).is_file():
                    shutil.copy(source / logo, spec_dir / logo)
        return KernelSpecManager().install_kernel_spec(str(spec_dir), KERNEL_NAME, user=user, prefix=prefix)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cajal_kernel install",
                                     description="Install the Cajal Jupyter kernelspec.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true",
                       help="install for the current user (the default)")
    where.add_argument("--sys-prefix", action="store_true",
                       help=f"install into this Python's prefix ({sys.prefix}), e.g. a virtualenv or conda env")
    where.add_argument("--prefix", metavar="DIR", help="install into DIR/share/jupyter/kernels")
    parser.add_argument("--python", metavar="PATH",
                        help="the interpreter the kernel runs with (default: this one, "
                             f"{sys.executable}; `python` means whichever Jupyter runs)")
    args = parser.parse_args(argv)
    prefix = sys.prefix if args.sys_prefix else args.prefix
    dest = install(user=prefix is None, prefix=prefix, python=args.python)
    print(f"Installed the Cajal kernelspec in {dest}")
    return 0
