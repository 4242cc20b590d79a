"""The ONE cache tables of a local ALF folder as pandas frames, as in one-api's ``one.alf.cache``.

``make_parquet_db`` indexes the ALF files below a folder into ``sessions.pqt`` and
``datasets.pqt``; ``load_tables`` reads such tables as one-api's frames (``sessions`` indexed by
``id``, ``datasets`` by ``(eid, id)``, UUID labels) in a :class:`CacheBunch` with ``_meta``;
``merge_tables`` adds and updates rows of those frames; ``remove_missing_datasets`` deletes the
ALF files and session folders of a cache folder that the tables do not list;
``remove_table_files`` deletes the table files themselves; ``default_cache`` is an empty
:class:`CacheBunch`. ``SESSIONS_COLUMNS`` and ``DATASETS_COLUMNS`` give the column dtypes of the
frames (the index columns included).

>>> from onesdk.alf.cache import EMPTY_SESSIONS_FRAME
>>> EMPTY_SESSIONS_FRAME.index.name
'id'
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
import pyarrow as pa

from onesdk._cache import make_cache, read_tables
from onesdk._cache._sorted import SORTED_COPY
from onesdk._repo._frames import one_api_datasets_frame, with_uuid_index
from onesdk._repo._results import QC_DTYPE, _arrow_string_dtype, sessions_frame
from onesdk._validate import instance, path_like
from onesdk.alf import ALFPath, session_record2path
from onesdk.alf.io import iter_sessions
from onesdk.errors import ArgumentError, TableColumnsError, UnknownTableError

__all__ = [
    "DATASETS_COLUMNS",
    "EMPTY_DATASETS_FRAME",
    "EMPTY_SESSIONS_FRAME",
    "QC_TYPE",
    "SESSIONS_COLUMNS",
    "CacheBunch",
    "default_cache",
    "load_tables",
    "make_parquet_db",
    "merge_tables",
    "remove_missing_datasets",
    "remove_table_files",
]

_log = logging.getLogger("onesdk.cache")

#: the dtype of the ``qc`` column: the QC level names, ordered as the levels
QC_TYPE: pd.CategoricalDtype = QC_DTYPE

_SESSION_DTYPES: dict[str, Any] = {
    "id": object,
    "lab": object,
    "subject": object,
    "date": object,
    "number": "uint16",
    "task_protocol": object,
    "projects": object,
}
_DATASET_DTYPES: dict[str, Any] = {
    "eid": object,
    "id": object,
    "rel_path": object,
    "file_size": "UInt64",
    "hash": object,
    "exists": bool,
    "qc": QC_TYPE,
}
#: column name -> dtype of the sessions frame (``id`` is its index), read-only
SESSIONS_COLUMNS: Mapping[str, Any] = MappingProxyType(_SESSION_DTYPES)
#: column name -> dtype of the datasets frame (``eid`` and ``id`` are its index), read-only
DATASETS_COLUMNS: Mapping[str, Any] = MappingProxyType(_DATASET_DTYPES)


def _empty(dtypes: dict[str, Any], index: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()})
    return frame.set_index(index if len(index) > 1 else index[0])


#: a sessions frame with no rows: one-api's columns and dtypes, indexed by ``id``
EMPTY_SESSIONS_FRAME: pd.DataFrame = _empty(_SESSION_DTYPES, ["id"])
#: a datasets frame with no rows: one-api's columns and dtypes, indexed by ``(eid, id)``
EMPTY_DATASETS_FRAME: pd.DataFrame = _empty(_DATASET_DTYPES, ["eid", "id"])

_TABLES = ("sessions", "datasets")


class CacheBunch(dict[str, Any]):
    """Cache tables by name (``sessions``, ``datasets``) and ``_meta``; keys are attributes too."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


def _now_created() -> str:
    return dt.datetime.now().isoformat(sep=" ", timespec="minutes")


def _origins(value: object) -> set[str]:
    """A table's ``origin`` metadata as a set of names (one-api keeps several)."""
    if value is None:
        return set()
    values = value if isinstance(value, list | tuple | set) else [value]
    return {str(v) for v in values if v}


