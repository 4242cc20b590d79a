"""Read and write the two cache tables, normalised to one in-memory layout.

In memory every table is a :class:`pyarrow.Table` with string ids (never object-dtype pandas):

* sessions: ``id`` then the session columns, sorted by ``id``;
* datasets: ``eid``, ``id`` then the dataset columns in file order, sorted by (``eid``, ``id``).
  ``eid`` and ``rel_path`` are dictionary-encoded (a cache has few distinct values of each), and
  ``qc`` is an int8 position in :data:`QC_NAMES`, so filters run on codes, not on strings.

Older layouts are converted on read: integer-pair ids, ``project`` instead of ``projects``, no
``qc`` column, a ``session_path`` column. Files are written to a temporary name and renamed, both
tables at once, so an error leaves the previous cache untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import filelock
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from onesdk._cache._schema import (
    CACHE_INFO_FILE,
    DATASET_COLUMNS,
    DATASETS_FILE,
    METADATA_KEY,
    MIN_API_VERSION,
    QC_NAMES,
    QC_VALUES,
    SESSION_COLUMNS,
    SESSIONS_FILE,
)
from onesdk.errors import CacheError, CacheLockTimeout

__all__ = ["CacheTables", "empty_tables", "read_tables", "sort_datasets", "write_tables"]

_log = logging.getLogger("onesdk.cache")

#: the lock file writers of a tables dir take turns on (the same name the remote installer uses)
TABLES_LOCK = ".cache_tables.lock"
#: seconds a writer waits for another before giving up
LOCK_TIMEOUT = 60.0
#: the metadata key both tables of one save share (a reader compares them)
PAIR_KEY = "pair"

JsonDict = dict[str, object]
if TYPE_CHECKING:
    #: any Arrow column (the stubs' generic parameter is the scalar type, irrelevant here)
    Column: TypeAlias = pa.Array[Any] | pa.ChunkedArray[Any]


class DeferredColumn:
    """A column of the datasets file decoded one row group at a time, when first asked for.

    ``hash`` is 5 million distinct 32-character strings in a large cache: a third of the load's
    decoding and a fifth of its memory, for a column only hash checks and detail frames read.
    The parquet reader keeps the file open, so a later read sees the file as it was at load
    even if a save has since replaced it (POSIX rename semantics; see :func:`read_tables`).
    """

    def __init__(self, source: Any, path: Path, name: str, index: int) -> None:
        self._source = source
        self._path = path
        self.name = name
        #: where the column sits in the full datasets table
        self.index = index
        rows = [source.metadata.row_group(i).num_rows for i in range(source.num_row_groups)]
        self._offsets = np.concatenate(([0], np.cumsum(rows, dtype=np.int64)))
        self._groups: dict[int, pa.Array[Any]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return int(self._offsets[-1])

    def _group(self, i: int) -> pa.Array[Any]:
        with self._lock:
            found = self._groups.get(i)
            if found is None:
                try:
                    column = self._source.read_row_group(i, columns=[self.name]).column(0)
                    found = pc.cast(column, pa.string()).combine_chunks()
                except (OSError, pa.ArrowException) as exc:
                    raise CacheError(f"{self._path}: column {self.name!r}: {exc}") from exc
                self._groups[i] = found
            return found

    def take(self, positions: npt.NDArray[np.intp]) -> pa.Array[Any]:
        """The values at ``positions`` (rows of the full table), in that order."""
        if len(positions) == 0:
            return pa.array([], pa.string())
        groups = np.searchsorted(self._offsets, positions, side="right") - 1
        needed = np.unique(groups).tolist()
        if len(needed) == 1:
            (i,) = needed
            return self._group(i).take(pa.array(positions - self._offsets[i]))
        base = np.zeros(len(self._offsets), dtype=np.int64)
        arrays = []
        start = 0
        for i in needed:
            array = self._group(i)
            base[i] = start - self._offsets[i]
            arrays.append(array)
            start += len(array)
        return pa.concat_arrays(arrays).take(pa.array(positions + base[groups]))

    def full(self) -> pa.ChunkedArray[Any]:
        return pa.chunked_array(
            [self._group(i) for i in range(len(self._offsets) - 1)], type=pa.string()
        )


class CacheTables:
    """The sessions and datasets tables plus the metadata they were stored with.

    ``datasets`` is always the whole table. A table read from a file may hold a column back
    (``deferred``): ``core_datasets`` is the table without it, which is what queries scan, and
    the column is decoded for the rows a result needs (:meth:`datasets_at`), or whole when
    ``datasets`` is first read. A cache opened lazily holds no dataset rows at all
    (``rows_on_disk``): ``core_datasets`` then has the columns only, and ``datasets`` reads
    every row from disk when it is first asked for.
    """

    __slots__ = (
        "_core",
        "_deferred",
        "_full",
        "_rows_on_disk",
        "info",
        "loaded_time",
        "metadata",
        "sessions",
    )

    def __init__(
        self,
        sessions: pa.Table,
        datasets: pa.Table,
        metadata: Mapping[str, JsonDict] | None = None,
        info: JsonDict | None = None,
        loaded_time: dt.datetime | None = None,
        *,
        deferred: DeferredColumn | None = None,
        rows_on_disk: Callable[[], pa.Table] | None = None,
    ) -> None:
        self.sessions = sessions
        #: ``one_metadata`` of each table file (keys ``sessions``, ``datasets``)
        self.metadata: Mapping[str, JsonDict] = metadata if metadata is not None else {}
        #: contents of cache_info.json, if there was one
        self.info: JsonDict = info if info is not None else {}
        self.loaded_time = loaded_time
        self._core = datasets
        self._deferred = deferred
        self._rows_on_disk = rows_on_disk
        held_back = deferred is not None or rows_on_disk is not None
        self._full: pa.Table | None = None if held_back else datasets

    def __repr__(self) -> str:
        return (
            f"CacheTables({len(self.sessions)} sessions, {len(self._core)} datasets, "
            f"loaded {self.loaded_time})"
        )

    @property
    def datasets(self) -> pa.Table:
        """The whole datasets table (a deferred column is read in full the first time)."""
        if self._full is None and self._rows_on_disk is not None:
            _log.info("reading every row of a lazily opened datasets table into memory")
            self._full = self._rows_on_disk()
        if self._full is None:
            assert self._deferred is not None
            column = self._deferred.full()
            self._full = self._core.add_column(self._deferred.index, self._deferred.name, column)
        return self._full

    @property
    def core_datasets(self) -> pa.Table:
        """The datasets table without its deferred column (the whole table if none; the
        columns only while a lazily opened table's rows are on disk)."""
        return self._core if self._full is None else self._full

    def datasets_at(self, positions: npt.NDArray[np.intp]) -> pa.Table:
        """Rows ``positions`` of the whole datasets table, in that order."""
        return self.with_deferred(self.core_datasets.take(positions), positions)

    def with_deferred(self, rows: pa.Table, positions: npt.NDArray[np.intp]) -> pa.Table:
        """``rows`` (rows ``positions`` of ``core_datasets``) with the deferred column added."""
        if self._deferred is None or self._full is not None:
            return rows
        return rows.add_column(
            self._deferred.index, self._deferred.name, self._deferred.take(positions)
        )

    @property
    def complete(self) -> bool:
        """Whether every datasets column is in memory (``core_datasets`` is the whole table)."""
        return self._full is not None

    @property
    def created_time(self) -> dt.datetime | None:
        """The oldest ``date_created`` of the two tables."""
        times = []
        for meta in self.metadata.values():
            value = meta.get("date_created")
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    times.append(dt.datetime.fromisoformat(value))
        return min(times) if times else None

    def replace(
        self, *, sessions: pa.Table | None = None, datasets: pa.Table | None = None
    ) -> CacheTables:
        """These tables with ``sessions`` and/or ``datasets`` swapped (metadata kept)."""
        new_sessions = self.sessions if sessions is None else sessions
        if datasets is not None:
            return CacheTables(new_sessions, datasets, self.metadata, self.info, self.loaded_time)
        held_back = self._full is None
        return CacheTables(
            new_sessions,
            self.core_datasets,
            self.metadata,
            self.info,
            self.loaded_time,
            deferred=self._deferred if held_back else None,
            rows_on_disk=self._rows_on_disk if held_back else None,
        )

    def with_datasets(self, datasets: pa.Table) -> CacheTables:
        return self.replace(datasets=datasets)


def _sessions_schema() -> pa.Schema:
    fields: list[tuple[str, pa.DataType]] = [
        ("id", pa.string()),
        ("lab", pa.string()),
        ("subject", pa.string()),
        ("date", pa.date32()),
        ("number", pa.uint16()),
        ("task_protocol", pa.string()),
        ("projects", pa.string()),
    ]
    return pa.schema(fields)


def _datasets_schema() -> pa.Schema:
    fields: list[tuple[str, pa.DataType]] = [
        ("eid", pa.dictionary(pa.int32(), pa.string())),
        ("id", pa.string()),
        ("file_size", pa.uint64()),
        ("hash", pa.string()),
        ("default_revision", pa.bool_()),
        ("qc", pa.int8()),
        ("exists", pa.bool_()),
        ("rel_path", pa.dictionary(pa.int32(), pa.string())),
    ]
    return pa.schema(fields)


def empty_tables() -> CacheTables:
    """Tables with the standard columns and no rows."""
    return CacheTables(_sessions_schema().empty_table(), _datasets_schema().empty_table())


# --------------------------------------------------------------------------------------------
# reading


def _parquet() -> Any:
    """pyarrow.parquet, imported on first use (it pulls in the filesystem layer)."""
    import pyarrow.parquet

    return pyarrow.parquet


def read_tables(tables_dir: Path, *, datasets: bool = True) -> CacheTables:
    """Load ``sessions.pqt`` and ``datasets.pqt`` from ``tables_dir``.

    A missing file gives an empty table (the caller decides whether to warn); a file that is
    not a readable ONE cache table raises :class:`CacheError` naming the file.
    ``datasets=False`` reads the sessions table only (the datasets table is read elsewhere).

    The two files of a save carry the same ``pair`` stamp; a reader that caught a save between
    its two renames (stamps differ) reads again under the tables lock, which the writer holds
    while renaming, so it sees either the old pair or the new pair.
    """
    try:
        tables = _read_tables(Path(tables_dir), datasets=datasets)
    except FileNotFoundError:
        raise
    except OSError as exc:  # e.g. a name too long for the file system, a folder not readable
        raise CacheError(f"{tables_dir}: cannot read the cache tables ({exc.strerror})") from None
    if not _torn(tables.metadata):
        return tables
    from onesdk._cache._pair import read_whole_pair

    return read_whole_pair(
        Path(tables_dir), lambda: _read_tables(Path(tables_dir), datasets=datasets)
    )


def _torn(metadata: Mapping[str, JsonDict]) -> bool:
    """Whether the two tables come from different saves (both stamped, stamps differ)."""
    stamps = [metadata.get(name, {}).get(PAIR_KEY) for name in ("sessions", "datasets")]
    return None not in stamps and stamps[0] != stamps[1]


def _read_tables(tables_dir: Path, *, datasets: bool = True) -> CacheTables:
    empty = empty_tables()
    metadata: dict[str, JsonDict] = {}
    sessions, dataset_rows = empty.sessions, empty.datasets
    found = False
    for name in (SESSIONS_FILE, DATASETS_FILE, CACHE_INFO_FILE):
        if (tables_dir / name).exists() and not (tables_dir / name).is_file():
            raise CacheError(f"{tables_dir / name}: not a regular file")
    ses_file = tables_dir / SESSIONS_FILE
    if ses_file.is_file():
        raw, metadata["sessions"] = _read_parquet(ses_file, dictionary=())
        sessions = _normalise_sessions(raw, ses_file)
        found = True
    ds_file = tables_dir / DATASETS_FILE
    deferred: DeferredColumn | None = None
    if ds_file.is_file():
        if datasets:
            dataset_rows, metadata["datasets"], deferred = _read_datasets(ds_file)
        found = True
    info: JsonDict = {}
    info_file = tables_dir / CACHE_INFO_FILE
    if info_file.is_file():
        try:
            loaded = json.loads(info_file.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            raise CacheError(f"{info_file}: not valid JSON ({type(exc).__name__})") from None
        if isinstance(loaded, dict):
            info = loaded
    return CacheTables(
        sessions,
        dataset_rows,
        metadata,
        info,
        loaded_time=dt.datetime.now() if found else None,
        deferred=deferred,
    )


#: the datasets column decoded only for the rows a result needs (see DeferredColumn)
DEFERRED = "hash"
#: deferring reads the file later through the reader's open handle; a save must still be able
#: to replace the file meanwhile, which Windows refuses while it is open
DEFER_WHILE_OPEN = os.name != "nt"


def _read_datasets(path: Path) -> tuple[pa.Table, JsonDict, DeferredColumn | None]:
    """The normalised datasets table, read from its sorted copy when it is not stored sorted
    (see :mod:`onesdk._cache._sorted`); the first such load sorts it and keeps the copy."""
    from onesdk._cache import _sorted

    stamp = _sorted.stamp_of(path)
    copy = _sorted.current_copy(path, stamp)
    if copy is not None:
        try:
            table, metadata, deferred, was_sorted = _read_datasets_file(copy)
            if was_sorted:
                return table, metadata, deferred
        except CacheError as exc:
            _log.warning("ignoring the sorted copy %s (%s)", copy, exc)
    table, metadata, deferred, was_sorted = _read_datasets_file(path)
    if stamp is not None and not was_sorted:
        _sorted.save_copy(path, stamp, _stamp(datasets_for_file(table), ["eid", "id"], metadata))
    elif copy is None and was_sorted:
        _sorted.remove_stale(path)
    return table, metadata, deferred


def _read_datasets_file(path: Path) -> tuple[pa.Table, JsonDict, DeferredColumn | None, bool]:
    """The normalised datasets table in ``path``, with ``hash`` deferred where that is safe,
    and whether the file was stored in (eid, id) order.

    Deferring needs the file kept open so that later reads see the loaded version: on
    Windows an open file cannot be replaced by a save, so there it is read whole. A table that
    is not stored in (eid, id) order is read whole too, so that the deferred rows line up with
    the sorted ones.
    """
    source = _open_parquet(path, dictionary=("eid", "rel_path"))
    names = source.schema_arrow.names
    if not DEFER_WHILE_OPEN or DEFERRED not in names or not _plain_strings(source, DEFERRED):
        raw, metadata = _read_open(source, path)
        table = _normalise_datasets(raw, path, sort=False)
        ordered = sort_datasets(table)
        return ordered, metadata, None, ordered is table
    raw, metadata = _read_open(source, path, skip=(DEFERRED,))
    # a placeholder where the column was, so the normalised layout is the usual one
    raw = raw.add_column(names.index(DEFERRED), DEFERRED, pa.nulls(len(raw), pa.string()))
    table = _normalise_datasets(raw, path, sort=False)
    index = table.schema.get_field_index(DEFERRED)
    if sort_datasets(table) is not table:
        try:
            hashes = source.read(columns=[DEFERRED]).column(0)
        except (OSError, pa.ArrowException, ValueError) as exc:
            raise _unreadable(path, exc) from exc
        table = table.set_column(index, DEFERRED, pc.cast(hashes, pa.string()))
        return sort_datasets(table), metadata, None, False
    deferred = DeferredColumn(source, path, DEFERRED, index)
    return table.remove_column(index), metadata, deferred, True


def _plain_strings(source: Any, name: str) -> bool:
    type_ = source.schema_arrow.field(name).type
    return bool(pa.types.is_string(type_) or pa.types.is_large_string(type_))


def _open_parquet(path: Path, *, dictionary: tuple[str, ...]) -> Any:
    """A parquet reader over ``path``; columns in ``dictionary`` decode dictionary-encoded.

    The file is read, not memory-mapped: mapped pages count as resident for as long as the
    file is open, which at 5 million rows added a quarter of a gigabyte to the peak.
    """
    pq = _parquet()
    try:
        source = pq.ParquetFile(path, memory_map=False, pre_buffer=True)
        wanted = [name for name in dictionary if name in source.schema_arrow.names]
        if wanted:
            source = pq.ParquetFile(path, memory_map=False, pre_buffer=True, read_dictionary=wanted)
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    return source


def _unreadable(path: Path, exc: Exception) -> CacheError:
    size = path.stat().st_size if path.exists() else 0
    return CacheError(
        f"{path}: not a readable parquet file ({size} bytes; {exc}); delete it or rebuild "
        "the cache with One.setup / make_cache"
    )


def _read_open(source: Any, path: Path, skip: tuple[str, ...] = ()) -> tuple[pa.Table, JsonDict]:
    """Read the table one row group at a time (the peak stays near the result), without the
    columns in ``skip``; each row group's column chunks are fetched in one go before decoding.
    """
    try:
        columns = [n for n in source.schema_arrow.names if n not in skip] if skip else None
        groups = [source.read_row_group(i, columns=columns) for i in range(source.num_row_groups)]
        schema = source.schema_arrow
        if skip:
            schema = pa.schema([f for f in schema if f.name not in skip], schema.metadata)
        table = pa.concat_tables(groups) if groups else schema.empty_table()
        table = table.replace_schema_metadata(source.schema_arrow.metadata)
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    metadata: JsonDict = {}
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    if raw is not None:
        try:
            loaded = json.loads(raw)
        except (ValueError, RecursionError):
            raise CacheError(f"{path}: the {METADATA_KEY.decode()} metadata is not JSON") from None
        if isinstance(loaded, dict):
            metadata = loaded
    return table.replace_schema_metadata(None), metadata


def _read_parquet(path: Path, *, dictionary: tuple[str, ...]) -> tuple[pa.Table, JsonDict]:
    """The whole table in ``path`` and its ``one_metadata``."""
    return _read_open(_open_parquet(path, dictionary=dictionary), path)


def _int_pairs_to_uuid_strings(low: Column, high: Column) -> pa.Array[Any]:
    """Join two int64 columns (the old split-UUID layout) into canonical UUID strings."""
    pair = np.empty((len(low), 2), dtype="<i8")
    pair[:, 0] = low.to_numpy()
    pair[:, 1] = high.to_numpy()
    raw = pair.view(np.uint8).reshape(-1, 16)
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    hexed = np.empty((len(raw), 32), dtype=np.uint8)
    hexed[:, 0::2] = digits[raw >> 4]
    hexed[:, 1::2] = digits[raw & 0x0F]
    out = np.full((len(raw), 36), ord("-"), dtype=np.uint8)
    for src, dst in ((0, 0), (8, 9), (12, 14), (16, 19), (20, 24)):
        width = {0: 8, 8: 4, 12: 4, 16: 4, 20: 12}[src]
        out[:, dst : dst + width] = hexed[:, src : src + width]
    offsets = np.arange(0, 36 * (len(raw) + 1), 36, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), len(raw), [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(out.tobytes())]
    )


def _string_ids(table: pa.Table, name: str, path: Path) -> pa.Table:
    """Ensure ``table`` has a string column ``name``, converting an int pair if needed."""
    if name in table.column_names:
        column = table.column(name)
        if pa.types.is_dictionary(column.type):
            return table
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            raise CacheError(f"{path}: column {name!r} has type {column.type}, expected string")
        if pa.types.is_large_string(column.type):
            table = table.set_column(table.column_names.index(name), name, column.cast(pa.string()))
        return table
    low, high = f"{name}_0", f"{name}_1"
    if low in table.column_names and high in table.column_names:
        ids = _int_pairs_to_uuid_strings(table.column(low), table.column(high))
        table = table.drop_columns([low, high])
        return table.append_column(name, ids)
    raise CacheError(
        f"{path}: no {name!r} column (nor {low!r}/{high!r}): not a ONE cache table "
        f"(columns: {', '.join(table.column_names)})"
    )


def _require(table: pa.Table, columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise CacheError(
            f"{path}: missing column(s) {', '.join(missing)}: not a ONE cache table "
            f"(columns: {', '.join(table.column_names)})"
        )


def _cast(table: pa.Table, name: str, type_: pa.DataType, path: Path) -> pa.Table:
    column: Any = table.column(name)
    if column.type == type_:
        return table
    try:
        if pa.types.is_timestamp(column.type) and type_ == pa.date32():
            cast = pc.cast(column, pa.date32())
        elif pa.types.is_dictionary(column.type):
            cast = pc.cast(pc.cast(column, column.type.value_type), type_)
        else:
            cast = pc.cast(column, type_)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise CacheError(f"{path}: column {name!r} cannot be read as {type_} ({exc})") from exc
    return table.set_column(table.column_names.index(name), name, cast)


def _normalise_sessions(table: pa.Table, path: Path) -> pa.Table:
    table = _string_ids(table, "id", path)
    if "projects" not in table.column_names and "project" in table.column_names:
        table = table.rename_columns(
            ["projects" if c == "project" else c for c in table.column_names]
        )
    _require(table, ("subject", "date", "number"), path)
    for name in ("lab", "task_protocol", "projects"):
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(len(table), pa.string()))
    for name, type_ in (
        ("lab", pa.string()),
        ("subject", pa.string()),
        ("date", pa.date32()),
        ("number", pa.uint16()),
        ("task_protocol", pa.string()),
        ("projects", pa.string()),
    ):
        table = _cast(table, name, type_, path)
    extra = [c for c in table.column_names if c not in ("id", *SESSION_COLUMNS)]
    table = table.select(["id", *SESSION_COLUMNS, *extra])
    if not _is_sorted(table.column("id")):
        table = table.take(pc.sort_indices(table, [("id", "ascending")]))
    table = table.combine_chunks()
    _check_uuids(table.column("id"), "id", path)
    ids = table.column("id")
    if len(ids) > 1:
        same = pc.equal(ids.slice(1), ids.slice(0, len(ids) - 1))
        if pc.any(same).as_py():
            first = ids[int(pc.index(same, True).as_py())].as_py()
            raise CacheError(f"{path}: session id {first} appears more than once")
    return table


_UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _check_uuids(column: Any, name: str, path: Path) -> None:
    """Raise CacheError naming the file and a bad value if ``column`` has nulls or non-UUIDs."""
    if pa.types.is_dictionary(column.type):
        if column.null_count:
            raise CacheError(f"{path}: column {name!r} has {column.null_count} empty value(s)")
        values = column.dictionary if isinstance(column, pa.DictionaryArray) else None
        if values is None:
            values = (
                pa.concat_arrays([c.dictionary for c in column.chunks]) if column.chunks else None
            )
        column = values if values is not None else pa.array([], pa.string())
    if column.null_count:
        raise CacheError(f"{path}: column {name!r} has {column.null_count} empty value(s)")
    ok = pc.match_substring_regex(column, _UUID_PATTERN)
    if pc.any(pc.invert(ok)).as_py():
        bad = column.filter(pc.invert(ok))[0].as_py()
        raise CacheError(f"{path}: column {name!r} holds {bad!r}, which is not a UUID")


def _qc_codes(column: pa.ChunkedArray[Any], path: Path) -> Column:
    """Map a qc column (ordered dictionary, names, or values) to int8 codes."""
    chunks: list[Any] = []
    chunk: Any
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type):
            names = chunk.dictionary.to_pylist()
            if any(name not in QC_NAMES for name in names):
                raise CacheError(f"{path}: unknown QC value(s) in {names}")
            lut = pa.array([QC_NAMES.index(n) for n in names], pa.int8())
            chunks.append(pc.take(lut, chunk.indices))
        elif pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type):
            codes = pc.index_in(chunk, value_set=pa.array(QC_NAMES))
            if codes.null_count > chunk.null_count:
                raise CacheError(f"{path}: unknown QC value(s) in column 'qc'")
            chunks.append(pc.cast(codes, pa.int8()))
        elif pa.types.is_integer(chunk.type):
            codes = pc.index_in(chunk.cast(pa.int64()), value_set=pa.array(QC_VALUES))
            chunks.append(pc.cast(codes, pa.int8()))
        else:
            raise CacheError(f"{path}: column 'qc' has type {chunk.type}")
    if not chunks:
        return pa.array([], pa.int8())
    merged = pa.concat_arrays(chunks)
    return cast("Column", pc.fill_null(merged, pa.scalar(0, pa.int8())))


