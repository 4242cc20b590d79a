"""An OneAlyx pickles as its options and session token (never the password) and reconnects
with that token when unpickled, in this process or in a process pool."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from onesdk._facade._one_alyx import OneAlyx
from onesdk.errors import CacheWarning
from tests.pickling import _workers
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer

SUBJECT = "KS051"
EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"  # a session with recorded details


def _one(replay: ReplayServer, cache: Path, **kwargs: object) -> OneAlyx:
    return open_one_alyx(replay, cache, **kwargs)


def test_remote_pickle_never_holds_the_password(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    with pytest.warns(CacheWarning, match="No cache tables"):
        offline = _one(replay, tmp_path / "cache", mode="local")  # never logs in
    without_token = pickle.dumps(offline)
    offline.close()
    one = _one(replay, tmp_path / "cache")
    one.search(subject=SUBJECT)
    with_token = pickle.dumps(one)
    one.close()
    for data in (without_token, with_token):
        assert replay.password.encode() not in data
    assert replay.token.encode() not in without_token
    assert replay.token.encode() in with_token


def test_unpickled_remote_instance_reuses_the_token(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    one = _one(replay, tmp_path / "cache", cache_rest=None)
    expected = one.search(subject=SUBJECT)
    clone = pickle.loads(pickle.dumps(one))
    one.close()
    assert type(clone) is OneAlyx
    assert clone.options == one.options
    assert clone.alyx.base_url == replay.alyx_url
    assert clone.search(subject=SUBJECT) == expected
    clone.close()
    assert len(replay.requests_to("/auth-token")) == 1
    assert len(replay.requests_to("/sessions")) == 2


def test_remote_instance_runs_in_a_spawned_process_pool(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    one = _one(replay, tmp_path / "cache", cache_rest=None)
    expected = one.search(subject=SUBJECT)
    listed = one.list_datasets(EID)
    assert listed
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        found = pool.submit(_workers.search_subject, one, SUBJECT).result(timeout=120)
        remote_listed = pool.submit(_workers.list_session, one, EID).result(timeout=120)
    one.close()
    assert found == expected
    assert remote_listed == listed
    assert len(replay.requests_to("/auth-token")) == 1
