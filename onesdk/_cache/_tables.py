"""The in-memory cache tables: :class:`CacheTables`, its deferred column, and the schemas.

In memory every table is a :class:`pyarrow.Table` with string ids (never object-dtype pandas):

* sessions: ``id`` then the session columns, sorted by ``id``;
* datasets: ``eid``, ``id`` then the dataset columns in file order, sorted by (``eid``, ``id``).
  ``eid`` and ``rel_path`` are dictionary-encoded (a cache has few distinct values of each), and
  ``qc`` is an int8 position in :data:`QC_NAMES`, so filters run on codes, not on strings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from onesdk._cache._schema import (
    DATASET_COLUMNS,
)
from onesdk.errors import CacheError

__all__ = [
    "LOCK_TIMEOUT",
    "PAIR_KEY",
    "TABLES_LOCK",
    "CacheTables",
    "DeferredColumn",
    "JsonDict",
    "dataset_columns",
    "empty_tables",
    "standard_dataset_columns",
]

_log = logging.getLogger("onesdk.cache")


def _parquet() -> Any:
    """pyarrow.parquet, imported on first use (it pulls in the filesystem layer)."""
    import pyarrow.parquet

    return pyarrow.parquet


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


def sessions_schema() -> pa.Schema:
    """The sessions table in memory: its columns and their arrow types, in order."""
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
    return CacheTables(sessions_schema().empty_table(), _datasets_schema().empty_table())


def dataset_columns(datasets: pa.Table) -> list[str]:
    """The non-index columns of a normalised datasets table, in file order."""
    return [c for c in datasets.column_names if c not in ("eid", "id")]


def standard_dataset_columns() -> tuple[str, ...]:
    return DATASET_COLUMNS
