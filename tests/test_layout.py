"""The library's shape: no import cycles, and the loop's seam is typed."""
import ast
import importlib
import inspect
import typing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ganlib", "gancheck")


def module_name(path: Path) -> str:
    """ganlib/widgets/__init__.py -> ganlib.widgets; ganlib/train.py ->
    ganlib.train."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the project's packages, by dotted name."""
    return {module_name(path): path for package in PACKAGES
            for path in sorted((ROOT / package).rglob("*.py"))}


def imported_modules(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules that ``path`` imports, anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # `from ganlib import recipes` imports the module ganlib.recipes
            found.update(f"{node.module}.{alias.name}"
                         for alias in node.names)
    return {name for name in found if name in modules}


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph as a list of nodes, or None."""
    state: dict[str, str] = {}  # "open" while on the path, then "done"
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_cycle_finder_finds_a_cycle_and_accepts_a_tree():
    assert import_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [
        "a", "b", "c", "a"]
    assert import_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_module_of_the_project_imports_itself_in_a_circle():
    modules = project_modules()
    graph = {}
    for name, path in modules.items():
        # a package's own __init__ may import its modules; modules that
        # import the package itself (``import ganlib``) would close a loop
        graph[name] = imported_modules(path, modules) - {name}
    assert import_cycle(graph) is None


def test_the_library_holds_neither_graders_nor_benchmarks():
    names = project_modules()
    assert not [name for name in names
                if name.startswith(("ganlib.checks", "ganlib.bench"))]
    assert "gancheck.core" in names


@pytest.mark.parametrize("function_name", ["train", "training_round"])
def test_the_loop_is_typed_with_settings_and_history(function_name):
    # ganlib.train is also the function's name: import the module itself
    train_module = importlib.import_module("ganlib.train")
    from ganlib.settings import History, Row, TrainSettings

    hints = typing.get_type_hints(getattr(train_module, function_name))
    assert hints["return"] in (History, Row)
    source = inspect.getsource(getattr(train_module, function_name))
    assert "generator_fn" not in source and "discriminator_fn" not in source
    if function_name == "train":
        assert hints["settings"] is TrainSettings