def _dictionary(column: Any) -> Any:
    """One dictionary array (unified dictionary) from a string or dictionary column.

    Nulls (e.g. the eid of an aggregate dataset, which has no session) become ''.
    """
    if column.null_count:
        plain = pc.cast(column, pa.string()) if pa.types.is_dictionary(column.type) else column
        column = pc.fill_null(plain.cast(pa.string()), "")
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column.cast(pa.string()))
    unified = pa.chunked_array(column.chunks, type=column.type).unify_dictionaries()
    combined: Any = unified.combine_chunks() if unified.num_chunks != 1 else unified.chunk(0)
    if not isinstance(combined, pa.DictionaryArray):
        raise TypeError("expected a dictionary array")
    if combined.dictionary.type != pa.string():
        combined = pa.DictionaryArray.from_arrays(
            combined.indices.cast(pa.int32()), combined.dictionary.cast(pa.string())
        )
    elif combined.indices.type != pa.int32():
        combined = pa.DictionaryArray.from_arrays(
            combined.indices.cast(pa.int32()), combined.dictionary
        )
    return combined


def _normalise_datasets(table: pa.Table, path: Path, *, sort: bool = True) -> pa.Table:
    table = _string_ids(table, "eid", path)
    table = _string_ids(table, "id", path)
    _require(table, ("rel_path",), path)
    if "session_path" in table.column_names:
        table = table.drop_columns(["session_path"])
    n = len(table)
    columns: dict[str, Column] = {}
    columns["eid"] = _dictionary(table.column("eid"))
    columns["id"] = table.column("id")
    names: list[str] = []
    for name in table.column_names:
        if name in ("eid", "id"):
            continue
        names.append(name)
        column = table.column(name)
        if name == "qc":
            columns[name] = _qc_codes(column, path)
        elif name == "rel_path":
            value_type = (
                column.type.value_type if pa.types.is_dictionary(column.type) else column.type
            )
            if not (pa.types.is_string(value_type) or pa.types.is_large_string(value_type)):
                raise CacheError(f"{path}: column 'rel_path' holds {value_type}, not text")
            if column.null_count:  # checked before _dictionary turns nulls into ''
                raise CacheError(
                    f"{path}: column 'rel_path' has {column.null_count} empty value(s)"
                )
            columns[name] = _dictionary(column)
        elif name == "file_size":
            columns[name] = _cast(table, name, pa.uint64(), path).column(name)
        elif name in ("hash",):
            columns[name] = _cast(table, name, pa.string(), path).column(name)
        elif name == "exists" or name == "default_revision" or name.startswith("exists_"):
            columns[name] = _cast(table, name, pa.bool_(), path).column(name)
        else:
            columns[name] = column
    for name, default in (
        ("exists", pa.repeat(True, n)),
        ("qc", pa.repeat(pa.scalar(0, pa.int8()), n)),
    ):
        if name not in columns:
            names.append(name)
            columns[name] = default
    for name, type_ in (("file_size", pa.uint64()), ("hash", pa.string())):
        if name not in columns:
            names.insert(0, name)
            columns[name] = pa.nulls(n, type_)
    order = ["eid", "id", *names]
    out = pa.Table.from_arrays([columns[k] for k in order], names=order)
    _check_uuids(columns["eid"], "eid", path)
    for name in ("id", "rel_path"):
        if columns[name].null_count:
            raise CacheError(
                f"{path}: column {name!r} has {columns[name].null_count} empty value(s)"
            )
    return sort_datasets(out) if sort else out


