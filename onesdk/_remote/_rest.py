"""The Alyx REST backend: query translation and the REST repository.

Three layers, each usable alone:

* :class:`~onesdk._http._alyx.AlyxHttp` (re-exported here) calls the operations of the
  generated client on the one HTTP runtime (:mod:`onesdk._http._runtime`: retries, Retry-After,
  bounded answers, one error mapping); :class:`~onesdk._http._alyx.Paginated` is the lazy,
  count-checked list.
* :func:`session_query` / :func:`insertion_query` translate the search keywords of
  ``OneAlyx.search`` / ``search_insertions`` into Alyx filter parameters exactly as one-api 3.6.1
  sends them (term completion, lists joined by commas, date ranges as two ISO dates); the list
  operations receive them as their typed parameters, which give back the same query text.

:class:`RestRepository` puts them together for the facade, and implements the Repository
protocol of the parquet backend. Only :meth:`RestRepository.rest`, which takes any endpoint and
filter as one-api's ``alyx.rest`` does, sends untyped requests.
"""

from __future__ import annotations

import dataclasses
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

from onesdk._cache._schema import QC_NAMES
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
from onesdk._remote._alyx_rest import AlyxRestSurface
from onesdk._remote._records import (
    SessionRow,
    merge_rows,
    session_dataset_rows_of,
    session_row_of,
)
from onesdk._validate import date_value
from onesdk.errors import (
    ArgumentError,
    HTTPError,
    UnknownTermError,
)

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


#: the filters of Alyx 3.6.1's ``GET /sessions`` (from its OpenAPI schema)
SESSION_FILTERS: Final = (
    "atlas_acronym", "atlas_id", "atlas_name", "auto_datetime", "dataset_qc_lte",
    "dataset_types", "datasets", "date_range", "django", "end_time", "extended_qc", "histology",
    "id", "json", "lab", "limit", "location", "n_correct_trials", "n_trials", "name", "narrative",
    "nickname", "number", "offset", "parent_session", "performance_gte", "performance_lte",
    "procedures", "project", "projects", "qc", "start_time", "subject", "tag", "task_protocol",
    "type", "users",
)  # fmt: skip
#: the filters of Alyx 3.6.1's ``GET /insertions``
INSERTION_FILTERS: Final = (
    "atlas_acronym", "atlas_id", "atlas_name", "auto_datetime", "chronic_insertion",
    "dataset_qc_lte", "dataset_types", "datasets", "date", "django", "experiment_number", "id",
    "lab", "limit", "model", "name", "offset", "project", "serial", "session", "subject", "tag",
    "task_protocol",
)  # fmt: skip
#: the local search terms one-api adds to the remote session filters ('lab' is 'laboratory')
_LOCAL_SESSION_TERMS: Final = (
    "datasets", "date_range", "laboratory", "number", "projects", "subject", "task_protocol",
    "dataset_qc_lte",
)  # fmt: skip
_MIN_DATE: Final = dt.date(1677, 9, 21)  # the bounds one-api uses for an open date range
_MAX_DATE: Final = dt.date(2262, 4, 11)
_RETRY_STATUS: Final = frozenset({429, 502, 503, 504})


# ---------------------------------------------------------------------------------------------
# query translation
def search_terms(endpoint: str = "sessions") -> tuple[str, ...]:
    """The keywords remote ``search`` (``'sessions'``) or ``search_insertions`` accepts, sorted."""
    if endpoint == "sessions":
        terms = {*_LOCAL_SESSION_TERMS, *(f for f in SESSION_FILTERS if f != "lab")}
        return tuple(sorted(terms))
    if endpoint == "insertions":
        return INSERTION_FILTERS
    raise ArgumentError("endpoint", endpoint, "'sessions' or 'insertions'")


def complete_term(term: str, terms: Sequence[str]) -> str:
    """The full term for ``term``: itself, or the one term it is a prefix of.

    A prefix of several terms is ambiguous (``'dataset'`` matches ``'datasets'`` and
    ``'dataset_qc_lte'``), as in one-api.
    """
    if not isinstance(term, str) or not term:
        raise ArgumentError("search term", term, "a non-empty keyword")
    key = term.casefold()
    if key in terms:
        return key
    matches = [t for t in terms if t.casefold().startswith(key)]
    if not matches:
        raise UnknownTermError(term, terms)
    if len(matches) > 1:
        raise ArgumentError(
            term, "<ambiguous>", f'one term; "{term}" is ambiguous: {", ".join(sorted(matches))}'
        )
    return matches[0]


