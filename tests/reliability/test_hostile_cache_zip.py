"""A server's cache.zip never replaces good local tables before it is validated.

Each hostile archive (not a zip, a corrupt member, a zip bomb, a member that lies about its
size, foreign tables, a missing table, too many members) must end in a ``CacheError``, leave the
installed tables byte for byte as they were, loadable, and leave no staging folder behind.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from onesdk import One
from onesdk._cache import read_tables
from onesdk._remote._tables import (
    MAX_EXPANSION_RATIO,
    MAX_MEMBERS,
    STAGING_PREFIX,
    expansion_bound,
    extract_tables,
)
from onesdk.errors import CacheError
from tests.reliability._report import RECORD
from tests.reliability.conftest import Cache, build_cache

TABLES = ("sessions.pqt", "datasets.pqt", "cache_info.json")


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Cache:
    """A cache whose tables are the 'server' tables of the valid archives."""
    return build_cache(tmp_path_factory.mktemp("server-cache"))


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """A cache dir with good tables of its own (different from the server's)."""
    cache = build_cache(tmp_path / "local")
    (cache.root / "mainlab").rename(tmp_path / "files-moved")  # tables only; files irrelevant
    return cache.root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in TABLES if (root / name).exists()}


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _server_members(good: Cache) -> dict[str, bytes]:
    return {name: (good.root / name).read_bytes() for name in TABLES}


def _foreign_table() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1, 2, 3]}).to_parquet(buffer)
    return buffer.getvalue()


def _lying_sizes(path: Path, declared: int) -> Path:
    """Rewrite every size field of a stored-zip's headers to ``declared`` bytes."""
    data = bytearray(path.read_bytes())
    at = 0
    while (at := data.find(b"PK\x03\x04", at)) >= 0:
        struct.pack_into("<II", data, at + 18, declared, declared)
        at += 4
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        struct.pack_into("<II", data, at + 20, declared, declared)
        at += 4
    path.write_bytes(bytes(data))
    return path


def _corrupt_member(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    data[60] ^= 0xFF  # inside the first member's compressed data: its CRC no longer matches
    path.write_bytes(bytes(data))
    return path


HOSTILE: dict[str, Callable[[Path, Cache], Path]] = {
    "not_a_zip": lambda p, g: (p.write_bytes(b"<html>502 Bad Gateway</html>"), p)[1],
    "truncated": lambda p, g: (
        p.write_bytes(_zip(p, _server_members(g)).read_bytes()[:300]),
        p,
    )[1],
    "corrupt_member": lambda p, g: _corrupt_member(_zip(p, _server_members(g))),
    "zip_bomb": lambda p, g: _zip(p, {**_server_members(g), "datasets.pqt": b"\0" * (8 << 20)}),
    "member_lies_about_its_size": lambda p, g: _lying_sizes(
        _zip(p, {**_server_members(g)}, zipfile.ZIP_STORED), 16
    ),
    "foreign_tables": lambda p, g: _zip(
        p, {"sessions.pqt": _foreign_table(), "datasets.pqt": _foreign_table()}
    ),
    "one_foreign_table": lambda p, g: _zip(
        p, {**_server_members(g), "datasets.pqt": _foreign_table()}
    ),
    "garbage_tables": lambda p, g: _zip(p, {"sessions.pqt": b"PAR1xx", "datasets.pqt": b"x"}),
    "missing_datasets_table": lambda p, g: _zip(
        p, {k: v for k, v in _server_members(g).items() if k != "datasets.pqt"}
    ),
    "deep_cache_info": lambda p, g: _zip(
        p, {**_server_members(g), "cache_info.json": b"[" * 100_000 + b"]" * 100_000}
    ),
    "cache_info_not_an_object": lambda p, g: _zip(
        p, {**_server_members(g), "cache_info.json": b"[1, 2]"}
    ),
    "too_many_members": lambda p, g: _zip(
        p,
        {**_server_members(g), **{f"t{i}.pqt": b"" for i in range(MAX_MEMBERS)}},
    ),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_cache_archive_keeps_the_old_tables_loadable(
    kind: str, good: Cache, installed: Path, tmp_path: Path
) -> None:
    before = _snapshot(installed)
    expected = One(installed, mode="local").search()
    archive = HOSTILE[kind](tmp_path / "cache.zip", good)
    with pytest.raises(CacheError):
        extract_tables(archive, installed)
    assert _snapshot(installed) == before
    if kind == "zip_bomb":
        RECORD.bound(
            "expanded size of a cache archive",
            f"{MAX_EXPANSION_RATIO} x the archive + 1 MiB, at most 16 GiB; {MAX_MEMBERS} members",
            f"a {archive.stat().st_size >> 10} KiB archive of 8 MiB refused; old tables kept",
        )
    assert One(installed, mode="local").search() == expected
    assert not list(installed.glob(f"{STAGING_PREFIX}*"))


def test_a_valid_cache_archive_replaces_the_tables(
    good: Cache, installed: Path, tmp_path: Path
) -> None:
    archive = _zip(tmp_path / "cache.zip", _server_members(good))
    installed_paths = extract_tables(archive, installed)
    assert sorted(p.name for p in installed_paths) == sorted(TABLES)
    assert _snapshot(installed) == _server_members(good)
    assert read_tables(installed).sessions.equals(read_tables(good.root).sessions)
    assert not list(installed.glob(f"{STAGING_PREFIX}*"))


def test_the_expansion_bound_is_a_ratio_of_the_archive_size_with_a_ceiling() -> None:
    assert expansion_bound(1 << 20) == MAX_EXPANSION_RATIO * (1 << 20) + (1 << 20)
    assert expansion_bound(1 << 40) < 1 << 40


def test_a_bomb_stops_extracting_at_the_bound_even_when_sizes_are_not_declared(
    good: Cache, installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # declared sizes pass; the bytes actually written are what is bounded
    import onesdk._remote._tables as remote_tables

    archive = _zip(tmp_path / "cache.zip", {**_server_members(good), "x.pqt": b"\0" * (4 << 20)})
    monkeypatch.setattr(remote_tables, "_check_members", lambda a, s, n: a.infolist())
    monkeypatch.setattr(remote_tables, "expansion_bound", lambda n: 1 << 20)
    before = _snapshot(installed)
    with pytest.raises(CacheError, match="expands past"):
        extract_tables(archive, installed)
    assert _snapshot(installed) == before
    assert not list(installed.glob(f"{STAGING_PREFIX}*"))


def test_cache_info_json_is_checked_before_install(
    good: Cache, installed: Path, tmp_path: Path
) -> None:
    members = {**_server_members(good), "cache_info.json": json.dumps({"ok": 1}).encode()}
    extract_tables(_zip(tmp_path / "cache.zip", members), installed)
    assert json.loads((installed / "cache_info.json").read_text()) == {"ok": 1}
