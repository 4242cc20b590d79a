"""The store: where a facade's dataset files are, checked, and downloaded when missing.

The facade selects dataset rows through its repository; the store turns them into local paths
below the cache dir. A local store only looks: a missing file is None, a size or md5 that
differs from the record is logged. An online store (one with a file server) downloads what is
missing or damaged (see :mod:`onesdk._store._download`: verified, resumable, locked) and falls
back to a local copy, with a warning, when a download fails.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from onesdk.alf._alfpath import ALFPath
from onesdk.errors import OfflineError, OfflineWarning, UnsafePathError

if TYPE_CHECKING:
    from onesdk._http._file_auth import FileServerAuth

__all__ = ["FileRecord", "Store", "local_path"]

_log = logging.getLogger("onesdk.store")


@dataclasses.dataclass(frozen=True)
class FileRecord:
    """One dataset's file as the tables describe it."""

    id: str
    session: PurePath  # the session folder, relative to the cache dir
    rel_path: str  # relative to the session folder
    size: int | None
    md5: str | None


def local_path(session_dir: Path, record: Mapping[str, object]) -> ALFPath:
    """Where a dataset record's file is, refusing a rel_path that could leave its session."""
    rel = str(record["rel_path"])
    parts = rel.split("/")
    unsafe = (
        not rel
        or rel.startswith("/")
        or "\\" in rel
        or "\0" in rel
        or ":" in parts[0]
        or any(p in ("", ".", "..") for p in parts)
    )
    if unsafe:
        raise UnsafePathError(
            f"dataset {record.get('id')}: rel_path {rel!r} is not a relative path inside its "
            "session folder; the cache table is corrupt or hostile"
        )
    return ALFPath(session_dir, rel)  # download_only loads return ALFPath, as one-api 3.x


class Store:
    """Local paths of dataset files below ``cache_dir``; downloads when ``online()`` is true.

    ``auth`` signs the downloads for the file server (it signs nothing for another host); the
    downloader has it explain an HTTP 401.
    """

    def __init__(
        self,
        cache_dir: Path,
        *,
        data_server: str | None = None,
        online: Callable[[], bool] = lambda: False,
        silent: bool = False,
        n_threads: int = 4,
        timeout: float = 30.0,
        auth: FileServerAuth | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.auth = auth
        self.timeout = timeout  # each download answer completes within it (see RetryPolicy)
        self.data_server = data_server
        self._online = online
        self.silent = silent
        self.n_threads = n_threads

    def __repr__(self) -> str:
        from onesdk._http._runtime import public_url

        server = public_url(self.data_server) if self.data_server else None
        return f"Store({str(self.cache_dir)!r}, data_server={server!r})"

    def files(self, records: Sequence[FileRecord], check_hash: bool) -> list[ALFPath | None]:
        """The local file of each record (None where missing and not downloadable)."""
        if not self._online():
            return [self._checked(r, check_hash) for r in records]
        return self._fetched(records, check_hash)

    def _path(self, record: FileRecord) -> ALFPath:
        return local_path(
            self.cache_dir / record.session, {"id": record.id, "rel_path": record.rel_path}
        )

    def _checked(self, record: FileRecord, check_hash: bool) -> ALFPath | None:
        from onesdk._hashing import file_md5

        path = self._path(record)
        if not path.is_file():
            return None
        if record.size is not None and path.stat().st_size != record.size:
            _log.warning("local file size mismatch on dataset: %s", path)
        elif check_hash and record.md5 and file_md5(path) != record.md5:
            _log.warning("local md5 mismatch on dataset: %s", path)
        return path

    def _fetched(self, records: Sequence[FileRecord], check_hash: bool) -> list[ALFPath | None]:
        """Download what is missing or damaged: a size that differs from the record, or with
        ``check_hash`` an md5 (the downloader checks both in one read and fetches only what
        is wrong)."""
        from onesdk._store._download import (
            Downloader,
            DownloadTask,
            RetryPolicy,
            safe_target,
            url_for,
        )

        files = [self._checked(r, check_hash=False) for r in records]
        tasks: list[tuple[int, DownloadTask]] = []
        for i, (record, path) in enumerate(zip(records, files, strict=True)):
            size_ok = path is not None and (
                record.size is None or path.stat().st_size == record.size
            )
            if size_ok and not (check_hash and record.md5):
                continue
            session = record.session.as_posix()
            target = safe_target(self.cache_dir, session, record.rel_path)
            url = url_for(self._server(), f"{session}/{record.rel_path}", record.id)
            tasks.append((i, DownloadTask(url, target, record.size, record.md5 or None)))
        if not tasks:
            return files
        policy = RetryPolicy(timeout=self.timeout)
        with Downloader(
            silent=self.silent, n_threads=self.n_threads, policy=policy, auth=self.auth
        ) as dl:
            outcomes = dl.fetch_each([t for _, t in tasks])
        for (i, _), outcome in zip(tasks, outcomes, strict=True):
            error = outcome.error
            if error is None:
                files[i] = ALFPath(outcome.path) if outcome.path else None
            elif files[i] is not None:
                warnings.warn(f"{error}; using the local copy {files[i]}", OfflineWarning, 4)
            else:
                raise error
        return files

    def _server(self) -> str:
        if not self.data_server:
            raise OfflineError(
                "no file server configured: pass http_data_server= to download missing files"
            )
        return self.data_server
