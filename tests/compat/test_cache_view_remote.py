"""``OneAlyx._cache``: what the server told the instance shows in the view, and a change made
in the view is what the next call sees, with a server too."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from onesdk._facade._one_alyx import OneAlyx
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer

EID = uuid.UUID("3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")


@pytest.fixture
def one(replay: ReplayServer, config_home: Path, tmp_path: Path) -> Iterator[OneAlyx]:
    instance = open_one_alyx(replay, tmp_path / "cache")
    yield instance
    instance.close()


def test_sessions_learnt_from_the_server_appear_in_the_view(one: OneAlyx) -> None:
    cache = one._cache
    assert EID not in cache.sessions.index
    names = one.list_datasets(EID)
    assert EID in one._cache.sessions.index
    rel_paths = set(one._cache.datasets.loc[(EID,), "rel_path"])
    assert names
    assert set(names) <= rel_paths


def test_a_change_in_the_view_is_seen_by_the_next_local_call(one: OneAlyx) -> None:
    one.list_datasets(EID)
    one._cache.sessions.loc[EID, "subject"] = "RENAMED"
    one.mode = "local"
    assert [uuid.UUID(str(e)) for e in one.search(subject="RENAMED")] == [EID]
