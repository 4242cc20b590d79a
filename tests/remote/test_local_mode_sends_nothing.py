"""An ``OneAlyx`` in local mode sends no request: the methods only the server can answer
(``dataset2type``, ``type2datasets``, ``describe_dataset``, ``describe_revision``) refuse with
``OfflineError`` before any request, as one-api refuses them in local mode; switching the mode
back to 'remote' answers them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from onesdk import OneAlyx
from onesdk.errors import ArgumentError, OfflineError
from tests.replay.fixtures import open_one_alyx, replay
from tests.replay.server import ReplayServer

__all__ = ["replay"]

EID = "40ed367e-8564-41dc-a324-17c42f62323b"  # a corpus session with two probes

CALLS: dict[str, Callable[[OneAlyx], object]] = {
    "dataset2type": lambda one: one.dataset2type("00000000-0000-4000-8000-000000000000"),
    "type2datasets": lambda one: one.type2datasets(EID, "spikes.times"),
    "describe_dataset": lambda one: one.describe_dataset("spikes.times"),
    "describe_revision": lambda one: one.describe_revision("1999-01-01"),
}


@pytest.fixture
def one(replay: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OneAlyx]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("ONESDK_KEYRING", "0")
    instance = open_one_alyx(replay, tmp_path / "cache")
    yield instance
    instance.close()


@pytest.mark.parametrize("method", sorted(CALLS))
def test_server_only_methods_in_local_mode_send_no_request(
    one: OneAlyx, replay: ReplayServer, method: str
) -> None:
    one.mode = "local"
    before = len(replay.seen)
    with pytest.raises(OfflineError, match=f"{method} asks the server.*local mode"):
        CALLS[method](one)
    assert replay.seen[before:] == []


def test_back_in_remote_mode_the_server_answers(one: OneAlyx, replay: ReplayServer) -> None:
    one.mode = "local"
    with pytest.raises(OfflineError):
        one.describe_dataset("spikes.times")
    one.mode = "remote"
    assert one.describe_dataset("spikes.times")["name"] == "spikes.times"
    found = one.type2datasets(EID, ["spikes.times", "clusters.metrics"])
    assert any(path.endswith("spikes.times.npy") for path in found)


def test_eid2pid_in_local_mode_answers_from_known_insertions(
    one: OneAlyx, replay: ReplayServer
) -> None:
    one.mode = "remote"
    remote = one.eid2pid(EID)  # the server's answer is remembered
    pids, names = remote[0], remote[1]
    assert pids
    assert names
    one.mode = "local"
    before = len(replay.seen)
    assert one.eid2pid(EID) == remote
    eid, name = one.pid2eid(pids[0])
    assert (str(eid), name) == (EID, names[0])
    assert one.eid2pid("00000000-0000-4000-8000-000000000000") == (None, None)
    assert replay.seen[before:] == []


def test_local_search_terms_of_insertions_are_the_filters_a_local_search_applies(
    one: OneAlyx, replay: ReplayServer
) -> None:
    remote = one.eid2pid(EID)
    one.mode = "local"
    before = len(replay.seen)
    terms = one.search_terms(endpoint="insertions")
    assert terms == ("name", "session")
    assert one.search_terms(query_type="local", endpoint="sessions") == one.search_terms()
    with pytest.raises(ArgumentError) as caught:
        one.search_terms(endpoint="foo")
    assert caught.value.argument == "endpoint"
    assert one.search_insertions(session=EID) == remote[0]  # every term works locally
    assert one.search_insertions(session=EID, name=remote[1][0]) == [remote[0][0]]
    assert replay.seen[before:] == []
