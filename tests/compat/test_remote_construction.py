"""Remote instances log in when made, reuse stored tokens, say what they are; the public database
gets one-api's defaults for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from onesdk import ONE, OneAlyx
from onesdk._remote._servers import PUBLIC_ALYX_URL, PUBLIC_HTTP_DATA_SERVER
from onesdk._settings import Settings, load_settings, save_settings
from onesdk.errors import ArgumentError, AuthenticationError
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer


@pytest.mark.filterwarnings("ignore:No cache tables found")
def test_public_database_downloads_from_its_public_file_server(
    config_home: Path, tmp_path: Path
) -> None:
    one = ONE(base_url=PUBLIC_ALYX_URL, mode="local", silent=True, cache_dir=tmp_path)
    assert isinstance(one, OneAlyx)
    assert one.http_data_server == PUBLIC_HTTP_DATA_SERVER
    saved = load_settings(PUBLIC_ALYX_URL)
    assert saved is not None
    assert saved.http_data_server == PUBLIC_HTTP_DATA_SERVER


@pytest.mark.filterwarnings("ignore:No cache tables found")
def test_an_old_public_file_server_setting_is_patched(config_home: Path, tmp_path: Path) -> None:
    save_settings(Settings(PUBLIC_ALYX_URL, "someone", "https://ibl.flatironinstitute.org", None))
    one = ONE(base_url=PUBLIC_ALYX_URL, mode="local", silent=True, cache_dir=tmp_path)
    assert one.http_data_server == PUBLIC_HTTP_DATA_SERVER


@pytest.mark.filterwarnings("ignore:No cache tables found")
def test_an_explicit_file_server_wins_on_the_public_database(
    config_home: Path, tmp_path: Path
) -> None:
    one = ONE(
        base_url=PUBLIC_ALYX_URL,
        mode="local",
        cache_dir=tmp_path,
        http_data_server="https://mirror.example.org/ibl",
    )
    assert one.http_data_server == "https://mirror.example.org/ibl"


def test_a_password_without_a_user_name_is_refused_with_the_signup_page(
    config_home: Path,
) -> None:
    # one-api 3.6.1 ships no shared login for the public database: users sign up
    with pytest.raises(ArgumentError, match="username") as refused:
        ONE(base_url=PUBLIC_ALYX_URL, password="international", silent=True)
    assert f"{PUBLIC_ALYX_URL}/signup" in str(refused.value)
    assert "'international'" not in str(refused.value)


def _one(replay: ReplayServer, tmp_path: Path, password: str) -> OneAlyx:
    return open_one_alyx(replay, tmp_path / "cache", password=password)


def test_a_wrong_password_fails_when_the_instance_is_made(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    with pytest.raises(AuthenticationError, match="refused"):
        _one(replay, tmp_path, "not-the-password")
    assert len(replay.requests_to("/auth-token")) == 1


@pytest.mark.filterwarnings("ignore:No cache tables found")
def test_the_instance_is_logged_in_once_made_and_its_repr_says_so(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    one = _one(replay, tmp_path, replay.password)
    assert len(replay.requests_to("/auth-token")) == 1  # before any query
    assert repr(one) == f"OneAlyx (online, {replay.alyx_url}, logged in as root)"
    one.logout()
    assert repr(one) == f"OneAlyx (online, {replay.alyx_url}, not logged in)"
    one.close()
    offline = OneAlyx(base_url=replay.alyx_url, cache_dir=tmp_path / "cache", mode="local")
    assert repr(offline).startswith(f"OneAlyx (offline, {replay.alyx_url}")


def test_a_later_one_reuses_the_stored_token(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    first = _one(replay, tmp_path, replay.password)
    expected = first.search(subject="KS051")
    first.close()
    again = ONE(silent=True)
    assert isinstance(again, OneAlyx)
    assert again.search(subject="KS051") == expected
    again.close()
    assert len(replay.requests_to("/auth-token")) == 1
    # a password passed again means a fresh login, as in one-api
    _one(replay, tmp_path, replay.password).close()
    assert len(replay.requests_to("/auth-token")) == 2
