"""A sorted copy of a datasets table that is not stored in (eid, id) order.

Every query indexes the datasets table by (eid, id), so a table stored in another order is
sorted after it is read: at a million rows that sort costs several times the read itself, on
every load. Alyx writes the table sorted; other writers (one-api's ``One.setup``, caches that
grew by appending rows) may not.

The first load of such a table writes the sorted, normalised rows to ``datasets.sorted.parquet``
beside it (a name one-api's ``*.pqt`` glob does not pick up); later loads read that copy instead
and skip the sort. The copy carries a stamp of the table it was made from (size, mtime, format
version): when ``datasets.pqt`` changes, the copy is ignored and made again. It is written to a
temporary file and renamed into place (:func:`onesdk._atomic.staged`) under a file lock, and is
only an optimisation: when it cannot be written (or the lock is busy) the load goes on with the
rows it sorted itself.

When the tables dir is read-only (a shared cache) the copy lives in the user cache dir, under
a name derived from the tables dir's absolute path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import filelock
import pyarrow as pa

from onesdk._atomic import leftovers, staged

__all__ = ["SORTED_COPY", "Stamp", "current_copy", "remove_stale", "save_copy", "stamp_of"]

_log = logging.getLogger("onesdk.cache")

#: the sorted copy of ``datasets.pqt``, in the same directory when it is writable
SORTED_COPY: Final = "datasets.sorted.parquet"
#: parquet key-value metadata naming the table the copy was made from
STAMP_KEY: Final = b"onesdk_sorted_from"
#: bump when the copy's layout changes: older copies are then ignored and made again
FORMAT_VERSION: Final = 1
_LOCK_SUFFIX: Final = ".lock"

Stamp = dict[str, int]


def stamp_of(source: Path) -> Stamp | None:
    """What identifies the version of ``source`` on disk (None if it cannot be stat'ed)."""
    try:
        stat = source.stat()
    except OSError:
        return None
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "version": FORMAT_VERSION}


def _writable(directory: Path) -> bool:
    return os.access(directory, os.W_OK | os.X_OK)


def _fallback(tables_dir: Path) -> Path:
    import platformdirs

    key = hashlib.sha256(str(tables_dir.resolve()).encode()).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("onesdk")) / "sorted-datasets" / key / SORTED_COPY


def _write_location(tables_dir: Path) -> Path:
    if _writable(tables_dir):
        return tables_dir / SORTED_COPY
    fallback = _fallback(tables_dir)
    _log.info("%s is read-only: the sorted datasets copy goes to %s", tables_dir, fallback)
    return fallback


def _candidates(tables_dir: Path) -> Iterator[Path]:
    """Where a copy may be: beside the table first, then (read-only dir) the user cache."""
    yield tables_dir / SORTED_COPY
    if not _writable(tables_dir):
        yield _fallback(tables_dir)


def _stamp_in(path: Path) -> object:
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
        return json.loads(metadata.get(STAMP_KEY, b"null"))
    except (OSError, pa.ArrowException, ValueError):
        return None


def current_copy(source: Path, stamp: Stamp | None) -> Path | None:
    """The sorted copy made from ``source`` as it is now (``stamp``), if there is one."""
    if stamp is None:
        return None
    for candidate in _candidates(source.parent):
        if candidate.is_file() and _stamp_in(candidate) == stamp:
            return candidate
    return None


def remove_stale(source: Path) -> None:
    """Delete a copy beside a table that is now stored sorted (nothing reads it any more)."""
    candidate = source.parent / SORTED_COPY
    if not candidate.is_file() or not _writable(source.parent):
        return
    with _held(candidate) as held:
        if held:
            _log.info("removing %s: %s is now stored sorted", candidate, source.name)
            candidate.unlink(missing_ok=True)


@contextlib.contextmanager
def _held(target: Path) -> Iterator[bool]:
    """The copy's lock if it is free right now (a busy lock means another process is
    writing the copy: nothing to wait for, the caller has the rows it needs)."""
    lock = filelock.FileLock(str(target.with_name(target.name + _LOCK_SUFFIX)))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def save_copy(source: Path, stamp: Stamp, table: pa.Table) -> Path | None:
    """Write ``table`` (sorted rows, laid out for the file, metadata attached) as the copy of
    ``source`` made at ``stamp``. Returns where it went, or None when it was not written."""
    import pyarrow.parquet as pq

    if stamp_of(source) != stamp:  # the table changed while it was read: the rows may be either
        return None
    try:
        target = _write_location(source.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _held(target) as held:
            if not held:
                return None
            _remove_leftovers(target)
            metadata = dict(table.schema.metadata or {})
            metadata[STAMP_KEY] = json.dumps(stamp).encode()
            # readable by whoever can read the table
            with staged(target, mode=stat.S_IMODE(source.stat().st_mode)) as (temp,):
                pq.write_table(table.replace_schema_metadata(metadata), temp)
    except (OSError, pa.ArrowException) as exc:
        _log.warning("could not keep a sorted copy of %s (%s); loads will sort it", source, exc)
        return None
    _log.info("%s is not stored in (eid, id) order: kept a sorted copy in %s", source, target)
    return target


def _remove_leftovers(target: Path) -> None:
    """Delete the temporary files of writers that were killed (called under the lock)."""
    for stale in leftovers(target):
        _log.info("removing %s, left by an interrupted write", stale)
        stale.unlink(missing_ok=True)
