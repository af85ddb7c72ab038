"""The package's shape stays what docs/architecture.md says it is.

The layers themselves (which package may import which) are import-linter's
contract in pyproject.toml, run by ``make lint``; these tests cover what it does
not: cycles between modules, private names imported across modules, and module
length.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "summarizer"
MAX_LINES = 350
# A longer module says why in its docstring, on a line starting with this.
LENGTH_REASON = "Length:"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import of the package, lazy
    ones inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("summarizer"):
                continue
            names = [alias.name for alias in node.names]
            # `from summarizer.pkg import module` names a module, not a name in it.
            submodules = [f"{node.module}.{name}" for name in names]
            found += [(sub, []) for sub in submodules if sub in modules]
            found.append((node.module, [n for n in names if f"{node.module}.{n}" not in modules]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.startswith("summarizer")]
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {target for target, _ in _imports(path, modules) if target in modules} - {name}
        for name, path in modules.items()
    }


def test_no_module_imports_itself_back_through_others() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_no_private_name_is_imported_from_another_module() -> None:
    modules = _modules()
    private = [
        f"{name} imports {target}.{imported}"
        for name, path in modules.items()
        for target, names in _imports(path, modules)
        for imported in names
        if imported.startswith("_") and target != name
    ]
    assert private == []


@pytest.mark.parametrize("name", sorted(_modules()))
def test_a_module_is_short_or_says_why_not(name: str) -> None:
    path = _modules()[name]
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    if lines <= MAX_LINES:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert any(line.startswith(LENGTH_REASON) for line in docstring.splitlines()), (
        f"{path.relative_to(PACKAGE.parent)} has {lines} lines (> {MAX_LINES}); split it or "
        f"say why not in its docstring, on a line starting {LENGTH_REASON!r}"
    )


def test_every_package_has_a_docstring_saying_what_it_is_for() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init
