"""Code run in child processes by the concurrency tests (importable, for the spawn start method)."""

from __future__ import annotations

import os
import random
import signal
import sys
import warnings
from collections.abc import Callable
from pathlib import Path


def shared_cache_worker(root: str, iterations: int, seed: int) -> dict[str, int]:
    """Load, query, load datasets, save and refresh the cache in ``root``; count what happened."""
    from onesdk import One
    from onesdk.errors import OneSdkWarning

    warnings.simplefilter("ignore", OneSdkWarning)
    rng = random.Random(seed)
    counts = {"loads": 0, "saves": 0, "refreshes": 0, "datasets": 0}
    for _ in range(iterations):
        one = One(root)
        counts["loads"] += 1
        eids = one.search()
        assert len(eids) == len(one.tables.sessions)
        ids = [str(i) for i in one.tables.datasets.column("id").to_pylist()]
        for did in rng.sample(ids, min(3, len(ids))):
            one.load_dataset_from_id(did)
            counts["datasets"] += 1
        one.save_cache(force=True)
        counts["saves"] += 1
        one.refresh_cache()
        counts["refreshes"] += 1
    return counts


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def killed_save(source: str, target: str, where: str) -> None:
    """Save the tables of ``source`` into ``target``, and SIGKILL this process at ``where``:
    'sessions-write' / 'datasets-write' (half-way through writing that table's temporary file),
    'between-renames' (after the first rename), 'info-write' (before cache_info.json is renamed).
    """
    import pyarrow.parquet as pq

    from onesdk import One

    one = One(source)
    real_write = pq.write_table
    real_replace = os.replace
    writes: list[object] = []
    replaces: list[object] = []

    def write(table: object, where_to: object, **kwargs: object) -> None:
        writes.append(where_to)
        kind = "sessions-write" if len(writes) == 1 else "datasets-write"
        if kind == where:
            real_write(table, where_to, **kwargs)  # type: ignore[arg-type]
            data = Path(str(where_to)).read_bytes()
            Path(str(where_to)).write_bytes(data[: len(data) // 2])
            _die()
        real_write(table, where_to, **kwargs)  # type: ignore[arg-type]

    def replace(src: object, dst: object) -> None:
        replaces.append(dst)
        if where == "info-write" and str(dst).endswith("cache_info.json"):
            _die()
        real_replace(src, dst)  # type: ignore[arg-type]
        if where == "between-renames" and len(replaces) == 1:
            _die()

    pq.write_table = write  # type: ignore[assignment]
    os.replace = replace  # type: ignore[assignment]
    one.save_cache(save_dir=target, force=True)
    print("saved without being killed")


if __name__ == "__main__":
    killed_save(sys.argv[1], sys.argv[2], sys.argv[3])


def alternate_saves(root: str, first: str, second: str, seconds: float, stop_file: str) -> int:
    """Save the tables of ``first`` then of ``second`` into ``root``, over and over, until
    ``stop_file`` exists or ``seconds`` have passed."""
    import time
    from pathlib import Path

    from onesdk._cache import read_tables, write_tables

    pairs = [read_tables(Path(first)), read_tables(Path(second))]
    saves = 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop and not Path(stop_file).exists():
        write_tables(pairs[saves % 2], Path(root))
        saves += 1
    return saves


def _limit_file_size(limit: int) -> None:
    """Make every write past ``limit`` bytes fail with EFBIG (a full disk, for this process)."""
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def full_disk(case: str, root: str, url: str, limit: int) -> str:
    """Run ``case`` with writes limited to ``limit`` bytes; the outcome's name (or 'bug ...')."""
    return disk_case(case, root, url, lambda: _limit_file_size(limit))


def disk_case(case: str, root: str, url: str, restrict: Callable[[], None] = lambda: None) -> str:
    """Run ``case`` on the cache dir ``root`` once ``restrict()`` has taken the disk away (a
    read-only mount is made by the parent, before this process starts); the outcome's name,
    ``answer ...`` for a good answer, or ``bug ...`` for an error outside ``onesdk.errors``."""
    from pathlib import Path

    from onesdk import One
    from onesdk._http._auth import Credentials, TokenAuth
    from onesdk._http._rest_cache import RestCache
    from onesdk._remote._rest import AlyxHttp, RestRepository
    from onesdk._settings import FileTokenStore, Secret
    from onesdk._store._download import Downloader, DownloadTask, RetryPolicy
    from onesdk.errors import OneSdkError

    warnings.simplefilter("ignore")
    one = One(root) if case in ("save_cache", "save_loaded_ids") else None
    if one is not None and case == "save_loaded_ids":
        one.record_loaded = True
        one.load_dataset_from_id(str(one.tables.datasets.column("id")[0]))
    restrict()
    try:
        if case == "search":
            found = One(root, mode="local")
            eids = found.search()
            frames = [found.list_datasets(e) for e in eids]
            first = found.load_dataset(eids[0], frames[0][0])
            return f"answer {len(eids)} {sum(map(len, frames))} {type(first).__name__}"
        if case == "lock_save":
            found = One(root, mode="local")
            found.lock(found.search()[0]).save(Path(root) / "analysis.lock")
            return "ok"
        if one is not None and case == "save_loaded_ids":
            one.save_loaded_ids()
        elif one is not None:
            one.save_cache(force=True)
        elif case == "cache_zip":
            from onesdk._remote._tables import extract_tables

            extract_tables(Path(url), Path(root))
        elif case == "rest_cache":
            auth = TokenAuth(url, Credentials("me"), token=Secret("t" * 12), store=FileTokenStore())
            cache = RestCache(Path(root) / ".rest")
            with RestRepository(AlyxHttp(url, auth=auth, rest_cache=cache)) as repo:
                return f"answer {len(repo.rest('sessions', 'list'))}"
        else:
            with Downloader(policy=RetryPolicy(attempts=1), silent=True) as dl:
                dl.fetch(DownloadTask(f"{url}/big.bin", Path(root) / "big.bin", size=1 << 20))
    except OneSdkError as exc:
        return type(exc).__name__
    except Exception as exc:
        return f"bug {exc!r}"
    return "ok"
