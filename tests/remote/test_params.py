"""``onesdk.params``: one-api's ``one.params`` functions read and write onesdk's own settings,
agree with what ``ONE()`` uses, never prompt, and never hold a password in a file or a repr."""

from __future__ import annotations

import builtins
import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import assert_type

import pytest

from onesdk import ONE, One, OneAlyx, params
from onesdk._atomic import leftovers
from onesdk._settings import Secret, Settings, config_dir, load_settings, save_settings
from onesdk.errors import ArgumentError, CacheWarning
from onesdk.params import Params
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer

URL = "https://alyx.example.org"
OTHER = "http://localhost:8000"
PUBLIC = "https://openalyx.internationalbrainlab.org"
PUBLIC_FILES = "https://ibl.flatironinstitute.org/public"


@pytest.fixture(autouse=True)
def isolated(config_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings and the user cache folder below a temp HOME; a prompt fails the test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(config_home / ".cache"))

    def no_prompt(*args: object) -> str:
        raise AssertionError(f"prompted: {args}")

    monkeypatch.setattr(builtins, "input", no_prompt)
    ONE.cache_clear()
    yield config_home
    ONE.cache_clear()


def test_get_of_a_saved_server_gives_its_saved_fields(tmp_path: Path) -> None:
    save_settings(Settings(URL, "me", "https://files.example.org/", tmp_path / "data"))
    par = params.get(URL)
    assert par == Params(
        ALYX_URL=URL,
        ALYX_LOGIN="me",
        HTTP_DATA_SERVER="https://files.example.org",
        HTTP_DATA_SERVER_LOGIN=None,
        HTTP_DATA_SERVER_PWD=None,
        CACHE_DIR=tmp_path / "data",
    )
    assert params.get(URL + "/") == par  # the same server, however it is spelt


def test_get_without_client_reads_the_default_server(tmp_path: Path) -> None:
    save_settings(Settings(URL, "me", None, tmp_path / "a"))
    save_settings(Settings(OTHER, "you", None, tmp_path / "b"), make_default=False)
    assert params.get().ALYX_URL == URL
    assert params.get(OTHER).ALYX_LOGIN == "you"


def test_username_replaces_the_saved_login_in_the_answer_only() -> None:
    save_settings(Settings(URL, "me"))
    assert params.get(URL, username="guest").ALYX_LOGIN == "guest"
    saved = load_settings(URL)
    assert saved is not None
    assert saved.username == "me"


def test_a_params_record_is_frozen_and_readable_by_attribute_and_key(tmp_path: Path) -> None:
    save_settings(Settings(URL, "me", None, tmp_path / "data"))
    par = params.get(URL)
    assert par["ALYX_LOGIN"] == par.ALYX_LOGIN == "me"
    assert list(par.as_dict()) == list(Params.keys())
    assert par.set("ALYX_LOGIN", "you").ALYX_LOGIN == "you"
    assert par.ALYX_LOGIN == "me"
    with pytest.raises(AttributeError):
        par.ALYX_LOGIN = "you"  # type: ignore[misc]
    with pytest.raises(KeyError):
        par["TOKEN"]
    with pytest.raises(ArgumentError) as caught:
        par.set("ALYX_LOGN", "you")
    assert caught.value.argument == "key"
    assert "ALYX_LOGIN" in str(caught.value)
    for key in ("ALYX_URL", "CACHE_DIR"):
        with pytest.raises(ArgumentError, match=key) as empty:
            par.set(key, None)
        assert empty.value.argument == "value"


def test_nothing_saved_and_not_silent_names_client_and_how_to_save_one() -> None:
    for client in (None, URL):
        with pytest.raises(ArgumentError) as caught:
            params.get(client)
        assert caught.value.argument == "client"
        assert "params.setup(client, silent=True)" in str(caught.value)
        assert "onesdk login" in str(caught.value)
    assert not config_dir().exists()  # nothing was saved on the way


def test_nothing_saved_and_silent_gives_the_public_database_and_saves_nothing(
    isolated: Path,
) -> None:
    par = params.get(silent=True)
    assert par == params.default()
    assert (par.ALYX_URL, par.ALYX_LOGIN, par.HTTP_DATA_SERVER) == (PUBLIC, None, PUBLIC_FILES)
    assert isolated / ".cache" / "ONE" / "openalyx.internationalbrainlab.org" == par.CACHE_DIR
    assert not config_dir().exists()


