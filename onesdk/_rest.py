"""The Alyx REST backend: the generated client with auth, REST cache and retries; pagination;
query translation.

Three layers, each usable alone:

* :class:`AlyxHttp` calls the operations of the generated client (``onesdk_gen.alyx_client``)
  on one Alyx server. Its httpx client carries the token auth (one re-login on 401/403), the
  REST GET cache transport and the timeouts; :meth:`AlyxHttp.call` retries 429/502/503/504 and
  connection errors a bounded number of times and turns answers into the generated wire models,
  or into errors from :mod:`onesdk.errors` that name the URL (a body the contract does not
  describe is a :class:`ContractError`).
* :class:`Paginated` is a lazy, typed sequence over a paginated list endpoint
  (``count``/``results``): pages are fetched when an item in them is first needed, with
  ``limit``/``offset`` as Alyx expects, and each record is parsed once.
* :func:`session_query` / :func:`insertion_query` translate the search keywords of
  ``OneAlyx.search`` / ``search_insertions`` into Alyx filter parameters exactly as one-api 3.6.1
  sends them (term completion, lists joined by commas, date ranges as two ISO dates); the list
  operations receive them as their typed parameters, which give back the same query text.

:class:`RestRepository` puts them together for the facade, and implements the Repository
protocol of the parquet backend. Only :meth:`RestRepository.rest`, which takes any endpoint and
filter as one-api's ``alyx.rest`` does, sends untyped requests.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol, TypeAlias, TypeVar, cast, overload
from uuid import UUID

import httpx
from onesdk_gen.alyx_client import Client
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
)
from onesdk_gen.alyx_client.models import Dataset as DatasetRecord
from onesdk_gen.alyx_client.models import DatasetType as DatasetTypeRecord
from onesdk_gen.alyx_client.models import Revision as RevisionRecord
from onesdk_gen.alyx_client.types import Response

from onesdk._alyx_rest import AlyxRestSurface
from onesdk._auth import TokenAuth, same_origin_only
from onesdk._log import get_logger
from onesdk._rest_cache import (
    EXPIRY_EXTENSION,
    EXTENSION,
    CacheControl,
    CachingTransport,
    RestCache,
)
from onesdk._validate import date_value
from onesdk.errors import (
    ArgumentError,
    ContractError,
    HTTPError,
    OfflineError,
    OneSdkError,
    RemoteError,
    UnknownTermError,
)

__all__ = [
    "INSERTION_FILTERS",
    "SESSION_FILTERS",
    "AlyxHttp",
    "JsonObject",
    "Paginated",
    "QueryParams",
    "RestRepository",
    "complete_term",
    "insertion_query",
    "query_params",
    "search_terms",
    "session_query",
]

if TYPE_CHECKING:
    import pyarrow as pa

    from onesdk._query import DatasetQuery, SessionQuery
    from onesdk._remote_records import DatasetRow, SessionRow

_log = get_logger("onesdk.rest")

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = dict[str, JsonValue]
QueryParams: TypeAlias = list[tuple[str, str]]
T = TypeVar("T")

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


def session_query(terms: Mapping[str, object]) -> QueryParams:
    """The ``/sessions`` filter parameters for remote ``search(**terms)``."""
    valid = search_terms("sessions")
    params: QueryParams = []
    django = terms.get("django", "")
    for key, value in sorted(terms.items()):
        if key == "django":
            continue
        field = complete_term(key, valid)
        if field == "date_range":
            try:
                params.append((field, date_range_param(value)))
            except ArgumentError as exc:  # name the keyword the caller used ('date'...)
                raise ArgumentError(key, value, exc.expected) from None
        elif field == "id":
            # one-api sends ids as a django primary-key filter, a list in Python's repr
            # (Alyx answers 500 to the list form; the request is kept identical on purpose)
            ids = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
            django = f"{django},pk,{ids}" if django else f"pk,{ids}"
        elif field == "laboratory":
            params.append(("lab", _join(value, key)))
        else:
            params.append((field, _join(value, key)))
    if django:
        params.insert(0, ("django", _as_text(django, "django")))
    return params


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


def query_params(query: SessionQuery) -> QueryParams:
    """The ``/sessions`` filters for a :class:`SessionQuery` (the facade-independent model)."""
    from onesdk._cache._schema import QC_NAMES

    params: QueryParams = []
    for name in ("subject", "lab", "task_protocol", "projects", "datasets"):
        values = getattr(query, name)
        if values:
            params.append((name, ",".join(values)))
    if query.date_range is not None:
        start, end = query.date_range
        params.append(("date_range", f"{start or _MIN_DATE},{end or _MAX_DATE}"))
    if query.number:
        if len(query.number) > 1:
            raise ArgumentError("number", query.number, "one session number (Alyx filters one)")
        params.append(("number", str(query.number[0])))
    if query.dataset_qc_lte is not None:
        params.append(("dataset_qc_lte", QC_NAMES[query.dataset_qc_lte]))
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
# HTTP
class _Wire(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class _WirePage(Protocol):
    @property
    def count(self) -> int: ...

    @property
    def results(self) -> Sequence[_Wire]: ...


#: one call of a generated operation on the given client
Send: TypeAlias = Callable[[Client], Response[Any]]
W = TypeVar("W")


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip()
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])
    return json.dumps(body)[:200]


def _as_json(record: _Wire) -> JsonObject:
    return cast(JsonObject, record.to_dict())


class AlyxHttp:
    """Requests to one Alyx server through the generated client (``onesdk_gen.alyx_client``).

    Its httpx client carries the token authentication (with one re-login), the REST GET cache
    transport and the timeouts; :meth:`call` adds bounded retries on 429/502/503/504 and
    connection errors, and turns answers into the generated wire models or into errors from
    :mod:`onesdk.errors` that name the request.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: TokenAuth | None = None,
        rest_cache: RestCache | None = None,
        timeout: float = 30.0,
        attempts: int = 3,
        max_retry_after: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.attempts = attempts
        self.max_retry_after = max_retry_after
        inner = transport if transport is not None else httpx.HTTPTransport()
        wrapped = CachingTransport(rest_cache, inner) if rest_cache is not None else inner
        # per thread: how the next request uses the REST cache, and the last answer received
        # (the generated operations take no request extensions and keep no raw response)
        self._local = threading.local()
        hooks = {
            "request": [same_origin_only(self.base_url), self._mark_request],
            "response": [self._keep_response],
        }
        self.api = Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=True,
            headers={"Accept": "application/json"},
            httpx_args={"auth": auth, "transport": wrapped, "event_hooks": hooks},
        )
        self.client = self.api.get_httpx_client()
        self.rest_cache = rest_cache
        #: the reference's ``cache_mode``: 'GET' caches GET answers, None turns the cache off
        self.cache_mode: str | None = "GET" if rest_cache is not None else None
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"AlyxHttp({self.base_url!r})"

    def generated_client(self) -> Client:
        """The generated Alyx client (``onesdk_gen.alyx_client``) on this connection.

        Its operations share the token authentication (with its re-login), REST cache and
        timeouts, e.g. ``revisions_retrieve.sync(name, client=http.generated_client())``.
        """
        return self.api

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> AlyxHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _mark_request(self, request: httpx.Request) -> None:
        control = getattr(self._local, "cache", "use") if self.cache_mode else "skip"
        request.extensions[EXTENSION] = control
        request.extensions[EXPIRY_EXTENSION] = getattr(self._local, "expiry", None)

    def _keep_response(self, response: httpx.Response) -> None:
        self._local.response = response

    def url(self, path: str, params: QueryParams | None = None) -> str:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.base_url}/{path.lstrip('/')}{query}"

    def call(self, shown: str, send: Send, kind: type[W], *, cache: CacheControl = "use") -> W:
        """``GET`` through one generated operation: its parsed answer when that is a ``kind``.

        Retried on 429/502/503/504 and connection errors; an error status is an
        :class:`HTTPError`, a body that does not fit the contract a :class:`ContractError`,
        both naming the URL (``shown`` until a request is sent).
        """
        for attempt in range(self.attempts):
            self._local.cache = cache
            self._local.response = None
            answer: Response[Any] | None = None
            misfit: Exception | None = None
            try:
                answer = send(self.api)
            except httpx.InvalidURL as exc:  # e.g. a query too long for a URL: no retry helps
                raise RemoteError(f"cannot send GET {shown[:200]}: {exc}") from None
            except httpx.TransportError as exc:
                if attempt == self.attempts - 1:
                    raise OfflineError(
                        f"cannot reach {self.base_url} ({type(exc).__name__}) for GET {shown}"
                    ) from None
                self._sleep(self._backoff(attempt, None))
                continue
            except OneSdkError:  # e.g. AuthenticationError from the re-login
                raise
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                misfit = exc  # the generated parser refused the body; the status decides below
            response: httpx.Response | None = self._local.response
            if response is None:
                raise ContractError(f"GET {shown}: no answer was received")
            url = str(response.request.url)
            status = response.status_code
            if status in _RETRY_STATUS and attempt < self.attempts - 1:
                self._sleep(self._backoff(attempt, response.headers.get("retry-after")))
                continue
            if status >= 400:
                raise HTTPError("GET", url, status, _detail(response))
            if isinstance(misfit, json.JSONDecodeError):
                raise ContractError(
                    f"GET {url}: expected JSON, got "
                    f"{response.headers.get('content-type', 'no content type')}"
                ) from None
            if misfit is not None:
                raise ContractError(
                    f"GET {url}: the answer does not fit the contract: {misfit!r}"
                ) from None
            parsed = answer.parsed if answer is not None else None
            if not isinstance(parsed, kind):
                raise ContractError(
                    f"GET {url}: HTTP {status} without a {kind.__name__} body "
                    f"(got {type(parsed).__name__})"
                )
            return parsed
        raise AssertionError("unreachable")  # pragma: no cover

    def page(
        self, path: str, send: Callable[..., Response[Any]], model: type[_WirePage],
        kinds: Mapping[str, _Kind], params: QueryParams,
    ) -> tuple[int, list[JsonObject]]:  # fmt: skip
        """One page of a list endpoint: the server's ``count`` and the records as JSON."""
        arguments = _typed(path, params, kinds)
        found = self.call(self.url(path, params), lambda api: send(client=api, **arguments), model)
        return found.count, [_as_json(record) for record in found.results]

    # the untyped layer, for RestRepository.rest only ----------------------------------------
    def request(
        self, method: str, path: str, params: QueryParams | None = None, *, body: object = None,
        cache: CacheControl = "use", expiry: dt.timedelta | None = None,
        files: Mapping[str, Any] | None = None,
    ) -> httpx.Response:  # fmt: skip
        """One request, retried on 429/502/503/504 and connection errors; raises on >= 400.

        ``body`` is sent as JSON (as form fields beside ``files``, a multipart upload);
        ``cache`` and ``expiry`` say how a GET uses the REST cache.
        """
        shown = self.url(path, params)
        for attempt in range(self.attempts):
            self._local.cache = cache
            self._local.expiry = expiry
            try:
                query = httpx.QueryParams(tuple(params or ()))
                if files is None:
                    response = self.client.request(
                        method, "/" + path.lstrip("/"), params=query, json=body
                    )
                else:  # a multipart upload: the body's fields beside the files
                    fields = cast(Mapping[str, Any], body or {})
                    response = self.client.request(
                        method, "/" + path.lstrip("/"), params=query, data=fields, files=files
                    )
            except httpx.InvalidURL as exc:
                raise RemoteError(f"cannot send {method} {shown[:200]}: {exc}") from None
            except httpx.TransportError as exc:
                if attempt == self.attempts - 1:
                    raise OfflineError(
                        f"cannot reach {self.base_url} ({type(exc).__name__}) for {method} {shown}"
                    ) from None
                self._sleep(self._backoff(attempt, None))
                continue
            finally:
                self._local.expiry = None
            if response.status_code in _RETRY_STATUS and attempt < self.attempts - 1:
                self._sleep(self._backoff(attempt, response.headers.get("retry-after")))
                continue
            if response.status_code >= 400:
                raise HTTPError(method, shown, response.status_code, _detail(response))
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            if retry_after.strip().isdigit():
                return min(float(retry_after), self.max_retry_after)
            when = email.utils.parsedate_to_datetime(retry_after)
            return max(0.0, min(when.timestamp() - time.time(), self.max_retry_after))
        ceiling = min(8.0, 0.25 * 2**attempt)
        return float(random.uniform(ceiling / 2, ceiling))  # jitter, not cryptography

    def get_json(self, path: str, params: QueryParams | None = None) -> JsonValue:
        """GET ``path`` and decode JSON; a non-JSON success is a :class:`ContractError`."""
        response = self.request("GET", path, params)
        try:
            value: JsonValue = response.json()
        except ValueError:
            raise ContractError(
                f"GET {self.url(path, params)}: expected JSON, got "
                f"{response.headers.get('content-type', 'no content type')}"
            ) from None
        return value


