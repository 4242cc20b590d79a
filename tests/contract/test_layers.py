"""The folder tree of ``onesdk/`` draws the layers: no module imports a layer above it or beside it,
and no two modules import each other when they load.

Each top-level unit of ``onesdk`` (a private package or module) has a rank; an import must go to a
lower rank. Imports under ``TYPE_CHECKING`` are annotations only (a lock's functions take a ``One``)
and create no dependency at run time, so they are exempt.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import onesdk

PACKAGE = Path(onesdk.__file__).parent

# data flows down: a unit imports only units of a lower rank
RANK: dict[str, float] = {
    "errors": 0,
    "_log": 1,
    "_json": 1,
    "_atomic": 1,
    "_validate": 1,
    "_env": 1,
    "_hashing": 1,
    "alf": 2,
    # the public pandas face of the cache tables: above the tables and their frames, and never
    # imported by the rest of onesdk.alf
    "alf.cache": 5.5,
    # one-api's ``one.webclient``: the standalone downloaders and the Alyx client, above the
    # store's downloader and the server half
    "webclient": 6.7,
    "_settings": 2,
    "_models": 3,
    "_convert": 3,
    "_options": 3,
    "_cache": 3,
    "_sample": 4,
    "_http": 4,
    "_store": 5,
    "_repo": 5,
    "_remote": 6,
    "_lock": 6.5,
    # one-api's helpers over REST records: above the records' rows and frames
    "converters": 6.8,
    # one-api's ``one.util`` helpers over datasets frames: the query model on a frame's rows
    "util": 6.7,
    # one-api's ``one.params`` functions over the saved settings and the servers' defaults
    "params": 6.9,
    "_facade": 7,
    "alyx": 7,
    "dask": 8,
    "alyx_types": 8,
    "_cli": 9,
    "cli": 10,
    "__init__": 11,
    "__main__": 11,
}


def _unit(module: str) -> str:
    parts = module.split(".")
    if parts[1:3] == ["alf", "cache"]:
        return "alf.cache"
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(child) for child in ast.walk(node))
    return inside


def _imports(tree: ast.Module, *, top_level_only: bool) -> Iterator[tuple[int, str]]:
    """(line, imported onesdk module) of each import at run time."""
    skip = _type_checking_nodes(tree)
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "onesdk":
                for alias in node.names:
                    if alias.name in RANK or (PACKAGE / f"{alias.name}.py").exists():
                        yield node.lineno, f"onesdk.{alias.name}"
            elif node.module.startswith("onesdk."):
                yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("onesdk."):
                    yield node.lineno, alias.name


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield _module_name(path), ast.parse(path.read_text(encoding="utf-8"))


def test_every_unit_of_the_package_has_a_layer() -> None:
    units = {_unit(name) for name, _ in _sources()}
    assert units - RANK.keys() == set(), "give each new package or module a rank in RANK"


def test_no_module_imports_a_layer_above_or_beside_it() -> None:
    wrong = []
    for name, tree in _sources():
        source = _unit(name)
        for line, target in _imports(tree, top_level_only=False):
            unit = _unit(target)
            if unit != source and RANK[unit] >= RANK[source]:
                wrong.append(f"{name}:{line} imports {target}")
    assert wrong == []


def test_no_two_modules_import_each_other_at_load_time() -> None:
    graph = {
        name: {target for _, target in _imports(tree, top_level_only=True)}
        for name, tree in _sources()
    }
    cycles = []
    for start in graph:
        stack, seen = [(start, [start])], {start}
        while stack:
            node, path = stack.pop()
            for target in graph.get(node, set()):
                if target == start and len(path) > 1:
                    cycles.append(" -> ".join([*path, start]))
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, [*path, target]))
    assert cycles == []