def test_silent_get_of_an_unsaved_server_gives_what_one_would_start_from(isolated: Path) -> None:
    par = params.get(OTHER + "/", silent=True, username="me")
    assert (par.ALYX_URL, par.ALYX_LOGIN, par.HTTP_DATA_SERVER) == (OTHER, "me", None)
    assert isolated / ".cache" / "ONE" / "localhost_8000" == par.CACHE_DIR
    assert not config_dir().exists()


def test_the_public_database_reads_its_public_file_server_over_an_old_saved_root() -> None:
    save_settings(Settings(PUBLIC, None, "https://ibl.flatironinstitute.org"))
    assert params.get(PUBLIC).HTTP_DATA_SERVER == PUBLIC_FILES


@pytest.mark.parametrize("bad", ["alyx.org", "ftp://alyx.org", 3])
def test_a_bad_client_is_refused_naming_client(bad: object) -> None:
    for call in (params.get, params.get_cache_dir, params.setup):
        with pytest.raises(ArgumentError) as caught:
            call(bad)  # type: ignore[arg-type]
        assert caught.value.argument == "client"


def test_default_client_is_none_when_nothing_is_saved() -> None:
    assert params.get_default_client() is None
    assert params.get_default_client(include_schema=False) is None


@pytest.mark.parametrize(
    ("url", "key"),
    [
        (PUBLIC, "openalyx.internationalbrainlab.org"),
        ("http://localhost:8000/", "localhost_8000"),
        ("https://Sub.Domain.org/db/", "sub.domain.org_db"),
    ],
)
def test_default_client_with_and_without_schema(url: str, key: str) -> None:
    params.setup(url, silent=True)
    assert params.get_default_client() == url.rstrip("/")
    assert params.get_default_client(include_schema=True) == url.rstrip("/")
    assert params.get_default_client(include_schema=False) == key


def test_the_first_server_set_up_stays_the_default_unless_make_default() -> None:
    params.setup(URL)
    params.setup(OTHER)
    assert params.get_default_client() == URL
    params.setup(OTHER, make_default=True)
    assert params.get_default_client() == OTHER
    assert params.get().ALYX_URL == OTHER


def test_get_cache_dir_gives_the_saved_folder_and_creates_it(tmp_path: Path) -> None:
    folder = tmp_path / "not" / "yet"
    save_settings(Settings(URL, "me", None, folder))
    assert params.get_cache_dir() == folder
    assert folder.is_dir()
    assert params.get_cache_dir(URL + "/") == folder


def test_get_cache_dir_with_nothing_saved_is_the_folder_of_a_local_one(
    isolated: Path,
) -> None:
    folder = params.get_cache_dir()
    assert folder == isolated / ".cache" / "ONE"
    assert folder.is_dir()
    with pytest.warns(CacheWarning, match="No cache tables"):
        local = ONE(mode="local", silent=True)
    assert type(local) is One
    assert local.cache_dir == folder


def test_get_cache_dir_agrees_with_one_for_a_saved_cache_dir(
    replay: ReplayServer, tmp_path: Path
) -> None:
    one = open_one_alyx(replay, tmp_path / "data")  # the first use saves the folder
    one.close()
    assert params.get_cache_dir() == one.cache_dir == tmp_path / "data"
    again = ONE(silent=True)
    assert isinstance(again, OneAlyx)
    assert again.cache_dir == params.get_cache_dir()
    par = params.get()
    assert (again.alyx.base_url, again.alyx.user) == (par.ALYX_URL, par.ALYX_LOGIN)
    assert par.HTTP_DATA_SERVER == again.options.http_data_server == replay.files_url
    again.close()


