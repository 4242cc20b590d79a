"""map_sessions on a LocalCluster of worker processes, downloading from the replay server's
file tree with a delay per file request: the results of a serial run, each file fetched once
and verified, nothing half-written left behind."""

from __future__ import annotations

import collections
import hashlib
from pathlib import Path

import distributed
import pyarrow.parquet as pq
import pytest

from onesdk.dask import map_sessions
from onesdk.errors import ArgumentError, SessionError, SessionsFailed
from tests.dask import _work
from tests.dask.conftest import FILE_DELAY, corpus_instance, file_requests
from tests.replay import faults as f
from tests.replay.server import ReplayServer

N_SESSIONS = 8


def _verified_files(cache: Path, shared_alyx: Path) -> int:
    """Every data file below ``cache`` has its record's md5 (counts them); no .part is left."""
    sessions = pq.read_table(shared_alyx / "cache" / "sessions.pqt").to_pandas()
    folders = {
        str(eid): f"{s.lab}/Subjects/{s.subject}/{s.date}/{int(s.number):03d}"
        for eid, s in sessions.iterrows()
    }
    table = pq.read_table(shared_alyx / "cache" / "datasets.pqt").to_pandas().reset_index()
    hashes = {
        f"{folders[str(eid)]}/{rel}": digest
        for eid, rel, digest in zip(table["eid"], table["rel_path"], table["hash"], strict=True)
    }
    assert not list(cache.rglob("*.part"))
    count = 0
    for path in cache.rglob("*"):
        rel = path.relative_to(cache).as_posix()
        if not path.is_file() or rel.count("/") < 5 or path.suffix == ".lock":
            continue
        assert hashlib.md5(path.read_bytes()).hexdigest() == hashes[rel], path
        count += 1
    return count


def test_the_test_cluster_serves_http_on_a_loopback_port_of_the_systems_choosing(
    client: distributed.Client,
) -> None:
    """Another Dask cluster on the machine (holding the default port 8787) cannot fail the tests."""
    assert client.cluster is not None
    http = client.cluster.scheduler.http_server
    assert http.address == "127.0.0.1"
    assert http.port not in (0, 8787)


def test_results_equal_a_serial_run_and_each_file_is_fetched_once(
    client: distributed.Client,
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    shared_alyx: Path,
) -> None:
    replay.faults.add(lambda p: True, f.Delay(FILE_DELAY), times=10_000, host="files")
    one = corpus_instance(replay, tmp_path / "cluster", shared_alyx)
    eids = [str(e) for e in one.search(query_type="local")][:N_SESSIONS]
    results = map_sessions(one, eids, _work.trials_digest, client=client)
    fetched = file_requests(replay)
    serial_one = corpus_instance(replay, tmp_path / "serial", shared_alyx)
    serial = [_work.trials_digest(serial_one, eid) for eid in eids]
    assert results == serial
    assert all(n > 0 for n, _ in results)
    counts = collections.Counter(fetched)
    assert counts
    assert max(counts.values()) == 1
    assert _verified_files(tmp_path / "cluster", shared_alyx) == len(counts)


def test_sessions_wanted_by_several_workers_are_fetched_once(
    client: distributed.Client,
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    shared_alyx: Path,
) -> None:
    replay.faults.add(lambda p: True, f.Delay(0.3), times=10_000, host="files")
    one = corpus_instance(replay, tmp_path / "cache", shared_alyx)
    eids = [str(e) for e in one.search(query_type="local")][:2]
    results = map_sessions(one, [eids[0], eids[1]] * 3, _work.slow_download, client=client)
    assert results[0::2] == [results[0]] * 3
    assert results[1::2] == [results[1]] * 3
    counts = collections.Counter(file_requests(replay))
    assert counts
    assert max(counts.values()) == 1
    _verified_files(tmp_path / "cache", shared_alyx)


def test_each_worker_opens_the_instance_once(
    client: distributed.Client,
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    shared_alyx: Path,
) -> None:
    one = corpus_instance(replay, tmp_path / "cache", shared_alyx)
    eids = [str(e) for e in one.search(query_type="local")][:12]
    seen = map_sessions(one, eids, _work.worker_identity, client=client)
    instances: dict[int, set[int]] = collections.defaultdict(set)
    for pid, instance in seen:
        instances[pid].add(instance)
    assert len(instances) == 2  # both worker processes took part
    assert all(len(ids) == 1 for ids in instances.values())
    loud = corpus_instance(replay, tmp_path / "loud", shared_alyx, silent=False)
    assert not loud.options.silent
    assert map_sessions(loud, eids[:2], _work.is_silent, client=client) == [True, True]


def test_a_failing_fn_gives_a_record_per_session_and_the_others_run(
    client: distributed.Client,
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    shared_alyx: Path,
) -> None:
    one = corpus_instance(replay, tmp_path / "cache", shared_alyx)
    eids = [str(e) for e in one.search(query_type="local")][:8]
    odd = [e for e in eids if int(e[-1], 16) % 2]
    assert odd
    assert len(odd) < len(eids)
    recorded = map_sessions(one, eids, _work.fails_on_odd, client=client, errors="record")
    for eid, result in zip(eids, recorded, strict=True):
        if eid in odd:
            assert isinstance(result, SessionError)
            assert result.eid == eid
            assert result.error_type == "RuntimeError"
            assert "an analysis bug" in result.message
            assert "fails_on_odd" in result.traceback
        else:
            assert result == eid
    with pytest.raises(SessionsFailed, match=f"{len(odd)} of {len(eids)} sessions failed") as info:
        map_sessions(one, eids, _work.fails_on_odd, client=client)
    assert [r.eid for r in info.value.failures] == odd
    assert [str(r) for r in info.value.results] == [str(r) for r in recorded]


def test_an_unknown_session_gives_its_record(
    client: distributed.Client,
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    shared_alyx: Path,
) -> None:
    one = corpus_instance(replay, tmp_path / "cache", shared_alyx)
    known = str(one.search(query_type="local")[0])
    unknown = "00000000-0000-4000-8000-000000000000"
    results = map_sessions(
        one, [known, unknown], _work.trials_digest, client=client, errors="record"
    )
    assert not isinstance(results[0], SessionError)
    record = results[1]
    assert isinstance(record, SessionError)
    assert record.eid == unknown
    assert unknown in record.message
    assert _verified_files(tmp_path / "cache", shared_alyx) > 0


def test_a_malformed_eid_is_refused_before_anything_runs(
    client: distributed.Client,
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    shared_alyx: Path,
) -> None:
    one = corpus_instance(replay, tmp_path / "cache", shared_alyx)
    with pytest.raises(ArgumentError, match="eids"):
        map_sessions(one, ["not-a-session"], _work.trials_digest, client=client)
    assert file_requests(replay) == []


def test_workers_reach_alyx_with_the_token_never_the_password(
    client: distributed.Client,
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    shared_alyx: Path,
) -> None:
    one = corpus_instance(replay, tmp_path / "cache", shared_alyx)
    assert one._server is not None
    assert not one._server.auth.has_token  # nothing has needed the server yet
    eids = [str(e) for e in one.search(query_type="local")][:2]
    found = map_sessions(one, eids, _work.search_subject, client=client)
    expected = [str(e) for e in one.search(subject="KS051")]
    one.close()
    assert found[0] == found[1] == expected
    assert found[0]
    assert len(replay.requests_to("/auth-token")) == 1
