"""``with one.locked(lock):`` the cache as the lock saw it, and nothing else.

Inside the block ``One.repository`` answers from a :class:`PinnedRepository`: the current
sessions table (plus the lock's sessions it lacks) and a datasets table holding exactly the
pinned rows, each flagged as its default revision, with the size, md5 and QC the lock recorded.
Every ``list_*``/``load_*`` therefore selects, resolves revisions and checks files against the
lock. A request that matches none of the pinned datasets but would match datasets of the
current cache, or that names a session outside the lock, raises
:class:`~onesdk.errors.NotLockedError` instead of quietly reading unpinned data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa

from onesdk._cache import CacheTables, empty_tables
from onesdk._cache._schema import QC_NAMES
from onesdk._lock._core import Lock
from onesdk._repo._parquet import ParquetRepository
from onesdk._repo._query import DatasetQuery
from onesdk.errors import ArgumentError, NotLockedError

if TYPE_CHECKING:
    from onesdk._facade._one import One
    from onesdk._remote._records import DatasetRow, SessionRow

__all__ = ["PinView", "PinnedRepository", "pinned"]

_SHOWN = 5  # unpinned matches named in an error message


class _Source(Protocol):
    """What the pinned view asks of the real repository."""

    def rel_paths(self, query: DatasetQuery) -> list[str]: ...

    def dataset_by_id(self, dataset_id: str) -> pa.Table: ...


class PinnedRepository(ParquetRepository):
    """The pinned rows of a lock as a repository; refuses what the lock does not pin."""

    def __init__(self, tables: CacheTables, real: _Source, lock: Lock) -> None:
        super().__init__(tables)
        self._real = real
        self._eids = frozenset(str(e) for e in lock.eids)

    def _check_sessions(self, query: DatasetQuery) -> None:
        outside = [e for e in query.eids or () if e not in self._eids]
        if outside:
            raise NotLockedError(
                f"session {outside[0]} is not in the lock; lock it with one.lock(...), or read "
                "the current cache outside the locked() block"
            )

    def _refuse_unpinned(self, query: DatasetQuery) -> None:
        found = self._real.rel_paths(query)
        if found:
            shown = ", ".join(found[:_SHOWN]) + (", ..." if len(found) > _SHOWN else "")
            raise NotLockedError(
                f"the lock pins none of the datasets asked for, which the cache holds ({shown}); "
                "add them with one.lock(...), or read the current cache outside locked()"
            )

    def datasets(self, query: DatasetQuery) -> pa.Table:
        self._check_sessions(query)
        rows = super().datasets(query)
        if len(rows) == 0:
            self._refuse_unpinned(query)
        return rows

    def rel_paths(self, query: DatasetQuery) -> list[str]:
        self._check_sessions(query)
        paths = super().rel_paths(query)
        if not paths:
            self._refuse_unpinned(query)
        return paths

    def dataset_by_id(self, dataset_id: str) -> pa.Table:
        rows = super().dataset_by_id(dataset_id)
        if len(rows) == 0 and len(self._real.dataset_by_id(dataset_id)):
            raise NotLockedError(f"dataset {dataset_id} is in the cache but not in the lock")
        return rows


def _session_row(eid: uuid.UUID, path: str) -> SessionRow:
    from onesdk.alf import session_path_parts

    lab, subject, date, number = session_path_parts(path)
    return {
        "id": str(eid),
        "lab": lab or "",
        "subject": str(subject),
        "date": dt.date.fromisoformat(str(date)),
        "number": int(number or 0),
        "task_protocol": "",
        "projects": "",
    }


def pinned_tables(lock: Lock, sessions: pa.Table) -> CacheTables:
    """Cache tables holding ``sessions`` (plus the lock's it lacks) and the pinned datasets."""
    from onesdk._remote._records import merge_rows

    known = set(sessions.column("id").to_pylist()) if len(sessions) else set()
    missing = [_session_row(s.eid, s.path) for s in lock.sessions if str(s.eid) not in known]
    rows: list[DatasetRow] = [
        {
            "eid": str(d.eid),
            "id": str(d.id),
            "file_size": d.size,
            "hash": d.md5,
            "exists": True,
            "rel_path": d.rel_path,
            "default_revision": True,
            "qc": d.qc if d.qc in QC_NAMES else "NOT_SET",
        }
        for d in lock.datasets
    ]
    base = empty_tables().replace(sessions=sessions)
    return merge_rows(base, missing, rows)


class PinView:
    """The pinned repository of a lock, rebuilt only when the real repository is replaced."""

    def __init__(self, lock: Lock) -> None:
        self.lock = lock
        self._built: tuple[object, PinnedRepository] | None = None

    def repository(self, real: _Source, tables: CacheTables) -> PinnedRepository:
        if self._built is None or self._built[0] is not real:
            view = PinnedRepository(pinned_tables(self.lock, tables.sessions), real, self.lock)
            self._built = (real, view)
        return self._built[1]


@contextlib.contextmanager
def pinned(one: One, lock: Lock) -> Iterator[Lock]:
    """Make ``one`` read ``lock``'s datasets until the block ends (blocks may nest)."""
    if not isinstance(lock, Lock):
        raise ArgumentError("lock", lock, "an onesdk.Lock (one.lock(...) or Lock.load(path))")
    saved = one._pin
    one._pin = PinView(lock)
    try:
        yield lock
    finally:
        one._pin = saved
