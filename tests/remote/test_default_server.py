"""Which saved server ``ONE()`` opens without a ``base_url``: the first one set up, until
``make_default=True`` says otherwise, as one-api 3.6.1 keeps its default client. Using or setting
up another server never takes the default away silently. Setting up saves before logging in, so
a missing password leaves the settings saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from onesdk import ONE, OneAlyx
from onesdk._settings import load_settings
from onesdk.errors import AuthenticationError, CacheWarning

FIRST = "http://127.0.0.1:9"  # nothing listens: local mode never connects
SECOND = "http://127.0.0.2:9"


@pytest.fixture(autouse=True)
def _forget_instances() -> None:
    ONE.cache_clear()


def _default_url() -> str | None:
    saved = load_settings()
    return None if saved is None else saved.base_url


def _local(base_url: str, cache_dir: Path) -> None:
    with pytest.warns(CacheWarning, match="No cache tables"):  # an empty cache dir
        one = OneAlyx(base_url=base_url, cache_dir=cache_dir, mode="local", silent=True)
    one.close()


def test_the_first_server_used_becomes_the_default(config_home: Path, tmp_path: Path) -> None:
    _local(SECOND, tmp_path / "cache")
    assert _default_url() == SECOND


def test_using_another_server_keeps_the_default(config_home: Path, tmp_path: Path) -> None:
    _local(FIRST, tmp_path / "one")
    _local(SECOND, tmp_path / "two")
    assert _default_url() == FIRST
    assert load_settings(SECOND) is not None  # its settings are saved all the same


def test_setting_up_another_server_keeps_the_default(config_home: Path, tmp_path: Path) -> None:
    ONE.setup(base_url=FIRST, cache_dir=tmp_path / "one", silent=True).close()
    ONE.setup(base_url=SECOND, cache_dir=tmp_path / "two", silent=True).close()
    assert _default_url() == FIRST


def test_setup_make_default_true_moves_the_default(config_home: Path, tmp_path: Path) -> None:
    ONE.setup(base_url=FIRST, cache_dir=tmp_path / "one", silent=True).close()
    ONE.setup(base_url=SECOND, cache_dir=tmp_path / "two", silent=True, make_default=True).close()
    assert _default_url() == SECOND
    OneAlyx.setup(FIRST, cache_dir=tmp_path / "one", make_default=True).close()
    assert _default_url() == FIRST


def test_setup_make_default_false_still_sets_the_only_server(
    config_home: Path, tmp_path: Path
) -> None:
    OneAlyx.setup(SECOND, cache_dir=tmp_path / "two", make_default=False).close()
    assert _default_url() == SECOND


def test_setup_with_a_user_name_and_no_password_saves_then_says_how_to_log_in(
    config_home: Path, tmp_path: Path
) -> None:
    with pytest.raises(AuthenticationError, match=r"no password.*ONE_ALYX_PASSWORD"):
        ONE.setup(base_url=FIRST, username="root", cache_dir=tmp_path / "one", silent=True)
    saved = load_settings()
    assert saved is not None
    assert (saved.base_url, saved.username, saved.cache_dir) == (FIRST, "root", tmp_path / "one")
