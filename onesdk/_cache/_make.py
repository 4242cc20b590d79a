"""Build cache tables by walking an ALF directory tree.

Sessions are folders ``lab/Subjects/subject/yyyy-mm-dd/NNN`` or ``subject/yyyy-mm-dd/NNN``;
datasets are the files below them whose names follow the ALF grammar. Ids are UUID5s of the
relative paths, so rebuilding the cache of the same tree gives the same ids.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from onesdk_gen.alf import SESSION_FOLDERS_RE, SessionParts

from onesdk._cache._io import sort_datasets
from onesdk._cache._tables import CacheTables
from onesdk._cache._write import write_tables
from onesdk._hashing import file_md5
from onesdk._validate import instance, path_like
from onesdk.alf import is_valid
from onesdk.alf._path import split_revision
from onesdk.errors import ArgumentError, CacheError

__all__ = ["iter_session_dirs", "make_cache"]

_log = logging.getLogger("onesdk.cache")

#: namespace of the ids of sessions and datasets found on disk
_NAMESPACE = uuid.UUID("5f4bd5a6-0c4c-4f69-8a47-2c1a0ea6f1c3")
_TABLE_FILES = {"sessions.pqt", "datasets.pqt", "cache_info.json"}


def iter_session_dirs(root: Path) -> Iterator[tuple[Path, SessionParts]]:
    """Yield (session folder, its parts) for every session below ``root``, sorted."""
    for dirpath, dirnames, _ in os.walk(root):
        dirnames.sort()
        rel = Path(dirpath).relative_to(root).as_posix()
        match = SESSION_FOLDERS_RE.fullmatch(rel)
        if match is not None:
            dirnames.clear()  # no sessions inside sessions
            yield Path(dirpath), SessionParts(**match.groupdict())
        elif rel.count("/") >= 5:
            dirnames.clear()  # deeper than any session folder can be


def _session_files(session: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(session):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not is_valid(name):
                continue
            found.append((Path(dirpath) / name).relative_to(session).as_posix())
    return found


def _default_flags(rel_paths: list[str]) -> list[bool]:
    """True for the lexicographically last revision of each dataset (unrevisioned sorts first)."""
    best: dict[str, tuple[str, int]] = {}
    for i, rel in enumerate(rel_paths):
        found, key = split_revision(rel)
        revision = found or ""
        if key not in best or revision > best[key][0]:
            best[key] = (revision, i)
    chosen = {i for _, i in best.values()}
    return [i in chosen for i in range(len(rel_paths))]


def make_cache(
    root_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    *,
    hash_files: bool = False,
    lab: str | None = None,
    workers: int | None = None,
    path_ids: bool = False,
) -> tuple[Path, Path]:
    """Index the ALF files below ``root_dir`` and save ``sessions.pqt``/``datasets.pqt``.

    ``hash_files`` computes the md5 of every file (in ``workers`` threads); ``lab`` fills the
    lab of sessions whose path has none. ``path_ids`` makes the ids relative paths instead of
    UUIDs (a session's ``[lab/]subject/date/number``, a dataset's path in its session), as
    one-api's ``make_parquet_db(hash_ids=False)``. Returns the paths of the two tables.
    """
    path_like(root_dir, "root_dir")
    if out_dir is not None:
        path_like(out_dir, "out_dir")
    instance(lab, (str, type(None)), "lab", "a lab name (str) or None")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)):
        raise ArgumentError("workers", workers, "a positive int or None")
    if workers is not None and workers < 1:
        raise ArgumentError("workers", workers, "a positive int or None")
    root = Path(root_dir).resolve()
    if not root.is_dir():
        raise ArgumentError("root_dir", str(root_dir), "an existing directory")
    out = Path(out_dir).resolve() if out_dir is not None else root
    if not out.is_dir():
        raise ArgumentError("out_dir", str(out_dir), "an existing directory")

    ses_cols: dict[str, list[object]] = {
        k: [] for k in ("id", "lab", "subject", "date", "number", "task_protocol", "projects")
    }
    ds_cols: dict[str, list[object]] = {
        k: [] for k in ("eid", "id", "file_size", "hash", "default_revision", "qc", "exists")
    }
    rel_paths_all: list[str] = []
    to_hash: list[Path] = []
    for session, parts in iter_session_dirs(root):
        rel_session = session.relative_to(root).as_posix()
        eid = str(uuid.uuid5(_NAMESPACE, rel_session))
        if path_ids:
            eid = "/".join(p for p in (parts.lab, parts.subject, parts.date, parts.number) if p)
        session_lab = parts.lab or lab or ""
        if lab and parts.lab and parts.lab != lab:
            raise CacheError(f"{session}: lab {parts.lab!r} conflicts with lab={lab!r}")
        ses_cols["id"].append(eid)
        ses_cols["lab"].append(session_lab)
        ses_cols["subject"].append(parts.subject)
        ses_cols["date"].append(dt.date.fromisoformat(parts.date))
        ses_cols["number"].append(int(parts.number))
        ses_cols["task_protocol"].append("")
        ses_cols["projects"].append("")
        files = _session_files(session)
        for rel, is_default in zip(files, _default_flags(files), strict=True):
            path = session / rel
            ds_cols["eid"].append(eid)
            ds_id = rel if path_ids else str(uuid.uuid5(_NAMESPACE, f"{rel_session}/{rel}"))
            ds_cols["id"].append(ds_id)
            ds_cols["file_size"].append(path.stat().st_size)
            ds_cols["default_revision"].append(is_default)
            ds_cols["qc"].append(0)
            ds_cols["exists"].append(True)
            rel_paths_all.append(rel)
            to_hash.append(path)
    if hash_files and to_hash:
        with ThreadPoolExecutor(max_workers=workers or min(8, (os.cpu_count() or 1) + 2)) as pool:
            ds_cols["hash"] = list(pool.map(file_md5, to_hash))
    else:
        ds_cols["hash"] = [None] * len(to_hash)
    if not ses_cols["id"]:
        _log.warning("no ALF sessions found below %s", root)

    sessions = pa.table(
        {
            "id": pa.array(ses_cols["id"], pa.string()),
            "lab": pa.array(ses_cols["lab"], pa.string()),
            "subject": pa.array(ses_cols["subject"], pa.string()),
            "date": pa.array(ses_cols["date"], pa.date32()),
            "number": pa.array(ses_cols["number"], pa.uint16()),
            "task_protocol": pa.array(ses_cols["task_protocol"], pa.string()),
            "projects": pa.array(ses_cols["projects"], pa.string()),
        }
    )
    datasets = pa.table(
        {
            "eid": pa.array(ds_cols["eid"], pa.string()).dictionary_encode(),
            "id": pa.array(ds_cols["id"], pa.string()),
            "file_size": pa.array(ds_cols["file_size"], pa.uint64()),
            "hash": pa.array(ds_cols["hash"], pa.string()),
            "default_revision": pa.array(ds_cols["default_revision"], pa.bool_()),
            "qc": pa.array(ds_cols["qc"], pa.int8()),
            "exists": pa.array(ds_cols["exists"], pa.bool_()),
            "rel_path": pa.array(rel_paths_all, pa.string()).dictionary_encode(),
        }
    )
    sessions = sessions.take(pc.sort_indices(sessions, [("id", "ascending")]))
    tables = CacheTables(sessions, sort_datasets(datasets))
    return write_tables(tables, out, origin=str(root))
