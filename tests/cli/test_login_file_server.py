"""``onesdk login --file-server-user``: the file server's credentials are saved without the
password ever being a command-line value; usage mistakes exit 2 naming the flag."""

from __future__ import annotations

import io
import json
import secrets
from pathlib import Path

import pytest

from onesdk import cli, params
from onesdk._settings import FileTokenStore, Secret, load_settings
from tests.cli.conftest import run_cli
from tests.replay.server import ReplayServer

URL = "https://alyx.example.org"
PASSWORD = f"files-{secrets.token_hex(10)}"


@pytest.fixture(autouse=True)
def _no_file_server_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONE_HTTP_DATA_SERVER_LOGIN", raising=False)
    monkeypatch.delenv("ONE_HTTP_DATA_SERVER_PASSWORD", raising=False)


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_the_file_server_password_from_stdin_is_saved_with_the_tokens_only(
    config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    result = run_cli(
        ["login", "--base-url", URL, "--file-server-user", "lab", "--file-server-password-stdin"]
    )
    assert result.code == 0, result.err
    assert "lab" in result.err
    saved = load_settings(URL)
    assert saved is not None
    assert saved.http_data_server_login == "lab"
    assert FileTokenStore(suffix=".file-server").get(URL, "lab") == Secret(PASSWORD)
    assert Secret(PASSWORD) == params.get(URL).HTTP_DATA_SERVER_PWD
    holding = [p.name for p in config_home.rglob("*") if p.is_file() and PASSWORD in p.read_text()]
    assert [name.rsplit(".", 1)[-1] for name in holding] == ["file-server"]
    assert PASSWORD not in result.out + result.err


def test_login_to_alyx_and_the_file_server_in_one_command(
    replay: ReplayServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    _stdin(monkeypatch, PASSWORD)
    result = run_cli(
        [
            "login",
            "--base-url",
            replay.alyx_url,
            "--username",
            "root",
            "--file-server-user",
            "lab",
            "--file-server-password-stdin",
            "--json",
        ]
    )
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "base_url": replay.alyx_url,
        "username": "root",
        "logged_in": True,
        "file_server_user": "lab",
    }
    assert FileTokenStore().get(replay.alyx_url, "root") == Secret(replay.token)
    par = params.get(replay.alyx_url)
    assert (par.ALYX_LOGIN, par.HTTP_DATA_SERVER_LOGIN) == ("root", "lab")
    assert Secret(PASSWORD) == par.HTTP_DATA_SERVER_PWD


def test_the_password_comes_from_the_environment_without_a_terminal(
    config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_HTTP_DATA_SERVER_PASSWORD", PASSWORD)
    _stdin(monkeypatch, "")
    assert run_cli(["login", "--base-url", URL, "--file-server-user", "lab"]).code == 0
    assert Secret(PASSWORD) == params.get(URL).HTTP_DATA_SERVER_PWD


@pytest.mark.parametrize(
    ("argv", "stdin", "flag"),
    [
        (["--file-server-password-stdin"], PASSWORD, "--file-server-password-stdin"),
        (["--file-server-user", "lab"], "", "--file-server-user"),
        (["--file-server-user", "lab", "--file-server-password-stdin"], "\n", "stdin"),
        (["--file-server-user", " ", "--file-server-password-stdin"], PASSWORD, "user"),
        (
            ["--file-server-user", "lab", "--file-server-password-stdin", "--token-stdin"],
            PASSWORD,
            "--token-stdin",
        ),
    ],
)
def test_usage_mistakes_exit_2_naming_the_flag(
    argv: list[str],
    stdin: str,
    flag: str,
    config_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stdin(monkeypatch, stdin)
    result = run_cli(["login", "--base-url", URL, *argv])
    assert result.code == cli.EXIT_USAGE
    assert flag in result.err
    assert PASSWORD not in result.err
    assert load_settings(URL) is None


def test_logout_with_file_server_forgets_its_login_and_password_too(
    config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    login = [
        "login",
        "--base-url",
        URL,
        "--file-server-user",
        "lab",
        "--file-server-password-stdin",
    ]
    assert run_cli(login).code == 0
    store = FileTokenStore(suffix=".file-server")
    assert run_cli(["logout", "--base-url", URL]).code == 0
    assert store.get(URL, "lab") == Secret(PASSWORD)  # a plain logout keeps them
    result = run_cli(["logout", "--base-url", URL, "--file-server", "--json"])
    assert result.code == 0, result.err
    assert json.loads(result.out)["file_server_forgotten"] is True
    assert store.get(URL, "lab") is None
    saved = load_settings(URL)
    assert saved is not None
    assert saved.http_data_server_login is None
    assert params.get(URL).HTTP_DATA_SERVER_PWD is None
