"""The ``replay`` pytest fixture: a fresh replay server per test, failing on unrecorded requests.

At teardown it also scans every file the test wrote below its ``tmp_path`` for the server's
token and password: only the 0600 token files in the user config dir may hold the token.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.replay.server import ReplayServer

if TYPE_CHECKING:
    from onesdk import OneAlyx


def leaked_secrets(root: Path, secrets: tuple[str, ...]) -> list[str]:
    """Files below ``root`` holding one of ``secrets`` (token files excepted, if private)."""
    found: list[str] = []
    needles = [s.encode() for s in secrets]
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if not any(n in data for n in needles):
            continue
        private = stat.S_IMODE(path.stat().st_mode) == 0o600
        if path.suffix == ".token" and private and "onesdk" in path.parts:
            continue
        found.append(str(path.relative_to(root)))
    return found


@pytest.fixture
def replay(shared_alyx: Path, tmp_path: Path) -> Iterator[ReplayServer]:
    """A started replay server; the test fails if the client asked for anything unrecorded.

    A test that provokes unrecorded requests on purpose sets ``replay.allow_unmatched = True``.
    """
    with ReplayServer(shared_alyx, lifetime=300.0) as server:
        yield server
        unmatched = list(server.unmatched)
        tokens = (server.token, *server.stale_tokens, server.password)
    if unmatched and not server.allow_unmatched:
        pytest.fail("requests with no recording:\n  " + "\n  ".join(unmatched))
    leaks = leaked_secrets(tmp_path, tokens)
    if leaks:
        pytest.fail("a token or password was written to: " + ", ".join(leaks))


def open_one_alyx(replay: ReplayServer, cache_dir: Path, **options: Any) -> OneAlyx:
    """An ``OneAlyx`` logged in to ``replay`` as its recorded user, with ``replay`` as its file
    server and ``cache_dir`` as its cache (``options`` add or override keywords)."""
    from onesdk import OneAlyx

    keywords: dict[str, Any] = {
        "username": "root",
        "password": replay.password,
        "base_url": replay.alyx_url,
        "cache_dir": cache_dir,
        "silent": True,
        "http_data_server": replay.files_url,
        **options,
    }
    return OneAlyx(**keywords)


@pytest.fixture(name="one")
def one_on_replay(
    replay: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OneAlyx]:
    """``one``: :func:`open_one_alyx` on ``replay`` with a private config dir (no keyring), closed
    at teardown. A module gets it by importing ``one_on_replay``."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("ONESDK_KEYRING", "0")
    instance = open_one_alyx(replay, tmp_path / "cache")
    yield instance
    instance.close()
