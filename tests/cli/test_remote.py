"""The command line against a loopback Alyx (recorded exchanges): same commands, remote answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run, run_cli
from tests.replay.server import ReplayServer

SESSION = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"  # a session whose exchanges were recorded


@pytest.fixture
def remote(
    replay: ReplayServer, config_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Common options for a remote instance logged in through the environment."""
    monkeypatch.setenv("ONE_ALYX_USERNAME", "root")
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    cache = tmp_path / "remote-cache"
    cache.mkdir()
    return ["--base-url", replay.alyx_url, "--cache-dir", str(cache)]


def run_remote(remote: list[str], replay: ReplayServer, args: list[str]) -> Run:
    result = run_cli([*remote, *args])
    for text in (result.out, result.err):
        assert replay.password not in text
        assert replay.token not in text
    return result


def test_remote_search_json(remote: list[str], replay: ReplayServer) -> None:
    result = run_remote(remote, replay, ["search", "--lab", "cortexlab", "--json"])
    assert result.code == 0, result.err
    eids = json.loads(result.out)
    assert len(eids) == 23  # the corpus has 23 cortexlab sessions
    assert len(set(eids)) == len(eids)


def test_remote_search_details_table(remote: list[str], replay: ReplayServer) -> None:
    result = run_remote(remote, replay, ["search", "--subject", "KS051", "--details"])
    assert result.code == 0, result.err
    rows = result.out.splitlines()[2:-1]
    assert rows
    assert all(" cortexlab " in row and " KS051 " in row for row in rows)


def test_remote_ls_lists_the_session_datasets(remote: list[str], replay: ReplayServer) -> None:
    result = run_remote(remote, replay, ["ls", SESSION, "--json"])
    assert result.code == 0, result.err
    names = json.loads(result.out)
    assert any(name.startswith("alf/") for name in names)
