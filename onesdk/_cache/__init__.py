"""The ONE cache tables: read, write and build them (private; used by One and OneAlyx)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from onesdk._cache._io import read_tables
from onesdk._cache._tables import CacheTables, empty_tables
from onesdk._cache._write import write_tables

if TYPE_CHECKING:
    import os

__all__ = ["CacheTables", "empty_tables", "make_cache", "read_tables", "write_tables"]


def make_cache(
    root_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    *,
    hash_files: bool = False,
    lab: str | None = None,
    workers: int | None = None,
    path_ids: bool = False,
) -> tuple[Path, Path]:
    """Index the ALF files below ``root_dir`` into cache tables (see ``_make.make_cache``)."""
    from onesdk._cache._make import make_cache as build

    return build(
        root_dir, out_dir, hash_files=hash_files, lab=lab, workers=workers, path_ids=path_ids
    )
