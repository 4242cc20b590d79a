"""Requests to one Alyx server: the generated client on the runtime of :mod:`onesdk._http._runtime`.

:class:`AlyxHttp` calls the operations of the generated client (``onesdk_gen.alyx_client``).
Its httpx client carries the token auth (one re-login on 401/403), a guard that keeps every
request (and so every credential) on the server's own origin, the REST GET cache, and a bounded
transport (answer size and time); :meth:`AlyxHttp.call` retries through
:func:`onesdk._http._runtime.with_retries` and maps failures with the runtime's one error mapping.

:class:`Paginated` is a lazy, typed sequence over a paginated list endpoint (``count`` /
``results``): pages are fetched when an item in them is first needed, every page must hold
exactly the records the first page's ``count`` promises, and a listing needs at most
:data:`MAX_PAGES` pages.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Generic, Protocol, TypeAlias, TypeVar, cast, overload

import httpx
from onesdk_gen.alyx_client import Client
from onesdk_gen.alyx_client.types import Response

from onesdk._http._auth import TokenAuth, same_origin_only
from onesdk._http._rest_cache import (
    EXPIRY_EXTENSION,
    EXTENSION,
    CacheControl,
    CachingTransport,
    RestCache,
)
from onesdk._http._runtime import (
    MAX_REDIRECTS,
    REST_RETRY_STATUS,
    BoundedTransport,
    Retry,
    RetryPolicy,
    detail_of,
    public_url,
    retry_after,
    status_error,
    transport_error,
    with_retries,
)
from onesdk._json import JsonObject, JsonValue
from onesdk._log import redact
from onesdk.errors import ContractError, OneSdkError

__all__ = [
    "MAX_PAGES",
    "AlyxHttp",
    "JsonObject",
    "JsonValue",
    "Paginated",
    "QueryParams",
    "Send",
    "Wire",
    "WirePage",
    "as_json",
    "raw_page",
]

QueryParams: TypeAlias = list[tuple[str, str]]
T = TypeVar("T")
W = TypeVar("W")
W_co = TypeVar("W_co", covariant=True)

#: answers that say the server did not act on the request (safe to send a POST again)
_UNPROCESSED_STATUS: Final = frozenset({429, 503})
#: the most pages one listing may take (at Alyx's page size, millions of records)
MAX_PAGES: Final = 10_000


class Wire(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class WirePage(Protocol[W_co]):
    """A paginated answer as the generated client parses it (``count`` and ``results``)."""

    @property
    def count(self) -> int: ...

    @property
    def results(self) -> Sequence[W_co]: ...


#: one call of a generated operation on the given client
Send: TypeAlias = Callable[[Client], Response[Any]]
#: what a generated parser raises for a body outside the contract
_MISFITS: Final = (KeyError, TypeError, ValueError, AttributeError, RecursionError, OverflowError)


def as_json(record: Wire) -> JsonObject:
    return cast(JsonObject, record.to_dict())


def _error_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (ValueError, RecursionError, UnicodeDecodeError):
        return detail_of(response)
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])[:200]
    return detail_of(response)


class AlyxHttp:
    """Requests to one Alyx server through the generated client (``onesdk_gen.alyx_client``).

    ``timeout`` bounds each answer (connecting, then the whole body, see
    :class:`~onesdk._http._runtime.BoundedTransport`); ``attempts`` bounds the retries of
    429/502/503/504 answers and connection failures.
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
        self.policy = RetryPolicy(
            attempts=attempts,
            backoff=0.25,
            max_backoff=8.0,
            max_retry_after=max_retry_after,
            timeout=timeout,
        )
        inner = transport if transport is not None else httpx.HTTPTransport()
        bounded = BoundedTransport(inner, timeout=timeout)
        wrapped = CachingTransport(rest_cache, bounded) if rest_cache is not None else bounded
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
            httpx_args={
                "auth": auth,
                "transport": wrapped,
                "event_hooks": hooks,
                "max_redirects": MAX_REDIRECTS,
            },
        )
        self.client = self.api.get_httpx_client()
        self.rest_cache = rest_cache
        #: the reference's ``cache_mode``: 'GET' caches GET answers, None turns the cache off
        self.cache_mode: str | None = "GET" if rest_cache is not None else None
        self._sleep = sleep

    @property
    def attempts(self) -> int:
        return self.policy.attempts

    def __repr__(self) -> str:
        return f"AlyxHttp({public_url(self.base_url)!r})"

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

    def _retry_status(
        self, method: str, response: httpx.Response, statuses: frozenset[int] = REST_RETRY_STATUS
    ) -> None:
        """Raise :class:`Retry` for an answer worth asking again."""
        status = response.status_code
        if status in statuses:
            wait = retry_after(response.headers.get("retry-after"), self.policy.max_retry_after)
            error = status_error(method, response.request.url, status, _error_detail(response))
            raise Retry(f"HTTP {status}", error, wait)

    def call(self, shown: str, send: Send, kind: type[W], *, cache: CacheControl = "use") -> W:
        """``GET`` through one generated operation: its parsed answer when that is a ``kind``.

        Retried on 429/502/503/504 and connection errors; an error status is an
        :class:`HTTPError` (401/403 an :class:`AuthenticationError`), a body that does not fit
        the contract a :class:`ContractError`, both naming the URL (``shown`` until a request
        is sent).
        """

        def attempt(number: int) -> W:
            self._local.cache = cache
            self._local.response = None
            answer: Response[Any] | None = None
            misfit: BaseException | None = None
            try:
                answer = send(self.api)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                error = transport_error(exc, "GET", shown)
                if isinstance(exc, httpx.TransportError) and not isinstance(
                    exc, httpx.UnsupportedProtocol
                ):
                    raise Retry(type(exc).__name__, error) from None
                raise error from None
            except OneSdkError:  # e.g. AuthenticationError from the re-login
                raise
            except _MISFITS as exc:
                misfit = exc  # the generated parser refused the body; the status decides below
            response: httpx.Response | None = self._local.response
            if response is None:
                raise ContractError(f"GET {public_url(shown)}: no answer was received")
            url = public_url(response.request.url)
            self._retry_status("GET", response)
            status = response.status_code
            if status >= 400:
                raise status_error("GET", url, status, _error_detail(response))
            if isinstance(misfit, json.JSONDecodeError):
                raise ContractError(
                    f"GET {url}: expected JSON, got "
                    f"{response.headers.get('content-type', 'no content type')}"
                ) from None
            if misfit is not None:
                raise ContractError(
                    f"GET {url}: the answer does not fit the contract: {redact(repr(misfit)[:200])}"
                ) from None
            parsed = answer.parsed if answer is not None else None
            if not isinstance(parsed, kind):
                raise ContractError(
                    f"GET {url}: HTTP {status} without a {kind.__name__} body "
                    f"(got {type(parsed).__name__})"
                )
            return parsed

        return with_retries(attempt, self.policy, what=f"GET {shown}", sleep=self._sleep)

    def page(
        self, path: str, send: Callable[..., Response[Any]], model: type[WirePage[W]],
        params: QueryParams, arguments: dict[str, Any],
    ) -> tuple[int, list[W]]:  # fmt: skip
        """One page of a list endpoint: the server's ``count`` and the records, as the
        generated client parsed them."""
        found = self.call(self.url(path, params), lambda api: send(client=api, **arguments), model)
        return found.count, list(found.results)

    # the untyped layer, for RestRepository.rest only ----------------------------------------
    def request(
        self, method: str, path: str, params: QueryParams | None = None, *, body: object = None,
        cache: CacheControl = "use", expiry: dt.timedelta | None = None,
        files: Mapping[str, Any] | None = None,
    ) -> httpx.Response:  # fmt: skip
        """One request, retried on 429/502/503/504 and connection errors; raises on >= 400.

        ``body`` is sent as JSON (as form fields beside ``files``, a multipart upload);
        ``cache`` and ``expiry`` say how a GET uses the REST cache. A POST is retried only
        when the server cannot have acted on it (429, 503, no connection made), so a retry
        never creates a record twice.
        """
        once = method.upper() == "POST"  # not idempotent
        statuses = _UNPROCESSED_STATUS if once else REST_RETRY_STATUS
        shown = self.url(path, params)

        def attempt(number: int) -> httpx.Response:
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
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                error = transport_error(exc, method, shown)
                retry = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout) or (
                    isinstance(exc, httpx.TransportError)
                    and not isinstance(exc, httpx.UnsupportedProtocol)
                    and not once
                )
                if retry:
                    raise Retry(type(exc).__name__, error) from None
                raise error from None
            finally:
                self._local.expiry = None
            self._retry_status(method, response, statuses)
            if response.status_code >= 400:
                raise status_error(method, shown, response.status_code, _error_detail(response))
            if method.upper() != "GET" and self.rest_cache is not None:
                # the record's cached read is stale now (lists holding it are left to expire)
                self.rest_cache.forget(str(response.request.url.copy_with(query=None)))
            return response

        return with_retries(attempt, self.policy, what=f"{method} {shown}", sleep=self._sleep)

    def get_json(self, path: str, params: QueryParams | None = None) -> JsonValue:
        """GET ``path`` and decode JSON; a non-JSON success is a :class:`ContractError`."""
        response = self.request("GET", path, params)
        try:
            value: JsonValue = response.json()
        except (ValueError, RecursionError, UnicodeDecodeError):
            raise ContractError(
                f"GET {public_url(self.url(path, params))}: expected JSON, got "
                f"{response.headers.get('content-type', 'no content type')}"
            ) from None
        return value


