"""A datasets table too large to load: a partitioned, normalised copy read by parts.

The eager engine holds the whole datasets table in memory, which is the fastest path while the
table fits. Past that, this module keeps the table on disk:

* :func:`open_partitioned` rewrites ``datasets.pqt`` once, one record batch at a time (never
  whole), into ``datasets.parts/`` beside it: one parquet file per session-id prefix, holding the
  rows *normalised* exactly as the eager reader normalises them (string ids, int8 QC codes,
  dictionary-encoded ``eid``/``rel_path``, casts), sorted by (eid, id), in small row groups. The
  copy is written to a temporary directory and renamed into place, under a file lock so that
  two processes never both build it, and carries a stamp (source size, mtime, format version):
  when ``datasets.pqt`` changes the copy is rebuilt on the next open.
* :class:`PartitionedDatasets` reads it back: the rows of a few sessions (one file per session
  and only the row groups whose ``eid`` statistics cover it), or every row in (eid, id) order
  as a stream of bounded batches.

File names are the hex of the prefix bytes (``6162.parquet`` for eids starting ``ab``): names
stay distinct on case-insensitive file systems, and their sorted order is the byte order of
the eids, so reading the files in name order yields the table in the eager engine's order.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, Final

import filelock
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onesdk._atomic import staged
from onesdk._cache._io import _dictionary, _normalise_datasets, sort_datasets
from onesdk._cache._schema import DATASETS_FILE, METADATA_KEY
from onesdk.errors import CacheError, CacheLockTimeout

__all__ = [
    "PARTS_DIR",
    "PartitionedDatasets",
    "open_partitioned",
    "parts_location",
]

_log = logging.getLogger("onesdk.cache.lazy")

#: bump when the layout or the normalisation of the copy changes: old copies are rebuilt
FORMAT_VERSION: Final = 1
#: the partitioned copy of ``datasets.pqt``, in the same directory
PARTS_DIR: Final = "datasets.parts"
_STAMP_FILE: Final = "_stamp.json"
_SCHEMA_FILE: Final = "_schema.parquet"
_LOCK_SUFFIX: Final = ".lock"
#: rows per row group in a part file: a session lookup reads about this many rows
ROW_GROUP_ROWS: Final = 8_192
#: rows per batch when streaming (the source while building, the parts while scanning)
SCAN_BATCH_ROWS: Final = 131_072
#: seconds a process waits for another one to finish building the copy
BUILD_LOCK_TIMEOUT: Final = 3600.0
_DICTIONARY_COLUMNS: Final = ("eid", "rel_path")


def _prefix_chars(n_rows: int) -> int:
    """How many leading eid characters key a part: enough that a part stays ~256k rows or less
    (1 character = 16 parts up to 4M rows, 2 = 256 parts up to 64M, 3 = 4096 beyond): each
    part costs a file open per scan, each row a read per session lookup."""
    for chars in (1, 2, 3):
        if n_rows <= 262_144 * 16**chars:
            return chars
    return 4


def _part_name(prefix: str) -> str:
    return prefix.encode().hex() + ".parquet"


def parts_location(tables_dir: Path) -> Path:
    """Where the partitioned copy of ``tables_dir/datasets.pqt`` lives.

    Beside the table when the directory is writable; otherwise (a read-only shared cache) in
    the user cache dir, under a name derived from the tables dir's absolute path.
    """
    tables_dir = Path(tables_dir)
    if _writable(tables_dir):
        return tables_dir / PARTS_DIR
    import platformdirs

    key = hashlib.sha256(str(tables_dir.resolve()).encode()).hexdigest()[:16]
    fallback = Path(platformdirs.user_cache_dir("onesdk")) / "datasets-parts" / key / PARTS_DIR
    _log.info("%s is read-only: the partitioned datasets copy goes to %s", tables_dir, fallback)
    return fallback


def _writable(directory: Path) -> bool:
    return os.access(directory, os.W_OK | os.X_OK)


# --------------------------------------------------------------------------------------------
# the stamp


def _stamp_of(stat: os.stat_result) -> dict[str, int]:
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "version": FORMAT_VERSION}


def _read_stamp(root: Path) -> dict[str, object] | None:
    try:
        loaded = json.loads((root / _STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _is_current(root: Path, source: Path) -> bool:
    stamp = _read_stamp(root)
    if stamp is None:
        return False
    try:
        return stamp.get("source") == _stamp_of(source.stat())
    except OSError:
        return False


# --------------------------------------------------------------------------------------------
# building


def open_partitioned(tables_dir: Path, target: Path | None = None) -> PartitionedDatasets:
    """The partitioned copy of ``tables_dir/datasets.pqt``, built first if missing or stale.

    ``target`` defaults to :func:`parts_location`. Raises :class:`CacheError` naming the file
    when ``datasets.pqt`` is not a readable ONE datasets table.
    """
    source = Path(tables_dir) / DATASETS_FILE
    root = Path(target) if target is not None else parts_location(Path(tables_dir))
    if not _is_current(root, source):
        root.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(root.with_name(root.name + _LOCK_SUFFIX)))
        try:
            lock.acquire(timeout=BUILD_LOCK_TIMEOUT)
        except filelock.Timeout:
            raise CacheLockTimeout(
                f"{lock.lock_file}: another process held the lock for over "
                f"{BUILD_LOCK_TIMEOUT:.0f}s while building {root}"
            ) from None
        try:
            if not _is_current(root, source):  # another process may have built it meanwhile
                _build(source, root)
        finally:
            lock.release()
    return PartitionedDatasets(root)


def _build(source: Path, root: Path) -> None:
    """Write the copy into a temporary directory beside ``root``, then swap it in."""
    _remove_leftovers(root)
    # mkdir, not mkdtemp: the copy gets the umask's permissions, as the table beside it
    tmp = root.parent / f".{root.name}.tmp.{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        with open(source, "rb") as handle:  # the stamp is of the very file that is read
            stamp = _stamp_of(os.fstat(handle.fileno()))
            _log.info("building %s from %s (%d bytes)", root, source, stamp["size"])
            _write_parts(handle, source, tmp)
        (tmp / _STAMP_FILE).write_text(json.dumps({"source": stamp}), encoding="utf-8")
        if root.exists():
            old = root.parent / f".{root.name}.old.{uuid.uuid4().hex}"
            os.replace(root, old)
            os.replace(tmp, root)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, root)
    except FileNotFoundError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise CacheError(f"{source}: no datasets table to partition ({exc})") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _remove_leftovers(root: Path) -> None:
    """Delete the temporary directories of builds that were killed (called under the lock)."""
    for pattern in (f".{root.name}.tmp.*", f".{root.name}.old.*"):
        for stale in root.parent.glob(pattern):
            _log.info("removing %s, left by an interrupted build", stale)
            shutil.rmtree(stale, ignore_errors=True)


def _source_file(handle: IO[bytes], path: Path) -> Any:
    """The source table, read through a buffered stream: pages are decoded as they come,
    so memory follows the batch, not the source's (possibly million-row) row groups."""
    try:
        probe = pq.ParquetFile(handle, memory_map=False)
        wanted: list[str] = [n for n in _DICTIONARY_COLUMNS if n in probe.schema_arrow.names]
        return pq.ParquetFile(
            handle,
            memory_map=False,
            read_dictionary=wanted,
            pre_buffer=False,
            buffer_size=1 << 20,
        )
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise CacheError(
            f"{path}: not a readable parquet file ({exc}); delete it or rebuild the cache with "
            "One.setup / make_cache"
        ) from exc


