"""Write the two cache tables in the reference's file layout, both at once.

Files are written to temporary names (:func:`onesdk._atomic.staged`) and renamed under the
tables lock, both tables stamped with one pair id, so an error leaves the previous cache
untouched and a reader never mixes two saves.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filelock
import pyarrow as pa
import pyarrow.compute as pc

from onesdk._atomic import leftovers, staged
from onesdk._cache._schema import (
    CACHE_INFO_FILE,
    DATASETS_FILE,
    METADATA_KEY,
    MIN_API_VERSION,
    QC_NAMES,
    SESSIONS_FILE,
)
from onesdk._cache._tables import (
    LOCK_TIMEOUT,
    PAIR_KEY,
    TABLES_LOCK,
    CacheTables,
    JsonDict,
    _parquet,
)
from onesdk.errors import CacheError, CacheLockTimeout

__all__ = ["datasets_for_file", "sessions_for_file", "write_tables"]

if TYPE_CHECKING:
    from onesdk._cache._tables import Column

_log = logging.getLogger("onesdk.cache")


def _pandas_metadata(table: pa.Table, index: list[str]) -> bytes:
    """The ``pandas`` schema metadata one-api needs to restore the index and dtypes."""
    frame = table.slice(0, 0).to_pandas().set_index(index)
    if "file_size" in frame.columns:
        frame["file_size"] = frame["file_size"].astype("UInt64")
    meta = pa.Schema.from_pandas(frame).metadata
    return meta[b"pandas"]


def sessions_for_file(sessions: pa.Table) -> pa.Table:
    """The sessions table laid out as one-api writes it (index column last)."""
    names = [c for c in sessions.column_names if c != "id"]
    return sessions.select([*names, "id"])


def datasets_for_file(datasets: pa.Table) -> pa.Table:
    """The datasets table laid out as one-api writes it: plain strings, qc as ordered categories."""
    columns: dict[str, Column] = {}
    column: Any
    for name in datasets.column_names:
        if name in ("eid", "id"):
            continue
        column = datasets.column(name)
        if name == "qc":
            qc_type: Any = pa.dictionary(pa.int8(), pa.string(), ordered=True)
            names = pa.array(QC_NAMES, pa.string())
            chunks: Any = [
                pa.DictionaryArray.from_arrays(chunk, names, ordered=True)
                for chunk in column.chunks
            ]
            columns[name] = pa.chunked_array(chunks, type=qc_type)
        elif pa.types.is_dictionary(column.type):
            columns[name] = pc.cast(column, column.type.value_type)
        else:
            columns[name] = column
    for name in ("eid", "id"):
        column = datasets.column(name)
        if pa.types.is_dictionary(column.type):
            column = pc.cast(column, column.type.value_type)
        columns[name] = column
    return pa.Table.from_arrays(list(columns.values()), names=list(columns))


def _stamp(table: pa.Table, index: list[str], metadata: JsonDict) -> pa.Table:
    return table.replace_schema_metadata(
        {METADATA_KEY: json.dumps(metadata).encode(), b"pandas": _pandas_metadata(table, index)}
    )


def write_tables(
    tables: CacheTables,
    out_dir: Path,
    *,
    origin: str | None = None,
    write_info: bool = True,
    dataset_batches: Iterable[pa.Table] | None = None,
) -> tuple[Path, Path]:
    """Write both tables (and cache_info.json) atomically into ``out_dir``.

    ``dataset_batches``: the datasets rows as a stream of normalised tables, written one at a
    time (``tables.datasets`` then only gives the columns): a table larger than memory is
    saved without being held whole.

    Both tables are written to temporary files first; only when both are complete are they
    renamed over the old ones, so a failure leaves the previous cache as it was. Writers of one
    directory take turns (a file lock), so two processes never interleave their renames; the
    temporary files of a writer that was killed are removed by the next one.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise CacheError(f"{out_dir}: cache directory does not exist")
    lock = filelock.FileLock(str(out_dir / TABLES_LOCK))
    try:
        lock.acquire(timeout=LOCK_TIMEOUT)
    except filelock.Timeout:
        raise CacheLockTimeout(
            f"{out_dir / TABLES_LOCK}: another process held the cache lock for over "
            f"{LOCK_TIMEOUT:.0f}s"
        ) from None
    except OSError as exc:  # a read-only cache dir: the lock file cannot be made
        raise CacheError(f"{out_dir}: cannot save the cache tables here ({exc.strerror})") from None
    try:
        _remove_stale_temporaries(out_dir)
        return _write_tables(
            tables, out_dir, origin=origin, write_info=write_info, batches=dataset_batches
        )
    except OSError as exc:  # a full disk or a file-size limit: the old tables stay
        raise CacheError(
            f"{out_dir}: cannot save the cache tables ({exc.strerror}); the previous tables "
            "are unchanged"
        ) from None
    finally:
        lock.release()


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Delete what killed writers left (called with the lock held: no writer is alive)."""
    for name in (SESSIONS_FILE, DATASETS_FILE, CACHE_INFO_FILE):
        for stale in leftovers(out_dir / name):
            _log.info("removing %s, left by an interrupted save", stale)
            stale.unlink(missing_ok=True)


def _write_tables(
    tables: CacheTables,
    out_dir: Path,
    *,
    origin: str | None,
    write_info: bool,
    batches: Iterable[pa.Table] | None = None,
) -> tuple[Path, Path]:
    now = dt.datetime.now().isoformat(sep=" ", timespec="minutes")
    files = {"sessions": out_dir / SESSIONS_FILE, "datasets": out_dir / DATASETS_FILE}
    # with batches, the table only gives the columns: never read the rows held on disk
    datasets = tables.core_datasets if batches is not None else tables.datasets
    layouts = {
        "sessions": (sessions_for_file(tables.sessions), ["id"], len(tables.sessions)),
        "datasets": (datasets_for_file(datasets), ["eid", "id"], len(datasets)),
    }
    pq = _parquet()
    pair = uuid.uuid4().hex  # both files of this save carry it; readers compare (read_tables)
    targets = [files["sessions"], files["datasets"]]
    if write_info:
        targets.append(out_dir / CACHE_INFO_FILE)
    # renamed in this order once all are written: sessions, datasets, then cache_info.json
    with staged(*targets) as staged_files:
        temps = {"sessions": staged_files[0], "datasets": staged_files[1]}
        for name, (table, index, _) in list(layouts.items()):
            meta = dict(tables.metadata.get(name, {}))
            meta[PAIR_KEY] = pair
            meta.setdefault("date_created", now)
            meta.setdefault("min_api_version", MIN_API_VERSION)
            if origin is not None:
                meta["origin"] = origin
            meta.setdefault("origin", "onesdk")
            meta["date_modified"] = now
            try:
                if name == "datasets" and batches is not None:
                    rows = _write_batches(_stamp(table, index, meta), batches, temps[name])
                    layouts[name] = (table, index, rows)
                else:
                    pq.write_table(_stamp(table, index, meta), temps[name])
            except (OSError, pa.ArrowException) as exc:
                raise CacheError(f"{files[name]}: could not write the table ({exc})") from exc
        if write_info:
            info = dict(tables.info)
            info.setdefault("date_created", now)
            info["date_modified"] = now
            info.setdefault("origin", origin or "onesdk")
            info.setdefault("min_api_version", MIN_API_VERSION)
            info["tables"] = {
                name: {"nrecs": layouts[name][2], "size": temps[name].stat().st_size}
                for name in ("sessions", "datasets")
            }
            staged_files[2].write_text(json.dumps(info, indent=1), encoding="utf-8")
    _log.debug("saved cache tables to %s", out_dir)
    return files["sessions"], files["datasets"]


def _write_batches(empty: pa.Table, batches: Iterable[pa.Table], path: Path) -> int:
    """Write ``batches`` in the file layout of ``empty`` (which carries the metadata)."""
    pq = _parquet()
    count = 0
    with pq.ParquetWriter(path, empty.schema) as writer:
        for batch in batches:
            table = datasets_for_file(batch)
            writer.write_table(table.cast(empty.schema.remove_metadata()))
            count += len(table)
    return count
