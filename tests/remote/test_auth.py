"""Token authentication over real sockets: login, stored token, one re-login, clear failures."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import httpx
import pytest

from onesdk._http._auth import Credentials, TokenAuth, login, resolve_credentials
from onesdk._settings import FileTokenStore, Secret
from onesdk.errors import AuthenticationError
from tests.replay.server import ReplayServer

SESSION = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"


def _auth(replay: ReplayServer, password: str | None = None) -> TokenAuth:
    secret = Secret(password if password is not None else replay.password)
    return TokenAuth(replay.alyx_url, Credentials("root", secret), store=FileTokenStore())


def _get_session(client: httpx.Client, replay: ReplayServer) -> httpx.Response:
    return client.get(f"{replay.alyx_url}/sessions/{SESSION}")


def test_first_request_logs_in_and_stores_a_private_token(
    replay: ReplayServer, config_home: Path
) -> None:
    auth = _auth(replay)
    with httpx.Client(auth=auth) as client:
        assert _get_session(client, replay).status_code == 200
        assert _get_session(client, replay).status_code == 200
    assert len(replay.requests_to("/auth-token")) == 1
    sent = replay.requests_to(f"/sessions/{SESSION}")[0].header("authorization")
    assert sent == f"Token {replay.token}"
    path = FileTokenStore().path(replay.alyx_url)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert FileTokenStore().get(replay.alyx_url, "root") == Secret(replay.token)


def test_stored_token_is_reused_without_login(replay: ReplayServer, config_home: Path) -> None:
    FileTokenStore().set(replay.alyx_url, "root", Secret(replay.token))
    auth = TokenAuth(replay.alyx_url, Credentials("root"), store=FileTokenStore())
    with httpx.Client(auth=auth) as client:
        assert _get_session(client, replay).status_code == 200
    assert replay.requests_to("/auth-token") == []


def test_expired_token_triggers_exactly_one_relogin(
    replay: ReplayServer, config_home: Path
) -> None:
    auth = _auth(replay)
    with httpx.Client(auth=auth) as client:
        assert _get_session(client, replay).status_code == 200
        new = replay.rotate_token()
        assert _get_session(client, replay).status_code == 200
    assert len(replay.requests_to("/auth-token")) == 2
    statuses = [s.status for s in replay.requests_to(f"/sessions/{SESSION}")]
    assert statuses == [200, 403, 200]
    assert FileTokenStore().get(replay.alyx_url, "root") == Secret(new)


def test_expired_token_without_password_is_an_authentication_error(
    replay: ReplayServer, config_home: Path
) -> None:
    FileTokenStore().set(replay.alyx_url, "root", Secret("stale-token-0123456789"))
    auth = TokenAuth(replay.alyx_url, Credentials("root"), store=FileTokenStore())
    with httpx.Client(auth=auth) as client, pytest.raises(AuthenticationError, match="password"):
        _get_session(client, replay)


def test_wrong_password_is_an_authentication_error_without_the_password(
    replay: ReplayServer, config_home: Path
) -> None:
    with (
        httpx.Client(auth=_auth(replay, "not-the-password")) as client,
        pytest.raises(AuthenticationError) as info,
    ):
        _get_session(client, replay)
    assert "not-the-password" not in str(info.value)
    assert "root" in str(info.value)
    assert FileTokenStore().get(replay.alyx_url, "root") is None


def test_logout_removes_the_stored_token(replay: ReplayServer, config_home: Path) -> None:
    auth = _auth(replay)
    with httpx.Client(auth=auth) as client:
        _get_session(client, replay)
    assert FileTokenStore().path(replay.alyx_url).exists()
    auth.logout()
    assert not FileTokenStore().path(replay.alyx_url).exists()
    assert not auth.has_token
    assert "***" in repr(_auth(replay)) or "None" in repr(_auth(replay))


def test_login_function_returns_the_token(replay: ReplayServer) -> None:
    token = login(replay.alyx_url, Credentials("root", Secret(replay.password)))
    assert token.reveal() == replay.token


def test_credentials_from_environment(monkeypatch: pytest.MonkeyPatch, config_home: Path) -> None:
    monkeypatch.setenv("ONE_ALYX_USERNAME", "miles")
    monkeypatch.setenv("ONE_ALYX_PASSWORD", "env-password")
    found = resolve_credentials()
    assert found == Credentials("miles", Secret("env-password"))
    assert "env-password" not in repr(found)
    explicit = resolve_credentials("root", "arg-password")
    assert explicit == Credentials("root", Secret("arg-password"))


def test_no_prompt_without_a_terminal(config_home: Path) -> None:
    # pytest replaces stdin with a non-terminal: no user name means no credentials, no prompt
    assert resolve_credentials() is None
    with pytest.raises(AuthenticationError, match="ONE_ALYX_PASSWORD"):
        login("http://127.0.0.1:9", Credentials("root"), prompt=lambda _: "never asked")


def test_no_token_or_password_in_debug_logs(
    replay: ReplayServer, config_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth = _auth(replay)
    with httpx.Client(auth=auth) as client:
        _get_session(client, replay)
        replay.rotate_token()
        _get_session(client, replay)
        auth.logout()
    assert caplog.records, "expected some DEBUG output to check"
    assert replay.token not in caplog.text
    assert replay.password not in caplog.text


def test_a_401_also_triggers_one_relogin(replay: ReplayServer, config_home: Path) -> None:
    from tests.replay import faults as f

    auth = _auth(replay)
    with httpx.Client(auth=auth) as client:
        assert _get_session(client, replay).status_code == 200
        replay.faults.add(f"/sessions/{SESSION}", f.Status(401))
        assert _get_session(client, replay).status_code == 200
        replay.faults.add(f"/sessions/{SESSION}", f.Status(401), times=2)
        with pytest.raises(AuthenticationError, match="even after logging in again"):
            _get_session(client, replay)
    assert len(replay.requests_to("/auth-token")) == 3
