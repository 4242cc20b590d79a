"""What the first ``ONE(base_url=..., username=..., password=..., cache_dir=X)`` of a server
saves: ``X`` and the user name, so a later ``ONE()`` opens ``X`` logged in, and ``ONE(cache_dir=X)``
is an ``OneAlyx`` on that server; ``ONE(mode='local')`` without a server argument is a ``One``
on the saved folder (the user cache folder when nothing is saved)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from onesdk import ONE, One, OneAlyx
from onesdk.errors import CacheWarning
from tests.replay.fixtures import replay
from tests.replay.server import ReplayServer

__all__ = ["replay"]


@pytest.fixture(autouse=True)
def _fresh_factory() -> Iterator[None]:
    ONE.cache_clear()
    yield
    ONE.cache_clear()


def test_the_first_use_saves_the_cache_dir_and_user_name(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    first = ONE(
        base_url=replay.alyx_url,
        username="root",
        password=replay.password,
        cache_dir=folder,
        silent=True,
        http_data_server=replay.files_url,
    )
    first.close()
    ONE.cache_clear()

    again = ONE(silent=True)
    assert isinstance(again, OneAlyx)
    assert again.cache_dir == folder
    assert (again.alyx.user, again.alyx.is_logged_in) == ("root", True)
    again.close()
    ONE.cache_clear()

    by_folder = ONE(cache_dir=folder)
    assert isinstance(by_folder, OneAlyx)
    assert by_folder.alyx.base_url == replay.alyx_url
    by_folder.close()
    ONE.cache_clear()

    with pytest.warns(CacheWarning, match="No cache tables"):  # nothing was downloaded
        offline = ONE(cache_dir=folder, mode="local")
    assert type(offline) is One


def test_local_mode_without_a_server_argument_is_a_one_on_the_saved_folder(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    ONE(
        base_url=replay.alyx_url,
        username="root",
        password=replay.password,
        cache_dir=folder,
        silent=True,
    ).close()
    ONE.cache_clear()
    with pytest.warns(CacheWarning, match="No cache tables"):
        local = ONE(mode="local")
    assert type(local) is One
    assert local.cache_dir == folder
    ONE.cache_clear()
    with pytest.warns(CacheWarning, match="No cache tables"):
        named = ONE(base_url=replay.alyx_url, mode="local", silent=True)
    assert isinstance(named, OneAlyx)
    assert named.offline
    assert named.cache_dir == folder
    named.close()


def test_local_mode_with_nothing_saved_is_a_one_on_the_user_cache_folder(
    config_home: Path,
) -> None:
    with pytest.warns(CacheWarning, match="No cache tables"):
        local = ONE(mode="local")
    assert type(local) is One
    assert local.cache_dir == Path(platformdirs.user_cache_dir("ONE"))
