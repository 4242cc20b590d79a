"""What the first ``ONE(base_url=..., username=..., password=..., cache_dir=X)`` of a server
saves: ``X`` and the user name, so a later ``ONE()`` opens ``X`` logged in, and ``ONE(cache_dir=X)``
is an ``OneAlyx`` on that server (``mode='local'`` keeps the offline ``One``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
