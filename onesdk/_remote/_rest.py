"""The Alyx REST backend: query translation and the REST repository.

Three layers, each usable alone:

* :class:`~onesdk._http._alyx.AlyxHttp` (re-exported here) calls the operations of the
  generated client on the one HTTP runtime (:mod:`onesdk._http._runtime`: retries, Retry-After,
  bounded answers, one error mapping); :class:`~onesdk._http._alyx.Paginated` is the lazy,
  count-checked list.
* :mod:`onesdk._remote._filters` (re-exported here) builds the query model of a remote
  ``search`` and translates it, and the keywords of ``search_insertions``, into Alyx filter
  parameters exactly as one-api 3.6.1 sends them; the list operations receive them as their
  typed parameters, which give back the same query text.

:class:`RestRepository` puts them together for the facade, and implements the Repository
protocol of the parquet backend; it is an :class:`~onesdk._remote._client.AlyxClient` too.
Only :meth:`RestRepository.rest`, which takes any endpoint and filter as one-api's
``alyx.rest`` does, sends untyped requests.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar
from uuid import UUID

from onesdk_gen.alyx_client.api.cache import cache_info_retrieve, cache_info_tag_retrieve
from onesdk_gen.alyx_client.api.dataset_types import dataset_types_retrieve
from onesdk_gen.alyx_client.api.datasets import datasets_list, datasets_retrieve
from onesdk_gen.alyx_client.api.insertions import insertions_list, insertions_retrieve
from onesdk_gen.alyx_client.api.revisions import revisions_retrieve
from onesdk_gen.alyx_client.api.sessions import sessions_list, sessions_retrieve
from onesdk_gen.alyx_client.models import (
    CacheInfo,
    InsertionDetail,
    InsertionListItem,
    PaginatedDatasetList,
    PaginatedInsertionList,
    PaginatedSessionList,
    QCName,
    SessionDetail,
    SessionListItem,
)
from onesdk_gen.alyx_client.models import Dataset as DatasetRecord
from onesdk_gen.alyx_client.models import DatasetType as DatasetTypeRecord
from onesdk_gen.alyx_client.models import Revision as RevisionRecord
from onesdk_gen.alyx_client.types import Response

from onesdk._http._alyx import (
    AlyxHttp,
    JsonObject,
    JsonValue,
    Paginated,
    QueryParams,
    Send,
)
from onesdk._http._alyx import Wire as _Wire
from onesdk._http._alyx import WirePage as _WirePage
from onesdk._http._alyx import as_json as _as_json
from onesdk._log import get_logger
from onesdk._remote._client import AlyxClient
from onesdk._remote._filters import (
    INSERTION_FILTERS,
    SESSION_FILTERS,
    complete_term,
    date_range_param,
    insertion_query,
    search_terms,
    session_params,
    session_query,
)
from onesdk._remote._records import (
    SessionRow,
    merge_rows,
    session_dataset_rows_of,
    session_row_of,
)
from onesdk.errors import ArgumentError, HTTPError

__all__ = [
    "INSERTION_FILTERS",
    "SESSION_FILTERS",
    "AlyxHttp",
    "JsonObject",
    "JsonValue",
    "Paginated",
    "QueryParams",
    "RestRepository",
    "complete_term",
    "date_range_param",
    "insertion_query",
    "search_terms",
    "session_params",
    "session_query",
]

if TYPE_CHECKING:
    import pyarrow as pa

    from onesdk._remote._records import DatasetRow
    from onesdk._repo._query import DatasetQuery, SessionQuery

_log = get_logger("onesdk.rest")
W = TypeVar("W")


# ---------------------------------------------------------------------------------------------
# typed filter values: the query text of the search functions, as the generated operations'
# parameters want it (the generated code turns them back into the same query text)
@dataclass(frozen=True)
class _Kind:
    convert: Callable[[str], object]
    expected: str


def _qc_name(text: str) -> QCName:
    from onesdk.alf import QC

    return QCName(QC(int(text)).name if text.strip().isdigit() else text)


def _boolean(text: str) -> bool:
    return {"true": True, "false": False, "1": True, "0": False}[text.strip().casefold()]


_TEXT: Final = _Kind(str, "text")
_INTEGER: Final = _Kind(int, "an integer")
_NUMBER: Final = _Kind(float, "a number")
_UUID: Final = _Kind(UUID, "a UUID")
_QC: Final = _Kind(_qc_name, "a QC name (NOT_SET, PASS, WARNING, FAIL, CRITICAL) or value")
_BOOLEAN: Final = _Kind(_boolean, "True or False")
_MOMENT: Final = _Kind(dt.datetime.fromisoformat, "an ISO date-time")


def _texts(*names: str) -> dict[str, _Kind]:
    return dict.fromkeys(names, _TEXT)


_PAGING: Final = {"limit": _INTEGER, "offset": _INTEGER}
#: the filters of the generated ``sessions_list`` operation and their kinds
_SESSION_KINDS: Final = {
    **_PAGING,
    **_texts(
        "subject", "nickname", "lab", "date_range", "task_protocol", "projects", "project",
        "dataset_qc_lte", "datasets", "dataset_types", "users", "location", "django", "tag",
        "extended_qc", "json", "atlas_acronym", "atlas_name", "type", "name", "narrative",
        "procedures",
    ),
    **dict.fromkeys(("number", "n_trials", "n_correct_trials"), _INTEGER),
    **dict.fromkeys(("performance_gte", "performance_lte", "atlas_id"), _NUMBER),
    **dict.fromkeys(("id", "parent_session"), _UUID),
    **dict.fromkeys(("start_time", "end_time", "auto_datetime"), _MOMENT),
    "qc": _QC,
    "histology": _BOOLEAN,
}  # fmt: skip
#: the filters of the generated ``datasets_list`` operation
_DATASET_KINDS: Final = {
    **_PAGING,
    **_texts(
        "name", "collection", "revision", "tag", "django", "subject", "lab", "date",
        "experiment_number", "dataset_type",
    ),
    **dict.fromkeys(("session", "id"), _UUID),
    **dict.fromkeys(("default_dataset", "exists"), _BOOLEAN),
    "qc": _QC,
}  # fmt: skip
#: the filters of the generated ``insertions_list`` operation
_INSERTION_KINDS: Final = {
    **_PAGING,
    **_texts(
        "name", "model", "serial", "subject", "lab", "date", "experiment_number", "task_protocol",
        "project", "dataset_qc_lte", "datasets", "dataset_types", "tag", "atlas_acronym",
        "atlas_name", "django",
    ),
    **dict.fromkeys(("session", "chronic_insertion", "id"), _UUID),
    "atlas_id": _NUMBER,
    "auto_datetime": _MOMENT,
}  # fmt: skip


def _typed(path: str, params: QueryParams, kinds: Mapping[str, _Kind]) -> dict[str, Any]:
    """Keyword arguments of a generated list operation for filter ``params``."""
    arguments: dict[str, Any] = {}
    for key, text in params:
        kind = kinds.get(key)
        if kind is None:
            raise ArgumentError(key, text, f"a filter of GET {path}: {', '.join(sorted(kinds))}")
        try:
            value = kind.convert(text)
        except (ValueError, KeyError):
            raise ArgumentError(key, text, kind.expected) from None
        arguments["type_" if key == "type" else key] = value
    return arguments


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Listing(Generic[W]):
    """A list endpoint, its generated operation, and the wire model of its records."""

    path: str
    send: Callable[..., Response[Any]]
    model: type[_WirePage[W]]
    kinds: Mapping[str, _Kind]


_SESSIONS: Final = _Listing(
    "sessions", sessions_list.sync_detailed, PaginatedSessionList, _SESSION_KINDS
)
_DATASETS: Final = _Listing(
    "datasets", datasets_list.sync_detailed, PaginatedDatasetList, _DATASET_KINDS
)
_INSERTIONS: Final = _Listing(
    "insertions", insertions_list.sync_detailed, PaginatedInsertionList, _INSERTION_KINDS
)


class RestRepository(AlyxClient):
    """Sessions, datasets, insertions and metadata from one Alyx server.

    Every read goes through an operation of the generated client. Sessions, datasets and
    insertions come back as its wire models, which :mod:`onesdk._remote._records` and
    :mod:`onesdk._models` turn into table rows and domain models directly; the records users
    get as dicts (session and insertion details, datasets, revisions, dataset types, as
    one-api returns them) also as their JSON (``to_dict()``).

    It is an :class:`~onesdk._remote._client.AlyxClient` made over an existing HTTP runtime
    (the facade's repository; users get the client itself as ``one.alyx``).
    """

    def __init__(self, http: AlyxHttp) -> None:
        self._hold(http, None, False, None)

    def _list(
        self, listing: _Listing[W], params: QueryParams, *, limit: int | None = None
    ) -> Paginated[W]:
        def fetch(page_params: QueryParams) -> tuple[int, list[W]]:
            arguments = _typed(listing.path, page_params, listing.kinds)
            return self.http.page(listing.path, listing.send, listing.model, page_params, arguments)

        first = fetch([*params, *([("limit", str(limit))] if limit else [])])
        return Paginated(fetch, listing.path, params, first)

    def _read(self, path: str, send: Send, kind: type[_Wire]) -> JsonObject:
        return _as_json(self.http.call(self.http.url(path), send, kind))

    # sessions ------------------------------------------------------------------------------
    def search_sessions(
        self, query: SessionQuery, *, limit: int | None = None
    ) -> Paginated[SessionListItem]:
        """The sessions matching ``query``: the server filters what it can, the query model's
        matcher (the local backend's code) finishes the rest on the records."""
        params, residual = session_params(query)
        found = self._list(_SESSIONS, params, limit=limit)
        if residual is None:
            return found
        return Paginated.of(_matching(found.raw(), residual))

    def session_records(self, params: QueryParams) -> Paginated[SessionListItem]:
        """``GET /sessions`` with raw filter parameters."""
        return self._list(_SESSIONS, params)

    def session_detail(self, eid: UUID | str) -> SessionDetail:
        """``GET /sessions/<eid>``, as the generated client parses it."""
        key = _uuid(eid, "eid")
        send: Send = lambda api: sessions_retrieve.sync_detailed(key, client=api)  # noqa: E731
        return self.http.call(self.http.url(f"sessions/{key}"), send, SessionDetail)

    def session(self, eid: UUID | str) -> JsonObject:
        """The session detail as JSON (one-api's ``get_details(eid, full=True)``)."""
        return _as_json(self.session_detail(eid))

    # datasets ------------------------------------------------------------------------------
    def dataset_records(self, params: QueryParams) -> Paginated[DatasetRecord]:
        """``GET /datasets`` with raw filter parameters."""
        return self._list(_DATASETS, params)

    def dataset(self, dataset_id: UUID | str) -> JsonObject:
        key = _uuid(dataset_id, "dataset id")
        return self._read(
            f"datasets/{key}", lambda api: datasets_retrieve.sync_detailed(key, client=api),
            DatasetRecord,
        )  # fmt: skip

    def dataset_type(self, name: str) -> JsonObject:
        key = _name(name, "dataset_type")
        return self._read(
            f"dataset-types/{key}",
            lambda api: dataset_types_retrieve.sync_detailed(name, client=api),
            DatasetTypeRecord,
        )

    def revision(self, name: str) -> JsonObject:
        key = _name(name, "revision")
        return self._read(
            f"revisions/{key}", lambda api: revisions_retrieve.sync_detailed(name, client=api),
            RevisionRecord,
        )  # fmt: skip

    # insertions ----------------------------------------------------------------------------
    def search_insertions(
        self, terms: Mapping[str, object], *, limit: int | None = None
    ) -> Paginated[InsertionListItem]:
        """The insertions of remote ``search_insertions(**terms)``."""
        return self._list(_INSERTIONS, insertion_query(terms), limit=limit)

    def insertion_detail(self, pid: UUID | str) -> InsertionDetail:
        """``GET /insertions/<pid>``, as the generated client parses it."""
        key = _uuid(pid, "pid")
        send: Send = lambda api: insertions_retrieve.sync_detailed(key, client=api)  # noqa: E731
        return self.http.call(self.http.url(f"insertions/{key}"), send, InsertionDetail)

    def insertion(self, pid: UUID | str) -> JsonObject:
        """The insertion detail as JSON."""
        return _as_json(self.insertion_detail(pid))

    # the Repository protocol (the same one the parquet backend implements) ----------------
    def sessions(self, query: SessionQuery) -> pa.Table:
        """Sessions matching ``query`` (see :meth:`search_sessions`), as a sessions-table
        Arrow table in the server's order."""
        return _session_table([session_row_of(r) for r in self.search_sessions(query).raw()])

    def datasets(self, query: DatasetQuery) -> pa.Table:
        """Datasets of the sessions in ``query.eids`` matching ``query``: the server lists
        each session's datasets, the same matcher as the local backend filters them."""
        from onesdk._cache import empty_tables
        from onesdk._repo._parquet import ParquetRepository

        if query.eids is None:
            raise ArgumentError("eid", None, "session ids: the server lists datasets per session")
        sessions: list[SessionRow] = []
        datasets: list[DatasetRow] = []
        for eid in query.eids:
            detail = self.session_detail(eid)
            sessions.append(session_row_of(detail))
            datasets.extend(session_dataset_rows_of(detail))
        return ParquetRepository(merge_rows(empty_tables(), sessions, datasets)).datasets(query)

    def session_row(self, eid: str) -> pa.Table:
        """The sessions-table row of one session (no rows if the server does not know it)."""
        from onesdk._cache import empty_tables

        try:
            detail = self.session_detail(eid)
        except HTTPError as exc:
            if exc.status == 404:
                return empty_tables().sessions
            raise
        return merge_rows(empty_tables(), [session_row_of(detail)], []).sessions

    def has_session(self, eid: str) -> bool:
        return len(self.session_row(eid)) == 1

    # cache tables --------------------------------------------------------------------------
    def cache_info(self, tag: str | None = None) -> JsonObject:
        """The server's description of its cache tables (of one ``tag``'s when given)."""
        # never from the REST cache: the answer says whether the tables are stale
        if tag is None:
            send: Send = lambda api: cache_info_retrieve.sync_detailed(client=api)  # noqa: E731
            path = "cache/info/"
        else:
            path = f"cache/info/{_name(tag, 'tag')}/"
            send = lambda api: cache_info_tag_retrieve.sync_detailed(tag, client=api)  # noqa: E731
        return _as_json(self.http.call(self.http.url(path), send, CacheInfo, cache="skip"))


def _session_table(rows: Sequence[SessionRow]) -> pa.Table:
    """``rows`` as a sessions-table Arrow table, in their order (repeated ids once)."""
    from onesdk._cache import empty_tables

    unique = list({row["id"]: row for row in rows}.values())
    table = merge_rows(empty_tables(), unique, []).sessions
    order = {row["id"]: i for i, row in enumerate(unique)}
    ids = table.column("id").to_pylist()
    return table.take(sorted(range(len(ids)), key=lambda i: order[str(ids[i])]))


def _matching(records: list[SessionListItem], query: SessionQuery) -> list[SessionListItem]:
    """The ``records`` whose sessions pass ``query``, by the local backend's matcher."""
    from onesdk._cache import empty_tables
    from onesdk._repo._parquet import ParquetRepository

    rows = [session_row_of(r) for r in records]
    tables = merge_rows(empty_tables(), rows, [])
    hits = set(ParquetRepository(tables).sessions(query).column("id").to_pylist())
    return [record for record, row in zip(records, rows, strict=True) if row["id"] in hits]


def _uuid(value: UUID | str, name: str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise ArgumentError(name, value, "a UUID") from None


def _name(value: str | None, name: str) -> str:
    if not isinstance(value, str) or not value or "/" in value or value in (".", ".."):
        raise ArgumentError(name, value, "a non-empty name without '/'")
    return urllib.parse.quote(value, safe="")
