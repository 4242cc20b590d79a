"""Records the replay server keeps in memory and lets clients change.

The recorded corpus holds few writes, and a replayed answer never reflects the request's body.
A :class:`RecordStore` answers for the paths of the records put in it: GET reads the record,
PATCH merges the body's top-level fields into it, PUT replaces it, DELETE removes it (204), all
as Alyx answers them (the whole record as JSON). Only a request with the server's valid token
reaches it; other paths go on to the recordings.

A list put with :meth:`RecordStore.put_list` is answered as Alyx pages one: ``count``, ``next``,
``previous`` and ``results``, ``page_size`` records at a time unless the request asks for a
``limit`` (and an ``offset``).
"""

from __future__ import annotations

import copy
import json
import threading
import urllib.parse
from typing import Any


class RecordStore:
    """In-memory Alyx records, by request path (e.g. ``/sessions/<eid>``)."""

    def __init__(self) -> None:
        self._records: dict[str, dict[str, Any]] = {}
        self._lists: dict[str, tuple[list[dict[str, Any]], int]] = {}
        self._lock = threading.Lock()

    def put(self, path: str, record: dict[str, Any]) -> None:
        """Serve ``record`` (a copy) at ``path``."""
        with self._lock:
            self._records[path.rstrip("/")] = copy.deepcopy(record)

    def put_list(self, path: str, records: list[dict[str, Any]], page_size: int) -> None:
        """Serve ``records`` at ``path`` as a paginated list of ``page_size`` per page."""
        with self._lock:
            self._lists[path.rstrip("/")] = (copy.deepcopy(records), page_size)

    def get(self, path: str) -> dict[str, Any] | None:
        """A copy of the record at ``path`` as it is now (None once deleted)."""
        with self._lock:
            found = self._records.get(path.rstrip("/"))
            return copy.deepcopy(found) if found is not None else None

    def answer(
        self, method: str, path: str, query: tuple[tuple[str, str], ...], body: bytes
    ) -> tuple[int, bytes] | None:
        """The status and JSON body for a request to a stored record; None for other paths."""
        key = path.rstrip("/")
        if method == "GET" and key in self._lists:
            return self._page(key, dict(query))
        with self._lock:
            record = self._records.get(key)
            if record is None or method not in ("GET", "PATCH", "PUT", "DELETE"):
                return None
            if method == "DELETE":
                del self._records[key]
                return 204, b""
            if method in ("PATCH", "PUT"):
                try:
                    sent = json.loads(body) if body else {}
                except ValueError:
                    return 400, b'{"detail": "JSON parse error"}'
                if not isinstance(sent, dict):
                    return 400, b'{"detail": "expected a JSON object"}'
                kept = {"id": record.get("id")} if method == "PUT" else record
                record = {**kept, **sent}
                self._records[key] = record
            return 200, json.dumps(record).encode()

    def _page(self, key: str, query: dict[str, str]) -> tuple[int, bytes]:
        with self._lock:
            records, page_size = self._lists[key]
        limit = int(query.get("limit", page_size))
        offset = int(query.get("offset", 0))
        page = records[offset : offset + limit]
        more = offset + limit < len(records)
        following = {**query, "limit": str(limit), "offset": str(offset + limit)}
        answer = {
            "count": len(records),
            "next": f"{key}?{urllib.parse.urlencode(following)}" if more else None,
            "previous": None,
            "results": page,
        }
        return 200, json.dumps(answer).encode()
