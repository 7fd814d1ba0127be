"""The import rules of docs/ARCHITECTURE.md, checked on the source with ``ast`` (nothing is imported).

1. Runtime code never imports research code. Research code is
   ``fa_relations.training`` (corpus readers, NER training) and
   ``fa_relations.evaluation``; the command line (``fa_relations.cli``,
   ``python -m fa_relations``) sits on top of both. Everything else is runtime.
   Every import counts, module-level or inside a function.
2. The text layer (``fa_relations.text``) imports only itself and the leaf
   modules (paths, resources).
3. No import cycle among module-level imports.
4. No import inside a function closes a cycle (a function-level import from A
   to B while B reaches A through any imports): a cycle hidden, not removed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "fa_relations"
SRC = Path(__file__).resolve().parents[1] / "src" / PACKAGE

#: Research code and the command line on top of it: never imported by the runtime.
RESEARCH = (f"{PACKAGE}.training", f"{PACKAGE}.evaluation", f"{PACKAGE}.cli", f"{PACKAGE}.__main__")
#: What the text layer may import besides itself.
TEXT_LAYER = f"{PACKAGE}.text"
TEXT_LAYER_MAY_IMPORT = (f"{PACKAGE}.paths", f"{PACKAGE}.resources", f"{PACKAGE}.__about__")

#: Known violations, each with the reason it is still there; a fix removes its line here.
#: (importer, imported) pairs.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {
}


@dataclass(frozen=True)
class Edge:
    """One import of a fa_relations module by another."""

    importer: str
    imported: str
    line: int
    module_level: bool  #: executed when the importer is imported (not inside a def)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


MODULES = _modules()


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module name of a ``from X import ...``."""
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, module_level: bool) -> Iterator[tuple[ast.AST, bool]]:
    """Every import node under ``node`` and whether it runs at import time."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, module_level
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) or (
            isinstance(child, ast.If) and _is_type_checking(child)
        ):
            yield from _walk(child, False)
        else:
            yield from _walk(child, module_level)


def _edges(module: str, path: Path) -> list[Edge]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: list[Edge] = []
    for node, module_level in _walk(tree, True):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            assert isinstance(node, ast.ImportFrom)
            base = _resolve(module, is_package, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.append(sub if sub in MODULES else base)
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                if target not in MODULES:  # ``import fa_relations.x.y`` of a name, not a module
                    target = target.rsplit(".", 1)[0]
                if target != module:
                    out.append(Edge(module, target, node.lineno, module_level))
    return out


EDGES = [e for name, path in MODULES.items() for e in _edges(name, path)]


def _in(module: str, packages: tuple[str, ...] | str) -> bool:
    packages = (packages,) if isinstance(packages, str) else packages
    return any(module == p or module.startswith(p + ".") for p in packages)


def _known(edge: Edge) -> bool:
    return (edge.importer, edge.imported) in KNOWN_VIOLATIONS


def _where(edge: Edge) -> str:
    kind = "module level" if edge.module_level else "inside a function"
    return f"{edge.importer} imports {edge.imported} ({MODULES[edge.importer].relative_to(SRC.parent)}:{edge.line}, {kind})"


def test_the_walk_sees_the_package() -> None:
    assert f"{PACKAGE}.pipeline" in MODULES and f"{PACKAGE}.training.datasets" in MODULES
    assert any(e.importer == f"{PACKAGE}.ner.component" and e.imported == f"{PACKAGE}.iob" for e in EDGES)


def test_runtime_never_imports_research() -> None:
    bad = [_where(e) for e in EDGES
           if not _in(e.importer, RESEARCH) and _in(e.imported, RESEARCH) and not _known(e)]
    assert not bad, "runtime code imports research code:\n" + "\n".join(bad)


def test_text_layer_imports_only_itself_and_leaves() -> None:
    bad = [_where(e) for e in EDGES
           if _in(e.importer, TEXT_LAYER) and not _in(e.imported, (TEXT_LAYER, *TEXT_LAYER_MAY_IMPORT))
           and not _known(e)]
    assert not bad, "the text layer imports a higher layer:\n" + "\n".join(bad)


def _graph(module_level_only: bool = True) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for e in EDGES:
        if e.module_level or not module_level_only:
            graph[e.importer].add(e.imported)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        v = todo.pop()
        if v == goal:
            return True
        for w in graph[v] - seen:
            seen.add(w)
            todo.append(w)
    return False


def _is_parent_package(a: str, b: str) -> bool:
    """Importing a module runs its parent packages' ``__init__`` first; that is not a cycle."""
    return b.startswith(a + ".") or a.startswith(b + ".")


def test_no_import_cycle_at_module_level() -> None:
    graph = _graph()
    for m in graph:  # a package importing its own submodules (re-exports) is not a cycle
        graph[m] = {t for t in graph[m] if not _is_parent_package(m, t)}
    cycles = _cycles(graph)
    assert not cycles, "module-level import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_function_level_import_hides_a_cycle() -> None:
    graph = _graph(module_level_only=False)
    bad = [_where(e) for e in EDGES
           if not e.module_level and not _is_parent_package(e.importer, e.imported)
           and _reaches(graph, e.imported, e.importer) and not _known(e)]
    assert not bad, "imports inside functions that hide a cycle:\n" + "\n".join(bad)


def test_known_violations_name_real_modules() -> None:
    stale = [pair for pair in KNOWN_VIOLATIONS if not all(m in MODULES for m in pair)]
    assert not stale, f"stale entries in KNOWN_VIOLATIONS: {stale}"
