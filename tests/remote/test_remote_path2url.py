"""``OneAlyx.path2url(filepath, query_type=...)``, as one-api takes it: a file of a session the
cache tables lack is looked up on the server (its datasets are listed), then its URL is built
on the file server; ``'local'`` reads the cache tables only."""

from __future__ import annotations

import pytest

from onesdk import OneAlyx
from onesdk.errors import ArgumentError
from tests.replay.fixtures import replay
from tests.replay.server import ReplayServer

__all__ = ["replay"]

EID_A = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
SESSION_A = "mainenlab/Subjects/ZM_3003/2024-09-17/001"
TRIALS = "alf/_ibl_trials.table.pqt"


@pytest.fixture
def one(one_on_empty_cache: OneAlyx) -> OneAlyx:
    return one_on_empty_cache


def test_path2url_of_a_file_the_tables_lack_asks_the_server(
    one: OneAlyx, replay: ReplayServer
) -> None:
    path = one.cache_dir / SESSION_A / TRIALS
    assert not one.repository.has_session(EID_A)
    assert one.path2url(path, query_type="local") is None
    assert not replay.requests_to("/datasets")  # 'local' never asks
    url = one.path2url(path, query_type="remote")
    assert url is not None
    record = one.path2record(path)
    assert record is not None  # the server's datasets are now known to the instance
    assert url == one.record2url(record)
    server = one.http_data_server
    assert server is not None
    assert url.startswith(server.rstrip("/") + "/" + SESSION_A + "/alf/")
    assert str(record.id) in url


def test_path2url_of_a_file_the_server_does_not_know_is_none(one: OneAlyx) -> None:
    path = one.cache_dir / SESSION_A / "alf" / "nothing.here.npy"
    assert one.path2url(path, query_type="remote") is None


def test_path2url_refuses_an_unknown_query_type(one: OneAlyx) -> None:
    with pytest.raises(ArgumentError) as caught:
        one.path2url(one.cache_dir / SESSION_A / TRIALS, query_type="everywhere")
    assert caught.value.argument == "query_type"
