"""Fixtures for the remote tests: the replay server and an isolated user config dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onesdk import OneAlyx
from tests.replay.fixtures import open_one_alyx, replay
from tests.replay.server import ReplayServer

__all__ = ["config_home", "one_on_empty_cache", "replay"]


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and XDG_CONFIG_HOME in a temp dir, no keyring, no credentials from the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("ONESDK_KEYRING", "0")
    monkeypatch.delenv("ONE_ALYX_USERNAME", raising=False)
    monkeypatch.delenv("ONE_ALYX_PASSWORD", raising=False)
    return home


@pytest.fixture
def one_on_empty_cache(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> Iterator[OneAlyx]:
    """An ``OneAlyx`` on the replay server with an empty cache dir: every session it is asked
    about is one its tables lack."""
    instance = open_one_alyx(replay, tmp_path / "cache")
    yield instance
    instance.close()
