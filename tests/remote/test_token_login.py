"""Logging in with an Alyx API token (``token=``) instead of a password, over real sockets.

The token is checked once with ``GET /me`` (served by :mod:`tests.remote._token_server`, since
the recorded corpus has none), stored under the user ``/me`` names, and reused by later
instances; it never shows in a repr, a log record, an error message or a settings file.
"""

from __future__ import annotations

import json
import logging
import pickle
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import assert_type

import pytest

from onesdk import ONE, OneAlyx
from onesdk._http._auth import Credentials, TokenAuth
from onesdk._http._token import token_owner
from onesdk._log import redact
from onesdk._settings import FileTokenStore, Secret, Settings, config_dir, save_settings
from onesdk.errors import ArgumentError, AuthenticationError, AuthenticationWarning
from onesdk.webclient import AlyxClient
from tests.reliability._hostile import Answer, hostile_server
from tests.remote._token_server import TokenServer, token_server

TOKEN = "0123456789abcdef0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"


_OPENED: list[OneAlyx] = []


@pytest.fixture(autouse=True)
def _fresh_factory(config_home: Path) -> Iterator[None]:
    """Each test starts with no kept ``ONE()`` instance and a private config dir; the
    instances it opened are closed after it."""
    ONE.cache_clear()
    yield
    ONE.cache_clear()
    while _OPENED:
        _OPENED.pop().close()


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with token_server({TOKEN: "alice", OTHER: "bob"}) as running:
        yield running


def _open(server: TokenServer, tmp_path: Path, **options: object) -> OneAlyx:
    one = ONE(base_url=server.url, cache_dir=tmp_path / "cache", silent=True, **options)  # type: ignore[call-overload]
    assert isinstance(one, OneAlyx)
    _OPENED.append(one)
    return one


def _stored(server: TokenServer, user: str) -> Secret | None:
    return FileTokenStore().get(server.url, user)


def _assert_no_second_check(server: TokenServer, one: OneAlyx) -> None:
    """``one`` acts as alice with ``TOKEN``, and the server saw the first ``/me`` check and the
    one listing of ``one`` only: nothing checked the token again."""
    assert one.alyx.user == "alice"
    assert one.alyx.rest("subjects", "list", no_cache=True) == []
    assert server.paths() == ["GET /me", "GET /subjects"]
    assert server.seen[-1].authorization == f"Token {TOKEN}"


def _saved_user(server: TokenServer) -> str | None:
    files = list((config_dir() / "alyx").glob("*.json"))
    assert len(files) == 1
    login = json.loads(files[0].read_text(encoding="utf-8"))["ALYX_LOGIN"]
    return login if isinstance(login, str) else None


def test_an_accepted_token_logs_in_as_the_user_me_names(
    server: TokenServer, tmp_path: Path
) -> None:
    one = _open(server, tmp_path, token=TOKEN)
    assert server.paths() == ["GET /me"]
    assert server.seen[0].authorization == f"Token {TOKEN}"
    assert one.alyx.user == "alice"
    assert one.alyx.is_logged_in
    assert one.alyx.rest("subjects", "list", no_cache=True) == []
    assert server.seen[-1].path == "/subjects"
    assert server.seen[-1].authorization == f"Token {TOKEN}"
    assert _stored(server, "alice") == Secret(TOKEN)
    assert _saved_user(server) == "alice"


def test_a_token_in_one_api_record_form_is_accepted(server: TokenServer, tmp_path: Path) -> None:
    one = _open(server, tmp_path, token={"token": TOKEN})
    assert one.alyx.user == "alice"
    assert server.seen[0].authorization == f"Token {TOKEN}"


def test_one_with_a_token_is_statically_an_one_alyx(server: TokenServer, tmp_path: Path) -> None:
    one = ONE(base_url=server.url, token=TOKEN, cache_dir=tmp_path / "cache", silent=True)
    assert_type(one, OneAlyx)
    _OPENED.append(one)
    ONE.cache_clear()
    again = ONE(token={"token": TOKEN}, silent=True)  # the server saved as the default
    assert_type(again, OneAlyx)
    _OPENED.append(again)
    assert isinstance(again, OneAlyx)
    assert again.alyx.base_url == server.url


def test_one_alyx_takes_a_token_as_one_does(server: TokenServer, tmp_path: Path) -> None:
    one = OneAlyx(base_url=server.url, token=TOKEN, cache_dir=tmp_path / "cache", silent=True)
    _OPENED.append(one)
    assert one.alyx.user == "alice"
    assert server.paths() == ["GET /me"]


def test_alyx_client_takes_a_token_as_one_apis_does(server: TokenServer, tmp_path: Path) -> None:
    with AlyxClient(server.url, None, None, tmp_path / "cache", True, "GET", TOKEN) as alyx:
        assert alyx.user == "alice"
        assert alyx.is_logged_in
        assert alyx.rest("subjects", "list", no_cache=True) == []
    assert server.paths() == ["GET /me", "GET /subjects"]
    assert server.seen[-1].authorization == f"Token {TOKEN}"
    assert _stored(server, "alice") == Secret(TOKEN)
    with pytest.raises(AuthenticationError):
        AlyxClient(server.url, token="1" * 40, cache_dir=tmp_path / "cache")


