"""The `cajal` command line: check, evaluate, compile and format `.cj` files from a shell or
in CI (`cajal --help`; `python -m cajal` is the same).

Every subcommand reads files as `cajal.load` does, so a file checks here exactly when it loads
in a notebook. Errors go to stderr as `file:line:col: message` with the caret snippet and the
hint, in colour on a terminal and plain otherwise (`--color` decides; `NO_COLOR` is honoured).
Exit status: 0 when all went well, 1 when a file has an error, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, files
from .errors import CajalError

EXPORT_FORMATS = {".onnx": "onnx", ".pt2": "torch", ".pt": "torchscript"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    out = _Printer(args.color)
    try:
        return args.run(args, out)
    except KeyboardInterrupt:
        out.error_text("interrupted")
        return 130


# ---------------------------------------------------------------------------- subcommands


def _check(args, out: "_Printer") -> int:
    """Run each file in a fresh session; report its first error (as loading it would) or what
    it defines."""
    from .session import Session
    failed = 0
    for path in args.files:
        session = Session(nat_dim=args.nat_dim)
        try:
            session.load(path)
        except CajalError as err:
            out.error(err, where=path)
            failed += 1
            continue
        made = [_count(len(session.definitions), "definition")] if session.definitions else []
        made += [_count(len(session.types), "type")] if session.types else []
        out.line(f"{path}: ok" + (f" ({', '.join(made)})" if made else ""))
    return 1 if failed else 0


def _eval(args, out: "_Printer") -> int:
    """Run the file; print the results of its items, or, given TERM, the result of TERM (any
    cell text: a term, a directive, …) in the file's session."""
    from .session import Session
    session = Session(nat_dim=args.nat_dim)
    try:
        results = session.load(args.file)
        if args.term is not None:
            results = session.run(args.term)
    except CajalError as err:
        out.error(err, where=args.file)
        return 1
    for r in results:
        text = r.plain() if args.tensor else str(r)
        out.line(text)
    return 0


def _compile(args, out: "_Printer") -> int:
    """Compile definition NAME of FILE at the given size of ℕ and write it as a module that
    runs without Cajal (the format follows the suffix of OUT)."""
    from .session import Session
    session = Session(nat_dim=args.nat_dim)
    try:
        session.load(args.file)
        definition = session.definitions.get(args.name)
        if definition is None:
            raise CajalError(f"`{args.file}` defines no `{args.name}`",
                             hint="it defines " + (", ".join(f"`{n}`" for n in session.definitions) or "nothing"))
        fmt = args.format or EXPORT_FORMATS.get(Path(args.output).suffix)
        if fmt is None:
            raise CajalError(f"cannot tell the format of `{args.output}` from its suffix",
                             hint="name it `.onnx`, `.pt2` (torch.export) or `.pt` (TorchScript), or pass --format")
        path = definition.export(args.output, format=fmt, batch=not args.no_batch)
    except CajalError as err:
        out.error(err, where=args.file)
        return 1
    from .compiler.export import describe
    out.line(f"wrote {path} ({fmt}): {args.name}, nat_dim {session.nat_dim}: {describe(definition.compiled())}")
    return 0


def _fmt(args, out: "_Printer") -> int:
    """Print FILE in the canonical layout (see cajal.formatter)."""
    from .formatter import format_text
    try:
        source = files.read(args.file)
        text = format_text(source, ascii=args.ascii, name=args.file)
    except CajalError as err:
        out.error(err, where=args.file)
        return 1
    if args.check:
        if text != source:
            out.error_text(f"{args.file}: not in the canonical layout (`cajal fmt {args.file}` shows it)")
            return 1
        return 0
    out.text(text)
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# ---------------------------------------------------------------------------- arguments


