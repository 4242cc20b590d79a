"""Fixtures for the remote tests: the replay server and an isolated user config dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.replay.fixtures import replay

__all__ = ["config_home", "replay"]


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
