"""``onesdk login --token-stdin``: an API token read from stdin (never from the command line,
which shell history and ``ps`` show), checked with ``/me``, stored, never printed."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from onesdk import cli
from onesdk._settings import FileTokenStore, Secret, load_settings
from tests.cli.conftest import run_cli
from tests.remote._token_server import TokenServer, token_server

TOKEN = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with token_server({TOKEN: "alice"}) as running:
        yield running


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_login_token_stdin_stores_the_token_under_the_user_me_names(
    server: TokenServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, f"{TOKEN}\n")
    result = run_cli(["login", "--base-url", server.url, "--token-stdin", "--json"])
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "base_url": server.url,
        "username": "alice",
        "logged_in": True,
    }
    assert server.paths() == ["GET /me"]
    assert server.seen[0].authorization == f"Token {TOKEN}"
    assert FileTokenStore().get(server.url, "alice") == Secret(TOKEN)
    saved = load_settings()
    assert saved is not None
    assert saved.username == "alice"
    assert TOKEN not in result.out
    assert TOKEN not in result.err


def test_login_token_stdin_with_a_rejected_token_exits_with_the_remote_code(
    server: TokenServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "9" * 40
    _stdin(monkeypatch, f"{wrong}\n")
    result = run_cli(["login", "--base-url", server.url, "--token-stdin"])
    assert result.code == cli.EXIT_REMOTE
    assert result.err.count("\n") == 1
    assert f"{server.url}/me" in result.err
    assert wrong not in result.err
    assert not FileTokenStore().path(server.url).exists()


def test_login_token_stdin_with_nothing_on_stdin_is_a_usage_error_naming_the_flag(
    server: TokenServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, "")
    result = run_cli(["login", "--base-url", server.url, "--token-stdin"])
    assert result.code == cli.EXIT_USAGE
    assert "--token-stdin" in result.err
    assert server.seen == []


def test_login_token_stdin_without_any_user_name_is_a_usage_error_naming_username(
    config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, f"{TOKEN}\n")
    with token_server({TOKEN: "alice"}, me="404") as server:
        result = run_cli(["login", "--base-url", server.url, "--token-stdin"])
        assert result.code == cli.EXIT_USAGE
        assert "--username" in result.err
        _stdin(monkeypatch, f"{TOKEN}\n")
        named = run_cli(["login", "--base-url", server.url, "--token-stdin", "--username", "bo"])
        assert named.code == 0, named.err
        assert FileTokenStore().get(server.url, "bo") == Secret(TOKEN)


def test_login_token_stdin_notes_when_the_token_belongs_to_another_user(
    server: TokenServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, f"  {TOKEN}  \n")
    result = run_cli(["login", "--base-url", server.url, "--token-stdin", "--username", "bob"])
    assert result.code == 0, result.err
    assert "onesdk: note: " in result.err
    assert "'alice'" in result.err
    assert "as alice" in result.err
    assert FileTokenStore().get(server.url, "alice") == Secret(TOKEN)


def test_login_token_stdin_also_saves_a_file_server_login_with_its_password_from_the_env(
    server: TokenServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onesdk._http._file_auth import ENV_PASSWORD

    _stdin(monkeypatch, f"{TOKEN}\n")
    monkeypatch.setenv(ENV_PASSWORD, "file-server-pw-1")
    args = ["login", "--base-url", server.url, "--token-stdin", "--file-server-user", "fs"]
    result = run_cli([*args, "--json"])
    assert result.code == 0, result.err
    assert json.loads(result.out)["username"] == "alice"
    saved = load_settings()
    assert saved is not None
    assert (saved.username, saved.http_data_server_login) == ("alice", "fs")
    _stdin(monkeypatch, f"{TOKEN}\n")
    both = run_cli([*args, "--file-server-password-stdin"])  # one stdin, one secret
    assert both.code == cli.EXIT_USAGE
    assert "--token-stdin" in both.err


def test_login_token_stdin_on_a_terminal_asks_without_echo(
    server: TokenServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = io.StringIO("")
    monkeypatch.setattr(terminal, "isatty", lambda: True)
    monkeypatch.setattr("sys.stdin", terminal)
    asked: list[str] = []

    def no_echo(question: str) -> str:
        asked.append(question)
        return TOKEN

    monkeypatch.setattr("getpass.getpass", no_echo)
    result = run_cli(["login", "--base-url", server.url, "--token-stdin"])
    assert result.code == 0, result.err
    assert asked == [f"Alyx API token (shown at {server.url}/me): "]
    assert FileTokenStore().get(server.url, "alice") == Secret(TOKEN)
