"""``ONE``: which class a call gives, saved settings left alone, and the kept instance."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, assert_type

import pytest

from onesdk._facade._factory import ONE, OneFactory
from onesdk._facade._one import One
from onesdk._facade._one_alyx import OneAlyx
from onesdk._sample import make_sample
from onesdk._settings import config_dir, load_settings
from onesdk.errors import ArgumentError, CacheWarning
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer


@pytest.fixture(autouse=True)
def fresh_factory() -> Iterator[None]:
    ONE.cache_clear()
    yield
    ONE.cache_clear()


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = tmp_path / "sample"
    make_sample(root, n_trials=20)
    return root


def _alyx(replay: ReplayServer, cache: Path) -> OneAlyx:
    return open_one_alyx(replay, cache)


def test_a_cache_dir_alone_gives_a_local_one_and_saves_nothing(
    config_home: Path, sample: Path
) -> None:
    one = ONE(cache_dir=sample)
    assert type(one) is One
    assert one.offline
    assert not (config_dir() / "alyx").exists()


@pytest.mark.parametrize("mode", ["remote", "auto"])
@pytest.mark.parametrize("silent", [False, True])
def test_no_server_and_none_saved_says_how_to_choose_one(
    config_home: Path, mode: Literal["remote", "auto"], silent: bool
) -> None:
    with pytest.raises(ArgumentError) as caught:
        ONE(mode=mode, silent=silent)
    assert caught.value.argument == "base_url"
    assert "ONE.setup(base_url=" in str(caught.value)
    assert "https://openalyx.internationalbrainlab.org" in str(caught.value)
    assert not (config_dir() / "alyx").exists()  # nothing was saved on the way


def test_a_cache_dir_set_up_for_a_server_gives_an_instance_on_it(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    _alyx(replay, cache).close()  # the first use of the server saves cache as its cache dir
    with pytest.warns(CacheWarning, match="No cache tables"):
        one = ONE(cache_dir=cache, mode="local")  # explicitly local: still a plain One
    assert type(one) is One
    found = ONE(cache_dir=cache, silent=True)
    assert isinstance(found, OneAlyx)
    assert found.alyx.base_url == replay.alyx_url
    found.close()


def test_a_base_url_with_another_cache_dir_never_rewrites_saved_settings(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    _alyx(replay, tmp_path / "first").close()
    before = (config_dir() / "alyx").glob("*.json")
    saved_files = {p: p.read_bytes() for p in before}
    other = _alyx(replay, tmp_path / "second")
    assert other.cache_dir == tmp_path / "second"
    other.close()
    saved = load_settings()
    assert saved is not None
    assert saved.cache_dir == tmp_path / "first"
    assert {p: p.read_bytes() for p in saved_files} == saved_files


def test_the_same_arguments_give_the_same_instance_until_cache_clear(sample: Path) -> None:
    first = ONE(cache_dir=sample, mode="local")
    assert ONE(cache_dir=sample, mode="local") is first
    assert ONE(cache_dir=str(sample), mode="local") is first  # a str or a Path: same folder
    other = ONE(cache_dir=sample, mode="local", wildcards=False)
    assert other is not first
    assert ONE(cache_dir=sample, mode="local") is not first  # only the last call is kept
    kept = ONE(cache_dir=sample, mode="local")
    ONE.cache_clear()
    assert ONE(cache_dir=sample, mode="local") is not kept


def test_tables_changed_on_disk_give_a_new_instance(sample: Path) -> None:
    first = ONE(cache_dir=sample, mode="local")
    table = sample / "datasets.pqt"
    info = table.stat()
    os.utime(table, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    assert ONE(cache_dir=sample, mode="local") is not first


def test_a_closed_instance_is_not_handed_back(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    kwargs: dict[str, object] = {
        "username": "root",
        "password": replay.password,
        "cache_dir": tmp_path / "cache",
        "silent": True,
    }
    first = ONE(replay.alyx_url, **kwargs)  # type: ignore[call-overload]
    assert ONE(replay.alyx_url, **kwargs) is first  # type: ignore[call-overload]
    first.close()
    again = ONE(replay.alyx_url, **kwargs)  # type: ignore[call-overload]
    assert again is not first
    again.close()


def test_setup_saves_the_settings_and_connects(
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    sample: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    kept = ONE(cache_dir=sample, mode="local")
    one = ONE.setup(
        base_url=replay.alyx_url,
        username="root",
        cache_dir=tmp_path / "cache",
        http_data_server=replay.files_url,
        silent=True,
    )
    assert isinstance(one, OneAlyx)
    saved = load_settings()
    assert saved is not None
    assert (saved.base_url, saved.username) == (replay.alyx_url, "root")
    assert saved.cache_dir == tmp_path / "cache"
    assert saved.http_data_server == replay.files_url
    assert ONE(cache_dir=sample, mode="local") is not kept
    one.close()


def test_one_is_a_typed_callable_object(sample: Path) -> None:
    assert isinstance(ONE, OneFactory)
    assert_type(ONE(cache_dir=sample, mode="local"), One)
    assert_type(ONE.cache_clear(), None)
    assert repr(ONE) == "onesdk.ONE"
