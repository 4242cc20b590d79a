"""A disk cache of Alyx GET responses, shared safely by concurrent processes.

:class:`RestCache` stores one JSON file per (URL, sorted query) below ``<cache_dir>/.rest``:
the body, the status and the content type, and when it expires (default five minutes, as the
reference). Request headers are never stored, so no token reaches the disk. Writes go to a temp
file renamed into place under a per-entry file lock; a corrupt entry is dropped, not trusted.

:class:`CachingTransport` puts the cache under any httpx client (the generated Alyx client
included): GET answers with status 200 are served from and saved to the cache; when the server
cannot be reached, an expired entry is served with an :class:`~onesdk.errors.OfflineWarning`.
Per request, ``extensions={"onesdk_cache": "refresh"}`` bypasses and rewrites the entry and
``"skip"`` bypasses it entirely.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import time
import urllib.parse
import warnings
from pathlib import Path
from typing import Final, Literal

import filelock
import httpx

from onesdk._atomic import atomic_write_bytes
from onesdk._log import get_logger
from onesdk.errors import ArgumentError, OfflineWarning

__all__ = ["CacheControl", "CachedResponse", "CachingTransport", "RestCache", "cache_key"]

_log = get_logger("onesdk.rest_cache")
DEFAULT_EXPIRY: Final = dt.timedelta(minutes=5)
EXTENSION: Final = "onesdk_cache"
#: request extension: how long this GET answer stays fresh (None: the cache's default)
EXPIRY_EXTENSION: Final = "onesdk_cache_expiry"
CacheControl = Literal["use", "refresh", "skip"]
# Answers that are about credentials are never cached, whatever the method.
_NEVER: Final = ("/auth-token",)


def cache_key(method: str, url: str) -> str:
    """A stable key for a request: method, URL without fragment, query pairs sorted."""
    split = urllib.parse.urlsplit(url)
    query = urllib.parse.urlencode(sorted(urllib.parse.parse_qsl(split.query, True)))
    canonical = urllib.parse.urlunsplit((split.scheme, split.netloc, split.path, query, ""))
    return hashlib.sha256(f"{method.upper()} {canonical}".encode()).hexdigest()


class CachedResponse:
    """A cached answer: status, content type, body, and whether it has expired."""

    __slots__ = ("body", "content_type", "expires", "status")

    def __init__(self, status: int, content_type: str, body: bytes, expires: float) -> None:
        self.status = status
        self.content_type = content_type
        self.body = body
        self.expires = expires

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires


class RestCache:
    """GET responses on disk, keyed by URL and parameters, each entry with an expiry time."""

    def __init__(self, root: Path, *, expiry: dt.timedelta = DEFAULT_EXPIRY) -> None:
        if expiry < dt.timedelta(0):
            raise ArgumentError("expiry", expiry, "a non-negative timedelta")
        self.root = root
        self.expiry = expiry

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, method: str, url: str) -> CachedResponse | None:
        """The entry for this request (expired or not), or None; corrupt entries are dropped."""
        path = self._path(cache_key(method, url))
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return CachedResponse(
                int(raw["status"]),
                str(raw["content_type"]),
                str(raw["body"]).encode("utf-8"),
                float(raw["expires"]),
            )
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
            _log.debug("dropping corrupt REST cache entry %s (%s)", path.name, exc)
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def put(
        self,
        method: str,
        url: str,
        status: int,
        content_type: str,
        body: bytes,
        *,
        expiry: dt.timedelta | None = None,
    ) -> None:
        """Store one answer (text bodies only; anything else is not cached)."""
        if any(urllib.parse.urlsplit(url).path.rstrip("/").endswith(p) for p in _NEVER):
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return
        lifetime = (expiry if expiry is not None else self.expiry).total_seconds()
        entry = {
            "method": method.upper(),
            "url": url,
            "status": status,
            "content_type": content_type,
            "expires": time.time() + lifetime,
            "body": text,
        }
        path = self._path(cache_key(method, url))
        try:
            self._write(path, entry)
        except (OSError, filelock.Timeout) as exc:  # best effort: the answer itself is good
            _log.debug("not caching %s: %s", urllib.parse.urlsplit(url).path, exc)

    def _write(self, path: Path, entry: dict[str, object]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(path.with_suffix(".lock")))
        with lock.acquire(timeout=60):
            atomic_write_bytes(path, json.dumps(entry).encode("utf-8"))

    def forget(self, url: str) -> None:
        """Drop the GET answer cached for ``url`` (after a write changed what it holds)."""
        path = self._path(cache_key("GET", url))
        with contextlib.suppress(OSError):
            path.unlink()

    def clear(self) -> None:
        """Remove every entry (other processes may keep writing new ones)."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*.json"):
            with contextlib.suppress(OSError):
                path.unlink()


class CachingTransport(httpx.BaseTransport):
    """An httpx transport that answers cacheable GETs from a :class:`RestCache`."""

    def __init__(self, cache: RestCache, inner: httpx.BaseTransport | None = None) -> None:
        self.cache = cache
        self.inner = inner if inner is not None else httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        control = request.extensions.get(EXTENSION, "use")
        if request.method != "GET" or control == "skip":
            return self.inner.handle_request(request)
        url = str(request.url)
        cached = self.cache.get("GET", url) if control == "use" else None
        if cached is not None and not cached.expired:
            _log.debug("REST cache hit for %s", request.url.path)
            return self._replay(cached, request)
        try:
            response = self.inner.handle_request(request)
        except httpx.TransportError:
            if cached is None:
                raise
            warnings.warn(
                f"cannot reach {request.url.host}; using an expired cached answer for "
                f"{request.url.path}",
                OfflineWarning,
                stacklevel=2,
            )
            return self._replay(cached, request)
        if response.status_code != 200:
            return response
        body = response.read()
        response.close()
        content_type = response.headers.get("content-type", "application/json")
        expiry = request.extensions.get(EXPIRY_EXTENSION)
        self.cache.put("GET", url, 200, content_type, body, expiry=expiry)
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(200, headers=headers, content=body, request=request)

    @staticmethod
    def _replay(cached: CachedResponse, request: httpx.Request) -> httpx.Response:
        headers = {"content-type": cached.content_type, "x-onesdk-cache": "hit"}
        return httpx.Response(cached.status, headers=headers, content=cached.body, request=request)

    def close(self) -> None:
        self.inner.close()
