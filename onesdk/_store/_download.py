"""Safe, resumable, verified downloads from the data file server into the cache dir.

Each file goes to ``<target>.part`` and is renamed onto ``<target>`` only once its size and md5
match the record, so a half-written file is never visible under its final name. A ``.part``
left by an interrupted run (even a killed process) is resumed with an HTTP Range request. A
per-target file lock (``filelock``) lets several processes share one cache dir: the second
waits, then finds the verified file and skips the download.

Transient failures (connection errors, timeouts, 429 honouring ``Retry-After``, 5xx) are retried
with capped exponential backoff; a checksum mismatch deletes the file and downloads it once more,
then raises :class:`~onesdk.errors.ChecksumError`.

Paths come from the server and are not trusted: :func:`safe_target` rejects absolute paths,
``..``, NUL bytes and anything that would land outside the session folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import ssl
import stat
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO, Final
from uuid import UUID

import filelock
import httpx

from onesdk._hashing import md5_and_size
from onesdk._http._file_auth import FileServerAuth
from onesdk._http._runtime import (
    Retry,
    RetryPolicy,
    public_url,
    retry_after,
    slow_message,
    too_slow,
    transport_error,
    with_retries,
)
from onesdk._log import get_logger
from onesdk._store._progress import progress_bar
from onesdk.alf._path import uuid_in_name, without_uuid_in_name
from onesdk.errors import (
    ArgumentError,
    ChecksumError,
    DownloadError,
    FileServerAuthError,
    UnsafePathError,
)

__all__ = [
    "DownloadOutcome",
    "DownloadTask",
    "Downloader",
    "RetryPolicy",
    "add_uuid_to_name",
    "download_client",
    "plain_file_name",
    "remove_uuid_from_name",
    "safe_target",
    "url_for",
]

_log = get_logger("onesdk.download")
PART_SUFFIX: Final = ".part"
LOCK_SUFFIX: Final = ".lock"
_RETRY_STATUS: Final = frozenset({408, 425, 429, 500, 502, 503, 504})


# ---------------------------------------------------------------------------------------------
# names and paths
def add_uuid_to_name(rel_path: str, uuid: UUID | str) -> str:
    """``rel_path`` with the dataset UUID before the extension, as the file server names files.

    A name that already carries a UUID is returned unchanged.
    """
    path = PurePosixPath(rel_path)
    if uuid_in_name(path.name):
        return rel_path
    if not path.suffix:
        raise ArgumentError("rel_path", rel_path, "a file name with an extension")
    return str(path.with_name(f"{path.stem}.{UUID(str(uuid))}{path.suffix}"))


def remove_uuid_from_name(rel_path: str) -> str:
    """``rel_path`` without a UUID before the extension (local files carry none)."""
    path = PurePosixPath(rel_path)
    return str(path.with_name(without_uuid_in_name(path.name)))


def url_for(base_url: str, rel_path: str, uuid: UUID | str | None = None) -> str:
    """The file server URL of ``rel_path`` below ``base_url`` (UUID added when given)."""
    name = add_uuid_to_name(rel_path, uuid) if uuid is not None else rel_path
    return f"{base_url.rstrip('/')}/{urllib.parse.quote(name.lstrip('/'))}"


def _check_rel(rel_path: str, argument: str) -> PurePosixPath:
    if not isinstance(rel_path, str):
        raise UnsafePathError(f"{argument} must be a string, got {type(rel_path).__name__}")
    shown = repr(rel_path.replace("\x00", "\\x00"))
    if "\x00" in rel_path:
        raise UnsafePathError(f"{argument}={shown} contains a NUL byte")
    if "\\" in rel_path:
        raise UnsafePathError(f"{argument}={shown} contains a backslash")
    path = PurePosixPath(rel_path)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", rel_path):
        raise UnsafePathError(f"{argument}={shown} is absolute; expected a relative path")
    if ".." in path.parts:
        raise UnsafePathError(f"{argument}={shown} contains '..'")
    return path


def plain_file_name(name: str) -> bool:
    """Whether ``name`` (the decoded last part of a URL) is one file name on every OS: not empty,
    no ``.``/``..``, no separator, drive or NUL byte, so ``folder / name`` stays in ``folder``."""
    if name in ("", ".", "..") or "\x00" in name:
        return False
    windows = PureWindowsPath(name)
    return PurePosixPath(name).parts == (name,) and windows.parts == (name,) and not windows.drive


def safe_target(root: Path, session_path: str, rel_path: str) -> Path:
    """The local file for dataset ``rel_path`` of session ``session_path`` below ``root``.

    Raises :class:`UnsafePathError` when either part is absolute, contains ``..``, NUL bytes or
    backslashes, or would resolve (following symlinks) outside the session folder.
    """
    session = _check_rel(session_path, "session_path")
    rel = _check_rel(rel_path, "rel_path")
    if not rel.parts:
        raise UnsafePathError(f"rel_path={rel_path!r} is empty")
    session_dir = (root / session).resolve()
    target = (session_dir / rel).resolve()
    if not target.is_relative_to(session_dir) or target == session_dir:
        raise UnsafePathError(f"rel_path={rel_path!r} escapes the session folder {session_path!r}")
    return root / session / rel


# ---------------------------------------------------------------------------------------------
# tasks and policy
@dataclasses.dataclass(frozen=True)
class DownloadTask:
    """One file to fetch: where from, where to, and what it must be.

    ``replace``: fetch even when ``target`` exists and passes the checks; the old file stays
    in place until the new one is complete. ``lock``: the file lock that serialises processes
    fetching ``target`` (default: a hidden ``.<name>.lock`` beside it).
    """

    url: str
    target: Path
    size: int | None = None
    md5: str | None = None
    replace: bool = False
    lock: Path | None = None

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ArgumentError("url", public_url(self.url), "an http(s) URL")
        if self.size is not None and self.size < 0:
            raise ArgumentError("size", self.size, "a non-negative byte count")
        if self.md5 is not None and not re.fullmatch(r"[0-9a-fA-F]{32}", self.md5):
            raise ArgumentError("md5", self.md5, "32 hexadecimal digits")


@dataclasses.dataclass(frozen=True)
class DownloadOutcome:
    """What happened to one task: the verified path, or the error."""

    task: DownloadTask
    path: Path | None
    error: DownloadError | None


class _Mismatch(Exception):
    pass


def _verified(path: Path, task: DownloadTask) -> bool:
    if path.is_symlink() or not path.is_file():  # a planted link is never our file
        return False
    if task.size is not None and path.stat().st_size != task.size:
        return False
    if task.md5 is None:
        return True
    return md5_and_size(path)[0] == task.md5.lower()


class _Progress:
    """One byte-counting bar for a batch (see :mod:`onesdk._store._progress` for when it shows)."""

    def __init__(self, total: int, silent: bool) -> None:
        self._bar = progress_bar(total=total or None, silent=silent)
        self._lock = threading.Lock()

    def add(self, nbytes: int) -> None:
        with self._lock:
            self._bar.update(nbytes)

    def close(self) -> None:
        self._bar.close()


_SSL: list[ssl.SSLContext] = []
_SSL_LOCK = threading.Lock()


def _ssl_context() -> ssl.SSLContext:
    """httpx's default verifying context, made once per process: making one reads the CA
    bundle (about 0.1 s of CPU), which a Downloader per load would pay on every load."""
    with _SSL_LOCK:
        if not _SSL:
            _SSL.append(httpx.create_ssl_context())
        return _SSL[0]


def download_client(
    policy: RetryPolicy,
    n_threads: int,
    *,
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    request_hooks: Sequence[Callable[[httpx.Request], None]] = (),
) -> httpx.Client:
    """The HTTP client a :class:`Downloader` makes for itself: the policy's timeouts, a pool
    for ``n_threads`` workers, redirects followed, the process's one SSL context.

    ``headers`` go with every request; each of ``request_hooks`` sees every request before it
    is sent, redirects included.
    """
    timeout = httpx.Timeout(policy.timeout, connect=min(10.0, policy.timeout))
    limits = httpx.Limits(max_connections=max(n_threads, 1) * 2)
    return httpx.Client(
        timeout=timeout,
        limits=limits,
        auth=auth,
        headers=dict(headers or {}),
        event_hooks={"request": list(request_hooks)},
        follow_redirects=True,
        verify=_ssl_context(),
    )


# ---------------------------------------------------------------------------------------------
class Downloader:
    """Fetches files into the cache dir with a bounded thread pool.

    ``client`` is shared by the worker threads (one is made when not given); ``auth`` is the
    file server's authentication, if it needs any (given with a ``client``, the client already
    carries it): a :class:`~onesdk._http._file_auth.FileServerAuth` also explains an HTTP 401.
    """

    def __init__(
        self,
        *,
        client: httpx.Client | None = None,
        n_threads: int = 4,
        policy: RetryPolicy | None = None,
        silent: bool = False,
        auth: httpx.Auth | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not isinstance(n_threads, int) or n_threads < 1:
            raise ArgumentError("n_threads", n_threads, "a positive int")
        self.policy = policy if policy is not None else RetryPolicy()
        self.n_threads = n_threads
        self.silent = silent
        self._own_client = client is None
        self._auth = auth
        self._client = client if client is not None else self._make_client(auth)
        self._sleep = sleep

    def _make_client(self, auth: httpx.Auth | None) -> httpx.Client:
        return download_client(self.policy, self.n_threads, auth=auth)

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # public --------------------------------------------------------------------------------
    def fetch(self, task: DownloadTask) -> Path:
        """Fetch one file (or find it already verified); return its path."""
        return self.fetch_all([task])[0]

    def fetch_all(self, tasks: Sequence[DownloadTask]) -> list[Path]:
        """Fetch every task; raise the first error once all have finished."""
        outcomes = self.fetch_each(tasks)
        for outcome in outcomes:
            if outcome.error is not None:
                raise outcome.error
        return [o.path for o in outcomes if o.path is not None]

    def fetch_each(self, tasks: Sequence[DownloadTask]) -> list[DownloadOutcome]:
        """Fetch every task; one outcome per task, in order, errors included."""
        if not tasks:
            return []
        progress = _Progress(sum(t.size or 0 for t in tasks), self.silent)
        try:
            if len(tasks) == 1:
                return [self._outcome(tasks[0], progress)]
            workers = min(self.n_threads, len(tasks))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="onesdk-dl") as pool:
                return list(pool.map(lambda t: self._outcome(t, progress), tasks))
        finally:
            progress.close()

    # one task ------------------------------------------------------------------------------
    def _outcome(self, task: DownloadTask, progress: _Progress) -> DownloadOutcome:
        try:
            return DownloadOutcome(task, self._fetch_locked(task, progress), None)
        except DownloadError as exc:
            return DownloadOutcome(task, None, exc)

    def _fetch_locked(self, task: DownloadTask, progress: _Progress) -> Path:
        try:
            return self._fetch_in(task, progress)
        except OSError as exc:  # read-only or full cache dir
            raise DownloadError(
                f"{task.target}: cannot write into the cache ({exc.strerror})"
            ) from None

    def _fetch_in(self, task: DownloadTask, progress: _Progress) -> Path:
        target = task.target
        target.parent.mkdir(parents=True, exist_ok=True)
        lock_path = task.lock or target.with_name(f".{target.name}{LOCK_SUFFIX}")
        if lock_path.is_symlink():  # filelock opens with O_TRUNC: never through a planted link
            _log.warning("%s is a symbolic link (planted?); removing it", lock_path)
            _unlink(lock_path)
        lock = filelock.FileLock(str(lock_path))
        try:
            with lock.acquire(timeout=self.policy.lock_timeout):
                if not task.replace and _verified(target, task):
                    _log.debug("already present and verified: %s", target)
                    progress.add(task.size or 0)
                    return target
                return self._fetch_verified(task, progress)
        except filelock.Timeout as exc:
            raise DownloadError(
                f"{target}: another process held its download lock for more than "
                f"{self.policy.lock_timeout:.0f} s"
            ) from exc

    def _fetch_verified(self, task: DownloadTask, progress: _Progress) -> Path:
        part = task.target.with_name(task.target.name + PART_SUFFIX)
        for checksum_try in range(2):
            self._fetch_part(task, part, progress)
            try:
                self._verify_part(task, part)
            except _Mismatch as exc:
                with contextlib.suppress(FileNotFoundError):
                    part.unlink()
                if checksum_try == 1:
                    raise ChecksumError(
                        f"{public_url(task.url)} -> {task.target.name}: {exc}"
                    ) from None
                _log.warning("%s: %s; downloading it again", task.target.name, exc)
                continue
            os.replace(part, task.target)
            _log.debug("downloaded %s", task.target)
            return task.target
        raise AssertionError("unreachable")  # pragma: no cover

    def _verify_part(self, task: DownloadTask, part: Path) -> None:
        # the file is read again only when there is a checksum to compare it with
        if task.md5 is None:
            digest, size = None, part.stat().st_size
        else:
            digest, size = md5_and_size(part)
        if task.size is not None and size != task.size:
            raise _Mismatch(f"size {size} differs from the record's {task.size}")
        if task.md5 is not None and digest != task.md5.lower():
            raise _Mismatch(f"md5 {digest} differs from the record's {task.md5}")

    def _fetch_part(self, task: DownloadTask, part: Path, progress: _Progress) -> None:
        with_retries(
            lambda attempt: self._stream(task, part, progress),
            self.policy,
            what=public_url(task.url),
            sleep=self._sleep,
        )

    def _give_up(self, task: DownloadTask, reason: str) -> DownloadError:
        return DownloadError(
            f"{public_url(task.url)}: gave up after {self.policy.attempts} attempts ({reason})"
        )

    def _stream(self, task: DownloadTask, part: Path, progress: _Progress) -> None:
        """One attempt: append to ``part`` from where it stops (Range), or start it afresh.

        Never writes more than the record's size, nor for longer than the policy's timeout.
        """
        have = _part_size(part)
        if task.size is not None and have > task.size:
            _unlink(part)
            have = 0
        if have and task.size is not None and have == task.size:
            return  # complete already; verification decides
        headers = {"Range": f"bytes={have}-"} if have else {}
        shown = public_url(task.url)
        started = time.monotonic()
        try:
            with self._client.stream("GET", task.url, headers=headers) as response:
                status = response.status_code
                if status in _RETRY_STATUS:
                    wait = retry_after(
                        response.headers.get("retry-after"), self.policy.max_retry_after
                    )
                    reason = f"HTTP {status}"
                    raise Retry(
                        reason, self._give_up(task, reason), wait if status in (429, 503) else None
                    )
                if status == 416 and have:
                    _unlink(part)
                    reason = "HTTP 416 for the partial file; starting over"
                    raise Retry(reason, self._give_up(task, reason), 0.0)
                if status == 401:  # never retried: the same credentials get the same answer
                    refused = FileServerAuthError(
                        f"GET {shown} returned HTTP 401: the server wants a user name and "
                        "password (HTTP basic authentication)"
                    )
                    # the file server's own auth says which credentials to set
                    auth = self._auth
                    raise auth.refused(refused) if isinstance(auth, FileServerAuth) else refused
                if status not in (200, 206):
                    raise DownloadError(f"GET {shown} returned HTTP {status}")
                append = status == 206 and have > 0 and _range_ok(response, have)
                if have and not append:
                    _log.debug("%s: no usable Range answer; restarting", shown)
                written = have if append else 0
                received = 0
                with _open_part(part, append) as handle:
                    for chunk in response.iter_bytes():  # as received: a drop keeps what came
                        written += len(chunk)
                        received += len(chunk)
                        if task.size is not None and written > task.size:
                            raise DownloadError(
                                f"GET {shown}: the server sent more than the record's "
                                f"{task.size} bytes"
                            )
                        if too_slow(started, received, self.policy.timeout):
                            reason = slow_message("the answer", self.policy.timeout)
                            raise Retry(reason, self._give_up(task, reason))
                        handle.write(chunk)
                        progress.add(len(chunk))
                    handle.flush()
                    os.fsync(handle.fileno())
        except httpx.TransportError as exc:
            reason = type(exc).__name__
            raise Retry(reason, self._give_up(task, reason)) from None
        except httpx.HTTPError as exc:
            raise DownloadError(str(transport_error(exc, "GET", task.url))) from None
        except OSError as exc:
            raise DownloadError(
                f"{task.target}: cannot write the download ({exc.strerror})"
            ) from None


def _part_size(part: Path) -> int:
    """The size of our partial file; a link or anything but a regular file is removed."""
    try:
        info = os.lstat(part)
    except FileNotFoundError:
        return 0
    if not stat.S_ISREG(info.st_mode):
        _log.warning("%s is not a regular file (planted?); removing it", part)
        _unlink(part)
        return 0
    return info.st_size


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _open_part(part: Path, append: bool) -> BinaryIO:
    """Open ``part`` for writing without following a symlink planted at its name."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    flags |= os.O_APPEND if append else os.O_TRUNC
    try:
        fd = os.open(part, flags, 0o644)
    except OSError as exc:
        if os.path.islink(part):
            raise UnsafePathError(
                f"{part} is a symbolic link; refusing to write through it"
            ) from None
        raise DownloadError(f"{part}: cannot open for writing ({exc.strerror})") from None
    return os.fdopen(fd, "ab" if append else "wb")


def _range_ok(response: httpx.Response, start: int) -> bool:
    """True when a 206 answer starts exactly where the partial file stops."""
    match = re.match(r"bytes (\d+)-", response.headers.get("content-range", ""))
    return match is not None and int(match.group(1)) == start
