"""A LocalCluster of worker processes, the replay server, and an instance on its corpus."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import distributed
import pytest

from onesdk._facade._one_alyx import OneAlyx
from tests.remote.conftest import config_home
from tests.replay.fixtures import replay
from tests.replay.server import ReplayServer

__all__ = ["config_home", "replay"]

#: seconds each file request waits: a distant file server
FILE_DELAY = 0.05

#: scheduler options for a test cluster. Without a dashboard the scheduler still serves HTTP
#: (health, metrics), on port 8787 unless told otherwise; with that port taken (any other Dask
#: cluster on the machine) it warns, and the warning fails the test. A loopback port of the
#: system's choosing never collides.
LOOPBACK_HTTP: dict[str, object] = {"dashboard_address": "127.0.0.1:0"}


def start_cluster(home: Path, workers: int = 2) -> distributed.LocalCluster:
    """Worker processes (not threads) with a private HOME, small, quiet."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOME", str(home))
        env.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        env.setenv("XDG_CACHE_HOME", str(home / ".cache"))
        env.setenv("ONESDK_KEYRING", "0")
        return distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs=LOOPBACK_HTTP,
            memory_limit="1GiB",
            silence_logs=logging.ERROR,
        )


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[distributed.Client]:
    cluster = start_cluster(tmp_path_factory.mktemp("worker-home"))
    with cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


def corpus_instance(
    replay: ReplayServer, cache: Path, shared_alyx: Path, *, silent: bool = True
) -> OneAlyx:
    """An online instance whose cache dir holds the corpus tables and no data file yet."""
    cache.mkdir(parents=True, exist_ok=True)
    for name in ("sessions.pqt", "datasets.pqt", "cache_info.json"):
        shutil.copyfile(shared_alyx / "cache" / name, cache / name)
    return OneAlyx(
        username="root",
        password=replay.password,
        base_url=replay.alyx_url,
        cache_dir=cache,
        silent=silent,
        http_data_server=replay.files_url,
        mode="auto",
        cache_rest=None,
    )


def file_requests(replay: ReplayServer) -> list[str]:
    return [s.path for s in replay.seen if s.host == "files"]
