"""OneAlyx behaviour over the replay server: settings, modes, downloads, tags, secrets."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import stat
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from onesdk._facade._factory import ONE
from onesdk._facade._one_alyx import OneAlyx
from onesdk._settings import FileTokenStore, load_settings
from onesdk.errors import ArgumentError, OfflineWarning, RemoteError
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer

EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
CHOICE = "mainenlab/Subjects/ZM_3003/2024-09-17/001/alf/_ibl_trials.choice.npy"


def _one(replay: ReplayServer, cache: Path, **kwargs: object) -> OneAlyx:
    return open_one_alyx(replay, cache, **kwargs)


@pytest.fixture
def one(replay: ReplayServer, config_home: Path, tmp_path: Path) -> Iterator[OneAlyx]:
    instance = _one(replay, tmp_path / "cache")
    yield instance
    instance.close()


def test_settings_are_saved_and_reused(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    first = _one(replay, tmp_path / "cache")
    expected = first.search(subject="KS051")
    first.close()
    saved = load_settings()
    assert saved is not None
    assert saved.base_url == replay.alyx_url
    assert saved.username == "root"
    assert saved.cache_dir == tmp_path / "cache"
    token = FileTokenStore().path(replay.alyx_url)
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert not token.is_relative_to(tmp_path / "cache")
    again = OneAlyx(silent=True)  # everything from the saved settings and token
    assert again.alyx.base_url == replay.alyx_url
    assert again.search(subject="KS051") == expected
    again.close()
    assert len(replay.requests_to("/auth-token")) == 1


@pytest.mark.parametrize(
    ("kwargs", "argument"), [({"mode": "online"}, "mode"), ({"cache_rest": "POST"}, "cache_rest")]
)
def test_bad_constructor_arguments_name_the_argument(
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    kwargs: dict[str, object],
    argument: str,
) -> None:
    with pytest.raises(ArgumentError, match=argument):
        _one(replay, tmp_path, **kwargs)


def test_rest_cache_can_be_disabled(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    one = _one(replay, tmp_path / "cache", cache_rest=None)
    one.search(subject="KS051")
    one.search(subject="KS051")
    one.close()
    assert len(replay.requests_to("/sessions")) == 2
    assert not (tmp_path / "cache" / ".rest").exists()


def test_missing_files_are_downloaded_once_and_verified(
    one: OneAlyx, replay: ReplayServer, tmp_path: Path
) -> None:
    path = one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True)
    assert path == tmp_path / "cache" / CHOICE
    one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True)
    gets = [s for s in replay.seen if s.host == "files"]
    assert len(gets) == 1
    path.write_bytes(b"truncated")  # a damaged local copy is fetched again
    again = one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True)
    digest = (
        one.list_datasets(EID, details=True)
        .set_index("rel_path")
        .loc["alf/_ibl_trials.choice.npy", "hash"]
    )
    assert hashlib.md5(again.read_bytes()).hexdigest() == digest
    assert len([s for s in replay.seen if s.host == "files"]) == 2


def test_tag_cache_is_installed_in_its_own_folder(one: OneAlyx, tmp_path: Path) -> None:
    one.load_cache(tag="2024_Q1_release")
    tag_dir = tmp_path / "cache" / "2024_Q1_release"
    info = json.loads((tag_dir / "cache_info.json").read_text())
    assert info["database_tags"] == ["2024_Q1_release"]
    assert len(one.tables.sessions) == 26
    assert len(one.search(query_type="local")) == 26


def test_logout_removes_the_token(one: OneAlyx, replay: ReplayServer) -> None:
    one.search(subject="KS051")
    assert FileTokenStore().path(replay.alyx_url).exists()
    one.logout()
    assert not FileTokenStore().path(replay.alyx_url).exists()


def test_auto_mode_falls_back_to_the_cache_with_one_warning(
    config_home: Path, tmp_path: Path, shared_alyx: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("sessions.pqt", "datasets.pqt", "cache_info.json"):
        shutil.copy(shared_alyx / "cache" / name, cache / name)
    one = OneAlyx(
        username="root",
        password="unused-password",
        base_url="http://127.0.0.1:9",
        cache_dir=cache,
        mode="auto",
        silent=True,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = one.search(subject="KS051")
        second = one.search(subject="KS051")
    one.close()
    assert [w.category for w in caught] == [OfflineWarning]
    assert first == second
    assert len(first) == 7
    assert one.mode == "local"


def test_factory_auto_mode_keeps_the_offline_fallback(
    config_home: Path, tmp_path: Path, shared_alyx: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("sessions.pqt", "datasets.pqt", "cache_info.json"):
        shutil.copy(shared_alyx / "cache" / name, cache / name)
    one = ONE(
        base_url="http://127.0.0.1:9",
        username="root",
        password="unused-password",
        cache_dir=cache,
        mode="auto",
        silent=True,
    )
    assert isinstance(one, OneAlyx)
    with pytest.warns(OfflineWarning):
        found = one.search(subject="KS051")
    one.close()
    assert len(found) == 7


def test_factory_rejects_an_unknown_mode_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="mode"):
        ONE(cache_dir=tmp_path, mode="offline")  # type: ignore[call-overload]


def test_remote_mode_does_not_hide_an_unreachable_server(config_home: Path, tmp_path: Path) -> None:
    # remote instances log in when made, so an unreachable server fails right there
    with pytest.raises(RemoteError, match="cannot reach"):
        OneAlyx(
            username="root",
            password="x-password",
            base_url="http://127.0.0.1:9",
            cache_dir=tmp_path,
        )


def test_debug_logs_of_a_whole_session_hold_no_secret(
    replay: ReplayServer, config_home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    one = _one(replay, tmp_path / "cache")
    one.search(subject="KS051")
    one.load_dataset(EID, "_ibl_trials.choice.npy")
    replay.rotate_token()
    one.get_details(EID, full=True)
    one.logout()
    one.close()
    assert caplog.records
    assert replay.password not in caplog.text
    for token in (replay.token, *replay.stale_tokens):
        assert token not in caplog.text
    assert replay.password not in repr(one)


_CHILD = textwrap.dedent(
    """
    import sys
    from onesdk._facade._one_alyx import OneAlyx
    url, files, password, cache, eid = sys.argv[1:6]
    one = OneAlyx(username="root", password=password, base_url=url, cache_dir=cache,
                  silent=True, http_data_server=files, cache_rest=None)
    path = one.load_dataset(eid, "_ibl_trials.table.pqt", download_only=True)
    print(path)
    one.close()
    """
)


def test_processes_sharing_a_cache_dir_end_with_verified_files(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    from tests.replay import faults as f

    cache = tmp_path / "cache"
    replay.faults.add(lambda p: p.endswith(".pqt"), f.Trickle(1024, 0.02), times=3, host="files")
    args = [replay.alyx_url, replay.files_url, replay.password, str(cache), EID]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [c.communicate(timeout=120) for c in children]
    assert [c.returncode for c in children] == [0, 0, 0], outputs
    paths = {Path(out.strip()) for out, _ in outputs}
    assert len(paths) == 1
    (path,) = paths
    assert not list(path.parent.glob("*.part"))
    one = _one(replay, cache)
    record = one.list_datasets(EID, details=True).set_index("rel_path")
    one.close()
    rel = path.relative_to(cache / "mainenlab/Subjects/ZM_3003/2024-09-17/001").as_posix()
    assert hashlib.md5(path.read_bytes()).hexdigest() == record.loc[rel, "hash"]
    assert len([s for s in replay.seen if s.host == "files"]) == 1


def test_fresh_cache_tables_are_not_downloaded_again(one: OneAlyx, replay: ReplayServer) -> None:
    first = one.load_cache(clobber=True)
    second = one.load_cache()
    assert first is not None
    assert second is not None
    assert len(replay.requests_to("/caches/alyx/cache.zip", host="files")) == 1
    assert len(replay.requests_to("/cache/info/")) == 2
    assert len(one.tables.sessions) == 66
    assert len(one.search(query_type="local", subject="KS051")) == 7


def test_refresh_mode_loads_the_server_tables_at_start(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    one = _one(replay, tmp_path / "cache", mode="refresh")
    assert len(one.tables.datasets) == 872
    assert one.mode == "remote"
    one.close()


def test_factory_returns_a_one_alyx_for_a_server(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    import onesdk

    one = onesdk.ONE(
        base_url=replay.alyx_url,
        username="root",
        password=replay.password,
        cache_dir=tmp_path / "cache",
        silent=True,
        http_data_server=replay.files_url,
    )
    assert isinstance(one, onesdk.OneAlyx)
    assert len(one.search(subject="KS051")) == 7
    one.close()


def test_setup_saves_settings_and_connects(
    replay: ReplayServer, config_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    one = OneAlyx.setup(
        replay.alyx_url,
        username="root",
        cache_dir=tmp_path / "cache",
        http_data_server=replay.files_url,
        silent=True,
    )
    assert one.http_data_server == replay.files_url
    assert len(one.search(subject="KS051")) == 7
    one.close()
    saved = load_settings(replay.alyx_url)
    assert saved is not None
    assert saved.http_data_server == replay.files_url


def test_same_size_wrong_md5_is_fetched_again_and_a_failed_fetch_keeps_the_copy(
    one: OneAlyx, replay: ReplayServer
) -> None:
    from tests.replay import faults as f

    path = one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True)
    good = path.read_bytes()
    path.write_bytes(bytes(len(good)))  # same size, different content
    assert one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True).read_bytes() == good
    path.write_bytes(bytes(len(good)))
    replay.faults.add(lambda p: p.endswith(".npy"), f.Status(404), times=2, host="files")
    with pytest.warns(OfflineWarning, match="local copy"):
        kept = one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True)
    assert kept.read_bytes() == bytes(len(good))


def test_downloaded_dataset_path_is_an_alf_path(
    one: OneAlyx, replay: ReplayServer, tmp_path: Path
) -> None:
    from onesdk.alf import ALFPath

    path = one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True)
    assert type(path) is ALFPath
    assert (path.object, path.attribute) == ("trials", "choice")
    assert [s for s in replay.seen if s.host == "files"]
