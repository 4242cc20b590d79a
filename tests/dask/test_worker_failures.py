"""What a lost worker or a lost cluster leaves behind: never a damaged file under its final
name; a killed worker's task runs again elsewhere; a cluster gone mid-run is a ClusterError."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import distributed
import pytest

from onesdk.dask import map_sessions
from onesdk.errors import ClusterError
from tests.dask import _work
from tests.dask.conftest import corpus_instance, start_cluster
from tests.dask.test_map_sessions import _verified_files
from tests.replay import faults as f
from tests.replay.server import ReplayServer


def _wait_for(condition: object, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def test_a_worker_killed_mid_download_leaves_no_damaged_file_and_its_task_runs_elsewhere(
    replay: ReplayServer, config_home: Path, tmp_path: Path, shared_alyx: Path
) -> None:
    cache = tmp_path / "cache"
    one = corpus_instance(replay, cache, shared_alyx)
    eid = str(one.search(query_type="local")[0])
    replay.faults.add(lambda p: True, f.Trickle(256, 0.05), times=10_000, host="files")
    outcome: list[list[tuple[int, str]]] = []
    with start_cluster(tmp_path / "home") as cluster, distributed.Client(cluster) as client:
        runner = threading.Thread(
            target=lambda: outcome.append(
                map_sessions(one, [eid], _work.announce_then_download, client=client)
            )
        )
        runner.start()
        pids = tmp_path / "pids"

        def downloading() -> bool:
            return any(cache.rglob("*.part")) and any(pids.glob("*"))

        _wait_for(downloading)
        (announced,) = pids.glob("*")
        victim = int(announced.name)
        os.kill(victim, signal.SIGKILL)
        runner.join(timeout=120)
        assert not runner.is_alive()
    ((pid, digest),) = outcome[0]
    assert pid != victim
    _verified_files(cache, shared_alyx)
    serial = corpus_instance(replay, tmp_path / "serial", shared_alyx)
    assert digest == _work.announce_then_download(serial, eid)[1]


def test_a_cluster_that_goes_away_mid_run_is_a_cluster_error_and_the_cache_stays_sound(
    replay: ReplayServer, config_home: Path, tmp_path: Path, shared_alyx: Path
) -> None:
    cache = tmp_path / "cache"
    one = corpus_instance(replay, cache, shared_alyx)
    eids = [str(e) for e in one.search(query_type="local")][:10]
    # ten sessions of several 1 s file requests on two workers: still running when it closes
    replay.faults.add(lambda p: True, f.Delay(1.0), times=10_000, host="files")
    cluster = start_cluster(tmp_path / "home")
    client = distributed.Client(cluster)
    try:
        closer = threading.Timer(2.0, cluster.close)
        closer.start()
        with pytest.raises(ClusterError, match="went away"):
            map_sessions(one, eids, _work.trials_digest, client=client)
        closer.join()
    finally:
        client.close()
        cluster.close()
    replay.faults.clear()
    # files under their final names are whole; a .part may wait to be resumed
    for path in cache.rglob("*.part"):
        assert path.with_name(path.name.removesuffix(".part")).exists() is False
    with start_cluster(tmp_path / "home2") as again, distributed.Client(again) as client2:
        results = map_sessions(one, eids, _work.trials_digest, client=client2)
    serial = corpus_instance(replay, tmp_path / "serial", shared_alyx)
    assert results == [_work.trials_digest(serial, e) for e in eids]
    _verified_files(cache, shared_alyx)
