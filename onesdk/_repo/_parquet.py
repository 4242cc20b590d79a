"""ParquetRepository: answers queries from the cache tables held in Arrow.

Indexes built once per load, all vectorised (no per-row Python over the datasets table):

* sessions are kept in search-result order (date, subject, number descending) with an
  eid -> row dict, and per text column a dictionary encoding, so a filter evaluates its pattern
  once per distinct value and maps the answer to rows with one ``take``;
* datasets are sorted by eid: a dict gives each session's row range, so listing a session's
  datasets is a zero-copy slice. ``rel_path`` is dictionary-encoded, so path patterns are
  matched once per distinct path and broadcast to rows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from onesdk._cache import CacheTables
from onesdk._repo._query import DatasetQuery, SessionQuery, choose_revisions, split_rel_path
from onesdk.errors import (
    ALFMultipleCollectionsFound,
    ALFMultipleObjectsFound,
    ALFObjectNotFound,
)

if TYPE_CHECKING:
    from onesdk._models import Session

__all__ = ["ParquetRepository", "resolve_revisions"]

_log = logging.getLogger("onesdk.parquet")

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]


def _codes(array: Any) -> npt.NDArray[np.int32]:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not isinstance(array, pa.DictionaryArray):
        raise TypeError("expected a dictionary array")
    return np.asarray(array.indices.to_numpy(zero_copy_only=False), dtype=np.int32)


def _bools(column: Any) -> BoolArray:
    filled: Any = pc.fill_null(column, pa.scalar(False))
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


class _Encoded:
    """A string column as (distinct values, codes), with a per-pattern mask cache."""

    def __init__(self, column: Any) -> None:
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if not pa.types.is_dictionary(column.type):
            column = pc.dictionary_encode(pc.fill_null(column, ""))
        self.values: list[str] = [v or "" for v in column.dictionary.to_pylist()]
        self.codes = _codes(column)
        self._masks: dict[tuple[str, str], BoolArray] = {}

    def value_mask(self, pattern: re.Pattern[str], how: str = "search") -> BoolArray:
        """Which distinct values match ``pattern`` (cached per pattern)."""
        key = (pattern.pattern, how)
        mask = self._masks.get(key)
        if mask is None:
            fn = getattr(pattern, how)
            mask = np.fromiter((fn(v) is not None for v in self.values), bool, len(self.values))
            if len(self._masks) > 64:
                self._masks.clear()
            self._masks[key] = mask
        return mask

    def row_mask(self, pattern: re.Pattern[str], how: str = "search") -> BoolArray:
        return self.value_mask(pattern, how)[self.codes]


class ParquetRepository:
    """The local backend: sessions(query), datasets(query), session rows and indexes."""

    def __init__(self, tables: CacheTables) -> None:
        self.tables = tables
        sessions = tables.sessions
        if len(sessions):
            order = pc.sort_indices(
                sessions,
                [("date", "descending"), ("subject", "descending"), ("number", "descending")],
            )
            sessions = sessions.take(order)
        self.sessions_table: pa.Table = sessions.combine_chunks()
        self.session_ids: list[str] = [str(v) for v in self.sessions_table.column("id").to_pylist()]
        self._session_row = {eid: i for i, eid in enumerate(self.session_ids)}
        self._text: dict[str, _Encoded] = {}
        #: the table queries scan (a deferred column is fetched per result: CacheTables)
        self.datasets_table: pa.Table = tables.core_datasets
        self._basename_cache: list[str] | None = None
        self._eid_rows: IntArray | None = None
        self._build_dataset_index()

    # ---------------------------------------------------------------- indexes

    def _build_dataset_index(self) -> None:
        table = self.datasets_table
        n = len(table)
        self._ranges: dict[str, tuple[int, int]] = {}
        if n == 0:
            self._eid = _Encoded(pa.array([], pa.string()))
            self._rel = _Encoded(pa.array([], pa.string()))
            self._qc = np.zeros(0, np.int8)
            self._exists = np.zeros(0, bool)
            return
        self._eid = _Encoded(table.column("eid"))
        self._rel = _Encoded(table.column("rel_path"))
        codes = self._eid.codes
        starts = np.flatnonzero(np.diff(codes)) + 1
        bounds = np.concatenate(([0], starts, [n]))
        run_codes = codes[bounds[:-1]]
        values = self._eid.values
        self._ranges = {
            values[c]: (int(a), int(b))
            for c, a, b in zip(
                run_codes.tolist(), bounds[:-1].tolist(), bounds[1:].tolist(), strict=True
            )
        }
        self._qc = np.asarray(table.column("qc").to_numpy(), dtype=np.int8)
        self._exists = _bools(table.column("exists"))

    def _text_index(self, name: str) -> _Encoded:
        index = self._text.get(name)
        if index is None:
            index = self._text[name] = _Encoded(self.sessions_table.column(name))
        return index

    # ---------------------------------------------------------------- sessions

    def has_session(self, eid: str) -> bool:
        return eid in self._session_row

    def session_row(self, eid: str) -> pa.Table:
        """The sessions row of ``eid`` (0 rows if unknown)."""
        row = self._session_row.get(eid)
        if row is None:
            return self.sessions_table.slice(0, 0)
        return self.sessions_table.slice(row, 1)

    def details(self, eid: str) -> Session:
        """The :class:`Session` of ``eid``; raises ALFObjectNotFound if it is not cached."""
        from onesdk._repo._results import session_model

        rows = self.session_row(eid).to_pylist()
        if not rows:
            raise ALFObjectNotFound(f"session {eid} is not in the cache")
        return session_model(rows[0])

    def session_rows(self, eids: Sequence[str]) -> pa.Table:
        rows = [self._session_row[e] for e in eids if e in self._session_row]
        return self.sessions_table.take(pa.array(rows, pa.int64()))

    def sessions(self, query: SessionQuery) -> pa.Table:
        """Sessions matching every filter, newest first (date, subject, number descending)."""
        return self.sessions_table.take(pa.array(self.session_positions(query), pa.int64()))

    def session_positions(self, query: SessionQuery) -> IntArray:
        mask = self.session_filter_mask(query)
        if query.datasets is not None or query.dataset_qc_lte is not None:
            mask &= self._sessions_with_datasets(query)
        return np.flatnonzero(mask)

    def session_filter_mask(self, query: SessionQuery) -> BoolArray:
        """Sessions-table rows passing the filters on session columns (not ``datasets``)."""
        n = len(self.sessions_table)
        mask = np.ones(n, bool)
        for name in ("subject", "lab", "task_protocol", "projects"):
            pattern = query.text_pattern(name)
            if pattern is not None:
                mask &= self._text_index(name).row_mask(pattern)
        if query.date_range is not None:
            start, end = query.date_range
            dates = self.sessions_table.column("date")
            if start is not None:
                mask &= _bools(pc.greater_equal(dates, pa.scalar(start, pa.date32())))
            if end is not None:
                mask &= _bools(pc.less_equal(dates, pa.scalar(end, pa.date32())))
        if query.number is not None:
            numbers = self.sessions_table.column("number").cast(pa.int64())
            mask &= _bools(pc.is_in(numbers, value_set=pa.array(query.number, pa.int64())))
        return mask

    def eids_mask(self, eids: Iterable[str]) -> BoolArray:
        """Sessions-table rows of ``eids`` (unknown eids are ignored)."""
        mask = np.zeros(len(self.session_ids), bool)
        get = self._session_row.get
        rows = [r for r in (get(e) for e in eids) if r is not None]
        mask[np.asarray(rows, np.intp)] = True
        return mask

    def _sessions_with_datasets(self, query: SessionQuery) -> BoolArray:
        """Session mask: each required name is matched by an existing dataset within the QC."""
        keep: IntArray | None = None
        for found in self._dataset_hit_codes(query):
            keep = found if keep is None else np.intersect1d(keep, found, assume_unique=True)
        rows = self._eid_session_rows()[keep if keep is not None else np.arange(0)]
        mask = np.zeros(len(self.session_ids), bool)
        mask[rows[rows >= 0]] = True
        return mask

    def dataset_hits(self, query: SessionQuery) -> list[set[str]]:
        """Per required dataset name (one entry when only ``dataset_qc_lte`` is given), the
        eids with an existing dataset matching it within the QC bound.

        A session passes ``query`` when it is in every set; the sets of disjoint pieces of the
        datasets table can be united piece by piece before that intersection.
        """
        values = self._eid.values
        return [{values[c] for c in codes.tolist()} for codes in self._dataset_hit_codes(query)]

    def _dataset_hit_codes(self, query: SessionQuery) -> list[IntArray]:
        """:meth:`dataset_hits` as sorted arrays of eid codes."""
        fail = 3
        threshold = query.dataset_qc_lte if query.dataset_qc_lte is not None else fail
        usable = self._exists & (self._qc <= threshold)
        eid_codes = self._eid.codes
        patterns = query.dataset_patterns()
        if not patterns:  # QC only: any usable dataset
            return [np.unique(eid_codes[usable]).astype(np.intp)]
        basenames = self._basenames()
        found: list[IntArray] = []
        for pattern in patterns:
            by_value = np.fromiter(
                (pattern.fullmatch(b) is not None for b in basenames), bool, len(basenames)
            )
            hits = by_value[self._rel.codes] & usable
            found.append(np.unique(eid_codes[hits]).astype(np.intp))
        return found

    def _basenames(self) -> list[str]:
        if self._basename_cache is None:
            self._basename_cache = [split_rel_path(v)[2] for v in self._rel.values]
        return self._basename_cache

    def _eid_session_rows(self) -> IntArray:
        """For each eid code of the datasets table, its sessions row (-1 if none)."""
        if self._eid_rows is None:
            get = self._session_row.get
            self._eid_rows = np.fromiter(
                (get(v, -1) for v in self._eid.values), np.intp, len(self._eid.values)
            )
        return self._eid_rows

    # ---------------------------------------------------------------- datasets

    def dataset_range(self, eid: str) -> tuple[int, int]:
        return self._ranges.get(eid, (0, 0))

    def datasets(self, query: DatasetQuery) -> pa.Table:
        """Datasets rows (eid, id and the file columns) matching ``query``, in (eid, id) order.

        A session's rows are a zero-copy slice of the table, filtered only if needed; a
        deferred column (see CacheTables) is fetched for these rows only.
        """
        pieces = self._matching_pieces(query)
        table = self.datasets_table
        parts = [
            table.slice(lo, len(mask))
            if mask.all()
            else table.slice(lo, len(mask)).filter(pa.array(mask))
            for lo, mask in pieces
        ]
        if len(parts) == 1:
            rows = parts[0]
        else:
            rows = pa.concat_tables(parts) if parts else table.slice(0, 0)
        if self.tables.complete:
            return rows
        positions = [np.flatnonzero(mask) + lo for lo, mask in pieces]
        return self.tables.with_deferred(rows, np.concatenate(positions or [np.arange(0)]))

    def _matching_pieces(self, query: DatasetQuery) -> list[tuple[int, BoolArray]]:
        """Where the matching rows are: per session asked for (or for the whole table), the
        first row of its range and which rows of the range match."""
        if query.eids is None:
            return [(0, self._slice_mask(query, 0, len(self.datasets_table)))]
        pieces = []
        for eid in query.eids:
            lo, hi = self.dataset_range(eid)
            pieces.append((lo, self._slice_mask(query, lo, hi)))
        return pieces

    def dataset_positions(self, query: DatasetQuery) -> IntArray:
        if query.eids is None:
            lo, hi = 0, len(self.datasets_table)
            positions: IntArray | None = None
        elif len(query.eids) == 1:
            lo, hi = self.dataset_range(query.eids[0])
            positions = None
        else:
            ranges = [self.dataset_range(e) for e in query.eids]
            positions = (
                np.concatenate([np.arange(a, b) for a, b in ranges]) if ranges else np.arange(0)
            )
        if positions is None:
            mask = self._slice_mask(query, lo, hi)
            return np.flatnonzero(mask) + lo
        mask = np.ones(len(positions), bool)
        mask &= self._row_filter(query, positions)
        return positions[mask]

    def _slice_mask(self, query: DatasetQuery, lo: int, hi: int) -> BoolArray:
        return self._row_filter(query, slice(lo, hi))

    def _row_filter(self, query: DatasetQuery, rows: slice | IntArray) -> BoolArray:
        qc = self._qc[rows]
        mask = qc <= query.qc
        if query.ignore_qc_not_set:
            mask &= qc != 0
        if query.default_revisions_only:
            mask &= _bools(self.datasets_table.column("default_revision"))[rows]
        if _is_free(query):
            return mask
        pattern = query.pattern()
        codes = self._rel.codes[rows]
        if len(codes) < len(self._rel.values) // 4:
            values = self._rel.values
            matched = {c for c in np.unique(codes).tolist() if pattern.match(values[c])}
            mask &= np.fromiter((c in matched for c in codes.tolist()), bool, len(codes))
        else:
            mask &= self._rel.value_mask(pattern, "match")[codes]
        return mask

    def rel_paths(self, query: DatasetQuery) -> list[str]:
        """The ``rel_path`` of each matching row: sorted when ``query`` names sessions, else
        each distinct path once, in table order."""
        positions = self.dataset_positions(query)
        codes = self._rel.codes[positions]
        values = self._rel.values
        if query.eids is None:
            _, first = np.unique(codes, return_index=True)
            return [values[c] for c in codes[np.sort(first)].tolist()]
        return sorted(values[c] for c in codes.tolist())

    def dataset_columns(self) -> list[str]:
        """The columns of the datasets table queries scan (a deferred column, fetched per
        result, is not among them; see CacheTables)."""
        return list(self.datasets_table.column_names)

    def eids_of(self, dataset_ids: Iterable[str]) -> list[str]:
        """The sessions of the datasets ``dataset_ids``, each once, in table order."""
        table = self.datasets_table
        mask = pc.is_in(table.column("id"), value_set=pa.array(sorted(dataset_ids), pa.string()))
        eids = table.filter(mask).column("eid").cast(pa.string()).to_pylist()
        return list(dict.fromkeys(str(e) for e in eids))

    def dataset_by_id(self, dataset_id: str) -> pa.Table:
        """Rows whose dataset id is ``dataset_id`` (a vectorised scan: ids are not indexed)."""
        mask = _bools(pc.equal(self.datasets_table.column("id"), pa.scalar(dataset_id)))
        return self.tables.datasets_at(np.flatnonzero(mask))


def _is_free(query: DatasetQuery) -> bool:
    """No path filter at all (every cache rel_path is a valid ALF path, so nothing to match)."""
    return (
        query.filename is None
        and query.collection is None
        and (query.revision is None or not query.match_revision)
    )


# ------------------------------------------------------------------------ revision resolution


def resolve_revisions(
    rows: pa.Table, revision: str | None, *, assert_unique: bool
) -> tuple[pa.Table, list[str]]:
    """Keep one revision per dataset of ``rows`` (one session's matches), chosen by the query
    model's rule (:func:`onesdk._repo._query.choose_revisions`); returns the rows and the notes."""
    rel_paths = [str(v) for v in rows.column("rel_path").to_pylist()]
    has_default = "default_revision" in rows.column_names
    defaults: list[bool | None] = (
        rows.column("default_revision").to_pylist() if has_default else [None] * len(rel_paths)
    )
    groups: dict[str, list[int]] = {}
    revisions: list[str] = []
    for i, rel in enumerate(rel_paths):
        collection, rev, name = split_rel_path(rel)
        revisions.append(rev)
        groups.setdefault(f"{collection}/{name}", []).append(i)
    keep, notes = choose_revisions(
        list(groups.values()),
        revisions,
        defaults,
        revision,
        assert_unique=assert_unique,
        labels=rel_paths,
    )
    return rows.take(pa.array(keep, pa.int64())), notes


def assert_single(rows: pa.Table, what: str) -> None:
    """Raise if ``rows`` span several collections, or several files of one collection."""
    rel_paths = [str(v) for v in rows.column("rel_path").to_pylist()]
    collections = sorted({split_rel_path(r)[0] for r in rel_paths})
    if len(collections) > 1:
        listed = ", ".join(f'"{c}"' for c in collections)
        raise ALFMultipleCollectionsFound(
            f"{what} exists in several collections: {listed}; pass collection= to choose one"
        )
    if len(rel_paths) > 1:
        listed = ", ".join(f'"{r}"' for r in rel_paths)
        raise ALFMultipleObjectsFound(f"{what} matched several datasets: {listed}")
    if not rel_paths:
        raise ALFObjectNotFound(f"{what} not found")