def _is_sorted(column: Any) -> bool:
    n = len(column)
    if n < 2:
        return True
    if pa.types.is_dictionary(column.type):
        column = pc.cast(column, column.type.value_type)
    backwards = pc.less(column.slice(1), column.slice(0, n - 1))
    return not pc.any(backwards).as_py()


def sort_datasets(table: pa.Table) -> pa.Table:
    """Sort by (eid, id) unless already sorted; checks runs of eid codes, then ids within runs."""
    n = len(table)
    if n < 2:
        return table
    eid: Any = table.column("eid").chunk(0)
    codes = eid.indices
    change = pc.not_equal(codes.slice(1), codes.slice(0, n - 1))
    starts = np.concatenate(([0], np.flatnonzero(change.to_numpy(zero_copy_only=False)) + 1))
    run_codes = pc.take(codes, pa.array(starts, pa.int64()))
    sorted_runs = len(pc.unique(run_codes)) == len(run_codes) and _is_sorted(
        pc.take(eid.dictionary, run_codes)
    )
    if sorted_runs:
        ids = table.column("id")
        same = pc.invert(change)
        backwards = pc.less(ids.slice(1), ids.slice(0, n - 1))
        if not pc.any(pc.and_(same, backwards)).as_py():
            return table
    _log.debug("sorting datasets table by (eid, id)")
    order = pc.sort_indices(
        pa.Table.from_arrays([pc.cast(eid, pa.string()), table.column("id")], names=["eid", "id"]),
        [("eid", "ascending"), ("id", "ascending")],
    )
    return table.take(order).combine_chunks()


# --------------------------------------------------------------------------------------------
# writing


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


@contextlib.contextmanager
def _temporary(directory: Path, name: str) -> Iterator[Path]:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    path = Path(tmp)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


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
    for name in ("sessions", "datasets", "cache_info"):
        for stale in out_dir.glob(f".{name}.*.tmp"):
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
    with _temporary(out_dir, "sessions") as tmp_ses, _temporary(out_dir, "datasets") as tmp_ds:
        temps = {"sessions": tmp_ses, "datasets": tmp_ds}
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
        info_tmp: Path | None = None
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
            fd, tmp = tempfile.mkstemp(prefix=".cache_info.", suffix=".tmp", dir=out_dir)
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                json.dump(info, stream, indent=1)
            info_tmp = Path(tmp)
        for name in ("sessions", "datasets"):
            os.replace(temps[name], files[name])
        if info_tmp is not None:
            os.replace(info_tmp, out_dir / CACHE_INFO_FILE)
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


def dataset_columns(datasets: pa.Table) -> list[str]:
    """The non-index columns of a normalised datasets table, in file order."""
    return [c for c in datasets.column_names if c not in ("eid", "id")]


def standard_dataset_columns() -> tuple[str, ...]:
    return DATASET_COLUMNS
