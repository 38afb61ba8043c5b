"""The module graph of `cajal` and of the experiments package built on it (`cajal_experiments`)
as docs/ARCHITECTURE.md draws it: no import cycles (imports inside functions count), and every
import points down the diagram's layers (so `cajal` never imports the experiments)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (ROOT / "cajal", ROOT / "cajal_experiments")
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Each module of `PACKAGES` → the modules of `PACKAGES` it imports, anywhere in its text (at the top,
    inside a function, or under `if TYPE_CHECKING`). `from . import x` counts as importing the
    module `x` when there is one; importing a submodule does not count as importing its
    package."""
    files = {_module_name(p): p for package in PACKAGES for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in files else target)
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles (each as a path that returns to its start), found by depth-first search."""
    found, state = [], {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = "open"
        for n in sorted(graph[m]):
            if state.get(n) == "open":
                found.append(path[path.index(n):] + [n])
            elif n not in state:
                visit(n, path + [n])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    return found


def layers(graph: dict[str, set[str]]) -> list[set[str]]:
    """The modules by height: layer 0 imports no `cajal` module, layer k only lower layers."""
    height: dict[str, int] = {}

    def h(m: str) -> int:
        if m not in height:
            height[m] = 1 + max((h(n) for n in graph[m]), default=-1)
        return height[m]

    out: list[set[str]] = []
    for m in graph:
        while len(out) <= h(m):
            out.append(set())
        out[h(m)].add(m)
    return out


def documented_layers() -> list[list[str]]:
    """The layers of the diagram in ARCHITECTURE.md: the fenced block after "## Module graph",
    one line per layer, top first: `name: module module …` (module names without `cajal.`;
    the experiments' modules by their full names, `cajal_experiments…`)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = re.search(r"## Module graph.*?```text\n(.*?)```", text, re.S).group(1)
    rows = []
    for line in block.splitlines():
        if ":" in line and not line.lstrip().startswith(("│", "▼", "↓")):
            rows.append([m if m == "cajal" or m.startswith("cajal_experiments") else f"cajal.{m}"
                         for m in line.split(":", 1)[1].split()])
    return rows


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_architecture_diagram_is_the_module_graph():
    graph = import_graph()
    rows = documented_layers()
    documented = [m for row in rows for m in row]
    assert sorted(documented) == sorted(graph), "every module appears once in the diagram"
    level = {m: len(rows) - i for i, row in enumerate(rows) for m in row}
    upward = sorted((m, n) for m, targets in graph.items() for n in targets if level[n] > level[m])
    assert upward == [], "imports that point up the diagram"


# Where a source string may become syntax: the public API (the package, the faces of the
# compiler and renderer packages, the stepper widget, `cajal.equivalent` and `cajal.decompile`,
# which take terms and types as their sources), and the modules that read cells (the item
# pipeline and its consumers, the formatter). Every other module is a stage and takes syntax.
# `cajal.encoding` still parses type sources: its public functions are called with them
# (tests/test_compile.py::test_encode_decode_and_basis_names).
READS_SOURCE = {"cajal", "cajal.compiler", "cajal.render", "cajal.widgets", "cajal.equivalence", "cajal.decompiler",
                "cajal.items", "cajal.directives", "cajal.session", "cajal.diagnostics", "cajal.assist",
                "cajal.formatter", "cajal.encoding"}


def test_stages_take_syntax_and_only_the_public_api_parses():
    graph = import_graph()
    parsing = {m for m, targets in graph.items() if "cajal.parser" in targets and (m + ".").startswith("cajal.")}
    assert parsing - READS_SOURCE == set(), "stage modules that import the parser"
    stages = {"cajal.types", "cajal.evaluation", "cajal.compiler.link", "cajal.compiler.program",
              "cajal.render.graph", "cajal.render.common", "cajal.render.trace", "cajal.render.derivation"}
    assert stages <= set(graph) and not stages & READS_SOURCE


def _counting_checks(monkeypatch) -> list:
    """Counts every run of the checker: each `types.check` makes one `Typing` (its constructor
    is looked up in the module when a check starts, so every caller is counted)."""
    from cajal import types
    calls: list = []

    class Counted(types.Typing):
        def __init__(self, *args, **kwargs):
            calls.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(types, "Typing", Counted)
    return calls


def _display(result) -> None:
    """What a front-end does with a result: its plain text and its rich bundle."""
    result.plain()
    result._repr_mimebundle_()


SHOWN_ONCE = ["not (not tt)", "λx:𝟚. not x", ":type λx:𝟚. not (not x)", ":eval not tt", ":graph λx:𝟚. not (not x)",
              ":graph not", ":graph --unroll λn:ℕ. iter{tt | y ↪ not y}(n)", ":compile λx:𝟚. not x",
              ":trace not tt", ":derive not tt", ":step iter{tt | y ↪ not y}(2)", "def twice (x : 𝟚) : 𝟚 = not (not x)",
              ":decompile λx:𝟚. not x"]


@pytest.mark.parametrize("cell", SHOWN_ONCE)
def test_the_checker_runs_once_per_displayed_result(monkeypatch, cell):
    from cajal.session import Session
    session = Session()
    session.run("def not (x : 𝟚) : 𝟚 = if x then ff else tt")
    calls = _counting_checks(monkeypatch)
    [result] = session.run(cell)
    _display(result)
    assert len(calls) == 1


def test_equiv_checks_each_of_its_two_programs_once(monkeypatch):
    from cajal.session import Session
    session = Session()
    session.run("def not (x : 𝟚) : 𝟚 = if x then ff else tt")
    calls = _counting_checks(monkeypatch)
    [result] = session.run(":equiv λx:𝟚. not (not x) ≡ λy:𝟚. y")
    _display(result)
    assert len(calls) == 2


def test_the_live_check_runs_the_checker_once_per_item(monkeypatch):
    from cajal import diagnostics
    from cajal.session import Session
    calls = _counting_checks(monkeypatch)
    report = diagnostics.check_cell(Session(), "def not (x : 𝟚) : 𝟚 = if x then ff else tt\n:graph λx:𝟚. not (not x)\n"
                                               "type A\n:help iter\nnot tt")
    assert report.diagnostics == () and len(calls) == 3


def test_cajal_never_imports_the_experiments():
    graph = import_graph()
    assert not [(m, n) for m, targets in graph.items() if not m.startswith("cajal_experiments")
                for n in targets if n.startswith("cajal_experiments")]
    assert any("cajal" in targets for m, targets in graph.items() if m.startswith("cajal_experiments"))


def test_the_stepper_reduces_once(monkeypatch):
    from cajal import evaluation
    from cajal.session import Session
    calls = []

    def counting(real):
        def reduce(*args, **kwargs):
            calls.append(real.__name__)
            return real(*args, **kwargs)
        return reduce

    for name in ("steps", "reduction"):  # the two ways to reduce a term step by step
        monkeypatch.setattr(evaluation, name, counting(getattr(evaluation, name)))
    [result] = Session().run(":step iter{tt | y ↪ if y then ff else tt}(3)")
    _display(result)
    assert "iter-succ" in result.plain() and len(calls) == 1  # the terminal's trace is drawn from the held steps