def test_a_rejected_token_fails_at_construction_naming_the_server_not_the_token(
    server: TokenServer, tmp_path: Path
) -> None:
    wrong = "9" * 40
    with pytest.raises(AuthenticationError) as info:
        _open(server, tmp_path, token=wrong, username="alice")
    text = str(info.value)
    assert server.url in text
    assert f"{server.url}/me" in text
    assert wrong not in text
    assert wrong not in repr(info.value)
    assert server.paths() == ["GET /me"]
    assert not FileTokenStore().path(server.url).exists()
    assert not (config_dir() / "alyx").exists()  # nothing saved for a refused login


def test_a_token_is_accepted_by_a_server_without_me_when_a_username_is_given(
    tmp_path: Path,
) -> None:
    with token_server({TOKEN: "alice"}, me="404") as server:
        one = _open(server, tmp_path, token=TOKEN, username="carol")
        assert one.alyx.user == "carol"
        assert _stored(server, "carol") == Secret(TOKEN)
        assert one.alyx.rest("subjects", "list") == []
        assert server.seen[-1].authorization == f"Token {TOKEN}"


def test_a_me_web_page_names_no_owner_so_the_given_username_is_used(tmp_path: Path) -> None:
    with token_server({TOKEN: "alice"}, me="html") as server:
        one = _open(server, tmp_path, token=TOKEN, username="carol")
        assert one.alyx.user == "carol"


def test_a_token_without_any_username_on_a_server_without_me_is_an_argument_error(
    tmp_path: Path,
) -> None:
    with token_server({TOKEN: "alice"}, me="404") as server:
        with pytest.raises(ArgumentError) as info:
            _open(server, tmp_path, token=TOKEN)
        assert info.value.argument == "username"
        assert TOKEN not in str(info.value)
        assert not FileTokenStore().path(server.url).exists()


def test_a_saved_username_is_not_taken_as_the_owner_of_a_token(tmp_path: Path) -> None:
    with token_server({TOKEN: "alice"}, me="404") as server:
        save_settings(Settings(server.url, "dave"))
        with pytest.raises(ArgumentError) as info:
            _open(server, tmp_path, token=TOKEN)
        assert info.value.argument == "username"


def test_the_owner_me_names_wins_over_the_typed_username_with_a_warning(
    server: TokenServer, tmp_path: Path
) -> None:
    with pytest.warns(AuthenticationWarning, match="'alice'") as caught:
        one = _open(server, tmp_path, token=TOKEN, username="bob")
    assert caught[0].filename == __file__  # points at the caller's line
    assert one.alyx.user == "alice"
    assert _stored(server, "alice") == Secret(TOKEN)
    assert _stored(server, "bob") is None


def test_a_stored_token_is_reused_by_a_later_instance_without_it(
    server: TokenServer, tmp_path: Path
) -> None:
    _open(server, tmp_path, token=TOKEN).close()
    ONE.cache_clear()
    later = ONE(silent=True)  # the saved default server, its saved user, the stored token
    assert isinstance(later, OneAlyx)
    _OPENED.append(later)
    _assert_no_second_check(server, later)


def test_an_instance_made_with_a_token_pickles_with_it_and_needs_no_new_check(
    server: TokenServer, tmp_path: Path
) -> None:
    one = _open(server, tmp_path, token=TOKEN)
    copy = pickle.loads(pickle.dumps(one))
    _OPENED.append(copy)
    _assert_no_second_check(server, copy)


def test_a_token_fills_in_a_missing_saved_user_but_never_rewrites_one(
    server: TokenServer, tmp_path: Path
) -> None:
    save_settings(Settings(server.url, None))
    _open(server, tmp_path, token=TOKEN)
    assert _saved_user(server) == "alice"
    ONE.cache_clear()
    _open(server, tmp_path, token=OTHER)
    assert _saved_user(server) == "alice"
    assert _stored(server, "bob") == Secret(OTHER)


def test_authenticate_with_a_token_logs_an_instance_in(server: TokenServer, tmp_path: Path) -> None:
    one = _open(server, tmp_path)  # no credentials: anonymous
    assert not one.alyx.is_logged_in
    one.alyx.authenticate(token=TOKEN)
    assert one.alyx.user == "alice"
    assert one.alyx.rest("subjects", "list", no_cache=True) == []
    assert server.seen[-1].authorization == f"Token {TOKEN}"
    assert _stored(server, "alice") == Secret(TOKEN)


def test_authenticate_with_cache_token_false_stores_nothing(
    server: TokenServer, tmp_path: Path
) -> None:
    one = _open(server, tmp_path)
    one.alyx.authenticate(token=TOKEN, cache_token=False)
    assert one.alyx.user == "alice"
    assert one.alyx.rest("subjects", "list", no_cache=True) == []
    assert server.seen[-1].authorization == f"Token {TOKEN}"
    assert not FileTokenStore().path(server.url).exists()


