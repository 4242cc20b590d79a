"""Server answers land in an overlay: the loaded tables change only on save or reload."""

from __future__ import annotations

from pathlib import Path

from onesdk._facade._factory import ONE
from onesdk._facade._one_alyx import OneAlyx
from onesdk._remote._layered import LayeredRepository
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer

EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"


def _one(replay: ReplayServer, cache: Path, **kwargs: object) -> OneAlyx:
    return open_one_alyx(replay, cache, **kwargs)


def _layers(one: OneAlyx) -> LayeredRepository:
    repo = one.repository
    assert isinstance(repo, LayeredRepository)
    return repo


def test_a_remote_listing_leaves_the_loaded_tables_untouched(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    one = _one(replay, tmp_path / "cache", mode="refresh")
    before = _layers(one)
    base, loaded = before.base, before.loaded
    n_loaded = len(loaded.datasets)
    listed = one.list_datasets(EID)
    assert listed
    after = _layers(one)
    assert after.base is base
    assert after.loaded is loaded
    assert len(loaded.datasets) == n_loaded
    assert after.changed
    assert set(listed) <= set(one.list_datasets(EID, query_type="local"))
    one.close()


def test_saving_makes_the_overlay_the_loaded_tables(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    one = _one(replay, tmp_path / "cache")  # 'remote': starts from empty tables
    listed = one.list_datasets(EID)
    every = one.list_datasets(EID, qc="CRITICAL")
    assert len(_layers(one).loaded.datasets) == 0
    one.save_cache()
    saved = _layers(one)
    assert not saved.changed
    assert len(saved.loaded.datasets) == len(every)
    one.close()
    again = _one(replay, tmp_path / "cache", mode="local")
    assert again.list_datasets(EID) == listed
    again.close()


def test_a_lazy_remote_instance_lists_like_an_eager_one(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    eager = _one(replay, cache, mode="refresh")
    expected = eager.list_datasets(EID)
    eager.close()
    lazy = ONE(
        base_url=replay.alyx_url,
        username="root",
        password=replay.password,
        cache_dir=cache,
        mode="auto",
        silent=True,
        lazy=True,
    )
    assert isinstance(lazy, OneAlyx)
    assert lazy.lazy
    assert lazy.list_datasets(EID) == expected
    assert lazy.list_datasets(EID, query_type="local") == expected
    lazy.close()
