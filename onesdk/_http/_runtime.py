"""The one HTTP runtime of onesdk: retries, Retry-After, bounded answers and error mapping.

Every Alyx call (:mod:`onesdk.alyx`, the REST repository's
:class:`~onesdk._http._alyx.AlyxHttp`) and every download (:mod:`onesdk._store._download`)
goes through these pieces, so they agree:

* :func:`retry_after` is the only parser of ``Retry-After`` (seconds or an HTTP date); a malformed
  value means "no advice", never an exception.
* :func:`with_retries` is the only retry loop: an attempt raises :class:`Retry` for a transient
  failure (carrying the error to raise when the attempts run out); waits follow the server's
  ``Retry-After`` (capped) or a jittered exponential backoff, within a total deadline.
* :func:`transport_error` and :func:`status_error` are the one error mapping: an unreachable
  server is an :class:`~onesdk.errors.OfflineError`, too many redirects a
  :class:`~onesdk.errors.RemoteError`, an undecodable body a :class:`~onesdk.errors.ContractError`,
  401/403 an :class:`~onesdk.errors.AuthenticationError`, any other error status an
  :class:`~onesdk.errors.HTTPError`; server text in messages is redacted and cut short.
* :class:`BoundedTransport` reads each answer whole with two bounds: :data:`MAX_BODY_BYTES` of
  decoded body (a gzip bomb stops there) and :func:`too_slow`: past the request's timeout an
  answer must average :data:`MIN_RATE` (a server that drips a byte at a time stops there).
"""

from __future__ import annotations

import dataclasses
import email.utils
import math
import random
import time
from collections.abc import Callable
from typing import Final, TypeVar

import httpx

from onesdk._log import get_logger, redact
from onesdk.errors import (
    AuthenticationError,
    ContractError,
    HTTPError,
    OfflineError,
    OneSdkError,
    RemoteError,
)

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_REDIRECTS",
    "MIN_RATE",
    "REST_RETRY_STATUS",
    "BoundedTransport",
    "Retry",
    "RetryPolicy",
    "public_url",
    "retry_after",
    "slow_message",
    "status_error",
    "too_slow",
    "transport_error",
    "with_retries",
]

_log = get_logger("onesdk.http")
T = TypeVar("T")

#: the most bytes of one decoded Alyx answer (a page of records is far below this)
MAX_BODY_BYTES: Final = 64 << 20
#: after its first ``timeout`` seconds an answer must keep this average rate (bytes/s)
MIN_RATE: Final = 64 << 10
#: redirects followed within one origin before giving up
MAX_REDIRECTS: Final = 5
#: statuses worth asking Alyx again for (a GET is idempotent)
REST_RETRY_STATUS: Final = frozenset({429, 502, 503, 504})
_DETAIL_CHARS: Final = 200


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently transient failures are retried.

    ``timeout`` bounds each answer (connecting, then the whole body); ``attempts`` times it,
    plus the waits (each at most ``max_retry_after``), bounds a call.
    """

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 10.0
    max_retry_after: float = 30.0
    timeout: float = 30.0
    lock_timeout: float = 600.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter for retry number ``attempt`` (0-based)."""
        ceiling = min(self.max_backoff, self.backoff * (2 ** min(attempt, 32)))
        return float(random.uniform(ceiling / 2, ceiling))  # jitter, not cryptography

    @property
    def budget(self) -> float:
        """The most seconds a call with all its attempts and waits may take."""
        return self.attempts * self.timeout + (self.attempts - 1) * self.max_retry_after


def too_slow(started: float, received: int, timeout: float) -> bool:
    """Whether an answer begun at ``started`` (monotonic) with ``received`` bytes so far is
    too slow: past ``timeout`` seconds plus the time :data:`MIN_RATE` needs for those bytes.

    This bounds a server that drips a byte at a time (each read within the timeout) without
    cutting a large file on a slow but steady link.
    """
    return time.monotonic() - started > timeout + received / MIN_RATE


def slow_message(shown: str, timeout: float) -> str:
    return f"{shown}: the answer slowed below {MIN_RATE >> 10} KiB/s after {timeout:g} s"


def retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (capped), or None when it gives none.

    Accepts delta-seconds and HTTP dates; anything else (negative, huge, malformed, not ASCII)
    is ignored rather than trusted or raised.
    """
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return min(float(text[:12]), cap)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    try:
        wait = when.timestamp() - time.time()
    except (OverflowError, OSError, ValueError):
        return None
    return max(0.0, min(wait, cap)) if math.isfinite(wait) else None


class Retry(Exception):
    """A transient failure of one attempt; ``give_up`` is raised when no attempt is left."""

    def __init__(self, reason: str, give_up: OneSdkError, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.give_up = give_up
        self.wait = wait


def with_retries(
    attempt: Callable[[int], T],
    policy: RetryPolicy,
    *,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``attempt(n)`` until it returns, retrying on :class:`Retry` as ``policy`` allows.

    Gives up (raising the failure's ``give_up``) after ``policy.attempts`` attempts, or earlier
    when the next wait would pass the call's time budget.
    """
    deadline = time.monotonic() + policy.budget
    for number in range(policy.attempts):
        try:
            return attempt(number)
        except Retry as exc:
            wait = exc.wait if exc.wait is not None else policy.delay(number)
            last = number == policy.attempts - 1
            if last or time.monotonic() + wait > deadline:
                raise exc.give_up from None
            _log.info("%s: %s; retrying in %.2f s", what, exc.reason, wait)
            sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def public_url(url: str | httpx.URL) -> str:
    """``url`` without user:password@ (fit for messages and logs)."""
    try:
        parsed = httpx.URL(str(url))
        if parsed.userinfo:
            parsed = parsed.copy_with(username=None, password=None)
        return redact(str(parsed))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<unparsable URL>"


def detail_of(response: httpx.Response) -> str:
    """A short, redacted description of an error answer's body."""
    try:
        text = response.text
    except (httpx.HTTPError, UnicodeDecodeError, LookupError):
        return ""
    return redact(text[:_DETAIL_CHARS].strip())


def status_error(method: str, url: str | httpx.URL, status: int, detail: str = "") -> OneSdkError:
    """The error for an answer with error ``status`` (401/403: an authentication error)."""
    shown = public_url(url)
    detail = redact(detail[:_DETAIL_CHARS])
    if status in (401, 403):
        suffix = f": {detail}" if detail else ""
        return AuthenticationError(f"{method} {shown} returned HTTP {status}{suffix}")
    return HTTPError(method, shown, status, detail)


def transport_error(
    exc: httpx.HTTPError | httpx.InvalidURL, method: str, url: str | httpx.URL
) -> OneSdkError:
    """The onesdk error for an httpx failure of ``method url``."""
    shown = public_url(url)
    name = type(exc).__name__
    if isinstance(exc, httpx.TooManyRedirects):
        return RemoteError(f"{method} {shown}: more than {MAX_REDIRECTS} redirects")
    if isinstance(exc, httpx.DecodingError):
        return ContractError(f"{method} {shown}: the answer cannot be decoded ({name})")
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return RemoteError(f"cannot send {method} {shown[:_DETAIL_CHARS]}: {name}")
    if isinstance(exc, httpx.TransportError):
        host = httpx.URL(shown).host if shown.startswith("http") else shown
        return OfflineError(f"cannot reach {host} ({name}) for {method} {shown}")
    return RemoteError(f"{method} {shown}: {name}")


class BoundedTransport(httpx.BaseTransport):
    """Reads each answer of ``inner`` whole, within a byte bound and the request's timeout."""

    def __init__(
        self, inner: httpx.BaseTransport, *, max_body: int = MAX_BODY_BYTES, timeout: float
    ) -> None:
        self.inner = inner
        self.max_body = max_body
        self.timeout = timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.monotonic()
        response = self.inner.handle_request(request)
        shown = f"{request.method} {public_url(request.url)}"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            response.close()
            raise ContractError(f"{shown}: an answer of {declared} bytes (at most {self.max_body})")
        reader = httpx.Response(
            response.status_code, headers=response.headers, stream=response.stream, request=request
        )
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in reader.iter_bytes():
                size += len(chunk)
                if size > self.max_body:
                    raise ContractError(f"{shown}: the answer exceeds {self.max_body} bytes")
                if too_slow(started, size, self.timeout):
                    raise RemoteError(slow_message(shown, self.timeout))
                chunks.append(chunk)
        finally:
            reader.close()
        dropped = ("content-encoding", "content-length", "transfer-encoding")
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in dropped]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=b"".join(chunks),
            request=request,
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )

    def close(self) -> None:
        self.inner.close()
