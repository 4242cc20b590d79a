"""Credentials never follow a redirect to another origin (a second loopback port).

A hostile Alyx answers 307/308 to the login and to signed requests, pointing at a second
loopback server (another port: another origin). Whatever the path (the facade, the REST
repository's re-login, ``onesdk.alyx.get_token``, ``onesdk._http._auth.login``), the second server
must never see the password or the token, and the caller gets an ``onesdk.errors`` error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import onesdk
import onesdk.alyx
from onesdk._http._auth import Credentials, TokenAuth, login
from onesdk._remote._rest import AlyxHttp, RestRepository
from onesdk._settings import FileTokenStore, Secret
from onesdk.errors import OneSdkError, RemoteError
from tests.reliability._hostile import Answer, HostileServer, Seen, hostile_server, json_answer

PASSWORD = "pa55-never-leaves-home"
TOKEN = "t0ken-never-leaves-home"
EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"


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
def elsewhere() -> Iterator[HostileServer]:
    """The redirect target: accepts anything, hands out a token."""
    with hostile_server(lambda seen: json_answer(json.dumps({"token": "stolen"}))) as server:
        yield server


def _redirecting(target: str, status: int) -> HostileServer:
    def answer(seen: Seen) -> Answer:
        return Answer(status, (("Location", f"{target}{seen.path}"),))

    return HostileServer(answer).start()


def _assert_nothing_reached(server: HostileServer) -> None:
    assert server.requests_mentioning(PASSWORD) == []
    assert server.requests_mentioning(TOKEN) == []
    assert server.seen == []


@pytest.mark.parametrize("status", [307, 308])
def test_a_relogin_never_follows_a_redirect_to_another_origin(
    elsewhere: HostileServer, config_home: Path, status: int
) -> None:
    alyx = _redirecting(elsewhere.url, status)
    try:
        auth = TokenAuth(alyx.url, Credentials("me", Secret(PASSWORD)), store=FileTokenStore())
        with (
            RestRepository(AlyxHttp(alyx.url, auth=auth)) as repo,
            pytest.raises(OneSdkError) as refused,
        ):
            repo.session(EID)
        assert PASSWORD not in str(refused.value)
        assert [s.path for s in alyx.seen] == ["/auth-token"]
    finally:
        alyx.stop()
    _assert_nothing_reached(elsewhere)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_signed_request_never_follows_a_redirect_to_another_origin(
    elsewhere: HostileServer, config_home: Path, status: int
) -> None:
    alyx = _redirecting(elsewhere.url, status)
    try:
        auth = TokenAuth(alyx.url, Credentials("me"), token=Secret(TOKEN), store=FileTokenStore())
        with RestRepository(AlyxHttp(alyx.url, auth=auth)) as repo:
            with pytest.raises(RemoteError, match="another origin"):
                repo.session(EID)
            with pytest.raises(RemoteError, match="another origin"):
                repo.rest("sessions", "list", subject="KS051")
    finally:
        alyx.stop()
    _assert_nothing_reached(elsewhere)


@pytest.mark.parametrize("status", [307, 308])
def test_the_facade_login_never_sends_the_password_to_another_origin(
    elsewhere: HostileServer, config_home: Path, tmp_path: Path, status: int
) -> None:
    alyx = _redirecting(elsewhere.url, status)

    def log_in_and_search() -> None:
        one = onesdk.ONE(
            alyx.url,
            username="me",
            password=PASSWORD,
            cache_dir=tmp_path / "cache",
            mode="remote",
            silent=True,
        )  # remote instances log in here
        try:
            one.search(subject="KS051")
        finally:
            one.close()

    try:
        with pytest.raises(OneSdkError) as refused:
            log_in_and_search()
        assert PASSWORD not in str(refused.value)
    finally:
        alyx.stop()
    _assert_nothing_reached(elsewhere)


@pytest.mark.parametrize("status", [307, 308])
def test_get_token_and_login_never_follow_a_redirect(
    elsewhere: HostileServer, config_home: Path, status: int
) -> None:
    alyx = _redirecting(elsewhere.url, status)
    try:
        with pytest.raises(OneSdkError):
            onesdk.alyx.get_token(alyx.url, "me", PASSWORD)
        with pytest.raises(OneSdkError, match="redirect"):
            login(alyx.url, Credentials("me", Secret(PASSWORD)))
    finally:
        alyx.stop()
    _assert_nothing_reached(elsewhere)


def test_a_redirect_within_the_same_origin_is_still_followed(config_home: Path) -> None:
    def answer(seen: Seen) -> Answer:
        if seen.path == "/auth-token":
            return Answer(307, (("Location", "/auth-token/"),))
        if seen.path == "/auth-token/":
            return json_answer(json.dumps({"token": TOKEN}))
        if seen.headers.get("authorization") != f"Token {TOKEN}":
            return json_answer('{"detail": "no"}', 401)
        return json_answer(json.dumps({"id": EID}))

    with hostile_server(answer) as alyx:
        auth = TokenAuth(alyx.url, Credentials("me", Secret(PASSWORD)), store=FileTokenStore())
        with AlyxHttp(alyx.url, auth=auth) as http:
            assert http.get_json(f"sessions/{EID}") == {"id": EID}
