"""Fixtures for the pickling tests: the replay server and an isolated user config dir."""

from __future__ import annotations

from tests.remote.conftest import config_home
from tests.replay.fixtures import replay

__all__ = ["config_home", "replay"]