def test_a_token_replaces_a_held_one_and_a_rejected_token_changes_nothing(
    server: TokenServer, tmp_path: Path
) -> None:
    one = _open(server, tmp_path, token=TOKEN)
    with pytest.warns(AuthenticationWarning, match="'bob'"):
        one.alyx.authenticate(username="alice", token=OTHER)
    assert one.alyx.user == "bob"
    with pytest.raises(AuthenticationError):
        one.alyx.authenticate(token="1" * 40)
    assert one.alyx.user == "bob"
    assert one.alyx.rest("subjects", "list", no_cache=True) == []
    assert server.seen[-1].authorization == f"Token {OTHER}"
    assert _stored(server, "bob") == Secret(OTHER)


@pytest.mark.parametrize(
    "token",
    [123, b"bytes-token-0123", {"key": TOKEN}, {"token": 5}, "", "  ", "two words", "t\u00f6ken"],
    ids=["int", "bytes", "other-key", "non-str-value", "empty", "blank", "space", "non-ascii"],
)
def test_a_token_of_the_wrong_kind_is_an_argument_error_sending_nothing(
    server: TokenServer, tmp_path: Path, token: object
) -> None:
    with pytest.raises(ArgumentError) as info:
        _open(server, tmp_path, token=token)
    assert info.value.argument == "token"
    assert server.seen == []


def test_a_password_and_a_token_together_are_refused(server: TokenServer, tmp_path: Path) -> None:
    with pytest.raises(ArgumentError) as info:
        _open(server, tmp_path, token=TOKEN, username="alice", password="pw-secret-1")
    assert info.value.argument == "token"
    assert "pw-secret-1" not in str(info.value)
    assert TOKEN not in str(info.value)
    assert server.seen == []
    with pytest.raises(ArgumentError):
        _open(server, tmp_path).alyx.authenticate(password="pw-secret-1", token=TOKEN)


def test_the_token_never_shows_in_reprs_logs_errors_settings_or_the_cache_dir(
    server: TokenServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        one = _open(server, tmp_path, token=TOKEN, username="bob")
        one.alyx.rest("subjects", "list", no_cache=True)
        with pytest.raises(AuthenticationError) as info:
            one.alyx.authenticate(token=OTHER[::-1])
    shown = [repr(one), str(one), repr(one.alyx), repr(one.options), repr(one.alyx.http.auth)]
    shown += [str(info.value), repr(info.value), *(str(w.message) for w in caught)]
    assert caplog.records  # the requests were logged
    shown += [record.getMessage() for record in caplog.records]
    shown += [redact(f"sent {TOKEN} and {OTHER[::-1]}"), redact(f"Authorization: Token {TOKEN}")]
    for text in shown:
        assert TOKEN not in text
        assert OTHER[::-1] not in text
    for path in [*config_dir().rglob("*.json"), *(tmp_path / "cache").rglob("*")]:
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    ONE.cache_clear()
    kept = _open(server, tmp_path, token=TOKEN)
    assert kept is _open(server, tmp_path, token=TOKEN)
    assert server.paths().count("GET /me") == 3  # the same arguments: the kept instance


def test_the_token_check_gives_up_after_token_verify_timeout() -> None:
    def silent_me(seen: object) -> Answer:
        return Answer(200, drip=[(5.0, b"{}")], length=2)

    with hostile_server(silent_me) as server:
        assert token_owner(server.url, Secret(TOKEN), timeout=0.5) is None


def test_construction_waits_for_me_no_longer_than_token_verify_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def silent_me(seen: object) -> Answer:
        return Answer(200, drip=[(5.0, b"{}")], length=2)

    monkeypatch.setattr(AlyxClient, "token_verify_timeout", 0.5)
    with hostile_server(silent_me) as server:
        started = time.monotonic()
        one = OneAlyx(
            base_url=server.url, token=TOKEN, username="carol", cache_dir=tmp_path, silent=True
        )
        _OPENED.append(one)
        assert time.monotonic() - started < 4.0
        assert one.alyx.user == "carol"
        assert [seen.path for seen in server.seen] == ["/me"]


def test_a_password_left_blank_at_the_prompt_asks_for_an_api_token(
    server: TokenServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr("onesdk._http._auth._stdin_is_tty", lambda: True)
    replies = iter(["", TOKEN])

    def prompt(question: str) -> str:
        asked.append(question)
        return next(replies)

    auth = TokenAuth(server.url, Credentials("alice"), store=FileTokenStore(), prompt=prompt)
    auth.log_in()
    assert "API token" in asked[0]
    assert f"{server.url}/me" in asked[1]
    assert auth.token == Secret(TOKEN)
    assert auth.username == "alice"
    assert server.paths() == ["GET /me"]
    assert _stored(server, "alice") == Secret(TOKEN)


def test_no_password_and_no_token_at_the_prompt_is_an_authentication_error(
    server: TokenServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("onesdk._http._auth._stdin_is_tty", lambda: True)
    replies = iter(["", " "])
    auth = TokenAuth(
        server.url, Credentials("alice"), store=FileTokenStore(), prompt=lambda _: next(replies)
    )
    with pytest.raises(AuthenticationError, match="no password or API token"):
        auth.log_in()
    assert server.seen == []
    assert not auth.has_token