def _parser() -> argparse.ArgumentParser:
    def color(p, default):
        p.add_argument("--color", choices=("auto", "always", "never"), default=default,
                       help="colour the output: on a terminal (auto, the default), always, or never")
    common = argparse.ArgumentParser(add_help=False)
    color(common, argparse.SUPPRESS)  # after the subcommand too; a subcommand's default must not win
    parser = argparse.ArgumentParser(
        prog="cajal",
        description="Check, evaluate, compile and format Cajal source files (.cj). A file holds what a "
                    "notebook cell holds: definitions, type declarations, terms and directives.",
        epilog="`cajal SUBCOMMAND --help` tells more about each. Exit status: 0 ok, 1 an error in a "
               "file, 2 a usage error.")
    color(parser, "auto")
    parser.add_argument("--version", action="version", version=f"cajal {__version__}")
    sub = parser.add_subparsers(title="subcommands", metavar="SUBCOMMAND", required=True)

    def nat_dim(p):
        p.add_argument("--nat-dim", type=_positive, default=10, metavar="N",
                       help="the size of ℕ: naturals 0…N-1 (default 10; a `:set nat_dim` in the file wins)")

    check = sub.add_parser("check", parents=[common], help="check files; report their errors as file:line:col",
                           description="Run each file in a fresh session, as `cajal.load` and `:load` do, and "
                                       "report the first error of each as file:line:col with a caret. Exit "
                                       "status 1 if any file has an error.")
    check.add_argument("files", nargs="+", metavar="FILE", help="a .cj file")
    nat_dim(check)
    check.set_defaults(run=_check)

    ev = sub.add_parser("eval", parents=[common], help="run a file; print its results, or those of TERM",
                        description="Run FILE and print the result of each of its items (`value : type` for "
                                    "a term, `name : type` for a definition); given TERM, print only TERM's "
                                    "result, evaluated with the file's definitions.")
    ev.add_argument("file", metavar="FILE", help="a .cj file")
    ev.add_argument("term", nargs="?", metavar="TERM",
                    help="a term (or any cell text) to evaluate after the file, e.g. 'parity 3'")
    ev.add_argument("--tensor", action="store_true", help="print each term's compiled vector or matrix too")
    nat_dim(ev)
    ev.set_defaults(run=_eval)

    comp = sub.add_parser("compile", parents=[common], help="write a definition as an ONNX or PyTorch module",
                          description="Compile definition NAME of FILE and write it as a module that runs "
                                      "without Cajal: OUT.onnx (ONNX, runs in onnxruntime), OUT.pt2 "
                                      "(torch.export, load with torch.export.load) or OUT.pt (TorchScript, "
                                      "load with torch.jit.load). Inputs and outputs are float32 vectors "
                                      "with a leading batch dimension (docs/LANGUAGE.md section 6).")
    comp.add_argument("file", metavar="FILE", help="a .cj file")
    comp.add_argument("name", metavar="NAME", help="the definition to compile")
    comp.add_argument("-o", "--output", required=True, metavar="OUT", help="the file to write (.onnx, .pt2 or .pt)")
    comp.add_argument("--format", choices=("onnx", "torch", "torchscript"),
                      help="the format, when OUT's suffix does not say it")
    comp.add_argument("--no-batch", action="store_true",
                      help="inputs are single vectors (no leading batch dimension)")
    nat_dim(comp)
    comp.set_defaults(run=_compile)

    fmt = sub.add_parser("fmt", parents=[common], help="print a file in the canonical layout",
                         description="Print FILE in the canonical layout: one item per line, as the "
                                     "pretty-printer writes it. Comments are kept: an item with a comment "
                                     "among its lines is printed as written; comment and blank lines "
                                     "between items stay where they are.")
    fmt.add_argument("file", metavar="FILE", help="a .cj file")
    fmt.add_argument("--ascii", action="store_true", help="write ASCII spellings (\\ -o => Bool Nat)")
    fmt.add_argument("--check", action="store_true",
                     help="print nothing; exit 1 if FILE is not in the canonical layout (for CI)")
    fmt.set_defaults(run=_fmt)
    return parser


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return n


# ---------------------------------------------------------------------------- output


class _Printer:
    """Results to stdout, errors to stderr; ANSI colour when the stream is a terminal (or
    `--color always`), never when NO_COLOR is set (unless `--color always`)."""

    RED, BOLD, CYAN, RESET = "\033[31m", "\033[1m", "\033[36m", "\033[0m"

    def __init__(self, color: str):
        def wants(stream) -> bool:
            if color != "auto":
                return color == "always"
            return stream.isatty() and not os.environ.get("NO_COLOR")
        self.color_out, self.color_err = wants(sys.stdout), wants(sys.stderr)

    def line(self, text: str) -> None:
        print(text, file=sys.stdout)

    def text(self, text: str) -> None:
        sys.stdout.write(text)

    def error_text(self, text: str) -> None:
        print(text, file=sys.stderr)

    def error(self, err: CajalError, where) -> None:
        """A Cajal error: its place (the file's name when the error has no span), the source
        with carets, the hint."""
        lines = str(err).split("\n")
        if err.span is None:  # not from a file's text (cannot read it, no such definition): name the file
            kind, _, rest = lines[0].partition(": ")
            lines[0] = f"{kind}: {where}: {rest}" if str(where) not in rest else lines[0]
        if self.color_err:
            lines = [self._paint(line, i) for i, line in enumerate(lines)]
        print("\n".join(lines), file=sys.stderr)

    def _paint(self, line: str, index: int) -> str:
        if index == 0:
            kind, _, rest = line.partition(": ")
            return f"{self.BOLD}{self.RED}{kind}{self.RESET}: {self.BOLD}{rest}{self.RESET}"
        if line.startswith("hint: "):
            return f"{self.CYAN}{line}{self.RESET}"
        gutter, bar, text = line.partition(" | ")
        if bar and not gutter.strip() and set(text) <= set("^ \t"):
            return f"{gutter}{bar}{self.RED}{text}{self.RESET}"
        return line
