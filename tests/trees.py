"""Small ALF trees on disk for the local tests: a few ``.npy`` files, and a ``One`` on them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from onesdk import One

__all__ = ["one_on_files", "write_files"]


def write_files(root: Path, rel_paths: Iterable[str]) -> list[Path]:
    """Write a small array at each of ``rel_paths`` under ``root`` (the k-th holds
    ``arange(3) + k``, so loads can tell the files apart) and return the paths."""
    paths = []
    for k, rel in enumerate(rel_paths):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, np.arange(3.0) + k)
        paths.append(path)
    return paths


def one_on_files(root: Path, rel_paths: Iterable[str]) -> One:
    """A local ``One`` whose cache tables ``One.setup`` built on the files of
    :func:`write_files`."""
    write_files(root, rel_paths)
    return One.setup(root, silent=True)