def test_get_cache_dir_agrees_with_one_setup_without_a_cache_dir(
    replay: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    one = ONE.setup(
        base_url=replay.alyx_url, username="root", http_data_server=replay.files_url, silent=True
    )
    one.close()
    assert load_settings(replay.alyx_url) is not None
    assert params.get_cache_dir(replay.alyx_url) == one.cache_dir
    assert one.cache_dir == params.get(replay.alyx_url).CACHE_DIR
    assert one.cache_dir.is_dir()


def test_get_cache_dir_of_an_unsaved_server_is_where_one_would_put_it(
    replay: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = params.get_cache_dir(replay.alyx_url)
    assert folder.is_dir()
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    one = ONE(
        base_url=replay.alyx_url, username="root", http_data_server=replay.files_url, silent=True
    )
    one.close()
    assert one.cache_dir == folder


def test_save_round_trips_a_params_record(tmp_path: Path) -> None:
    par = params.get(URL, silent=True).set("ALYX_LOGIN", "me")
    par = par.set("HTTP_DATA_SERVER", "https://files.example.org")
    par = par.set("CACHE_DIR", tmp_path / "data")
    path = params.save(par, URL)
    assert params.get(URL) == par
    assert path.parent.parent == params.get_params_dir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert params.get_default_client() == URL  # the first server saved


def test_save_of_a_mapping_keeps_the_saved_cache_dir(tmp_path: Path) -> None:
    save_settings(Settings(URL, "me", None, tmp_path / "data"))
    params.save({"ALYX_LOGIN": "you"}, URL)
    par = params.get(URL)
    assert ("you", tmp_path / "data") == (par.ALYX_LOGIN, par.CACHE_DIR)


def test_save_leaves_the_old_file_whole_when_the_write_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = params.save({"ALYX_LOGIN": "me"}, URL)
    before = path.read_bytes()

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("onesdk._atomic.os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        params.save({"ALYX_LOGIN": "you"}, URL)
    assert path.read_bytes() == before
    assert leftovers(path) == []


@pytest.mark.parametrize(
    ("par", "named"),
    [
        ({"ALYX_LOGN": "me"}, "did you mean 'ALYX_LOGIN'"),
        ({"TOKEN": {"me": {"token": "abc"}}}, "token store"),
        ({"ALYX_PWD": "pw"}, "never saved"),
        ({"HTTP_DATA_SERVER_PWD": "pw"}, "HTTP_DATA_SERVER_LOGIN with the file-server password"),
        ({"ALYX_URL": OTHER}, "ALYX_URL equal to client"),
        ({"ALYX_LOGIN": 3}, "str or None"),
        (["ALYX_LOGIN"], "a Params or a mapping"),
    ],
)
def test_save_refuses_what_it_cannot_save_naming_par(par: object, named: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        params.save(par, URL)  # type: ignore[arg-type]
    assert caught.value.argument == "par"
    assert named in str(caught.value)
    assert not config_dir().exists()


def test_secrets_never_show_in_reprs_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="onesdk")
    par = params.get(URL, silent=True).set("HTTP_DATA_SERVER_PWD", "hunter2-secret")
    shown = [repr(par), str(par), repr(par.as_dict()), f"{par.HTTP_DATA_SERVER_PWD}"]
    with pytest.raises(ArgumentError) as pwd:
        params.save(par, URL)
    with pytest.raises(ArgumentError) as alyx_pwd:
        params.save({"ALYX_PWD": "hunter2-secret"}, URL)
    with pytest.raises(ArgumentError) as token:
        params.save({"TOKEN": {"me": "hunter2-secret"}}, URL)
    params.save(par.set("HTTP_DATA_SERVER_PWD", None), URL)
    shown += [str(pwd.value), str(alyx_pwd.value), str(token.value), caplog.text]
    shown += [path.read_text() for path in config_dir().rglob("*") if path.is_file()]
    assert [text for text in shown if "hunter2" in text] == []
    assert par.HTTP_DATA_SERVER_PWD is not None
    assert par.HTTP_DATA_SERVER_PWD.reveal() == "hunter2-secret"


def test_setup_keeps_what_is_saved_and_creates_the_cache_dir(tmp_path: Path) -> None:
    save_settings(Settings(URL, "me", "https://files.example.org", tmp_path / "old"))
    par = params.setup(URL, cache_dir=tmp_path / "new")
    assert par == params.get(URL)
    assert (par.ALYX_LOGIN, par.HTTP_DATA_SERVER) == ("me", "https://files.example.org")
    assert tmp_path / "new" == par.CACHE_DIR
    assert par.CACHE_DIR.is_dir()
    assert params.setup(URL, username="you").ALYX_LOGIN == "you"


def test_setup_without_client_saves_the_public_database() -> None:
    par = params.setup(silent=False, username="me")  # never prompts
    assert (par.ALYX_URL, par.ALYX_LOGIN, par.HTTP_DATA_SERVER) == (PUBLIC, "me", PUBLIC_FILES)
    saved = json.loads((config_dir() / "default.json").read_text())
    assert saved == {"ALYX_URL": PUBLIC}


def test_get_params_dir_is_where_the_settings_are() -> None:
    assert params.get_params_dir() == config_dir()
    params.setup(URL)
    assert any(params.get_params_dir().rglob("*.json"))


def test_public_signatures_are_typed() -> None:
    save_settings(Settings(URL, "me"))
    assert_type(params.get(), Params)
    assert_type(params.default(), Params)
    assert_type(params.get_default_client(), str | None)
    assert_type(params.get_cache_dir(), Path)
    assert_type(params.get_params_dir(), Path)
    assert_type(params.setup(URL), Params)
    assert_type(params.save(params.get(), URL), Path)
    assert_type(params.get()["CACHE_DIR"], str | Path | Secret | None)
