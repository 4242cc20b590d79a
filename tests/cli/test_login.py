"""``onesdk login``/``logout`` against a loopback Alyx: the token is stored, never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onesdk import cli
from onesdk._settings import FileTokenStore, Secret, load_settings
from tests.cli.conftest import run_cli
from tests.replay.server import ReplayServer


def test_login_stores_the_token_and_remembers_the_server(
    replay: ReplayServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    result = run_cli(["login", "--base-url", replay.alyx_url, "--username", "root", "--json"])
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "base_url": replay.alyx_url,
        "username": "root",
        "logged_in": True,
    }
    assert FileTokenStore().get(replay.alyx_url, "root") == Secret(replay.token)
    saved = load_settings()
    assert saved is not None
    assert saved.username == "root"
    for text in (result.out, result.err):
        assert replay.token not in text
        assert replay.password not in text
    files = [p.read_text(encoding="utf-8") for p in config_home.rglob("*") if p.is_file()]
    assert not any(replay.password in f for f in files)


def test_logout_removes_the_token(
    replay: ReplayServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    assert run_cli(["login", "--base-url", replay.alyx_url, "--username", "root"]).code == 0
    result = run_cli(["logout"])  # the server logged in to last is the default
    assert result.code == 0, result.err
    assert FileTokenStore().get(replay.alyx_url, "root") is None


def test_refused_login_is_one_line_with_the_remote_exit_code(
    replay: ReplayServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_ALYX_PASSWORD", "not-the-password")
    result = run_cli(["login", "--base-url", replay.alyx_url, "--username", "root"])
    assert result.code == cli.EXIT_REMOTE
    assert result.err.startswith("onesdk: error: login to ")
    assert result.err.count("\n") == 1
    assert "not-the-password" not in result.err


def test_logout_with_nothing_saved_is_a_usage_error(config_home: Path) -> None:
    result = run_cli(["logout"])
    assert result.code == cli.EXIT_USAGE
    assert "--base-url" in result.err
