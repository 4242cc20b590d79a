"""Cache tables from the server: cache info, freshness, and a safe install of ``cache.zip``.

``GET /cache/info/[<tag>/]`` describes the server's latest cache tables (creation time, origin,
tags, and the ``location`` of ``cache.zip``). :func:`needs_download` decides, as one-api does,
whether the local tables are stale (more than a minute older), from another origin or of
another tag. :func:`install_cache_zip` downloads the archive with the verified downloader and
installs its tables: only plain ``*.pqt`` and ``cache_info.json`` members are accepted (no
folders, no ``..``, no links, at most :data:`MAX_MEMBERS`, expanding to at most
:func:`expansion_bound` bytes). They are extracted into a temporary folder inside the tables
dir, loaded there as cache tables, and only then renamed into place under the tables-dir lock:
a bad archive never replaces good tables.
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
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

import filelock

from onesdk._cache._schema import CACHE_INFO_FILE, DATASETS_FILE, SESSIONS_FILE
from onesdk._cache._tables import TABLES_LOCK
from onesdk._log import get_logger
from onesdk._remote._rest import JsonObject, RestRepository
from onesdk._store._download import Downloader, DownloadTask
from onesdk.errors import CacheError, ContractError

__all__ = [
    "RemoteCacheInfo",
    "install_cache_zip",
    "local_cache_info",
    "needs_download",
    "remote_cache_info",
]

_log = get_logger("onesdk.remote_tables")
_MEMBER: Final = re.compile(r"^(?:[A-Za-z0-9_.-]+\.pqt|cache_info\.json)$")
#: at most this many files in a cache archive (the tables, their info, a few spare)
MAX_MEMBERS: Final = 16
#: a cache archive never expands to more than this many bytes, whatever its size
MAX_EXPANDED_BYTES: Final = 16 << 30
#: nor to more than this many times its own size (plus 1 MiB)
MAX_EXPANSION_RATIO: Final = 100
STAGING_PREFIX: Final = ".cache-zip-"
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


def _check_members(
    archive: zipfile.ZipFile, source: str, archive_size: int
) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise CacheError(
            f"{source}: {len(members)} members in the cache archive (at most {MAX_MEMBERS})"
        )
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
    for required in (SESSIONS_FILE, DATASETS_FILE):
        if required not in names:
            raise CacheError(f"{source}: the cache archive holds no {required} table")
    declared = sum(m.file_size for m in members)
    if declared > expansion_bound(archive_size):
        raise CacheError(
            f"{source}: the cache archive would expand to {declared} bytes, more than "
            f"{expansion_bound(archive_size)} (a {archive_size}-byte archive)"
        )
    return members


def expansion_bound(archive_size: int) -> int:
    """The most bytes the members of a ``archive_size``-byte cache archive may expand to.

    Parquet tables are compressed already, so a real cache archive expands little; an archive
    that expands a hundredfold is a zip bomb. Never more than :data:`MAX_EXPANDED_BYTES`.
    """
    return min(MAX_EXPANDED_BYTES, MAX_EXPANSION_RATIO * archive_size + (1 << 20))


def _extract(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], into: Path, bound: int
) -> int:
    """Copy ``members`` into ``into``, stopping once more than ``bound`` bytes come out."""
    written = 0
    for member in members:
        with (into / member.filename).open("xb") as out, archive.open(member) as src:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > bound:
                    raise CacheError(f"the cache archive expands past {bound} bytes; not installed")
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    return written


def _validate(staged: Path, source: str) -> None:
    """Raise :class:`CacheError` unless ``staged`` holds tables a cache can load."""
    from onesdk._cache import read_tables

    info = staged / CACHE_INFO_FILE
    if info.exists():
        try:
            parsed = json.loads(info.read_text(encoding="utf-8"))
        except (ValueError, RecursionError, OSError) as exc:
            raise CacheError(
                f"{source}: {CACHE_INFO_FILE} is not valid JSON ({type(exc).__name__})"
            ) from None
        if not isinstance(parsed, dict):
            raise CacheError(f"{source}: {CACHE_INFO_FILE} is not a JSON object")
    try:
        read_tables(staged)
    except CacheError as exc:
        raise CacheError(
            f"{source}: the archive's tables are not ONE cache tables ({exc})"
        ) from None


def extract_tables(zip_path: Path, tables_dir: Path) -> list[Path]:
    """Install the tables of a downloaded ``cache.zip`` into ``tables_dir``; their paths.

    The members are extracted into a temporary folder inside ``tables_dir`` (bounded in count
    and expanded size), loaded there as cache tables, and only then renamed over the old ones
    under the tables lock. On any failure the old tables stay as they were and a
    :class:`CacheError` says why.
    """
    tables_dir.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(zip_path)
        size = zip_path.stat().st_size
    except (zipfile.BadZipFile, OSError) as exc:
        raise CacheError(f"{zip_path}: not a readable zip archive ({exc})") from None
    with archive:
        members = _check_members(archive, str(zip_path), size)
        try:
            staged = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=tables_dir))
        except OSError as exc:  # a read-only or full tables dir
            raise CacheError(f"{tables_dir}: cannot stage the cache archive ({exc})") from None
        try:
            try:
                _extract(archive, members, staged, expansion_bound(size))
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
                raise CacheError(f"{zip_path}: cannot extract the cache archive ({exc})") from None
            _validate(staged, str(zip_path))
            installed = _swap_in(staged, [m.filename for m in members], tables_dir)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
    _log.info("installed %d cache files into %s", len(installed), tables_dir)
    return installed


def _swap_in(staged: Path, names: list[str], tables_dir: Path) -> list[Path]:
    """Rename the validated files over the installed ones, under the tables lock."""
    lock = filelock.FileLock(str(tables_dir / TABLES_LOCK))
    order = sorted(names, key=lambda n: (n == CACHE_INFO_FILE, n != DATASETS_FILE, n))
    try:
        with lock.acquire(timeout=600):
            for name in order:
                os.replace(staged / name, tables_dir / name)
    except filelock.Timeout:
        raise CacheError(f"{tables_dir}: another process held the tables lock too long") from None
    except OSError as exc:
        raise CacheError(f"{tables_dir}: cannot install the cache tables ({exc})") from None
    return [tables_dir / name for name in names]


def install_cache_zip(downloader: Downloader, location: str, tables_dir: Path) -> list[Path]:
    """Download ``cache.zip`` from ``location`` and install its tables into ``tables_dir``."""
    tables_dir.mkdir(parents=True, exist_ok=True)
    archive = tables_dir / ".cache.zip"
    for stale in (archive, archive.with_name(archive.name + ".part")):
        # no checksum is known for the archive, so never resume or reuse an older one
        try:
            stale.unlink(missing_ok=True)
        except OSError as exc:  # a read-only tables dir refuses even this
            raise CacheError(f"{tables_dir}: cannot install cache tables here ({exc})") from None
    downloader.fetch(DownloadTask(location, archive))
    try:
        return extract_tables(archive, tables_dir)
    finally:
        with contextlib.suppress(OSError):
            archive.unlink(missing_ok=True)