# ---------------------------------------------------------------------------------------------
# pagination
#: one page of a list endpoint for the given filters (with ``limit``/``offset``): the server's
#: count and the page's records
PageFetch: TypeAlias = Callable[[QueryParams], tuple[int, list[T]]]


class Paginated(Sequence[T], Generic[T]):
    """A lazily fetched list of Alyx records: JSON objects, or the generated client's models.

    ``len()`` (and :attr:`total`) is the server's ``count``; indexing or iterating fetches the
    missing pages with the first page's size as ``limit``. A ``count`` that changes between
    pages, or a page holding more or fewer records than the count promises, is a
    :class:`ContractError`: the result would be wrong or mix two database states.
    """

    def __init__(
        self,
        fetch: PageFetch[T] | None,
        path: str,
        params: QueryParams,
        first: tuple[int, list[T]],
    ) -> None:
        self._fetch = fetch
        self._path = path
        self._params = [(k, v) for k, v in params if k not in ("limit", "offset")]
        count, records = first
        if isinstance(count, bool) or not isinstance(count, int) or count < len(records):
            raise ContractError(f"GET {path}: paginated answer with a bad count {count!r}")
        if not records and count:
            raise ContractError(f"GET {path}: empty first page but count={count}")
        self.total = count
        self.page_size = max(len(records), 1)
        pages = -(-count // self.page_size)
        if fetch is not None and pages > MAX_PAGES:
            raise ContractError(
                f"GET {path}: {count} records in pages of {self.page_size} need {pages} "
                f"pages, more than {MAX_PAGES}; narrow the query"
            )
        self._raw: dict[int, T] = dict(enumerate(records))

    @classmethod
    def of(cls, records: Iterable[T]) -> Paginated[T]:
        """A fully known list (no server behind it)."""
        known = list(records)
        return cls(None, "", [], (len(known), known))

    def __len__(self) -> int:
        return self.total

    def __repr__(self) -> str:
        return f"<Paginated {self._path or 'list'}: {self.total} records, {len(self._raw)} fetched>"

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
        if index not in self._raw:
            self._fetch_page(index // self.page_size)
        return self._raw[index]

    def __iter__(self) -> Iterator[T]:
        for i in range(self.total):
            yield self[i]

    def raw(self) -> list[T]:
        """Every record as a list (fetching the missing pages)."""
        for page in range(-(-self.total // self.page_size)):
            if page * self.page_size not in self._raw:
                self._fetch_page(page)
        return [self._raw[i] for i in range(self.total)]

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
        expected = min(self.page_size, self.total - offset)
        if len(records) != expected:
            raise ContractError(
                f"GET {self._path}: the page at offset {offset} holds {len(records)} records; "
                f"count={self.total} promises {expected}"
            )
        self._raw.update(enumerate(records, start=offset))


def raw_page(answer: JsonValue, path: str) -> tuple[int, list[JsonObject]]:
    """The count and records of an untyped list answer (paginated or a plain list)."""
    if isinstance(answer, list):
        records = answer
        count = len(records)
    elif isinstance(answer, dict) and isinstance(answer.get("results"), list):
        found = answer.get("count")
        if isinstance(found, bool) or not isinstance(found, int):
            raise ContractError(f"GET {path}: paginated answer with a bad count {found!r}")
        records = cast(list[JsonValue], answer["results"])
        count = found
    else:
        raise ContractError(f"GET {path}: expected a list or a paginated object")
    if not all(isinstance(r, dict) for r in records):
        raise ContractError(f"GET {path}: a result is not a JSON object")
    return count, cast(list[JsonObject], records)
