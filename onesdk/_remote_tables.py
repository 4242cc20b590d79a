"""Cache tables from the server: cache info, freshness, and a safe install of ``cache.zip``.

``GET /cache/info/[<tag>/]`` describes the server's latest cache tables (creation time, origin,
tags, and the ``location`` of ``cache.zip``). :func:`needs_download` decides, as one-api does,
whether the local tables are stale (more than a minute older), from another origin or of
another tag. :func:`install_cache_zip` downloads the archive with the verified downloader and
installs its tables: only plain ``*.pqt`` and ``cache_info.json`` members are accepted (no
folders, no ``..``, no links, bounded sizes), each is written to a temp file and renamed into
place under the tables-dir lock, so a reader never sees a half-written table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

import filelock

from onesdk._download import Downloader, DownloadTask
from onesdk._log import get_logger
from onesdk._rest import JsonObject, RestRepository
from onesdk.errors import CacheError, ContractError

__all__ = [
    "RemoteCacheInfo",
    "install_cache_zip",
    "local_cache_info",
    "needs_download",
    "remote_cache_info",
]

_log = get_logger("onesdk.remote_tables")
TABLES_LOCK: Final = ".cache_tables.lock"
_MEMBER: Final = re.compile(r"^(?:[A-Za-z0-9_.-]+\.pqt|cache_info\.json)$")
_MAX_MEMBER_BYTES: Final = 4 << 30  # a cache table beyond 4 GiB is not a cache table
FRESH_WITHIN: Final = dt.timedelta(minutes=1)


@dataclasses.dataclass(frozen=True)
class RemoteCacheInfo:
    """What ``/cache/info`` says about the server's cache tables."""

    date_created: dt.datetime
    origin: str
    min_api_version: str
    database_tags: tuple[str, ...]
    location: str | None

    @classmethod
    def parse(cls, raw: JsonObject, *, source: str) -> RemoteCacheInfo:
        created = raw.get("date_created")
        if not isinstance(created, str):
            raise ContractError(f"{source}: cache info without a date_created string")
        try:
            when = dt.datetime.fromisoformat(created)
        except ValueError:
            raise ContractError(f"{source}: date_created {created!r} is not a date") from None
        tags = raw.get("database_tags") or []
        location = raw.get("location")
        return cls(
            date_created=when,
            origin=str(raw.get("origin", "unknown")),
            min_api_version=str(raw.get("min_api_version", "0.0.0")),
            database_tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
            location=location if isinstance(location, str) and location else None,
        )


def remote_cache_info(repo: RestRepository, tag: str | None = None) -> RemoteCacheInfo:
    """The server's cache info (for ``tag``'s tables when given)."""
    raw = repo.cache_info(tag)
    info = RemoteCacheInfo.parse(raw, source=f"{repo.base_url}/cache/info")
    if tag is not None and tag not in info.database_tags:
        raise ContractError(f"cache info for tag {tag!r} lists tags {list(info.database_tags)}")
    return info


def local_cache_info(tables_dir: Path) -> JsonObject | None:
    """The ``cache_info.json`` of local tables, or None when there is none."""
    path = tables_dir / "cache_info.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise CacheError(f"{path}: not JSON ({exc}); delete it or load the cache again") from None
    if not isinstance(raw, dict):
        raise CacheError(f"{path}: expected a JSON object")
    return raw


def _local_created(local: Mapping[str, object] | None) -> dt.datetime | None:
    if not local or not isinstance(local.get("date_created"), str):
        return None
    try:
        return dt.datetime.fromisoformat(str(local["date_created"]))
    except ValueError:
        return None


def _as_set(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, Iterable):
        return {str(v) for v in value if v}
    return set()


def needs_download(
    remote: RemoteCacheInfo,
    local: Mapping[str, object] | None,
    *,
    tag: str | None = None,
    base_url: str | None = None,
    clobber: bool = False,
) -> bool:
    """Whether the server's tables should replace the local ones.

    Yes when asked to (``clobber``), when there are none, when the local tables are more than a
    minute older, come from another origin, or hold another tag.
    """
    if clobber or local is None:
        return True
    created = _local_created(local)
    fresh = created is not None and remote.date_created - created < FRESH_WITHIN
    local_tags = _as_set(local.get("database_tags"))
    # a tag asked for must be the local one; no tag asked for means untagged local tables
    different_tag = tag not in local_tags if tag else bool(local_tags)
    origins = _as_set(local.get("origin"))
    different_origin = remote.origin not in origins and (
        base_url is None or base_url not in origins
    )
    return not fresh or different_tag or different_origin


def _check_members(archive: zipfile.ZipFile, source: str) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    names = [m.filename for m in members]
    if len(set(names)) != len(names):
        raise CacheError(f"{source}: duplicate members in the cache archive")
    for member in members:
        is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
        if not _MEMBER.match(member.filename) or member.is_dir() or is_link:
            raise CacheError(
                f"{source}: unexpected member {member.filename!r} in the cache archive "
                "(only *.pqt tables and cache_info.json, without folders)"
            )
        if member.file_size > _MAX_MEMBER_BYTES:
            raise CacheError(f"{source}: member {member.filename!r} is implausibly large")
    if not any(n.endswith(".pqt") for n in names):
        raise CacheError(f"{source}: the cache archive holds no tables")
    return members


def extract_tables(zip_path: Path, tables_dir: Path) -> list[Path]:
    """Install the tables of a downloaded ``cache.zip`` into ``tables_dir``; their paths."""
    tables_dir.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CacheError(f"{zip_path}: not a readable zip archive ({exc})") from None
    installed: list[Path] = []
    with archive, filelock.FileLock(str(tables_dir / TABLES_LOCK)).acquire(timeout=600):
        for member in _check_members(archive, str(zip_path)):
            target = tables_dir / member.filename
            fd, tmp = tempfile.mkstemp(prefix=f".{member.filename}.", dir=tables_dir)
            try:
                with os.fdopen(fd, "wb") as out, archive.open(member) as src:
                    shutil.copyfileobj(src, out, 1 << 20)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except (zipfile.BadZipFile, OSError) as exc:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise CacheError(f"{zip_path}: cannot extract {member.filename} ({exc})") from None
            installed.append(target)
    _log.info("installed %d cache files into %s", len(installed), tables_dir)
    return installed


def install_cache_zip(downloader: Downloader, location: str, tables_dir: Path) -> list[Path]:
    """Download ``cache.zip`` from ``location`` and install its tables into ``tables_dir``."""
    tables_dir.mkdir(parents=True, exist_ok=True)
    archive = tables_dir / ".cache.zip"
    for stale in (archive, archive.with_name(archive.name + ".part")):
        # no checksum is known for the archive, so never resume or reuse an older one
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    downloader.fetch(DownloadTask(location, archive))
    try:
        return extract_tables(archive, tables_dir)
    finally:
        with contextlib.suppress(FileNotFoundError):
            archive.unlink()
