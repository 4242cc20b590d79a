"""Read the two cache tables into the in-memory layout of :class:`CacheTables`.

Older layouts are converted on read: integer-pair ids, ``project`` instead of ``projects``, no
``qc`` column, a ``session_path`` column. A file that is not a cache table is a ``CacheError``
naming it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onesdk._cache._schema import (
    CACHE_INFO_FILE,
    DATASETS_FILE,
    METADATA_KEY,
    QC_NAMES,
    QC_VALUES,
    SESSION_COLUMNS,
    SESSIONS_FILE,
)
from onesdk._cache._tables import (
    PAIR_KEY,
    CacheTables,
    DeferredColumn,
    JsonDict,
    _parquet,
    empty_tables,
    sessions_schema,
)
from onesdk._cache._write import _stamp, datasets_for_file
from onesdk.errors import CacheError

__all__ = ["read_tables", "sort_datasets"]

if TYPE_CHECKING:
    from onesdk._cache._tables import Column

_log = logging.getLogger("onesdk.cache")


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
    for field in sessions_schema():
        if field.name != "id":
            table = _cast(table, field.name, field.type, path)
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
