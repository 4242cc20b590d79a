"""Functions the Dask tests run on workers (importable by worker processes)."""

from __future__ import annotations

import hashlib
import os
import time

from onesdk._facade._one import One


def trials_digest(one: One, eid: str) -> tuple[int, str]:
    """Downloads the session's trials object: its length and an md5 over its files."""
    paths = one.load_object(eid, "trials", query_type="local", download_only=True)
    trials = one.load_object(eid, "trials", query_type="local")
    digest = hashlib.md5()
    for path in sorted(paths):
        digest.update(path.name.encode() + path.read_bytes())
    return len(trials.to_df()), digest.hexdigest()


def worker_identity(one: One, eid: str) -> tuple[int, int]:
    """The worker process and the instance it ran on."""
    return os.getpid(), id(one)


def fails_on_odd(one: One, eid: str) -> str:
    if int(eid[-1], 16) % 2:
        raise RuntimeError(f"an analysis bug on {eid}")
    return eid


def announce_then_download(one: One, eid: str) -> tuple[int, str]:
    """Writes the worker's pid where the test can see it, then downloads the trials table."""
    marker = one.cache_dir.parent / "pids"
    marker.mkdir(exist_ok=True)
    (marker / str(os.getpid())).write_text(eid)
    paths = one.load_object(eid, "trials", query_type="local", download_only=True)
    return os.getpid(), hashlib.md5(b"".join(p.read_bytes() for p in sorted(paths))).hexdigest()


def slow_download(one: One, eid: str) -> str:
    time.sleep(0.2)
    paths = one.load_object(eid, "trials", query_type="local", download_only=True)
    return hashlib.md5(b"".join(p.read_bytes() for p in sorted(paths))).hexdigest()


def search_subject(one: One, eid: str) -> list[str]:
    """A remote search on the worker: needs the session token."""
    return [str(e) for e in one.search(subject="KS051")]


def is_silent(one: One, eid: str) -> bool:
    """Whether the worker's instance draws no progress bars."""
    return one.silent and one._store.silent
