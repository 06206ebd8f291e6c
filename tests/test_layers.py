"""The package's shape: no import cycle between modules, no import up the layers docs/architecture.md names,
and that document's package map lists every module (the layer table is read from it, so they cannot drift)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it was written, and whether it ever runs."""

    target: str  # a module of the package, dotted ("bookforge.readers.files")
    line: int
    type_only: bool  # under `if TYPE_CHECKING:`: an annotation's dependency, never executed


def package_modules(source: Path, package: str) -> dict[str, Path]:
    """Every module of the package under `source`, by dotted name (a package by its own name)."""
    modules = {}
    for path in sorted((source / package).rglob("*.py")):
        parts = list(path.relative_to(source).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def module_imports(source: Path, package: str) -> dict[str, list[Import]]:
    """What each module imports from the package: top-level, function-local and relative imports alike.
    `from a import b` is an import of module a.b when there is one, else of a."""
    modules = package_modules(source, package)

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, list[Import]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        here = module if path.name == "__init__.py" else module.rpartition(".")[0]
        type_only = _type_checking_lines(tree)
        found = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join(here.split(".")[: len(here.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
            else:
                continue
            for name in names:
                if name == package or name.startswith(package + "."):
                    target = owner(name)
                    if target and target != module:
                        found.append(Import(target, node.lineno, node.lineno in type_only))
        graph[module] = found
    return graph


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def find_cycle(graph: dict[str, list[Import]]) -> list[str] | None:
    """One cycle of imports that run (a → b → … → a), or None. Type-only imports run never, so
    they close no cycle."""
    edges = {module: sorted({i.target for i in imports if not i.type_only}) for module, imports in graph.items()}
    state: dict[str, str] = {}  # "open" while on the current path, "done" once every way out is walked
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target in edges.get(module, ()):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[module] = "done"
        return None

    for module in sorted(edges):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def read_layers(text: str) -> list[list[str]]:
    """The layer table of docs/architecture.md, bottom layer first: each row's `module` names."""
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|") and not set(line) <= set("|-: ")]
    return [re.findall(r"`([\w.]+)`", row.split("|")[2]) for row in rows[1:]]


def layer_of(module: str, layers: list[list[str]], package: str) -> int | None:
    """The layer whose most specific entry names the module or a package holding it."""
    relative = module[len(package) + 1:] if module != package else package
    best: tuple[int, int] | None = None
    for index, names in enumerate(layers):
        for name in names:
            covers = relative == name or relative.startswith(name + ".")
            if covers and (best is None or len(name) > best[1]):
                best = (index, len(name))
    return best[0] if best else None


def upward_imports(graph: dict[str, list[Import]], layers: list[list[str]], package: str) -> list[str]:
    """Every import of a module in a higher layer than the importer's (type-only ones included)."""
    found = []
    for module, imports in sorted(graph.items()):
        below = layer_of(module, layers, package)
        for item in imports:
            above = layer_of(item.target, layers, package)
            if below is not None and above is not None and above > below:
                found.append(f"{module} (layer {below + 1}) line {item.line} imports {item.target} (layer {above + 1})")
    return found


def map_entries(text: str) -> set[str]:
    """The modules the package map names: `bookforge/…/x.py` at the start of a line item."""
    section = text.split("\n## Package map\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\s*- `(bookforge/[\w/]+\.py)`", section, re.MULTILINE))


# ---------------------------------------------------------------------------------------------
# The package itself


@pytest.fixture(scope="module")
def graph() -> dict[str, list[Import]]:
    return module_imports(SOURCE, "bookforge")


@pytest.fixture(scope="module")
def layers() -> list[list[str]]:
    return read_layers(ARCHITECTURE.read_text(encoding="utf-8"))


def test_no_import_cycle_between_modules(graph):
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_no_module_imports_a_layer_above_its_own(graph, layers):
    assert upward_imports(graph, layers, "bookforge") == []


def test_every_module_has_a_layer(graph, layers):
    unplaced = sorted(module for module in graph if layer_of(module, layers, "bookforge") is None)
    assert unplaced == [], "add these to the layer table in docs/architecture.md"


def test_the_package_map_lists_every_module_and_no_other():
    listed = map_entries(ARCHITECTURE.read_text(encoding="utf-8"))
    present = {path.relative_to(SOURCE).as_posix() for path in package_modules(SOURCE, "bookforge").values()}
    assert sorted(present - listed) == [], "add a line for each to the package map in docs/architecture.md"
    assert sorted(listed - present) == [], "these are in the package map but not in src/bookforge"


def test_every_layer_names_something_that_exists(layers):
    named = [name for names in layers for name in names]
    assert len(layers) >= 5 and named
    package = SOURCE / "bookforge"
    missing = [name for name in named if name != "bookforge" and not (package / name.replace(".", "/")).is_dir()
               and not (package / (name.replace(".", "/") + ".py")).is_file()]
    assert missing == []


def test_check_does_not_load_the_pdf_backend(graph):
    """`bookforge check` holds built files to the printer's rules, the fonts and the output intent
    (bookforge.printing) without the PDF backend: its layout, assembler and font merger."""
    assert [i for i in graph["bookforge.check"] if i.target.startswith("bookforge.backends.pdf")] == []
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bookforge.check; print(*sorted(sys.modules))"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.split()
    assert "bookforge.check" in loaded
    assert [name for name in loaded if name.startswith("bookforge.backends.pdf")] == []


def test_every_format_names_a_backend_that_builds_it():
    """formats.py is the one list of formats: each entry's backend is importable and builds."""
    from bookforge.backends import SUFFIXES, get_backend
    from bookforge.config import FORMATS as CONFIG_FORMATS
    from bookforge.formats import FORMATS

    assert list(SUFFIXES) == list(CONFIG_FORMATS) == list(FORMATS)
    for name in FORMATS:
        assert callable(get_backend(name).build), name


# ---------------------------------------------------------------------------------------------
# The checker, on small packages made here: it must be able to fail


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checker_finds_a_cycle_through_a_function_local_relative_import(tmp_path):
    source = _package(tmp_path, {
        "__init__.py": "",
        "low.py": "def f():\n    from .sub import high\n    return high\n",
        "sub/__init__.py": "",
        "sub/high.py": "from pkg import low\n",
        "other.py": "import pkg.low\n",
    })
    graph = module_imports(source, "pkg")
    assert {i.target for i in graph["pkg.low"]} == {"pkg.sub.high"}
    cycle = find_cycle(graph)
    assert cycle is not None and set(cycle) == {"pkg.low", "pkg.sub.high"} and cycle[0] == cycle[-1]


def test_the_checker_lets_type_only_imports_close_no_cycle_but_counts_them_upward(tmp_path):
    source = _package(tmp_path, {
        "__init__.py": "",
        "low.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .high import Thing\n",
        "high.py": "from . import low\n",
    })
    graph = module_imports(source, "pkg")
    assert find_cycle(graph) is None
    layers = read_layers("# x\n\n## Layers\n\n| Layer | Modules |\n|---|---|\n| 1 | `low` |\n| 2 | `high` |\n")
    assert upward_imports(graph, layers, "pkg") == ["pkg.low (layer 1) line 3 imports pkg.high (layer 2)"]


def test_the_checker_finds_an_upward_import_by_package_and_places_modules_by_their_longest_name(tmp_path):
    source = _package(tmp_path, {
        "__init__.py": "",
        "base.py": "",
        "tools/__init__.py": "",
        "tools/files.py": "from ..base import x\n",
        "tools/read.py": "from .. import top\n",
        "top.py": "from .tools.files import y\nfrom .tools import read\n",
    })
    graph = module_imports(source, "pkg")
    layers = [["base", "tools.files"], ["tools"], ["top"]]
    assert layer_of("pkg.tools.files", layers, "pkg") == 0 and layer_of("pkg.tools.read", layers, "pkg") == 1
    assert upward_imports(graph, layers, "pkg") == ["pkg.tools.read (layer 2) line 1 imports pkg.top (layer 3)"]
    assert find_cycle(graph) == ["pkg.tools.read", "pkg.top", "pkg.tools.read"]
