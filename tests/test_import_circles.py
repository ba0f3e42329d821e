"""No import circle between the modules of agents/ and mirix_desktop/ (pipeline, services, ui,
commands, configuration and the cli), and every import goes down the layers (agents, config,
pipeline, services, ui, then the command line that starts the app): the imports are read from
the source with ast, so the test needs no Qt, no model and imports nothing it checks.

How an import counts:
- every `import X` / `from X import y` anywhere in a module counts, at the top or inside a
  function (a lazy import is still a dependency, and a circle through one is still a circle),
  except those under `if TYPE_CHECKING:`, which never run;
- `from package import name` is an edge to `package.name` when that is a module, else to the
  package's `__init__` (the name is then something the `__init__` defines or re-exports);
- importing `a.b.c` is an edge to `a.b.c` only, not to the `__init__` of `a` or `a.b` that
  Python runs first: a package's `__init__` re-exporting its own modules is how a package
  presents its API, so a module of the package must import its siblings directly, never
  through its own package's `__init__` (that would be a circle, and is caught);
- an import by name counts too: `import_module("a.b")`, `import_module(f"a.b.{name}")` (an
  edge to every module under `a.b.`), and a registry's `"a.b:attr"` string, which a lazy
  provider registry imports when that provider is chosen;
- modules outside the two trees (the standard library, PySide6, ...) are not walked.

One rule reads the type checker's imports too: no module of the pipeline names a service
(the services build the pipeline's parts and hand them what they use).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ("agents", "mirix_desktop")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _calls_import_module(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name == "import_module"


def _named(argument: ast.expr, modules: dict[str, Path]) -> set[str]:
    """The modules an `import_module` argument can name: a constant, or an f-string's
    constant prefix (every module under it)."""
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return {argument.value} & modules.keys()
    if isinstance(argument, ast.JoinedStr) and argument.values:
        head = argument.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return {name for name in modules if name.startswith(head.value)}
    return set()


def _imports(
    name: str, path: Path, modules: dict[str, Path], *, type_checking: bool = False
) -> set[str]:
    """The modules of the two trees that `name` (at `path`) imports; with `type_checking`,
    the imports under `if TYPE_CHECKING:` too."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test) and not type_checking:
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    targets.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    targets.add(f"{source}.{alias.name}")
                elif source in modules:
                    targets.add(source)
        elif isinstance(node, ast.Call) and _calls_import_module(node) and node.args:
            targets.update(_named(node.args[0], modules))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            module, colon, _ = node.value.partition(":")
            if colon and module in modules:
                targets.add(module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    targets.discard(name)
    return targets


def import_graph(*, type_checking: bool = False) -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: _imports(name, path, modules, type_checking=type_checking)
        for name, path in modules.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def connect(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            connect(name)
    return sorted(found)


def test_the_walk_sees_known_edges() -> None:
    graph = import_graph()
    assert "agents.store.writer" in graph
    assert "mirix_desktop.ui.controller" in graph
    assert "agents.errors" in graph["mirix_desktop.cli"]
    assert "mirix_desktop.commands.running" in graph["mirix_desktop.cli"]  # import_module
    assert "agents.importers.claude" in graph["agents.importers"]  # a registry's "module:attr"
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circle() -> None:
    graph = import_graph()
    found = circles(graph)
    lines = []
    for component in found:
        members = set(component)
        lines.append("circle: " + ", ".join(component))
        for name in component:
            lines.append(f"  {name} -> {', '.join(sorted(graph[name] & members))}")
    assert not found, "\n".join(lines)


# The layers, lowest first: a module imports (at run time) only from its own layer or below.
# The command line sits above the app it starts; nothing below it imports the interfaces.
LAYERS = ("config", "pipeline", "services", "ui", "commands|cli", "__main__")


def layer(module: str) -> int:
    parts = module.split(".")
    if parts[0] == "agents" or len(parts) == 1:
        return -1  # the core (and the package's version) is below everything
    return next(i for i, names in enumerate(LAYERS) if parts[1] in names.split("|"))


def test_layers_import_downward_only() -> None:
    graph = import_graph()
    upward = [
        f"{name} -> {target}"
        for name, targets in sorted(graph.items())
        for target in sorted(targets)
        if layer(target) > layer(name)
    ]
    assert upward == []


def test_the_pipeline_never_names_the_services(tmp_path: Path) -> None:
    """The pipeline's parts are given what they use (store, inbox, models, settings); the
    services build them. Not even the type checker's imports name a service module."""
    module = tmp_path / "a.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import b\n")
    modules = {"a": module, "b": module}
    assert _imports("a", module, modules) == set()
    assert _imports("a", module, modules, type_checking=True) == {"b"}

    graph = import_graph(type_checking=True)
    named = [
        f"{name} -> {target}"
        for name, targets in sorted(graph.items())
        if name.startswith("mirix_desktop.pipeline")
        for target in sorted(targets)
        if target.startswith("mirix_desktop.services")
    ]
    assert named == []
