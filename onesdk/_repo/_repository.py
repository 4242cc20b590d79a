"""The Repository protocol: what a backend answers, whatever it stores.

``One`` talks to a :class:`ParquetRepository` (the local cache tables); ``OneAlyx`` can talk to
a REST repository implementing the same methods, so both agree on what a query means. Results
are Arrow tables with the cache-table columns (sessions: ``id``, ``lab``, ``subject``, ``date``,
``number``, ``task_protocol``, ``projects``; datasets: ``eid``, ``id``, ``rel_path``,
``file_size``, ``hash``, ``exists``, ``qc``, ``default_revision``...).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pyarrow as pa

from onesdk._repo._query import DatasetQuery, SessionQuery

__all__ = ["Repository"]


@runtime_checkable
class Repository(Protocol):
    """A source of sessions and datasets records."""

    def sessions(self, query: SessionQuery) -> pa.Table:
        """Sessions matching ``query``, newest first (date, subject, number descending)."""
        ...

    def datasets(self, query: DatasetQuery) -> pa.Table:
        """Datasets matching ``query`` (revision patterns matched, not resolved)."""
        ...

    def session_row(self, eid: str) -> pa.Table:
        """The record of one session (no rows if unknown)."""
        ...

    def has_session(self, eid: str) -> bool:
        """Whether the session exists in this repository."""
        ...