class _PartWriters:
    """One parquet writer per part; tracks which parts received rows out of (eid, id) order."""

    def __init__(self, root: Path, schema: pa.Schema) -> None:
        self.root, self.schema = root, schema
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.last: dict[str, tuple[str, str]] = {}
        self.unsorted: set[str] = set()

    def write(self, prefix: str, rows: pa.Table) -> None:
        writer = self.writers.get(prefix)
        if writer is None:
            writer = pq.ParquetWriter(self.root / _part_name(prefix), self.schema)
            self.writers[prefix] = writer
        first = (str(rows.column("eid")[0].as_py()), str(rows.column("id")[0].as_py()))
        previous = self.last.get(prefix)
        if previous is not None and first < previous:
            self.unsorted.add(prefix)
        n = len(rows)
        self.last[prefix] = (
            str(rows.column("eid")[n - 1].as_py()),
            str(rows.column("id")[n - 1].as_py()),
        )
        writer.write_table(rows, row_group_size=ROW_GROUP_ROWS)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def _write_parts(handle: IO[bytes], path: Path, root: Path) -> None:
    """Normalise each source batch as the eager reader would, and append it to its parts.

    Each normalised batch is sorted by (eid, id), so a part's rows arrive as runs; Alyx writes
    the table sorted, so the runs usually follow each other in order. A part that received
    rows out of order (or in many small row groups) is sorted again on its own afterwards:
    memory stays bounded by one batch plus one part.
    """
    source = _source_file(handle, path)
    raw_schema = source.schema_arrow
    schema = _normalise_datasets(raw_schema.empty_table(), path).schema
    chars = _prefix_chars(source.metadata.num_rows)
    metadata = (raw_schema.metadata or {}).get(METADATA_KEY, b"{}")
    pq.write_table(
        schema.empty_table().replace_schema_metadata(
            {METADATA_KEY: metadata, b"prefix_chars": str(chars).encode()}
        ),
        root / _SCHEMA_FILE,
    )
    writers = _PartWriters(root, schema)
    try:
        for batch in _source_batches(source, path):
            table = _conform(_normalise_datasets(batch, path), schema, path)
            _split_by_prefix(table, chars, writers.write)
    finally:
        writers.close()
    for prefix in writers.writers:
        part = root / _part_name(prefix)
        meta = pq.ParquetFile(part).metadata
        fragmented = meta.num_row_groups > 1 and meta.num_rows < meta.num_row_groups * 4_096
        if prefix in writers.unsorted or fragmented:
            _rewrite_sorted(part, schema)


