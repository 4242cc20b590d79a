"""Small ALF trees on disk for the local tests: a few ``.npy`` files, and a ``One`` on them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from onesdk import One

__all__ = ["one_on_files"]


def one_on_files(root: Path, rel_paths: Iterable[str]) -> One:
    """A local ``One`` that ``One.setup`` built on a small array written at each of
    ``rel_paths`` under ``root`` (the k-th holds ``arange(3) + k``, so loads can tell the files
    apart)."""
    for k, rel in enumerate(rel_paths):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, np.arange(3.0) + k)
    return One.setup(root, silent=True)
