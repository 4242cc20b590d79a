"""Typed access to the Alyx REST API: a thin layer over the generated wire client.

>>> import onesdk.alyx
>>> token = onesdk.alyx.get_token("https://alyx.example.org", "me", password)  # doctest: +SKIP
>>> api = onesdk.alyx.client("https://alyx.example.org", token)  # doctest: +SKIP
>>> for session in onesdk.alyx.sessions(api, subject="KS051"):  # doctest: +SKIP
...     print(session.subject, session.start_time, session.projects)

:func:`client` builds the generated ``AuthenticatedClient`` (``Authorization: Token <token>``;
Alyx refuses ``Bearer``) or, without a token, a plain ``Client``. Every operation of the contract
is also available directly as ``onesdk_gen.alyx_client.api.<tag>.<operation_id>``; the helpers
here page through lists, turn error statuses into :mod:`onesdk.errors` exceptions and return the
domain models of :mod:`onesdk._models`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Final, TypedDict, TypeVar, Unpack, overload

import httpx
from onesdk_gen.alyx_client import AuthenticatedClient, Client
from onesdk_gen.alyx_client.api.auth_token import auth_token_create
from onesdk_gen.alyx_client.api.cache import cache_info_retrieve, cache_info_tag_retrieve
from onesdk_gen.alyx_client.api.datasets import datasets_list
from onesdk_gen.alyx_client.api.insertions import insertions_list, insertions_retrieve
from onesdk_gen.alyx_client.api.revisions import revisions_retrieve
from onesdk_gen.alyx_client.api.sessions import sessions_list, sessions_retrieve
from onesdk_gen.alyx_client.api.tags import tags_retrieve
from onesdk_gen.alyx_client.models import (
    AuthTokenRequest,
    AuthTokenResponse,
    CacheInfo,
    ErrorBody,
    InsertionDetail,
    PaginatedDatasetList,
    PaginatedInsertionList,
    PaginatedSessionList,
    QCName,
    SessionDetail,
    ValidationErrorBody,
)
from onesdk_gen.alyx_client.models import Revision as RevisionRecord
from onesdk_gen.alyx_client.models import Tag as TagRecord
from onesdk_gen.alyx_client.types import Response

from onesdk._http._alyx import MAX_PAGES
from onesdk._http._auth import same_origin_only
from onesdk._http._runtime import (
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
from onesdk._log import redact
from onesdk._models import (
    Dataset,
    Insertion,
    Revision,
    Session,
    SessionDetails,
    Tag,
    dataset_from_wire,
    insertion_from_wire,
    revision_from_wire,
    session_details_from_wire,
    session_from_wire,
    tag_from_wire,
)
from onesdk.errors import ArgumentError, AuthenticationError, ContractError, OfflineError

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_TIMEOUT",
    "AlyxClient",
    "AuthenticatedClient",
    "CacheInfo",
    "Client",
    "DatasetFilters",
    "InsertionFilters",
    "QCName",
    "SessionFilters",
    "cache_info",
    "client",
    "datasets",
    "get_token",
    "insertion",
    "insertions",
    "revision",
    "session_details",
    "sessions",
    "tag",
]

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for Alyx to connect and to answer."""

DEFAULT_PAGE_SIZE = 250
"""Records per page when listing (Alyx's own page size)."""

AlyxClient = AuthenticatedClient | Client
"""Either generated client: with a token, or anonymous."""

_T = TypeVar("_T")
_R = TypeVar("_R")


class SessionFilters(TypedDict, total=False):
    """Filters of ``GET /sessions`` (see schema/alyx-openapi.yaml for their meaning)."""

    subject: str
    nickname: str
    lab: str
    date_range: str
    number: int
    task_protocol: str
    projects: str
    project: str
    dataset_qc_lte: str
    datasets: str
    dataset_types: str
    performance_gte: float
    performance_lte: float
    users: str
    location: str
    django: str
    id: uuid.UUID
    tag: str
    qc: QCName
    extended_qc: str
    json: str
    histology: bool
    atlas_acronym: str
    atlas_id: float
    atlas_name: str


