"""Cache tables from the server: cache info, freshness decisions, safe cache.zip install."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from onesdk._http._auth import Credentials, TokenAuth
from onesdk._remote._rest import AlyxHttp, RestRepository
from onesdk._remote._tables import (
    RemoteCacheInfo,
    extract_tables,
    install_cache_zip,
    local_cache_info,
    needs_download,
    remote_cache_info,
)
from onesdk._settings import FileTokenStore, Secret
from onesdk._store._download import Downloader, RetryPolicy
from onesdk.errors import CacheError, HTTPError
from tests.replay.server import ReplayServer

TAG = "2024_Q1_release"


@pytest.fixture
def repo(replay: ReplayServer, config_home: Path) -> Iterator[RestRepository]:
    auth = TokenAuth(
        replay.alyx_url, Credentials("root", Secret(replay.password)), store=FileTokenStore()
    )
    repository = RestRepository(AlyxHttp(replay.alyx_url, auth=auth))
    yield repository
    repository.http.close()


def _info(created: str, tags: tuple[str, ...] = ()) -> RemoteCacheInfo:
    return RemoteCacheInfo(dt.datetime.fromisoformat(created), "alyx", "2.10", tags, None)


def test_cache_info_full_and_tagged(repo: RestRepository, replay: ReplayServer) -> None:
    full = remote_cache_info(repo)
    tagged = remote_cache_info(repo, TAG)
    assert full.date_created == dt.datetime(2026, 11, 24, 22, 11)
    assert full.location == f"{replay.files_url}/caches/alyx/cache.zip"
    assert tagged.database_tags == (TAG,)
    assert tagged.location == f"{replay.files_url}/caches/alyx/{TAG}/cache.zip"


def test_unknown_tag_is_an_http_error(repo: RestRepository) -> None:
    with pytest.raises(HTTPError, match="404"):
        remote_cache_info(repo, "no_such_tag")


def test_freshness_follows_one_api() -> None:
    remote = _info("2026-11-24 22:11")
    local = {"date_created": "2026-11-24 22:10:30", "origin": "alyx"}
    assert not needs_download(remote, local)
    assert needs_download(remote, local, clobber=True)
    assert needs_download(remote, None)
    assert needs_download(remote, {**local, "date_created": "2026-11-24 22:09"})
    assert needs_download(remote, {**local, "origin": "elsewhere"})
    assert needs_download(remote, local, tag=TAG)
    tagged = {**local, "database_tags": [TAG]}
    assert not needs_download(_info("2026-11-24 22:11", (TAG,)), tagged, tag=TAG)
    assert needs_download(remote, tagged)


def test_corrupt_local_cache_info_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "cache_info.json").write_text("{oops")
    with pytest.raises(CacheError, match=r"cache_info\.json"):
        local_cache_info(tmp_path)
    assert local_cache_info(tmp_path / "none") is None


@pytest.mark.parametrize("tag", [None, TAG])
def test_cache_zip_is_downloaded_and_installed(
    repo: RestRepository, shared_alyx: Path, tmp_path: Path, tag: str | None
) -> None:
    info = remote_cache_info(repo, tag)
    assert info.location is not None
    with Downloader(silent=True) as dl:
        installed = install_cache_zip(dl, info.location, tmp_path / "tables")
    assert sorted(p.name for p in installed) == ["cache_info.json", "datasets.pqt", "sessions.pqt"]
    source = shared_alyx / "cache" / (f"tag_{tag}" if tag else "")
    for path in installed:
        assert path.read_bytes() == (source / path.name).read_bytes()
    left = (tmp_path / "tables").iterdir()
    assert sorted(p.name for p in left if not p.name.endswith(".lock")) == [
        "cache_info.json",
        "datasets.pqt",
        "sessions.pqt",
    ]
    local = local_cache_info(tmp_path / "tables")
    assert not needs_download(info, local, tag=tag)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "name", ["../evil.pqt", "/abs.pqt", "sub/dir.pqt", "run.sh", "cache_info.json/x"]
)
def test_hostile_archive_members_are_refused_and_nothing_is_written(
    tmp_path: Path, name: str
) -> None:
    archive = _zip(tmp_path / "c.zip", {"sessions.pqt": b"x", name: b"y"})
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "sessions.pqt").write_bytes(b"good")
    with pytest.raises(CacheError, match="unexpected member"):
        extract_tables(archive, tables)
    assert (tables / "sessions.pqt").read_bytes() == b"good"
    assert not (tmp_path / "evil.pqt").exists()


def test_not_a_zip_is_a_cache_error(tmp_path: Path) -> None:
    (tmp_path / "c.zip").write_bytes(b"<html>not a zip</html>")
    with pytest.raises(CacheError, match="not a readable zip"):
        extract_tables(tmp_path / "c.zip", tmp_path / "t")


def test_archive_without_tables_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "c.zip", {"cache_info.json": json.dumps({}).encode()})
    with pytest.raises(CacheError, match=r"no sessions\.pqt"):
        extract_tables(archive, tmp_path / "t")


def test_stale_partial_archive_is_never_resumed(
    repo: RestRepository, replay: ReplayServer, tmp_path: Path
) -> None:
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / ".cache.zip.part").write_bytes(b"PK-stale-bytes")
    info = remote_cache_info(repo)
    assert info.location is not None
    with Downloader(silent=True, policy=RetryPolicy(attempts=1)) as dl:
        install_cache_zip(dl, info.location, tables)
    seen = replay.requests_to("/caches/alyx/cache.zip", host="files")
    assert [s.header("range") for s in seen] == [None]