def make_parquet_db(
    root_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    hash_ids: bool = True,
    hash_files: bool = False,
    lab: str | None = None,
) -> tuple[Path, Path]:
    """Index the ALF datasets below a folder and save the cache tables.

    Parameters
    ----------
    root_dir : str or os.PathLike
        The folder holding the sessions (``[lab/Subjects/]subject/yyyy-mm-dd/NNN``).
    out_dir : str or os.PathLike, optional
        The existing folder to save ``sessions.pqt`` and ``datasets.pqt`` in; ``root_dir`` when
        None.
    hash_ids : bool
        True: the ids are UUIDs derived from the relative paths (the same tree gives the same
        ids). False: the ids are the paths themselves, a session's ``[lab/]subject/date/number``
        and a dataset's path relative to its session.
    hash_files : bool
        Store the MD5 of each file in the ``hash`` column (reads every file).
    lab : str, optional
        The lab of sessions whose path names none.

    Returns
    -------
    pathlib.Path
        The saved sessions table.
    pathlib.Path
        The saved datasets table.

    Raises
    ------
    onesdk.errors.ArgumentError
        A folder that does not exist, or an argument of the wrong type.
    onesdk.errors.CacheError
        ``lab`` conflicts with the lab folder of a session.

    Warns
    -----
    RuntimeWarning
        No session or no dataset was found (the empty tables are still saved).
    """
    path_like(root_dir, "root_dir")
    instance(hash_ids, bool, "hash_ids", "a bool")
    instance(hash_files, bool, "hash_files", "a bool")
    sessions, datasets = make_cache(
        root_dir, out_dir, hash_files=hash_files, lab=lab, path_ids=not hash_ids
    )
    import pyarrow.parquet as pq

    for what, path in (("sessions", sessions), ("datasets", datasets)):
        if pq.read_metadata(path).num_rows == 0:
            warnings.warn(f"No {what} found below {root_dir}", RuntimeWarning, stacklevel=2)
            break
    return sessions, datasets


def default_cache(origin: str = "") -> CacheBunch:
    """An empty cache: empty sessions and datasets frames and their metadata.

    Parameters
    ----------
    origin : str
        Where the tables come from (a database or computer name), kept in each table's
        ``_meta['raw'][name]['origin']`` set.

    Returns
    -------
    CacheBunch
        ``sessions`` and ``datasets`` frames without rows (the dtypes of
        ``SESSIONS_COLUMNS`` and ``DATASETS_COLUMNS``) and ``_meta`` with no times set.

    Raises
    ------
    onesdk.errors.ArgumentError
        ``origin`` that is not text.

    Examples
    --------
    >>> cache = default_cache("my-lab")
    >>> len(cache.datasets), cache["_meta"]["raw"]["sessions"]["origin"]
    (0, {'my-lab'})
    """
    instance(origin, str, "origin", "the name of the tables' origin (str)")
    return _empty_cache(origin)


def _empty_cache(origin: str = "") -> CacheBunch:
    raw = {name: {"date_created": _now_created(), "origin": _origins(origin)} for name in _TABLES}
    meta: dict[str, Any] = {
        "created_time": None,
        "loaded_time": None,
        "modified_time": None,
        "saved_time": None,
        "raw": raw,
    }
    return CacheBunch(
        datasets=EMPTY_DATASETS_FRAME.copy(), sessions=EMPTY_SESSIONS_FRAME.copy(), _meta=meta
    )


