"""``onesdk.webclient.no_cache``: one-api's ``with no_cache(one.alyx):`` block, over the replay
server: every request inside it asks the server, and the cache mode comes back after it."""

from __future__ import annotations

from pathlib import Path

import pytest

import onesdk
from onesdk._settings import Settings, save_settings
from onesdk.errors import ArgumentError
from onesdk.webclient import AlyxClient, no_cache
from tests.replay.fixtures import one_on_replay, replay
from tests.replay.server import ReplayServer

__all__ = ["one_on_replay", "replay"]


def _asked(replay: ReplayServer) -> int:
    return len(replay.requests_to("/sessions"))


def test_requests_inside_the_block_skip_the_rest_cache(
    one: onesdk.OneAlyx, replay: ReplayServer
) -> None:
    one.alyx.rest("sessions", "list", subject="KS052")
    one.alyx.rest("sessions", "list", subject="KS052")
    assert _asked(replay) == 1  # the second answer came from the cache
    with no_cache(one.alyx) as alyx:
        assert alyx is one.alyx
        assert alyx.cache_mode is None
        one.alyx.rest("sessions", "list", subject="KS052")
        one.search(subject="KS052", query_type="remote")
    assert _asked(replay) == 3
    assert one.alyx.cache_mode == "GET"


def test_the_cache_mode_comes_back_when_the_block_raises(one: onesdk.OneAlyx) -> None:
    one.alyx.cache_mode = None
    with pytest.raises(KeyError), no_cache(one.alyx):
        raise KeyError("inside")
    assert one.alyx.cache_mode is None
    one.alyx.cache_mode = "GET"
    with pytest.raises(KeyError), no_cache(one.alyx):
        raise KeyError("inside")
    assert one.alyx.cache_mode == "GET"


def test_without_a_client_the_default_servers_client_is_used(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    save_settings(Settings(replay.alyx_url, "root", replay.files_url, tmp_path / "cache"))
    with no_cache() as alyx:
        assert isinstance(alyx, AlyxClient)
        assert alyx.base_url == replay.alyx_url
        assert alyx.cache_mode is None
    alyx.close()


def test_something_else_than_a_client_is_refused_naming_ac() -> None:
    with pytest.raises(ArgumentError) as raised, no_cache("https://alyx.example.org"):  # type: ignore[arg-type]
        pass
    assert raised.value.argument == "ac"
