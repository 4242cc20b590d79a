"""The examples are strictly typed: mypy --strict passes and no local they bind holds ``Any``.

A copy of each example gets ``reveal_locals()`` before every ``return`` and at the end of every
function and of the module; mypy then reports the inferred type of every local variable, and
none may contain ``Any``. So a library call that leaked ``Any`` into analysis code (switching
off type checking downstream) fails here, naming the variable.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if p.name != "__init__.py")
_REVEAL = "reveal_locals()"
_SHAPE = "tuple[Any, ...]"


class _Revealer(ast.NodeTransformer):
    """Adds reveal_locals() before each return and at the end of each function body."""

    def _reveal(self) -> ast.stmt:
        return ast.parse(_REVEAL).body[0]

    def _instrument(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            self.visit(stmt)
            if isinstance(stmt, ast.Return):
                out.append(self._reveal())
            out.append(stmt)
        if not out or not isinstance(out[-1], ast.Return | ast.Raise):
            out.append(self._reveal())
        return out

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.body = self._instrument(node.body)
        return node

    def visit_If(self, node: ast.If) -> ast.If:
        node.body = self._instrument(node.body)
        if node.orelse:
            node.orelse = self._instrument(node.orelse)
        return node

    def visit_For(self, node: ast.For) -> ast.For:
        node.body = self._instrument(node.body)
        return node


def _instrumented(source: str) -> str:
    tree = _Revealer().visit(ast.parse(source))
    assert isinstance(tree, ast.Module)
    tree.body.append(ast.parse(_REVEAL).body[0])
    return ast.unparse(ast.fix_missing_locations(tree))


def test_no_local_in_an_example_is_typed_any(tmp_path: Path) -> None:
    package = tmp_path / "examples"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for path in EXAMPLES:
        text = _instrumented(path.read_text(encoding="utf-8"))
        (package / path.name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            *(str(package / p.name) for p in EXAMPLES),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    revealed = [line for line in result.stdout.splitlines() if "note:" in line]
    assert len(revealed) > len(EXAMPLES), result.stdout  # mypy really revealed the locals
    # numpy spells "an array of any shape" tuple[Any, ...] inside NDArray: that Any is the
    # array's shape, not a hole in the type, so it alone is allowed.
    leaks = [line for line in revealed if re.search(r"\bAny\b", line.replace(_SHAPE, ""))]
    assert leaks == [], "\n".join(leaks)


def test_examples_pass_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *map(str, EXAMPLES)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout


def test_there_are_examples_to_check() -> None:
    assert len(EXAMPLES) >= 4
    assert all(p.read_text(encoding="utf-8").count("def main(") == 1 for p in EXAMPLES)


def test_examples_pass_pyright_strict() -> None:
    """pyright in strict mode ([tool.pyright] in pyproject.toml) finds nothing to report."""
    result = subprocess.run(
        [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, "examples"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 errors" in result.stdout