def _strings_as_read(frame: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """``frame`` with its text columns kept as objects (all missing, say) in the string dtype
    pandas gives text read from parquet."""
    dtype = _arrow_string_dtype()
    if dtype is None:
        return frame
    for field in schema:
        name = field.name
        if name in frame.columns and pa.types.is_string(field.type) and frame[name].dtype == object:
            frame[name] = frame[name].astype(dtype)
    return frame


def load_tables(tables_dir: str | os.PathLike[str], glob_pattern: str = "*.pqt") -> CacheBunch:
    """Read the cache tables of a folder as one-api's pandas frames.

    Parameters
    ----------
    tables_dir : str or os.PathLike
        The folder of ``sessions.pqt`` and ``datasets.pqt``. A folder without them (or one
        that does not exist) gives empty frames.
    glob_pattern : str
        Only the table files whose names match this pattern are read.

    Returns
    -------
    CacheBunch
        ``sessions`` (indexed by ``id``), ``datasets`` (indexed by ``(eid, id)``), the labels
        :class:`uuid.UUID` objects, and ``_meta``: ``created_time`` (the oldest
        ``date_created`` of the tables read), ``loaded_time``, ``modified_time``,
        ``saved_time`` and ``raw`` (each table's metadata, its ``origin`` a set).

    Raises
    ------
    onesdk.errors.ArgumentError
        An argument of the wrong type.
    onesdk.errors.CacheError
        A table file that is not a readable cache table (names the file).
    """
    path_like(tables_dir, "tables_dir")
    instance(glob_pattern, str, "glob_pattern", "a glob pattern (str)")
    folder = Path(tables_dir)
    cache = _empty_cache()
    wanted = {p.stem for p in folder.glob(glob_pattern) if p.is_file()} & set(_TABLES)
    if not wanted:
        return cache
    tables = read_tables(folder, datasets="datasets" in wanted)
    meta = cache["_meta"]
    meta["loaded_time"] = tables.loaded_time
    created = []
    for name in sorted(wanted):
        raw = dict(tables.metadata.get(name, {}))
        raw["origin"] = _origins(raw.get("origin", "unknown"))
        meta["raw"][name] = raw
        stamp = raw.get("date_created")
        if isinstance(stamp, str):
            try:
                created.append(dt.datetime.fromisoformat(stamp))
            except ValueError:
                _log.debug("%s: date_created %r unreadable", name, stamp)
    if "sessions" in wanted:
        # ``number`` stays uint16, the dtype of one-api's sessions table
        cache["sessions"] = with_uuid_index(sessions_frame(tables.sessions)).sort_index()
    if "datasets" in wanted:
        datasets = tables.datasets
        frame = one_api_datasets_frame(datasets).sort_index()
        cache["datasets"] = _strings_as_read(frame, datasets.schema)
    meta["created_time"] = min(created) if created else None
    return cache


def _as_frame(records: pd.DataFrame | pd.Series[Any], index: pd.Index) -> pd.DataFrame:
    if isinstance(records, pd.DataFrame):
        return records
    frame = pd.DataFrame([records])
    frame.index = frame.index.set_names(list(index.names))
    return frame


def _fill_missing(table: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """``records`` with the table's columns: extra ones dropped, missing ones added (``exists_*``
    from ``exists``, the others missing); the table's missing columns become nullable."""
    missing = [c for c in table.columns if c not in records.columns]
    if missing:
        table[missing] = table[missing].convert_dtypes()
    filled = records.reindex(columns=table.columns)
    for column in missing:
        if str(column).startswith("exists_"):
            filled[column] = records["exists"] if "exists" in records.columns else True
        else:
            filled[column] = pd.Series(pd.NA, index=filled.index, dtype=table[column].dtype)
    return filled


def merge_tables(
    cache: dict[str, Any],
    strict: bool = False,
    origin: str | None = None,
    **kwargs: pd.DataFrame | pd.Series[Any] | None,
) -> dt.datetime | None:
    """Add rows to the frames of a cache and update the rows it already holds.

    Parameters
    ----------
    cache : dict
        ``sessions``/``datasets`` frames and ``_meta`` (as from :func:`load_tables`); the
        frames are replaced by the merged ones.
    strict : bool
        True: the records must have exactly the table's columns. False: columns the table lacks
        are dropped, and columns the records lack are filled: ``exists_*`` columns with the
        records' ``exists``, the others missing (those table columns become nullable dtypes).
    origin : str, optional
        A name added to the ``origin`` set of each merged table's metadata.
    **kwargs : pandas.DataFrame or pandas.Series or None
        Records per table name, indexed as the table (a Series is one record, named by its
        index label). A row already in the table replaces it; a label repeated in the records
        counts once (the first). None or empty records are skipped.

    Returns
    -------
    datetime.datetime or None
        When the cache was changed; None when no records were merged.

    Raises
    ------
    onesdk.errors.UnknownTableError
        A keyword that names no table of ``cache`` (also a ``KeyError``).
    onesdk.errors.TableColumnsError
        ``strict=True`` and the columns differ (also an ``AssertionError``).
    onesdk.errors.ArgumentError
        An argument of the wrong type.
    """
    instance(cache, dict, "cache", "a dict of cache tables (as from load_tables)")
    instance(strict, bool, "strict", "a bool")
    instance(origin, (str, type(None)), "origin", "a name (str) or None")
    updated: dt.datetime | None = None
    for name, given in kwargs.items():
        if given is None:
            continue
        instance(given, (pd.DataFrame, pd.Series), name, "a pandas DataFrame, Series or None")
        if given.empty:
            continue
        if name not in cache:
            raise UnknownTableError(name, name, f"a table of the cache ({', '.join(cache)})")
        table: pd.DataFrame = cache[name]
        records = _as_frame(given, table.index)
        records = records[~records.index.duplicated(keep="first")]
        if not strict:
            records = _fill_missing(table, records)
        elif set(records.columns) != set(table.columns):
            raise TableColumnsError(
                f"{name}: with strict=True the records' columns {sorted(records.columns)} "
                f"must be the table's {sorted(table.columns)}"
            )
        records = records[list(table.columns)].astype(table.dtypes.to_dict())
        present = records.index.isin(table.index)
        merged = table.copy()
        if present.any():
            merged.loc[records.index[present], :] = records[present]
        added = records[~present]
        if len(merged) == 0:
            merged = added
        elif len(added):
            merged = pd.concat([merged, added])
        cache[name] = merged.sort_index()
        updated = dt.datetime.now()
        meta = cache.setdefault("_meta", {}).setdefault("raw", {})
        table_meta = meta.setdefault(name, {})
        if origin is not None:
            table_meta["origin"] = _origins(table_meta.get("origin")) | {origin}
        table_meta.setdefault("date_created", _now_created())
    cache.setdefault("_meta", {})["modified_time"] = updated
    return updated


def _remove(paths: list[ALFPath], root: Path) -> None:
    for path in paths:
        if path.is_file():
            _log.debug("removing %s", path)
            path.unlink()
            continue
        folder = Path(path)
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            _log.debug("removing %s", folder)
            folder.rmdir()
            folder = folder.parent


def remove_missing_datasets(
    cache_dir: str | os.PathLike[str],
    tables: Mapping[str, pd.DataFrame] | None = None,
    remove_empty_sessions: bool = True,
    dry: bool = True,
) -> list[ALFPath]:
    """Delete the ALF files and session folders below ``cache_dir`` that the tables do not list.

    The files looked at are the ALF files directly in each session folder (as one-api). Rows of
    the tables whose files are missing stay; files whose names are not ALF stay; a session
    folder the sessions table lists is kept even when empty.

    Parameters
    ----------
    cache_dir : str or os.PathLike
        The folder of the sessions.
    tables : Mapping, optional
        ``sessions`` and ``datasets`` frames as one-api's (indexed by ``id`` and
        ``(eid, id)``); by default the tables saved in ``cache_dir``.
    remove_empty_sessions : bool
        Also remove the session folders the sessions table does not list, once emptied (then
        the folders above them that are left empty, up to ``cache_dir``).
    dry : bool
        True: only tell what would be removed (logged at INFO under ``onesdk.cache``).

    Returns
    -------
    list of ALFPath
        The files and session folders removed (or that would be), sorted.

    Raises
    ------
    onesdk.errors.ArgumentError
        An argument of the wrong type, or ``tables`` without a sessions or datasets frame.
    """
    path_like(cache_dir, "cache_dir")
    instance(remove_empty_sessions, bool, "remove_empty_sessions", "a bool")
    instance(dry, bool, "dry", "a bool")
    root = Path(cache_dir)
    frames = load_tables(root) if tables is None else tables
    if not isinstance(frames, Mapping) or not all(
        isinstance(frames.get(k), pd.DataFrame) for k in _TABLES
    ):
        raise ArgumentError("tables", tables, "a mapping with 'sessions' and 'datasets' frames")
    sessions, datasets = frames["sessions"], frames["datasets"]
    eids = {session_record2path(row, root): eid for eid, row in sessions.iterrows()}
    eid_level = datasets.index.get_level_values(0) if len(datasets) else pd.Index([])
    found: set[ALFPath] = set()
    for session in iter_sessions(root):
        eid = eids.get(session)
        listed: set[str] = set()
        if eid is not None and len(datasets):
            listed = set(datasets.loc[eid_level == eid, "rel_path"].astype(str))
        for dataset in session.iter_datasets():
            if dataset.relative_to_session().as_posix() not in listed:
                found.add(dataset)
        if eid is None and remove_empty_sessions:
            found.add(session)
    removed = sorted(found)
    if dry:
        _log.info("would remove: %s", ", ".join(map(str, removed)) or "nothing")
        return removed
    _remove(removed, root)
    return removed


def remove_table_files(
    folder: str | os.PathLike[str], tables: str | Iterable[str] = ("sessions", "datasets")
) -> list[Path]:
    """Delete cache table files of a folder, and its ``cache_info.json``.

    Removes ``<name>.pqt`` for each name of ``tables`` (for ``datasets``, also the sorted copy
    onesdk may keep beside it) and ``cache_info.json``. A file that is not there is logged at
    WARNING and skipped. Only those exact file names are touched: data files are never deleted.

    Parameters
    ----------
    folder : str or os.PathLike
        The folder of the tables (a ``One``'s cache dir, or its tables dir).
    tables : str or iterable of str
        The table names, ``'sessions'`` and ``'datasets'`` by default; one name alone is one
        table.

    Returns
    -------
    list of pathlib.Path
        The files removed.

    Raises
    ------
    onesdk.errors.ArgumentError
        ``folder`` that is not a path, or ``tables`` that is not table names.

    Examples
    --------
    >>> removed = remove_table_files(tmp_dir)  # doctest: +SKIP
    """
    path_like(folder, "folder")
    names = [tables] if isinstance(tables, str) else tables
    if not isinstance(names, Iterable) or not all(isinstance(n, str) and n for n in names):
        raise ArgumentError("tables", tables, "table names such as ('sessions', 'datasets')")
    names = list(names)
    if any(Path(n).name != n or n in (".", "..") for n in names):
        raise ArgumentError("tables", tables, "table names, not paths")
    root = Path(folder)
    candidates = ["cache_info.json", *(f"{name}.pqt" for name in names)]
    extra = [SORTED_COPY] if "datasets" in names else []
    removed: list[Path] = []
    for filename in [*candidates, *extra]:
        file = root / filename
        try:
            file.unlink()
        except FileNotFoundError:
            if filename not in extra:
                _log.warning("%s not found", file)
            continue
        removed.append(file)
    return removed
