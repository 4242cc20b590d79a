"""Reading the two cache tables as one pair while another process may be saving them.

A save renames ``sessions.pqt`` and then ``datasets.pqt`` (one-api reads those names, so they
stay plain files); both carry the same ``pair`` stamp and the writer holds the tables lock
across the two renames. A reader that sees two different stamps caught a save in between: it
reads again while holding the lock, so it sees the old pair or the new pair.

A writer killed between its two renames leaves the second table's finished temporary file
behind: the reader, holding the lock, completes that save (renames the temporary file whose
stamp matches) and reads the new pair. Where that cannot be done (a read-only cache dir, the
temporary file gone), the mixed pair is returned with a :class:`~onesdk.errors.CacheWarning`
rather than refused: no table is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

import filelock

from onesdk._atomic import leftovers
from onesdk._log import get_logger
from onesdk.errors import CacheWarning

if TYPE_CHECKING:
    from onesdk._cache._tables import CacheTables, JsonDict

__all__ = ["read_whole_pair"]

_log = get_logger("onesdk.cache")
_RETRIES: Final = 20
_PAUSE: Final = 0.05
_FILES: Final = {"sessions": "sessions.pqt", "datasets": "datasets.pqt"}


def read_whole_pair(tables_dir: Path, read: Callable[[], CacheTables]) -> CacheTables:
    """``read()`` again until both tables come from one save (see the module docstring)."""
    from onesdk._cache._io import _torn
    from onesdk._cache._tables import LOCK_TIMEOUT, TABLES_LOCK

    try:
        with filelock.FileLock(str(tables_dir / TABLES_LOCK)).acquire(timeout=LOCK_TIMEOUT):
            tables = read()
            if _torn(tables.metadata) and _complete_interrupted_save(tables_dir, tables.metadata):
                tables = read()
    except (OSError, filelock.Timeout):
        tables = read()
        for _ in range(_RETRIES):
            if not _torn(tables.metadata):
                break
            time.sleep(_PAUSE)
            tables = read()
    if _torn(tables.metadata):
        warnings.warn(
            f"{tables_dir}: sessions.pqt and datasets.pqt come from two different saves (a "
            "save was interrupted); save the cache again to make them one",
            CacheWarning,
            stacklevel=4,
        )
    return tables


def _stamp(path: Path) -> object:
    from onesdk._cache._schema import METADATA_KEY
    from onesdk._cache._tables import PAIR_KEY, _parquet

    try:
        metadata = _parquet().read_schema(path).metadata or {}
        return json.loads(metadata.get(METADATA_KEY, b"{}")).get(PAIR_KEY)
    except (OSError, ValueError, RecursionError, AttributeError):
        return None


def _complete_interrupted_save(tables_dir: Path, metadata: Mapping[str, JsonDict]) -> bool:
    """Rename the finished temporary table of a killed save into place (lock held)."""
    from onesdk._cache._tables import PAIR_KEY

    for name, other in (("datasets", "sessions"), ("sessions", "datasets")):
        wanted = metadata.get(other, {}).get(PAIR_KEY)
        for temporary in leftovers(tables_dir / _FILES[name]):
            if wanted is not None and _stamp(temporary) == wanted:
                with contextlib.suppress(OSError):
                    os.replace(temporary, tables_dir / _FILES[name])
                    _log.info("completed an interrupted save: %s", _FILES[name])
                    return True
    return False
