"""LazyRepository: the local backend for a datasets table larger than memory.

It answers the same methods as :class:`ParquetRepository`, and by the same code: the sessions
table is held in memory as usual (it is about a hundred times smaller), while the datasets
table stays on disk in its partitioned copy (:mod:`onesdk._cache._lazy`):

* a query naming sessions reads just their rows (one part file each, pruned by row-group
  statistics), builds a small :class:`ParquetRepository` over them and asks it the query;
* a query over every session streams the parts in (eid, id) order, asks each batch's small
  repository, and joins the answers (an answer over disjoint pieces of the table combines
  piece by piece: concatenation, first occurrences, unions of session sets).

So each answer is the eager engine's answer, while memory is bounded by a batch (or by what
the caller asked for, e.g. every dataset of a ``list_datasets(details=True)`` over all
sessions).
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np
import pyarrow as pa

from onesdk._cache import CacheTables
from onesdk._cache._lazy import PartitionedDatasets, open_partitioned, unify
from onesdk._cache._schema import DATASETS_FILE
from onesdk._repo._parquet import ParquetRepository
from onesdk._repo._query import DatasetQuery, SessionQuery

if TYPE_CHECKING:
    from onesdk._models import Session

__all__ = ["LazyRepository", "load_lazy", "open_lazily", "physical_memory"]

_log = logging.getLogger("onesdk.lazy")

#: a datasets file larger than this fraction of physical memory is opened lazily by default
LAZY_MEMORY_FRACTION: Final = 8
#: searches whose session filters leave at most this many sessions read only their rows
_FEW_SESSIONS: Final = 512
#: small repositories of recently asked sessions kept (a load usually lists, then reads)
_RECENT: Final = 16
#: queries naming at most this many sessions have their small repository kept
_RECENT_SESSIONS: Final = 8
#: the columns a session-set (search) scan needs
_HIT_COLUMNS: Final = ("eid", "rel_path", "qc", "exists")


def physical_memory() -> int | None:
    """Bytes of physical memory, or None when the system does not say."""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None
    return pages * size if pages > 0 and size > 0 else None


def open_lazily(tables_dir: Path) -> bool:
    """Whether ``One(lazy=None)`` opens the cache in ``tables_dir`` lazily.

    An eager load of ``datasets.pqt`` holds about 2 to 2.5 times the file's size in Arrow at
    its peak (the decoded columns, the decode buffers, the indexes), and the process usually
    has other work to do; so a file larger than 1/8 of physical memory is opened lazily. When
    the memory size is unknown the cache is opened eagerly (the fast path, as before).
    """
    memory = physical_memory()
    try:
        size = (Path(tables_dir) / DATASETS_FILE).stat().st_size
    except OSError:
        return False
    return memory is not None and size > memory / LAZY_MEMORY_FRACTION


def load_lazy(tables_dir: Path) -> tuple[CacheTables, LazyRepository]:
    """Read the sessions table and open (building if needed) the partitioned datasets copy.

    The returned tables hold the sessions, and the datasets columns with their rows left on
    disk (``tables.datasets`` reads them all, only if asked).
    """
    from onesdk._cache import read_tables

    tables = read_tables(tables_dir, datasets=False)
    parts = open_partitioned(tables_dir)
    metadata = {**tables.metadata, "datasets": parts.metadata}
    tables = CacheTables(
        tables.sessions,
        parts.schema.empty_table(),
        metadata,
        tables.info,
        loaded_time=tables.loaded_time,
        rows_on_disk=lambda: _whole(parts),
    )
    return tables, LazyRepository(tables.sessions, parts)


def _whole(parts: PartitionedDatasets) -> pa.Table:
    """Every row of the copy, in (eid, id) order, as one table (with one eid dictionary)."""
    batches = list(parts.batches())
    if not batches:
        return parts.schema.empty_table()
    return pa.concat_tables(batches).unify_dictionaries().combine_chunks()


class LazyRepository:
    """Sessions in memory, datasets read from the partitioned copy per query."""

    def __init__(self, sessions: pa.Table, parts: PartitionedDatasets) -> None:
        self.parts = parts
        self._sessions = ParquetRepository(CacheTables(sessions, parts.schema.empty_table()))
        self.sessions_table: pa.Table = self._sessions.sessions_table
        self._recent: OrderedDict[tuple[str, ...], ParquetRepository] = OrderedDict()

    # ---------------------------------------------------------------- sessions

    def has_session(self, eid: str) -> bool:
        return self._sessions.has_session(eid)

    def session_row(self, eid: str) -> pa.Table:
        """The sessions row of ``eid`` (0 rows if unknown)."""
        return self._sessions.session_row(eid)

    def details(self, eid: str) -> Session:
        """The :class:`Session` of ``eid``; raises ALFObjectNotFound if it is not cached."""
        return self._sessions.details(eid)

    def sessions(self, query: SessionQuery) -> pa.Table:
        """Sessions matching every filter, newest first (date, subject, number descending)."""
        positions = self.session_positions(query)
        return self.sessions_table.take(pa.array(positions, pa.int64()))

    def session_positions(self, query: SessionQuery) -> np.ndarray[tuple[int], np.dtype[np.intp]]:
        mask = self._sessions.session_filter_mask(query)
        if (query.datasets is not None or query.dataset_qc_lte is not None) and mask.any():
            mask &= self._sessions.eids_mask(self._sessions_with_datasets(query, mask))
        return np.flatnonzero(mask)

    def _sessions_with_datasets(
        self, query: SessionQuery, candidates: np.ndarray[tuple[int], np.dtype[np.bool_]]
    ) -> set[str]:
        """Eids with, for each required name, a usable matching dataset: per-piece sets
        united over the pieces, then intersected over the names."""
        rows = np.flatnonzero(candidates)
        if len(rows) <= _FEW_SESSIONS:  # a narrow search reads only its sessions' rows
            eids = [self._sessions.session_ids[i] for i in rows.tolist()]
            pieces: Iterable[pa.Table] = [self.parts.sessions(eids, _HIT_COLUMNS)]
        else:
            pieces = self.parts.batches(_HIT_COLUMNS)
        found: list[set[str]] | None = None
        for piece in pieces:
            hits = _repository(piece).dataset_hits(query)
            if found is None:
                found = hits
                continue
            for seen, new in zip(found, hits, strict=True):
                seen |= new  # in place: a copy per piece would make the scan quadratic
        if not found:
            return set()
        return set.intersection(*found)

    # ---------------------------------------------------------------- datasets

    def _for_sessions(self, eids: tuple[str, ...]) -> ParquetRepository:
        """A small repository over the rows of ``eids`` (recent ones are kept)."""
        key = tuple(sorted(set(eids)))
        repo = self._recent.get(key)
        if repo is not None:
            self._recent.move_to_end(key)
            return repo
        repo = _repository(self.parts.sessions(key))
        if len(key) <= _RECENT_SESSIONS:
            self._recent[key] = repo
            if len(self._recent) > _RECENT:
                self._recent.popitem(last=False)
        return repo

    def _pieces(
        self, query: DatasetQuery, columns: list[str] | None = None
    ) -> Iterator[ParquetRepository]:
        """Small repositories covering every row ``query`` can match, in table order
        (``columns``: only those are read when streaming)."""
        if query.eids is not None:
            yield self._for_sessions(query.eids)
            return
        for batch in self.parts.batches(columns):
            yield _repository(batch)

    def datasets(self, query: DatasetQuery) -> pa.Table:
        """Datasets rows matching ``query``: those of its sessions in the order it names them,
        or, without sessions, every matching row in (eid, id) order."""
        parts = [repo.datasets(query) for repo in self._pieces(query)]
        parts = [p for p in parts if len(p)] or parts[:1]
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return unify(self.parts.schema.empty_table())
        return unify(pa.concat_tables(parts))

    def rel_paths(self, query: DatasetQuery) -> list[str]:
        """As :meth:`ParquetRepository.rel_paths` (first occurrences joined across pieces)."""
        if query.eids is not None:
            return self._for_sessions(query.eids).rel_paths(query)
        columns = ["eid", "rel_path", "qc", "exists"]
        if query.default_revisions_only:
            columns.append("default_revision")
        seen: dict[str, None] = {}
        for repo in self._pieces(query, columns):
            seen.update(dict.fromkeys(repo.rel_paths(query)))
        return list(seen)

    def dataset_columns(self) -> list[str]:
        """The columns of the datasets table."""
        return self.parts.column_names

    def dataset_by_id(self, dataset_id: str) -> pa.Table:
        """Rows whose dataset id is ``dataset_id`` (a scan of the ``id`` column)."""
        return self.parts.rows_with_ids([dataset_id])

    def eids_of(self, dataset_ids: Iterable[str]) -> list[str]:
        """The sessions of the datasets ``dataset_ids``, each once, in table order."""
        rows = self.parts.rows_with_ids(dataset_ids)
        return list(dict.fromkeys(str(e) for e in rows.column("eid").to_pylist()))

    def dataset_batches(self) -> Iterator[pa.Table]:
        """Every datasets row in (eid, id) order, in bounded batches (for saving the table)."""
        return self.parts.batches()


def _repository(datasets: pa.Table) -> ParquetRepository:
    """An eager repository over a piece of the datasets table (no sessions: it answers only
    dataset questions)."""
    sessions = CacheTables(pa.table({"id": pa.array([], pa.string())}), datasets)
    return ParquetRepository(sessions)