def _identity(record: JsonObject) -> JsonObject:
    return record


#: one page of a list endpoint for the given filters (with ``limit``/``offset``)
PageFetch: TypeAlias = Callable[[QueryParams], tuple[int, list[JsonObject]]]


class Paginated(Sequence[T], Generic[T]):
    """A lazily fetched list of Alyx records, typed by its ``parse`` function.

    ``len()`` (and :attr:`total`) is the server's ``count``; indexing or iterating fetches the
    missing pages with the first page's size as ``limit``. A ``count`` that changes between
    pages is a :class:`ContractError`: the result would mix two database states.
    """

    def __init__(
        self,
        fetch: PageFetch | None,
        path: str,
        params: QueryParams,
        first: tuple[int, list[JsonObject]],
        parse: Callable[[JsonObject], T] | None = None,
    ) -> None:
        self._fetch = fetch
        self._path = path
        self._params = [(k, v) for k, v in params if k not in ("limit", "offset")]
        self._parse: Callable[[JsonObject], T] = parse or _identity  # type: ignore[assignment]
        count, records = first
        if count < len(records):
            raise ContractError(f"GET {path}: paginated answer with a bad count {count!r}")
        if not records and count:
            raise ContractError(f"GET {path}: empty first page but count={count}")
        self.total = count
        self.page_size = max(len(records), 1)
        empty: list[JsonObject | None] = [None]
        self._raw = empty * self.total
        self._items: dict[int, T] = {}
        self._raw[: len(records)] = records

    @classmethod
    def of(cls, records: Iterable[JsonObject], parse: Callable[[JsonObject], T]) -> Paginated[T]:
        """A fully known list (no server behind it)."""
        known = list(records)
        return cls(None, "", [], (len(known), known), parse)

    def __len__(self) -> int:
        return self.total

    def __repr__(self) -> str:
        fetched = sum(r is not None for r in self._raw)
        return f"<Paginated {self._path or 'list'}: {self.total} records, {fetched} fetched>"

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.total))]
        if not isinstance(index, int):
            raise TypeError(f"indices must be int or slice, not {type(index).__name__}")
        if index < 0:
            index += self.total
        if not 0 <= index < self.total:
            raise IndexError(f"index {index} out of range for {self.total} records")
        if index not in self._items:
            raw = self._raw[index]
            if raw is None:
                self._fetch_page(index // self.page_size)
                raw = self._raw[index]
                if raw is None:
                    raise ContractError(f"GET {self._path}: record {index} missing from its page")
            self._items[index] = self._parse(raw)
        return self._items[index]

    def __iter__(self) -> Iterator[T]:
        for i in range(self.total):
            yield self[i]

    def raw(self) -> list[JsonObject]:
        """Every raw record (fetching the missing pages)."""
        for page in range((self.total + self.page_size - 1) // self.page_size):
            if any(
                r is None for r in self._raw[page * self.page_size : (page + 1) * self.page_size]
            ):
                self._fetch_page(page)
        return [r for r in self._raw if r is not None]

    def _fetch_page(self, page: int) -> None:
        if self._fetch is None:
            raise ContractError("a static record list has no further pages")
        offset = page * self.page_size
        params = [*self._params, ("limit", str(self.page_size)), ("offset", str(offset))]
        count, records = self._fetch(params)
        if count != self.total:  # the server's count, not Sequence.count
            raise ContractError(
                f"GET {self._path}: the record count changed between pages "
                f"({self.total} -> {count}); run the query again"
            )
        self._raw[offset : offset + len(records)] = records


def _raw_page(answer: JsonValue, path: str) -> tuple[int, list[JsonObject]]:
    """The count and records of an untyped list answer (paginated or a plain list)."""
    if isinstance(answer, list):
        records = answer
        count = len(records)
    elif isinstance(answer, dict) and isinstance(answer.get("results"), list):
        found = answer.get("count")
        if not isinstance(found, int):
            raise ContractError(f"GET {path}: paginated answer with a bad count {found!r}")
        records = cast(list[JsonValue], answer["results"])
        count = found
    else:
        raise ContractError(f"GET {path}: expected a list or a paginated object")
    if not all(isinstance(r, dict) for r in records):
        raise ContractError(f"GET {path}: a result is not a JSON object")
    return count, cast(list[JsonObject], records)


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Listing:
    """A list endpoint and its generated operation."""

    path: str
    send: Callable[..., Response[Any]]
    model: type[_WirePage]
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

    Every read goes through an operation of the generated client; records come back as the
    JSON of the generated wire models (``to_dict()``), for the ``*_from_rest`` converters of
    :mod:`onesdk._models` and the table rows of :mod:`onesdk._remote_records`.
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
        self, listing: _Listing, params: QueryParams, *, limit: int | None = None
    ) -> Paginated[JsonObject]:
        def fetch(page_params: QueryParams) -> tuple[int, list[JsonObject]]:
            return self.http.page(
                listing.path, listing.send, listing.model, listing.kinds, page_params
            )

        first = fetch([*params, *([("limit", str(limit))] if limit else [])])
        return Paginated(fetch, listing.path, params, first)

    def _read(self, path: str, send: Send, kind: type[_Wire]) -> JsonObject:
        return _as_json(self.http.call(self.http.url(path), send, kind))

    # sessions ------------------------------------------------------------------------------
    def search_sessions(
        self, terms: Mapping[str, object], *, limit: int | None = None
    ) -> Paginated[JsonObject]:
        return self._list(_SESSIONS, session_query(terms), limit=limit)

    def session_records(self, params: QueryParams) -> Paginated[JsonObject]:
        """``GET /sessions`` with raw filter parameters."""
        return self._list(_SESSIONS, params)

    def session(self, eid: UUID | str) -> JsonObject:
        key = _uuid(eid, "eid")
        return self._read(
            f"sessions/{key}", lambda api: sessions_retrieve.sync_detailed(key, client=api),
            SessionDetail,
        )  # fmt: skip

    # datasets ------------------------------------------------------------------------------
    def session_datasets(self, eid: UUID | str) -> list[JsonObject]:
        """The dataset records of one session, as ``GET /datasets?session=<eid>`` lists them."""
        return self._list(_DATASETS, [("session", str(_uuid(eid, "eid")))]).raw()

    def dataset_records(self, params: QueryParams) -> Paginated[JsonObject]:
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
        return self._list(_INSERTIONS, insertion_query(terms), limit=limit)

    def insertion(self, pid: UUID | str) -> JsonObject:
        key = _uuid(pid, "pid")
        return self._read(
            f"insertions/{key}", lambda api: insertions_retrieve.sync_detailed(key, client=api),
            InsertionDetail,
        )  # fmt: skip

    # the Repository protocol (the same one the parquet backend implements) ----------------
    def sessions(self, query: SessionQuery) -> pa.Table:
        """Sessions matching ``query``, asked of the server (its matching: case-insensitive
        substrings, no regular expressions), as a sessions-table Arrow table."""
        from onesdk._cache import empty_tables
        from onesdk._remote_records import merge_rows, session_row

        records = self._list(_SESSIONS, query_params(query)).raw()
        rows = list({str(r["id"]): session_row(r) for r in records}.values())
        table = merge_rows(empty_tables(), rows, []).sessions
        order = {row["id"]: i for i, row in enumerate(rows)}
        ids = table.column("id").to_pylist()
        return table.take(sorted(range(len(ids)), key=lambda i: order[str(ids[i])]))

    def datasets(self, query: DatasetQuery) -> pa.Table:
        """Datasets of the sessions in ``query.eids`` matching ``query``: the server lists
        each session's datasets, the same matcher as the local backend filters them."""
        from onesdk._cache import empty_tables
        from onesdk._parquet import ParquetRepository
        from onesdk._remote_records import merge_rows, session_dataset_rows, session_row

        if query.eids is None:
            raise ArgumentError("eid", None, "session ids: the server lists datasets per session")
        sessions: list[SessionRow] = []
        datasets: list[DatasetRow] = []
        for eid in query.eids:
            detail = self.session(eid)
            sessions.append(session_row(detail))
            datasets.extend(session_dataset_rows(detail))
        return ParquetRepository(merge_rows(empty_tables(), sessions, datasets)).datasets(query)

    def session_row(self, eid: str) -> pa.Table:
        """The sessions-table row of one session (no rows if the server does not know it)."""
        from onesdk._cache import empty_tables
        from onesdk._remote_records import merge_rows, session_row

        try:
            detail = self.session(eid)
        except HTTPError as exc:
            if exc.status == 404:
                return empty_tables().sessions
            raise
        return merge_rows(empty_tables(), [session_row(detail)], []).sessions

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
