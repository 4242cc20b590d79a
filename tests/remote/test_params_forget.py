"""``onesdk.params.check_cache_conflict`` and ``delete_params``: one-api's helpers to keep two
servers out of one folder and to forget a server, over onesdk's settings and secret stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from onesdk import params
from onesdk._settings import (
    Secret,
    Settings,
    config_dir,
    default_token_store,
    file_server_password_store,
    load_settings,
    save_settings,
)
from onesdk.errors import ArgumentError, CacheDirInUse, OneSdkWarning

URL = "https://alyx.example.org"
OTHER = "http://localhost:8000"


@pytest.fixture
def two_servers(config_home: Path, tmp_path: Path) -> Path:
    """Two saved servers (URL the default), each with a token and a file-server password."""
    save_settings(Settings(URL, "me", "https://files.example.org", tmp_path / "a"))
    save_settings(Settings(OTHER, "you", None, tmp_path / "b"), make_default=False)
    for url, user in ((URL, "me"), (OTHER, "you")):
        default_token_store().set(url, user, Secret(f"token-of-{user}"))
        file_server_password_store().set(url, "flat", Secret(f"password-of-{user}"))
    return tmp_path


def _secrets(url: str, user: str) -> tuple[Secret | None, Secret | None]:
    return default_token_store().get(url, user), file_server_password_store().get(url, "flat")


def test_a_servers_cache_dir_is_refused_however_it_is_spelt(two_servers: Path) -> None:
    (two_servers / "link").symlink_to(two_servers / "a", target_is_directory=True)
    (two_servers / "a").mkdir()
    for spelling in (two_servers / "a", f"{two_servers}/a/", two_servers / "link"):
        with pytest.raises(CacheDirInUse, match=r"alyx\.example\.org") as raised:
            params.check_cache_conflict(spelling)
        assert raised.value.argument == "cache_dir"
    with pytest.raises(AssertionError):  # what one-api's callers catch
        params.check_cache_conflict(two_servers / "b")
    params.check_cache_conflict(two_servers / "c")  # no server's: no error


def test_check_cache_conflict_refuses_a_value_that_is_no_folder(config_home: Path) -> None:
    with pytest.raises(ArgumentError) as raised:
        params.check_cache_conflict(3)  # type: ignore[arg-type]
    assert raised.value.argument == "cache_dir"


def test_deleting_one_server_forgets_its_settings_token_and_password_only(
    two_servers: Path,
) -> None:
    assert _secrets(URL, "me") == (Secret("token-of-me"), Secret("password-of-me"))
    params.delete_params(URL + "/")
    assert load_settings(URL) is None
    assert load_settings() is None  # it was the default: no default is left naming it
    assert _secrets(URL, "me") == (None, None)
    assert load_settings(OTHER) is not None
    assert _secrets(OTHER, "you") == (Secret("token-of-you"), Secret("password-of-you"))
    params.check_cache_conflict(two_servers / "a")  # the folder is free again


def test_deleting_a_server_that_is_not_the_default_keeps_the_default(two_servers: Path) -> None:
    params.delete_params(OTHER)
    saved = load_settings()
    assert saved is not None
    assert saved.base_url == URL


def test_deleting_a_server_never_saved_warns_and_changes_nothing(two_servers: Path) -> None:
    before = sorted(p.name for p in (config_dir() / "alyx").iterdir())
    with pytest.warns(OneSdkWarning, match="no settings are saved"):
        params.delete_params("https://never.example.org")
    assert sorted(p.name for p in (config_dir() / "alyx").iterdir()) == before


def test_deleting_every_server_leaves_other_files_of_the_folder(two_servers: Path) -> None:
    keep = config_dir() / "notes.txt"
    keep.write_text("mine")
    params.delete_params()
    assert load_settings(URL) is None
    assert load_settings(OTHER) is None
    assert load_settings() is None
    assert _secrets(URL, "me") == (None, None)
    assert _secrets(OTHER, "you") == (None, None)
    assert keep.read_text() == "mine"
    params.delete_params()  # nothing saved: nothing to do, no error


def test_delete_params_refuses_a_url_that_is_no_url(config_home: Path) -> None:
    with pytest.raises(ArgumentError) as raised:
        params.delete_params("alyx.example.org")
    assert raised.value.argument == "base_url"