class DatasetFilters(TypedDict, total=False):
    """Filters of ``GET /datasets``."""

    session: uuid.UUID
    name: str
    collection: str
    revision: str
    qc: QCName
    tag: str
    default_dataset: bool
    exists: bool
    django: str
    id: uuid.UUID
    subject: str
    lab: str
    date: str
    experiment_number: str
    dataset_type: str


class InsertionFilters(TypedDict, total=False):
    """Filters of ``GET /insertions``."""

    session: uuid.UUID
    name: str
    model: str
    serial: str
    subject: str
    lab: str
    date: str
    experiment_number: str
    task_protocol: str
    project: str
    dataset_qc_lte: str
    datasets: str
    dataset_types: str
    tag: str
    atlas_acronym: str
    atlas_id: float
    atlas_name: str
    chronic_insertion: uuid.UUID
    id: uuid.UUID
    django: str


def _check_base_url(base_url: str) -> str:
    parsed = httpx.URL(base_url) if isinstance(base_url, str) else None
    if parsed is None or parsed.scheme not in {"http", "https"} or not parsed.host:
        raise ArgumentError("base_url", base_url, "an http(s) URL such as https://alyx.example.org")
    return base_url.rstrip("/")


def _check_timeout(timeout: float) -> httpx.Timeout:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ArgumentError("timeout", timeout, "a positive number of seconds")
    return httpx.Timeout(float(timeout))


@overload
def client(
    base_url: str, token: str, *, timeout: float = DEFAULT_TIMEOUT
) -> AuthenticatedClient: ...
@overload
def client(base_url: str, token: None = None, *, timeout: float = DEFAULT_TIMEOUT) -> Client: ...
def client(
    base_url: str, token: str | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> AuthenticatedClient | Client:
    """A client of the Alyx at ``base_url``; authenticated when a ``token`` is given.

    Redirects are not followed (``/cache.zip`` answers with one); the token never appears in
    the client's repr.
    """
    url = _check_base_url(base_url)
    limit = _check_timeout(timeout)
    headers = {"Accept": "application/json"}
    if token is not None and (not isinstance(token, str) or not token.strip()):
        raise ArgumentError("token", token, "a non-empty API token from POST /auth-token")
    runtime = {
        "transport": BoundedTransport(httpx.HTTPTransport(), timeout=float(timeout)),
        "event_hooks": {"request": [same_origin_only(url)], "response": [_remember]},
    }
    if token is None:
        return Client(base_url=url, timeout=limit, headers=headers, httpx_args=runtime)
    return AuthenticatedClient(
        base_url=url, token=token, timeout=limit, headers=headers, httpx_args=runtime
    )


def _detail(parsed: object, content: bytes) -> str:
    if isinstance(parsed, ErrorBody):
        return parsed.detail
    if isinstance(parsed, ValidationErrorBody):
        messages = {key: value for key, value in parsed.to_dict().items() if key != "status_code"}
        return "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in sorted(messages.items()))
    return redact(content[:200].decode("utf-8", errors="replace").strip())


_last = threading.local()  # the answer a generated parser last refused, per thread


def _remember(response: httpx.Response) -> None:
    _last.response = response


def _url(api: AlyxClient, path: str) -> str:
    return f"{str(api.get_httpx_client().base_url).rstrip('/')}/{path.lstrip('/')}"


_POLICY: Final = RetryPolicy(attempts=3, backoff=0.25, max_backoff=8.0)


def _call(
    api: AlyxClient, method: str, path: str, send: Callable[[], Response[_T]]
) -> Response[_T]:
    """``send()`` through the runtime's retries (429/502/503/504, unreachable server)."""
    url = _url(api, path)

    def attempt(number: int) -> Response[_T]:
        _last.response = None
        try:
            response = send()
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = transport_error(exc, method, url)
            if isinstance(exc, httpx.TransportError) and isinstance(error, OfflineError):
                raise Retry(type(exc).__name__, error) from None
            raise error from None
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError, OverflowError):
            refused: httpx.Response | None = getattr(_last, "response", None)
            if refused is not None and refused.status_code >= 400:
                status = refused.status_code
                raise status_error(method, url, status, detail_of(refused)) from None
            raise ContractError(
                f"{method} {public_url(url)}: response does not match the contract"
            ) from None
        status = int(response.status_code)
        if status in REST_RETRY_STATUS:
            wait = retry_after(response.headers.get("retry-after"), _POLICY.max_retry_after)
            detail = _detail(response.parsed, response.content)
            raise Retry(f"HTTP {status}", status_error(method, url, status, detail), wait)
        return response

    return with_retries(attempt, _POLICY, what=f"{method} {path}")


