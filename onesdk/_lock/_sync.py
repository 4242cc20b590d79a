"""``one.sync(lock)``: exactly the pinned files in the cache dir, each verified.

Every target is checked to lie inside its session folder before anything is written. Files
already present with the pinned size and md5 are kept (so a synced cache works offline);
the others are downloaded from the file server (this instance's, else the one the lock was
made with) through the verified downloader, which checks size and md5 before a file appears.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from onesdk._lock._core import Lock, PinnedDataset
from onesdk._log import get_logger
from onesdk.errors import ArgumentError, ChecksumError, OfflineError

if TYPE_CHECKING:
    from onesdk._facade._one import One

__all__ = ["sync"]

_log = get_logger("onesdk.lock")


def _present(path: Path, dataset: PinnedDataset) -> bool:
    """Whether ``path`` holds the pinned file (size, then md5, as far as the lock knows them)."""
    from onesdk._hashing import file_md5

    if not path.is_file():
        return False
    if dataset.size is not None and path.stat().st_size != dataset.size:
        return False
    return dataset.md5 is None or file_md5(path) == dataset.md5


def sync(one: One, lock: Lock) -> list[Path]:
    """Make every file of ``lock`` present and verified below ``one.cache_dir``."""
    from onesdk._store._download import Downloader, DownloadTask, safe_target, url_for

    if not isinstance(lock, Lock):
        raise ArgumentError("lock", lock, "an onesdk.Lock (one.lock(...) or Lock.load(path))")
    sessions = {s.eid: s.path for s in lock.sessions}
    # the lock's paths are checked relative paths inside their session (Lock validates them)
    targets = [Path(one.cache_dir, sessions[d.eid], d.rel_path) for d in lock.datasets]
    wanted = [
        (i, d)
        for i, (d, t) in enumerate(zip(lock.datasets, targets, strict=True))
        if not _present(t, d)
    ]
    if not wanted:
        _log.debug("all %d pinned files are present and verified", len(targets))
        return targets
    # every file to write, first: one that would land outside its session folder (through a
    # link) refuses the whole sync before anything is written
    for _, d in wanted:
        safe_target(one.cache_dir, sessions[d.eid], d.rel_path)
    server = one.http_data_server or lock.data_server
    if not server:
        listed = ", ".join(f"{sessions[d.eid]}/{d.rel_path}" for _, d in wanted[:5])
        raise OfflineError(
            f"{len(wanted)} pinned file(s) are missing or differ ({listed}) and no file server "
            "is configured: pass http_data_server= to ONE()"
        )
    tasks = [
        DownloadTask(
            url_for(server, f"{sessions[d.eid]}/{d.rel_path}", d.id),
            targets[i],
            d.size,
            d.md5,
        )
        for i, d in wanted
    ]
    with Downloader(silent=one.silent) as downloader:
        downloader.fetch_all(tasks)
    for i, d in wanted:  # the downloader verified what it knew; a lock without md5 is size only
        if not _present(targets[i], d):
            raise ChecksumError(f"{targets[i]}: does not match the lock after download")
    _log.info("synced %d of %d pinned files", len(wanted), len(targets))
    return targets