def _source_batches(source: Any, path: Path) -> Iterator[pa.Table]:
    try:
        for batch in source.iter_batches(batch_size=SCAN_BATCH_ROWS):
            yield pa.Table.from_batches([batch]).replace_schema_metadata(None)
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise CacheError(f"{path}: not a readable parquet file ({exc})") from exc


def _conform(table: pa.Table, schema: pa.Schema, path: Path) -> pa.Table:
    if table.schema.equals(schema):
        return table
    try:
        return table.select(schema.names).cast(schema)
    except (KeyError, pa.ArrowException) as exc:
        raise CacheError(f"{path}: a row group does not match the table's columns ({exc})") from exc


def _split_by_prefix(table: pa.Table, chars: int, write: Callable[[str, pa.Table], None]) -> None:
    """Hand each run of equal eid prefixes of a sorted table to ``write``."""
    if len(table) == 0:
        return
    eid: Any = table.column("eid").chunk(0)
    prefixes = pc.utf8_slice_codeunits(eid.dictionary, 0, chars).to_pylist()
    codes = np.asarray(pc.take(pa.array(_ranks(prefixes), pa.int32()), eid.indices))
    starts = np.flatnonzero(np.diff(codes)) + 1
    bounds = [0, *starts.tolist(), len(table)]
    for lo, hi in itertools.pairwise(bounds):
        write(prefixes[eid.indices[lo].as_py()], _compact(table.slice(lo, hi - lo)))


def _compact(table: pa.Table) -> pa.Table:
    """``table`` with each dictionary column re-encoded to the values it uses: a slice keeps
    its parent's whole dictionary, which would be written into every row group."""
    columns: list[Any] = []
    for name in table.column_names:
        column: Any = table.column(name)
        if pa.types.is_dictionary(column.type):
            column = pc.dictionary_encode(pc.cast(column, column.type.value_type))
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def _ranks(values: Sequence[str]) -> list[int]:
    order = {v: i for i, v in enumerate(sorted(set(values)))}
    return [order[v] for v in values]


def _rewrite_sorted(part: Path, schema: pa.Schema) -> None:
    table = sort_datasets(unify(pq.read_table(part, schema=schema)))
    with staged(part) as (temp,):
        pq.write_table(table, temp, row_group_size=ROW_GROUP_ROWS)


def unify(table: pa.Table) -> pa.Table:
    """One chunk per column, ``eid`` and ``rel_path`` with one dictionary each (as the eager
    reader leaves them: its indexes read the codes of a single dictionary)."""
    columns = [
        _dictionary(table.column(n)) if n in _DICTIONARY_COLUMNS else table.column(n)
        for n in table.column_names
    ]
    return pa.Table.from_arrays(columns, names=table.column_names).combine_chunks()


# --------------------------------------------------------------------------------------------
# reading