def _expect(api: AlyxClient, method: str, path: str, response: Response[_R], kind: type[_T]) -> _T:
    """The parsed body when the status is 200, else the matching onesdk error."""
    parsed = response.parsed
    status = int(response.status_code)
    if status == 200 and isinstance(parsed, kind):
        return parsed
    url = _url(api, path)
    if status == 200:
        raise ContractError(f"{method} {url}: unexpected body {type(parsed).__name__}")
    raise status_error(method, url, status, _detail(parsed, response.content))


def get_token(
    base_url: str, username: str, password: str, *, timeout: float = DEFAULT_TIMEOUT
) -> str:
    """Exchange credentials for an API token (``POST /auth-token``)."""
    body = AuthTokenRequest(username=username, password=password)
    with client(base_url, timeout=timeout) as anonymous:
        response = _call(
            anonymous,
            "POST",
            "/auth-token",
            lambda: auth_token_create.sync_detailed(client=anonymous, body=body),
        )
        status = int(response.status_code)
        if status == 400:
            raise AuthenticationError(
                f"Alyx at {base_url} refused the credentials of user {username!r}: "
                f"{_detail(response.parsed, response.content)}"
            )
        return _expect(anonymous, "POST", "/auth-token", response, AuthTokenResponse).token


def _pages(fetch: Callable[[int], tuple[int, Sequence[_T]]], path: str) -> Iterator[_T]:
    """Every record of a paginated list; ``fetch(offset)`` gives (count, page).

    The first page's ``count`` is a promise: a later count that differs, a page that is empty
    or runs past the count before it is reached, or more than ``MAX_PAGES`` pages, is a
    :class:`ContractError` rather than a silently short or long list.
    """
    offset = 0
    total: int | None = None
    for _ in range(MAX_PAGES):
        count, page = fetch(offset)
        if total is None:
            total = count
            if page and -(-total // len(page)) > MAX_PAGES:
                raise ContractError(
                    f"GET {path}: {total} records in pages of {len(page)} need more than "
                    f"{MAX_PAGES} pages; narrow the filters"
                )
        elif count != total:
            raise ContractError(
                f"GET {path}: the record count changed between pages ({total} -> {count})"
            )
        if offset + len(page) > total:
            raise ContractError(
                f"GET {path}: {offset + len(page)} records arrived but count={total}"
            )
        if not page and offset < total:
            raise ContractError(f"GET {path}: an empty page at offset {offset} of {total}")
        yield from page
        offset += len(page)
        if offset >= total:
            return
    raise ContractError(f"GET {path}: more than {MAX_PAGES} pages; narrow the filters")


def _check_page_size(page_size: int) -> int:
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ArgumentError("page_size", page_size, "a positive integer")
    return page_size


def sessions(
    api: AlyxClient, *, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[SessionFilters]
) -> Iterator[Session]:
    """Every session matching ``filters`` (``GET /sessions``), page by page.

    Server defect: with ``dataset_qc_lte`` a session can come back several times.
    """
    size = _check_page_size(page_size)

    def fetch(offset: int) -> tuple[int, Sequence[Session]]:
        response = _call(
            api,
            "GET",
            "/sessions",
            lambda: sessions_list.sync_detailed(client=api, limit=size, offset=offset, **filters),
        )
        page = _expect(api, "GET", "/sessions", response, PaginatedSessionList)
        return page.count, [session_from_wire(item) for item in page.results]

    return _pages(fetch, "/sessions")


def session_details(api: AlyxClient, eid: uuid.UUID | str) -> SessionDetails:
    """One session with its datasets and insertions (``GET /sessions/{id}``)."""
    key = _uuid("eid", eid)
    path = f"/sessions/{key}"
    response = _call(api, "GET", path, lambda: sessions_retrieve.sync_detailed(key, client=api))
    record = _expect(api, "GET", path, response, SessionDetail)
    return session_details_from_wire(record)


def datasets(
    api: AlyxClient, *, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[DatasetFilters]
) -> Iterator[Dataset]:
    """Every dataset matching ``filters`` (``GET /datasets``), page by page."""
    size = _check_page_size(page_size)

    def fetch(offset: int) -> tuple[int, Sequence[Dataset]]:
        response = _call(
            api,
            "GET",
            "/datasets",
            lambda: datasets_list.sync_detailed(client=api, limit=size, offset=offset, **filters),
        )
        page = _expect(api, "GET", "/datasets", response, PaginatedDatasetList)
        return page.count, [dataset_from_wire(item) for item in page.results]

    return _pages(fetch, "/datasets")


def insertions(
    api: AlyxClient, *, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[InsertionFilters]
) -> Iterator[Insertion]:
    """Every probe insertion matching ``filters`` (``GET /insertions``), page by page."""
    size = _check_page_size(page_size)

    def fetch(offset: int) -> tuple[int, Sequence[Insertion]]:
        response = _call(
            api,
            "GET",
            "/insertions",
            lambda: insertions_list.sync_detailed(client=api, limit=size, offset=offset, **filters),
        )
        page = _expect(api, "GET", "/insertions", response, PaginatedInsertionList)
        return page.count, [insertion_from_wire(item) for item in page.results]

    return _pages(fetch, "/insertions")


def insertion(api: AlyxClient, pid: uuid.UUID | str) -> Insertion:
    """One probe insertion (``GET /insertions/{id}``)."""
    key = _uuid("pid", pid)
    path = f"/insertions/{key}"
    response = _call(api, "GET", path, lambda: insertions_retrieve.sync_detailed(key, client=api))
    return insertion_from_wire(_expect(api, "GET", path, response, InsertionDetail))


def revision(api: AlyxClient, name: str) -> Revision:
    """One revision by name (``GET /revisions/{name}``)."""
    path = f"/revisions/{name}"
    response = _call(api, "GET", path, lambda: revisions_retrieve.sync_detailed(name, client=api))
    return revision_from_wire(_expect(api, "GET", path, response, RevisionRecord))


def tag(api: AlyxClient, name: str) -> Tag:
    """One tag by name (``GET /tags/{name}``)."""
    path = f"/tags/{name}"
    response = _call(api, "GET", path, lambda: tags_retrieve.sync_detailed(name, client=api))
    return tag_from_wire(_expect(api, "GET", path, response, TagRecord))


def cache_info(api: AlyxClient, tag: str | None = None) -> CacheInfo:
    """The description of the cache tables, of the whole database or of one ``tag``."""
    if tag is None:
        path = "/cache/info/"
        response = _call(api, "GET", path, lambda: cache_info_retrieve.sync_detailed(client=api))
        return _expect(api, "GET", path, response, CacheInfo)
    path = f"/cache/info/{tag}/"
    tagged = _call(api, "GET", path, lambda: cache_info_tag_retrieve.sync_detailed(tag, client=api))
    return _expect(api, "GET", path, tagged, CacheInfo)


def _uuid(argument: str, value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ArgumentError(argument, value, "a UUID") from None
