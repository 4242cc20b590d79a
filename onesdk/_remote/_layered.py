"""LayeredRepository: REST answers in a per-session overlay above the loaded cache tables.

A remote facade learns rows one session at a time (a search gives session rows, a session
detail gives one session's datasets). Merging them into the loaded tables would re-sort and
re-index the whole datasets table on every fetch; instead they land in an overlay keyed by eid:

* a session row from the server replaces the loaded row with the same eid;
* the datasets of a session whose detail was fetched replace that session's loaded rows, held
  in a small repository of their own (built in time proportional to the session).

Queries naming sessions read each one from exactly one layer, so a fetch and the listing after
it cost what the session costs, whatever the size of the loaded tables. Queries over every
session combine the layers. The loaded tables change only when the facade saves or reloads
them (:meth:`LayeredRepository.merged` gives the combined tables to write).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from onesdk._cache import CacheTables
from onesdk._repo._parquet import ParquetRepository
from onesdk._repo._query import DatasetQuery, SessionQuery

if TYPE_CHECKING:
    from onesdk._models import Session
    from onesdk._remote._records import DatasetRow, SessionRow
    from onesdk._repo._lazy_repository import LazyRepository

__all__ = ["LayeredRepository"]

_NEWEST_FIRST: list[tuple[str, Literal["ascending", "descending"]]] = [
    ("date", "descending"),
    ("subject", "descending"),
    ("number", "descending"),
]


class LayeredRepository:
    """The loaded tables (``base``) with the rows learnt from a server laid over them."""

    def __init__(self, base: ParquetRepository | LazyRepository, tables: CacheTables) -> None:
        self.base = base
        self.loaded = tables
        self._session_rows: dict[str, SessionRow] = {}
        self._details: dict[str, ParquetRepository] = {}
        self._dataset_rows: dict[str, list[DatasetRow]] = {}
        self._sessions_layer: ParquetRepository | None = None
        self._merged: CacheTables | None = None

    def __repr__(self) -> str:
        return (
            f"LayeredRepository({len(self._session_rows)} sessions and "
            f"{len(self._details)} session details over {self.base!r})"
        )

    # ---------------------------------------------------------------- the overlay

    @property
    def changed(self) -> bool:
        """Whether the server told anything the loaded tables do not hold."""
        return bool(self._session_rows)

    def add_sessions(self, rows: Iterable[SessionRow]) -> None:
        """Lay session rows over the loaded ones (their datasets are not touched)."""
        added = False
        for row in rows:
            self._session_rows[row["id"]] = row
            added = True
        if added:
            self._sessions_layer = None
            self._merged = None

    def add_session(self, session: SessionRow, datasets: Sequence[DatasetRow]) -> None:
        """Lay one session and all its datasets over the loaded rows of that session."""
        from onesdk._cache import empty_tables
        from onesdk._remote._records import merge_rows

        eid = session["id"]
        rows = [r for r in datasets if r["eid"] == eid]
        self._details[eid] = ParquetRepository(merge_rows(empty_tables(), [session], rows))
        self._dataset_rows[eid] = rows
        self.add_sessions([session])

    def _layer(self) -> ParquetRepository:
        """The overlay's sessions (and the datasets of those with a detail) as one repository:
        rebuilt only after the overlay changed, in time proportional to the overlay."""
        if self._sessions_layer is None:
            from onesdk._cache import empty_tables
            from onesdk._remote._records import merge_rows

            rows = [r for rows in self._dataset_rows.values() for r in rows]
            tables = merge_rows(empty_tables(), list(self._session_rows.values()), rows)
            self._sessions_layer = ParquetRepository(tables)
        return self._sessions_layer

    # ---------------------------------------------------------------- sessions

    def has_session(self, eid: str) -> bool:
        return eid in self._session_rows or self.base.has_session(eid)

    def session_row(self, eid: str) -> pa.Table:
        """The sessions row of ``eid`` (0 rows if unknown); the server's row wins."""
        if eid in self._session_rows:
            return self._layer().session_row(eid)
        return self.base.session_row(eid)

    def details(self, eid: str) -> Session:
        """The :class:`Session` of ``eid``; raises ALFObjectNotFound if it is not known."""
        if eid in self._session_rows:
            return self._layer().details(eid)
        return self.base.details(eid)

    @property
    def sessions_table(self) -> pa.Table:
        """Every session, newest first (the loaded rows with the server's laid over them)."""
        if not self._session_rows:
            return self.base.sessions_table
        return self._combined_sessions(self.base.sessions_table, self._layer().sessions_table)

    def sessions(self, query: SessionQuery) -> pa.Table:
        """Sessions matching ``query``, newest first. A session the server told about is
        matched on its server row, and on its server datasets when its detail was fetched."""
        if not self._session_rows:
            return self.base.sessions(query)
        layer = self._layer()
        found = layer.sessions(query)
        needs_datasets = query.datasets is not None or query.dataset_qc_lte is not None
        undetailed = [e for e in self._session_rows if e not in self._details]
        if needs_datasets and undetailed:
            # a server row without its detail: its datasets are the loaded ones
            plain = SessionQuery(**{**query.__dict__, "datasets": None, "dataset_qc_lte": None})
            candidates = layer.sessions(plain).column("id").to_pylist()
            eids = {str(e) for e in candidates if e in set(undetailed)}
            if eids:
                base_hits = self._base_hits(query, eids)
                extra = layer.session_rows([e for e in undetailed if e in base_hits])
                found = pa.concat_tables([_align(found, extra), extra])
        base = self.base.sessions(query)
        keep = pc.invert(pc.is_in(base.column("id"), pa.array(list(self._session_rows))))
        return self._combined_sessions(base.filter(keep), found)

    def _base_hits(self, query: SessionQuery, eids: set[str]) -> set[str]:
        """Of ``eids``, those whose loaded datasets satisfy the dataset filters of ``query``."""
        rows = self.base.datasets(
            DatasetQuery(eids=tuple(sorted(eids)), qc=5, wildcards=query.regex)
        )
        piece = ParquetRepository(CacheTables(pa.table({"id": pa.array([], pa.string())}), rows))
        hits = piece.dataset_hits(query)
        return set.intersection(*hits) if hits else set()

    def _combined_sessions(self, base: pa.Table, layer: pa.Table) -> pa.Table:
        keep = pc.invert(pc.is_in(base.column("id"), pa.array(list(self._session_rows))))
        rows = base.filter(keep)
        if len(layer) == 0:
            return rows
        table = pa.concat_tables([_align(rows, layer), _align(layer, rows)])
        table = table.select(rows.column_names)
        return table.take(pc.sort_indices(table, _NEWEST_FIRST)).combine_chunks()

    def session_rows(self, eids: Sequence[str]) -> pa.Table:
        parts = [self.session_row(e) for e in eids]
        return _concat([p for p in parts if len(p)] or parts[:1] or [self.session_row("")])

    # ---------------------------------------------------------------- datasets

    def _runs(self, eids: Sequence[str]) -> Iterator[tuple[bool, tuple[str, ...]]]:
        """``eids`` cut into runs answered by one layer: (from the overlay?, eids)."""
        run: list[str] = []
        overlay = False
        for eid in eids:
            here = eid in self._details
            if run and here != overlay:
                yield overlay, tuple(run)
                run = []
            overlay = here
            run.append(eid)
        if run:
            yield overlay, tuple(run)

    def _dataset_parts(self, query: DatasetQuery) -> list[pa.Table]:
        parts: list[pa.Table] = []
        for overlay, eids in self._runs(query.eids or ()):
            if overlay:
                parts.extend(self._details[e].datasets(_for(query, (e,))) for e in eids)
            else:
                parts.append(self.base.datasets(_for(query, eids)))
        return parts

    def datasets(self, query: DatasetQuery) -> pa.Table:
        """Datasets rows matching ``query``, each session's from the layer that holds it."""
        if not self._details:
            return self.base.datasets(query)
        if query.eids is not None:
            parts = self._dataset_parts(query)
            if len(parts) == 1:
                return parts[0]
            return _concat([p for p in parts if len(p)] or parts[:1])
        base = self.base.datasets(query)
        layer = self._layer().datasets(query)
        table = _concat([base.filter(self._not_detailed(base)), layer])
        return table.take(pc.sort_indices(table, [("eid", "ascending"), ("id", "ascending")]))

    def rel_paths(self, query: DatasetQuery) -> list[str]:
        """As :meth:`ParquetRepository.rel_paths`, over both layers."""
        if not self._details:
            return self.base.rel_paths(query)
        if query.eids is not None:
            paths: list[str] = []
            for overlay, eids in self._runs(query.eids):
                if overlay:
                    for eid in eids:
                        paths.extend(self._details[eid].rel_paths(_for(query, (eid,))))
                else:
                    paths.extend(self.base.rel_paths(_for(query, eids)))
            return sorted(paths)
        column = _plain(self.datasets(query).column("rel_path"))
        return list(dict.fromkeys(str(v) for v in column.to_pylist()))

    def dataset_columns(self) -> list[str]:
        return self.base.dataset_columns()

    def dataset_by_id(self, dataset_id: str) -> pa.Table:
        """Rows whose dataset id is ``dataset_id``: from a fetched session, else loaded."""
        for eid, rows in self._dataset_rows.items():
            if any(r["id"] == dataset_id for r in rows):
                return self._details[eid].dataset_by_id(dataset_id)
        found = self.base.dataset_by_id(dataset_id)
        return found.filter(self._not_detailed(found)) if len(found) else found

    def _not_detailed(self, datasets: pa.Table) -> Any:
        """Mask of the ``datasets`` rows of sessions whose detail is not in the overlay."""
        eids = pa.array(list(self._details), pa.string())
        return pc.invert(pc.is_in(_plain(datasets.column("eid")), value_set=eids))

    def eids_of(self, dataset_ids: Iterable[str]) -> list[str]:
        wanted = set(dataset_ids)
        found = [
            e for e, rows in self._dataset_rows.items() if any(r["id"] in wanted for r in rows)
        ]
        return list(dict.fromkeys([*self.base.eids_of(wanted), *found]))

    def dataset_batches(self) -> Iterator[pa.Table]:
        """Every datasets row of the combined tables, in (eid, id) order (for saving them):
        streamed from a lazy base when nothing is laid over it."""
        if not self._details and not isinstance(self.base, ParquetRepository):
            yield from self.base.dataset_batches()
            return
        yield self.merged().datasets

    # ---------------------------------------------------------------- the combined tables

    def merged(self) -> CacheTables:
        """The loaded tables with the overlay merged in (built once per overlay change: it
        costs what the whole tables cost, so only saving and ``One.tables`` ask for it)."""
        if self._merged is None:
            self._merged = self._merge()
        return self._merged

    def _merge(self) -> CacheTables:
        from onesdk._remote._records import merge_rows

        if not self._session_rows:
            return self.loaded
        tables = self.loaded
        if self._details:
            datasets = tables.datasets
            keep = pc.invert(
                pc.is_in(_plain(datasets.column("eid")), pa.array(list(self._details)))
            )
            tables = tables.replace(datasets=datasets.filter(keep))
        rows = [r for rows in self._dataset_rows.values() for r in rows]
        return merge_rows(tables, list(self._session_rows.values()), rows)


def _for(query: DatasetQuery, eids: tuple[str, ...]) -> DatasetQuery:
    return DatasetQuery(**{**query.__dict__, "eids": eids})


def _plain(column: Any) -> Any:
    if pa.types.is_dictionary(column.type):
        return pc.cast(column, column.type.value_type)
    return column


def _align(table: pa.Table, like: pa.Table) -> pa.Table:
    """``table`` with plain (not dictionary) columns, plus null columns that ``like`` has."""
    columns: dict[str, Any] = {n: _plain(table.column(n)) for n in table.column_names}
    for field in like.schema:
        if field.name not in columns:
            kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
            columns[field.name] = pa.nulls(len(table), kind)
    return pa.table(columns)


def _concat(parts: Sequence[pa.Table]) -> pa.Table:
    """``parts`` as one table with the columns of the first (dictionaries decoded, types
    cast to the first part's)."""
    if len(parts) == 1:
        return parts[0]
    first = _align(parts[0], parts[0])
    aligned = []
    for part in parts:
        plain = _align(part, first).select(first.column_names)
        aligned.append(plain.cast(first.schema))
    return pa.concat_tables(aligned).combine_chunks()