class PartitionedDatasets:
    """Reads of a copy written by :func:`open_partitioned`; nothing is read until asked."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        try:
            schema = pq.read_schema(self.root / _SCHEMA_FILE)
        except (OSError, pa.ArrowException) as exc:
            raise CacheError(f"{self.root}: not a partitioned datasets copy ({exc})") from exc
        meta = schema.metadata or {}
        self.schema: pa.Schema = schema.remove_metadata()
        self.prefix_chars = int(meta.get(b"prefix_chars", b"2"))
        try:
            loaded = json.loads(meta.get(METADATA_KEY, b"{}"))
        except ValueError:
            loaded = {}
        #: the ``one_metadata`` of the source table
        self.metadata: dict[str, object] = loaded if isinstance(loaded, dict) else {}
        self.parts: list[Path] = sorted(self.root.glob("*.parquet"))
        self.parts = [p for p in self.parts if not p.name.startswith("_")]

    @property
    def column_names(self) -> list[str]:
        return list(self.schema.names)

    def _open(self, part: Path) -> Any:
        try:
            return pq.ParquetFile(part, memory_map=False)
        except (OSError, pa.ArrowException) as exc:
            raise CacheError(
                f"{part}: the partitioned datasets copy changed or is damaged ({exc}); "
                f"reload the cache (One.load_cache()), or delete {self.root} to rebuild it"
            ) from exc

    def sessions(self, eids: Iterable[str], columns: Sequence[str] | None = None) -> pa.Table:
        """The rows of the sessions ``eids``, in (eid, id) order.

        Opens one part per distinct prefix and reads only the row groups whose ``eid``
        statistics can hold one of the wanted sessions.
        """
        names = list(columns) if columns is not None else self.schema.names
        by_part: dict[str, list[str]] = {}
        for eid in sorted(set(eids)):
            by_part.setdefault(_part_name(eid[: self.prefix_chars]), []).append(eid)
        pieces: list[pa.Table] = []
        for name, wanted in sorted(by_part.items()):
            part = self.root / name
            if not part.exists():
                continue
            pieces.append(self._read_sessions(part, wanted, names))
        return self._combine(pieces, names)

    def _read_sessions(self, part: Path, eids: list[str], names: list[str]) -> pa.Table:
        source = self._open(part)
        meta = source.metadata
        eid_col = source.schema_arrow.get_field_index("eid")
        groups = []
        for i in range(meta.num_row_groups):
            stats = meta.row_group(i).column(eid_col).statistics
            unknown = stats is None or not stats.has_min_max
            if unknown or any(stats.min <= e <= stats.max for e in eids):
                groups.append(i)
        if not groups:
            return self.schema.empty_table().select(names)
        table: pa.Table = source.read_row_groups(groups, columns=names)
        keep = pc.is_in(pc.cast(table.column("eid"), pa.string()), value_set=pa.array(eids))
        return table.filter(keep)

    def _combine(self, pieces: list[pa.Table], names: list[str]) -> pa.Table:
        pieces = [p for p in pieces if len(p)]
        if not pieces:
            return unify(self.schema.empty_table().select(names))
        return unify(pa.concat_tables(pieces))

    def batches(self, columns: Sequence[str] | None = None) -> Iterator[pa.Table]:
        """Every row in (eid, id) order, as tables of at most about ``SCAN_BATCH_ROWS`` rows
        (small parts are joined so each batch is worth its per-batch work).

        The next part is read in a thread while the caller works on the current batch (the
        parquet decoder releases the GIL): memory is a batch plus one part.
        """
        names = list(columns) if columns is not None else self.schema.names
        pending: list[pa.Table] = []
        count = 0
        with ThreadPoolExecutor(max_workers=1) as pool:
            ahead = [pool.submit(self._read_part, p, names) for p in self.parts[:1]]
            for i in range(len(self.parts)):
                tables = ahead.pop().result()
                if i + 1 < len(self.parts):
                    ahead.append(pool.submit(self._read_part, self.parts[i + 1], names))
                for table in tables:
                    pending.append(table)
                    count += len(table)
                    if count >= SCAN_BATCH_ROWS:
                        yield self._combine(pending, names)
                        pending, count = [], 0
        if pending:
            yield self._combine(pending, names)

    def _read_part(self, part: Path, names: list[str]) -> list[pa.Table]:
        source = self._open(part)
        batches = source.iter_batches(batch_size=SCAN_BATCH_ROWS, columns=names)
        return [pa.Table.from_batches([b]) for b in batches]

    def rows_with_ids(self, ids: Iterable[str]) -> pa.Table:
        """Rows whose dataset ``id`` is one of ``ids``, in (eid, id) order: a scan of the ``id``
        column (ids are not indexed), then a read of only the row groups holding a match."""
        value_set = pa.array(sorted(set(ids)), pa.string())
        pieces: list[pa.Table] = []
        for part in self.parts:
            source = self._open(part)
            hits = pc.is_in(source.read(columns=["id"]).column("id"), value_set=value_set)
            rows = np.flatnonzero(np.asarray(hits.to_numpy(zero_copy_only=False), dtype=bool))
            if len(rows) == 0:
                continue
            meta = source.metadata
            ends = np.cumsum([meta.row_group(i).num_rows for i in range(meta.num_row_groups)])
            groups = sorted(set(np.searchsorted(ends, rows, side="right").tolist()))
            table = source.read_row_groups(groups, columns=self.schema.names)
            pieces.append(table.filter(pc.is_in(table.column("id"), value_set=value_set)))
        return self._combine(pieces, self.schema.names)
