"""No hand-written module is longer than a reader can hold: at most 600 lines each.

A module past that size holds several things; split it into modules whose names say what each
holds (as ``onesdk/_facade/`` splits ``One`` into method groups). Generated code (``generated/``)
is exempt: its size follows the schema, and nobody reads it as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: the folders of hand-written code (generated/ is not among them)
HAND_WRITTEN = ("onesdk", "tools", "bench")
MAX_LINES = 600


def _is_python(path: Path) -> bool:
    """A ``.py`` file, or a script without a suffix whose first line runs Python."""
    if path.suffix == ".py":
        return True
    if path.suffix or not path.is_file():
        return False
    with path.open("rb") as stream:
        first = stream.readline(200)
    return first.startswith(b"#!") and b"python" in first


def python_modules(root: Path, folders: tuple[str, ...]) -> Iterator[Path]:
    """The Python files below ``root``'s ``folders`` (caches and generated code left out)."""
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            parts = path.relative_to(root).parts
            if "__pycache__" in parts or "generated" in parts or not path.is_file():
                continue
            if _is_python(path):
                yield path


def oversized(root: Path, folders: tuple[str, ...], limit: int) -> dict[str, int]:
    """Each module over ``limit`` lines, by its path relative to ``root``, with its length."""
    found: dict[str, int] = {}
    for path in python_modules(root, folders):
        with path.open("rb") as stream:
            count = sum(1 for _ in stream)
        if count > limit:
            found[path.relative_to(root).as_posix()] = count
    return found


def test_no_hand_written_module_is_over_600_lines() -> None:
    modules = list(python_modules(ROOT, HAND_WRITTEN))
    assert any(p.name == "_core.py" for p in modules), "the scan found none of onesdk's modules"
    too_long = oversized(ROOT, HAND_WRITTEN, MAX_LINES)
    listed = ", ".join(f"{name} ({count} lines)" for name, count in sorted(too_long.items()))
    assert not too_long, f"modules over {MAX_LINES} lines, split them: {listed}"


@pytest.mark.parametrize("lines", [MAX_LINES, MAX_LINES + 1])
def test_the_size_check_names_a_module_one_line_over_the_limit(tmp_path: Path, lines: int) -> None:
    package = tmp_path / "onesdk" / "sub"
    package.mkdir(parents=True)
    (package / "big.py").write_text("x = 1\n" * lines)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "script").write_text("#!/usr/bin/env python3\n" + "y = 2\n" * lines)
    (tmp_path / "tools" / "notes.txt").write_text("words\n" * (lines + 10))
    generated = tmp_path / "onesdk" / "generated"
    generated.mkdir()
    (generated / "huge.py").write_text("z = 3\n" * (lines + 10))
    found = oversized(tmp_path, ("onesdk", "tools"), MAX_LINES)
    if lines > MAX_LINES:
        assert found == {"onesdk/sub/big.py": lines, "tools/script": lines + 1}
    else:
        assert found == {"tools/script": lines + 1}