def _as_text(value: object, name: str) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):  # IntEnum QC values become their number, as in one-api
        return str(int(value))
    if isinstance(value, (str, float, UUID)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise ArgumentError(name, value, "a string, number, date or UUID (or a list of them)")


def _join(value: object, name: str) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        if not value:
            raise ArgumentError(name, value, "a non-empty value or list")
        return ",".join(_as_text(v, name) for v in value)
    return _as_text(value, name)


def date_range_param(value: object) -> str:
    """``date_range`` as Alyx wants it: ``'start,end'`` (inclusive), open ends filled in."""
    if isinstance(value, (str, dt.date)):
        day = date_value(value, "date_range")
        return f"{day.isoformat()},{day.isoformat()}"
    if not isinstance(value, (list, tuple)) or len(value) not in (1, 2):
        raise ArgumentError("date_range", value, "a date or a list of one or two dates")
    start = date_value(value[0], "date_range") if value[0] is not None else _MIN_DATE
    end = (
        date_value(value[1], "date_range")
        if len(value) == 2 and value[1] is not None
        else _MAX_DATE
    )
    if end < start:
        raise ArgumentError("date_range", value, "a start date on or before the end date")
    return f"{start.isoformat()},{end.isoformat()}"


#: spellings remote ``search`` accepts besides prefixes, as local search does ('lab' and
#: 'date' complete by prefix: the server's terms hold neither)
_SESSION_ALIASES: Final = {"dataset": "datasets"}
#: the keywords of remote ``search`` that are filters of the query model (the others are the
#: server's own, see :attr:`SessionQuery.server_only`)
_MODEL_TERMS: Final = {
    "datasets": "datasets", "date_range": "date_range", "laboratory": "lab",
    "number": "number", "projects": "projects", "subject": "subject",
    "task_protocol": "task_protocol", "dataset_qc_lte": "dataset_qc_lte",
}  # fmt: skip
#: regular-expression syntax a server's substring filter would take literally ('.' is left
#: out: as a pattern it matches itself too)
_REGEX_SYNTAX: Final = frozenset("^$*+?{}[]\\|()")


def session_query(terms: Mapping[str, object], *, regex: bool = True) -> SessionQuery:
    """The :class:`SessionQuery` of remote ``search(**terms)``: each keyword completed against
    the server's terms (``dataset`` is ``datasets``, as locally), its value checked."""
    from onesdk._repo._query import SessionQuery

    valid = search_terms("sessions")
    filters: dict[str, object] = {}
    server: dict[str, object] = {}
    for key, value in terms.items():
        field = complete_term(_SESSION_ALIASES.get(key, key), valid)
        name = _MODEL_TERMS.get(field)
        target, slot = (filters, name) if name is not None else (server, field)
        if slot in target and target[slot] != value:
            raise ArgumentError(key, value, f"one value for {slot} (given twice)")
        if name is not None:
            try:  # checked one by one, so an error names the keyword the caller used
                SessionQuery.build(regex=regex, **{name: value})
            except ArgumentError as exc:
                raise ArgumentError(key, value, exc.expected) from None
        target[slot] = value
    query = SessionQuery.build(regex=regex, **filters)
    return dataclasses.replace(query, server_only=tuple(server.items()))


def _server_matches(query: SessionQuery, name: str) -> bool:
    """Whether the server's substring filter ``name`` means what the query's patterns mean."""
    values: tuple[str, ...] = getattr(query, name)
    return not query.regex or not any(_REGEX_SYNTAX.intersection(v) for v in values)


def session_params(query: SessionQuery) -> tuple[QueryParams, SessionQuery | None]:
    """The ``/sessions`` filters of ``query`` as one-api 3.6.1 sends them, and the part of
    ``query`` the server cannot apply (None when it applies all of it).

    The server filters text as case-insensitive substrings; a pattern beyond that (with
    ``regex`` on), or several session numbers, is left to the caller's matcher.
    """
    from onesdk._repo._query import SessionQuery

    pairs: list[tuple[str, str]] = []
    rest: dict[str, object] = {}
    for name in ("subject", "lab", "task_protocol", "projects"):
        values = getattr(query, name)
        if values is None:
            continue
        if _server_matches(query, name):
            pairs.append((name, ",".join(values)))
        else:
            rest[name] = values
    if query.datasets is not None:
        pairs.append(("datasets", ",".join(query.datasets)))
    if query.date_range is not None:
        start, end = query.date_range[0] or _MIN_DATE, query.date_range[1] or _MAX_DATE
        if end < start:
            given = list(query.date_range)
            raise ArgumentError("date_range", given, "a start date on or before the end date")
        pairs.append(("date_range", f"{start.isoformat()},{end.isoformat()}"))
    if query.number is not None:
        if len(query.number) == 1:
            pairs.append(("number", str(query.number[0])))
        else:  # the server filters one number
            rest["number"] = query.number
    if query.dataset_qc_lte is not None:
        pairs.append(("dataset_qc_lte", QC_NAMES[query.dataset_qc_lte]))
    django = ""
    for name, value in query.server_only:
        if name == "django":
            if value is None or value == "":
                continue  # one-api drops an empty django filter
            django = f"{_as_text(value, 'django')},{django}" if django else _as_text(value, name)
        elif name == "id":
            # one-api sends ids as a django primary-key filter, a list in Python's repr
            # (Alyx answers 500 to the list form; the request is kept identical on purpose)
            ids = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
            django = f"{django},pk,{ids}" if django else f"pk,{ids}"
        else:
            pairs.append((name, _join(value, name)))
    params: QueryParams = sorted(pairs, key=lambda pair: _SORT_KEY.get(pair[0], pair[0]))
    if django:
        params.insert(0, ("django", django))
    residual = SessionQuery(regex=query.regex, **rest) if rest else None  # type: ignore[arg-type]
    return params, residual


#: one-api sorts the keywords, and sends 'laboratory' as 'lab'
_SORT_KEY: Final = {"lab": "laboratory"}


def insertion_query(terms: Mapping[str, object]) -> QueryParams:
    """The ``/insertions`` filter parameters for remote ``search_insertions(**terms)``."""
    valid = (*INSERTION_FILTERS, "dataset", "laboratory", "number")
    params: QueryParams = []
    django = [_as_text(terms["django"], "django")] if terms.get("django") else []
    for key, value in sorted(terms.items()):
        if key == "django":
            continue
        field = complete_term(key, valid)
        if field == "dataset":
            if not isinstance(value, str):
                raise ArgumentError("dataset", value, "a string (use datasets= for a list)")
            django.append(f"datasets__name__icontains,{value}")
        elif field == "laboratory":
            params.append(("lab", _join(value, key)))
        elif field == "number":
            params.append(("experiment_number", _join(value, key)))
        else:
            params.append((field, _join(value, key)))
    if django:
        params.insert(0, ("django", ",".join(django)))
    return params


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


class RestRepository(AlyxRestSurface):
    """Sessions, datasets, insertions and metadata from one Alyx server.

    Every read goes through an operation of the generated client. Sessions and datasets come
    back as its wire models, which :mod:`onesdk._remote._records` and :mod:`onesdk._models`
    turn into table rows and domain models directly; single records and insertions also
    as their JSON (``to_dict()``), the shape one-api returns.
    """

    def __init__(self, http: AlyxHttp) -> None:
        self.http = http

    @property
    def base_url(self) -> str:
        return self.http.base_url

    def __repr__(self) -> str:
        return f"RestRepository({self.base_url!r})"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> RestRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
    ) -> Paginated[JsonObject]:
        """The insertion records of remote ``search_insertions(**terms)``, as JSON."""
        listing, params = _INSERTIONS, insertion_query(terms)

        def fetch(page_params: QueryParams) -> tuple[int, list[JsonObject]]:
            arguments = _typed(listing.path, page_params, listing.kinds)
            count, records = self.http.page(
                listing.path, listing.send, listing.model, page_params, arguments
            )
            return count, [_as_json(record) for record in records]

        first = fetch([*params, *([("limit", str(limit))] if limit else [])])
        return Paginated(fetch, listing.path, params, first)

    def insertion(self, pid: UUID | str) -> JsonObject:
        key = _uuid(pid, "pid")
        return self._read(
            f"insertions/{key}", lambda api: insertions_retrieve.sync_detailed(key, client=api),
            InsertionDetail,
        )  # fmt: skip

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
