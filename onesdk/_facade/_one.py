"""``One``: search, list and load ALF data from a local cache, with one-api's method names.

The facade normalises arguments (aliases, single values or lists, eids in any form), builds a
:class:`SessionQuery`/:class:`DatasetQuery`, asks the repository, and shapes the answer. It owns
the reference's compatibility quirks; the layers below know nothing of them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Literal, overload

import platformdirs

from onesdk._atomic import atomic_write_bytes
from onesdk._convert import (
    ExpRefConversions,
    ExpRefDict,
    RawExpRefDict,
)
from onesdk._facade._core import SEARCH_TERMS, EidLike, EidList, QcLike, reopen
from onesdk._facade._narrow import NarrowLoaders
from onesdk._facade._one_load import LoadMethods
from onesdk._facade._one_paths import PathMethods
from onesdk._options import Options
from onesdk._remote._layered import LayeredRepository
from onesdk._repo._query import FilenameFilter, PartValue
from onesdk._validate import (
    instance,
    path_like,
)
from onesdk.errors import (
    ALFObjectNotFound,
    ArgumentError,
    CacheError,
    CacheWarning,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from onesdk._lock._core import Lock
    from onesdk._models import Session

__all__ = ["SEARCH_TERMS", "EidLike", "EidList", "One", "QcLike", "reopen"]

# The heavy modules (pyarrow, pandas, file loaders) come in with the class, not on first use:
# constructing a One then costs the cache load only, and the first load_* call its reading and
# hashing only. ``import onesdk`` itself stays light (the class is lazy there). The pydantic
# models stay lazy: only record-returning calls need them.
for _module in (
    "onesdk._repo._parquet",
    "onesdk._repo._results",
    "onesdk._hashing",
    "onesdk.alf.io",
):
    importlib.import_module(_module)

_log = logging.getLogger("onesdk.one")


class One(NarrowLoaders, ExpRefConversions, LoadMethods, PathMethods):
    """Search, list and load ALF data from the cache tables in ``cache_dir``.

    ``wildcards=True`` (default) makes dataset filters shell patterns (``*``, ``?``) and session
    text filters regular expressions, as in one-api.

    ``lazy`` chooses how the datasets table is held. ``False``: loaded whole into memory (the
    fastest queries). ``True``: left on disk and read per query from a partitioned copy
    (``datasets.parts/`` beside ``datasets.pqt``, built on first open and rebuilt when the
    table changes), so a table larger than memory works; every method gives the same answers.
    ``None`` (default): lazy when ``datasets.pqt`` is larger than 1/8 of physical memory.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        The folder of the sessions and cache tables (default: the one saved for the default
        server, else the user cache dir).
    mode : {'local', 'auto'}
        A :class:`One` always reads its tables; use ``ONE(base_url=...)`` for a server.
    wildcards : bool
        Dataset filters are shell patterns, session filters regular expressions.
    tables_dir : str or os.PathLike, optional
        Where the cache tables are, when not in ``cache_dir``.
    silent : bool
        Hide progress bars.
    http_data_server : str, optional
        The file server root that ``path2url``/``record2url`` build URLs from.
    lazy : bool, optional
        How the datasets table is held (above).
    """

    def __init__(
        self,
        cache_dir: str | os.PathLike[str] | None = None,
        mode: str = "local",
        wildcards: bool = True,
        tables_dir: str | os.PathLike[str] | None = None,
        *,
        silent: bool = False,
        http_data_server: str | None = None,
        lazy: bool | None = None,
    ) -> None:
        for name, value in (("cache_dir", cache_dir), ("tables_dir", tables_dir)):
            if value is not None:
                path_like(value, name)
        instance(http_data_server, (str, type(None)), "http_data_server", "a URL (str) or None")
        instance(lazy, (bool, type(None)), "lazy", "True, False or None (automatic)")
        if mode not in ("local", "auto"):
            raise ArgumentError(
                "mode", mode, "'local' (or 'auto') for One; use ONE(base_url=...) for remote"
            )
        if cache_dir is None:
            # One() alone: the cache dir and file server saved for the default server, if any
            from onesdk._settings import load_settings

            saved = load_settings()
            if saved is not None:
                cache_dir = cache_dir or saved.cache_dir
                http_data_server = http_data_server or saved.http_data_server
        root = Path(cache_dir) if cache_dir else Path(platformdirs.user_cache_dir("ONE"))
        options = Options(
            cache_dir=root,
            tables_dir=Path(tables_dir) if tables_dir else root,
            mode="local",
            wildcards=wildcards,
            silent=silent,
            http_data_server=http_data_server.rstrip("/") if http_data_server else None,
            lazy=lazy,
        )
        self._open(options)
        self._loaded()

    def __repr__(self) -> str:
        return f"One ({'off' if self.offline else 'on'}line, {self.cache_dir})"

    # ------------------------------------------------------------------ cache

    def refresh_cache(self, mode: str = "auto") -> dt.datetime | None:
        """Reload the tables from disk (a local cache has nothing newer to fetch).

        Parameters
        ----------
        mode : str
            Accepted for one-api compatibility (``'auto'``, ``'refresh'``, ``'remote'``...).

        Returns
        -------
        datetime.datetime or None
            When the tables were loaded.
        """
        return self.load_cache()

    def save_cache(
        self,
        save_dir: str | os.PathLike[str] | None = None,
        clobber: bool = False,
        *,
        force: bool = False,
    ) -> None:
        """Write the tables, atomically, if they changed since they were loaded or saved.

        Parameters
        ----------
        save_dir : str or os.PathLike, optional
            Where to write them (default: the tables dir).
        clobber : bool
            Write even when nothing changed.
        force : bool
            The same as ``clobber`` (the spelling of one-api's documentation).
        """
        from onesdk._cache import write_tables
        from onesdk._repo._parquet import ParquetRepository

        if save_dir is not None:
            path_like(save_dir, "save_dir")
        out = Path(save_dir) if save_dir else self._tables_dir
        tables = self.tables
        layered = isinstance(self.repository, LayeredRepository) and self.repository.changed
        unchanged = not layered and (
            self._modified_time is None
            or (self._saved_time is not None and self._modified_time <= self._saved_time)
        )
        if not (clobber or force) and (unchanged and out == self._tables_dir):
            return
        empty = len(tables.sessions) == 0 and len(tables.core_datasets) == 0 and not self.lazy
        if not (clobber or force) and empty:
            return
        out.mkdir(parents=True, exist_ok=True)
        repo = self._loaded()[1]
        # a lazy datasets table is streamed from its partitioned copy, never held whole
        batches = None if isinstance(repo, ParquetRepository) else repo.dataset_batches()
        write_tables(tables, out, dataset_batches=batches)
        self._saved_time = dt.datetime.now()
        if isinstance(repo, LayeredRepository) and repo.changed:
            # what was saved becomes the loaded tables: the overlay starts empty again
            self._tables = tables
            self._repo = LayeredRepository(ParquetRepository(tables), tables)

    def save_loaded_ids(
        self, sessions_only: bool = False, clear_list: bool = True
    ) -> tuple[list[uuid.UUID], Path | None]:
        """Write the ids of the loaded datasets (or of their sessions) to a CSV file.

        Datasets are recorded while ``record_loaded`` is True, whether they were on disk or
        downloaded.

        Parameters
        ----------
        sessions_only : bool
            Save the sessions' eids instead of the dataset ids.
        clear_list : bool
            Forget the recorded ids afterwards.

        Returns
        -------
        list of uuid.UUID
            The ids written (as one-api returns them).
        pathlib.Path or None
            The CSV file (in the tables dir), or None when nothing was recorded (with a
            ``CacheWarning``).
        """
        import warnings

        if not self._loaded_ids:
            hint = "" if self.record_loaded else "; set record_loaded = True to record them"
            warnings.warn(f"No datasets loaded{hint}", CacheWarning, 2)
            return [], None
        if sessions_only:
            name = "session_uuid"
            ids = [uuid.UUID(e) for e in self.repository.eids_of(self._loaded_ids)]
        else:
            name = "dataset_uuid"
            ids = sorted(uuid.UUID(i) for i in self._loaded_ids)
        stamp = dt.datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
        path = self._tables_dir / f"{stamp}_loaded_{name}s.csv"
        try:
            atomic_write_bytes(path, ("\n".join([name, *map(str, ids)]) + "\n").encode())
        except OSError as exc:  # read-only or full cache dir
            raise CacheError(f"{path}: cannot save the loaded ids ({exc.strerror})") from None
        if clear_list:
            self._loaded_ids.clear()
        return ids, path

    # ------------------------------------------------------------------ locks

    def lock(
        self,
        eid_or_eids: EidLike | Sequence[EidLike],
        datasets: str | Sequence[str] | None = None,
        *,
        collection: str | None = None,
        revision: str | None = None,
    ) -> Lock:
        """Pin what loading datasets of these sessions would read now.

        Parameters
        ----------
        eid_or_eids : str, uuid.UUID, pathlib.Path, dict, or a list of them
            The session(s).
        datasets : str or list of str, optional
            Dataset names as :meth:`load_dataset` takes them (default: every dataset).
        collection : str, optional
            Only datasets of this collection.
        revision : str, optional
            The revision to pin (or the last one before it).

        Returns
        -------
        onesdk.Lock
            For each dataset its id, revision path, size, md5 and QC; ``lock.save(path)`` writes
            it (see docs/locks.md).
        """
        from onesdk._lock._make import make_lock

        return make_lock(self, eid_or_eids, datasets, collection=collection, revision=revision)

    @contextlib.contextmanager
    def locked(self, lock: Lock) -> Iterator[Lock]:
        """A block in which every ``list_*``/``load_*`` reads the datasets a lock pins.

        Parameters
        ----------
        lock : onesdk.Lock
            The lock to read through.

        Yields
        ------
        onesdk.Lock
            The same lock.

        Raises
        ------
        onesdk.errors.NotLockedError
            A session or dataset the lock does not pin is asked for inside the block.
        """
        from onesdk._lock._view import pinned

        with pinned(self, lock):
            yield lock

    def sync(self, lock: Lock) -> list[Path]:
        """Download (when missing or different) and md5-verify the files a lock pins.

        Parameters
        ----------
        lock : onesdk.Lock
            The lock whose datasets to fetch into this cache dir.

        Returns
        -------
        list of pathlib.Path
            The local files, in the lock's order.
        """
        from onesdk._lock._sync import sync

        return sync(self, lock)

    # ------------------------------------------------------------------ search

    def list_subjects(self) -> list[str]:
        """Every subject in the cache.

        Returns
        -------
        list of str
            The subject nicknames, sorted.
        """
        import pyarrow.compute as pc

        subjects = pc.unique(self.repository.sessions_table.column("subject")).to_pylist()
        return sorted(s for s in subjects if s is not None)

    # ------------------------------------------------------------------ identifiers

    # ------------------------------------------------------------------ details

    @overload
    def get_details(self, eid: EidLike, full: Literal[False] = False) -> Session: ...
    @overload
    def get_details(self, eid: EidLike, full: Literal[True]) -> pd.DataFrame: ...
    @overload
    def get_details(self, eid: EidList, full: Literal[False] = False) -> list[Session]: ...
    @overload
    def get_details(self, eid: EidList, full: Literal[True]) -> list[pd.DataFrame]: ...
    def get_details(
        self, eid: EidLike | EidList, full: bool = False
    ) -> Session | pd.DataFrame | list[Session] | list[pd.DataFrame]:
        """The record of a session.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, or a list of them
            The session(s): UUIDs, session paths, exp refs or records; a list gives a list, in
            order.
        full : bool
            Return the session's datasets frame with the session columns joined, instead of the
            record.

        Returns
        -------
        onesdk.Session
            The session record (also readable as ``record['subject']``).
        pandas.DataFrame
            With ``full=True``.

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            A session is not in the cache.
        """
        if isinstance(eid, list | tuple):
            if full:
                return [self.get_details(one, full=True) for one in eid]
            return [self.get_details(one) for one in eid]
        found = self._to_eid(eid, "eid")
        key = str(found) if found is not None else str(eid)
        if not self.repository.has_session(key):
            raise ALFObjectNotFound(f"session {eid} is not in the cache")
        if not full:
            return self.repository.details(key)
        record = self._session_record(key)
        import pandas as pd

        frame = self.list_datasets(key, details=True, qc="CRITICAL", keep_eid_index=True)
        for name, value in record.items():
            if name != "id":
                frame[name] = pd.Series([value] * len(frame), index=frame.index, dtype=object)
        return frame

    # ------------------------------------------------------------------ list

    @overload
    def list_datasets(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        qc: QcLike = "FAIL",
        ignore_qc_not_set: bool = False,
        details: Literal[False] = False,
        query_type: str | None = None,
        default_revisions_only: bool = False,
        keep_eid_index: bool = False,
    ) -> list[str]: ...
    @overload
    def list_datasets(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        qc: QcLike = "FAIL",
        ignore_qc_not_set: bool = False,
        *,
        details: Literal[True],
        query_type: str | None = None,
        default_revisions_only: bool = False,
        keep_eid_index: bool = False,
    ) -> pd.DataFrame: ...
    def list_datasets(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        qc: QcLike = "FAIL",
        ignore_qc_not_set: bool = False,
        details: bool = False,
        query_type: str | None = None,
        default_revisions_only: bool = False,
        keep_eid_index: bool = False,
    ) -> list[str] | pd.DataFrame:
        """The datasets of a session (or of every session).

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, a list of them, or None
            The session(s) to list; None lists every session in the cache.
        filename : str, list of str or dict, optional
            Dataset file names to match: a pattern (shell wildcards, or a regular expression when
            ``wildcards`` is off), a list of patterns (any of them), or a dict of ALF parts
            (``{'object': 'trials', 'attribute': ['choice', 'intervals']}``).
        collection : str or list of str, optional
            Collection pattern(s), e.g. ``'alf/probe*'``; ``''`` matches the session root.
        revision : str or list of str, optional
            Revision pattern(s), e.g. ``'2024-*'``; ``''`` matches datasets without a revision.
        qc : str, int or onesdk.QC
            List only datasets whose QC is at or below this level (default ``'FAIL'``).
        ignore_qc_not_set : bool
            Leave out datasets whose QC is ``NOT_SET``.
        details : bool
            Return the datasets frame instead of the relative paths.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.
        default_revisions_only : bool
            Only each dataset's default revision.
        keep_eid_index : bool
            With ``details``, index the frame by (eid, id) also for a single session.

        Returns
        -------
        list of str
            The relative paths ``collection/#revision#/name``, sorted (in table order, each once,
            without ``eid``).
        pandas.DataFrame
            With ``details=True``: the datasets frame (columns rel_path, file_size, hash, exists,
            qc, default_revision...), indexed by id, or by (eid, id).

        Examples
        --------
        >>> one.list_datasets(eid, collection='alf/probe00')
        >>> one.list_datasets(eid, filename={'object': 'spikes'}, details=True)

        Notes
        -----
        Remotely the session's datasets are asked of the server and merged into the cache tables;
        as in one-api, ``default_revisions_only`` has no effect there.
        """
        remote = (
            eid is not None
            and isinstance(eid, str | uuid.UUID | PurePath | Mapping)
            and self._asks_server(query_type)
        )
        if remote:
            # the server's listing of the session; as in the reference, default revisions
            # only have no effect remotely
            key = self._remote_eid(eid)  # type: ignore[arg-type]
            self._refresh_sessions([key])
            eids: tuple[str, ...] | None = (key,)
            default_revisions_only = False
        else:
            eids = self._eids_arg(eid)
        query = self._dataset_query(
            eids, filename, collection, revision, qc, ignore_qc_not_set, default_revisions_only
        )
        repo = self.repository
        if details:
            from onesdk._repo._results import datasets_frame

            table = repo.datasets(query)
            frame = datasets_frame(table, eid_index=eids is None or keep_eid_index)
            return remote_order(frame) if remote else frame
        return repo.rel_paths(query)

    @overload
    def list_collections(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        details: Literal[False] = False,
        query_type: str | None = None,
    ) -> list[str]: ...
    @overload
    def list_collections(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        *,
        details: Literal[True],
        query_type: str | None = None,
    ) -> dict[str, pd.DataFrame]: ...
    def list_collections(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        details: bool = False,
        query_type: str | None = None,
    ) -> list[str] | dict[str, pd.DataFrame]:
        """The collections holding matching datasets.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, a list of them, or None
            The session(s) to list; None lists every session in the cache.
        filename : str, list of str or dict, optional
            Dataset file names to match: a pattern (shell wildcards, or a regular expression when
            ``wildcards`` is off), a list of patterns (any of them), or a dict of ALF parts
            (``{'object': 'trials', 'attribute': ['choice', 'intervals']}``).
        collection : str or list of str, optional
            Collection pattern(s), e.g. ``'alf/probe*'``; ``''`` matches the session root.
        revision : str or list of str, optional
            Revision pattern(s), e.g. ``'2024-*'``; ``''`` matches datasets without a revision.
        details : bool
            Return a datasets frame per collection instead of the names.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.

        Returns
        -------
        list of str
            The collection names in table order (``''`` for the session root).
        dict of str to pandas.DataFrame
            With ``details=True``: each collection's datasets frame.
        """
        table = self._matching_table(eid, filename, collection, revision, query_type=query_type)
        found = self._group_by_part(table, 0, details, eid_index=eid is None)
        if self._asks_server(query_type) and isinstance(found, dict):
            return {key: remote_order(frame) for key, frame in found.items()}
        return found

    @overload
    def list_revisions(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        details: Literal[False] = False,
        query_type: str | None = None,
    ) -> list[str]: ...
    @overload
    def list_revisions(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        *,
        details: Literal[True],
        query_type: str | None = None,
    ) -> dict[str, pd.DataFrame]: ...
    def list_revisions(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        details: bool = False,
        query_type: str | None = None,
    ) -> list[str] | dict[str, pd.DataFrame]:
        """The revisions of matching datasets.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, a list of them, or None
            The session(s) to list; None lists every session in the cache.
        filename : str, list of str or dict, optional
            Dataset file names to match: a pattern (shell wildcards, or a regular expression when
            ``wildcards`` is off), a list of patterns (any of them), or a dict of ALF parts
            (``{'object': 'trials', 'attribute': ['choice', 'intervals']}``).
        collection : str or list of str, optional
            Collection pattern(s), e.g. ``'alf/probe*'``; ``''`` matches the session root.
        revision : str or list of str, optional
            Revision pattern(s), e.g. ``'2024-*'``; ``''`` matches datasets without a revision.
        details : bool
            Return a datasets frame per revision instead of the names.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.

        Returns
        -------
        list of str
            The revision names in table order (``''`` for datasets without a revision).
        dict of str to pandas.DataFrame
            With ``details=True``: each revision's datasets frame.
        """
        table = self._matching_table(eid, filename, collection, revision, query_type=query_type)
        return self._group_by_part(table, 1, details, eid_index=eid is None)

    def _group_by_part(
        self, table: pa.Table, part: int, details: bool, *, eid_index: bool
    ) -> list[str] | dict[str, pd.DataFrame]:
        import pyarrow as pa

        from onesdk._repo._query import split_rel_path
        from onesdk._repo._results import datasets_frame, rel_paths

        keys = [split_rel_path(r)[part] for r in rel_paths(table)]
        if not details:
            return list(dict.fromkeys(keys))
        groups: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            groups.setdefault(key, []).append(i)
        return {
            key: datasets_frame(table.take(pa.array(rows, pa.int64())), eid_index=eid_index)
            for key, rows in sorted(groups.items())
        }

    # ------------------------------------------------------------------ load

    # ------------------------------------------------------------------ conversions

    @staticmethod
    def setup(
        cache_dir: str | os.PathLike[str] | None = None,
        silent: bool = False,
        *,
        hash_files: bool = False,
        lab: str | None = None,
        overwrite: bool | None = None,
    ) -> One:
        """Index a folder of ALF sessions into cache tables and open it.

        Parameters
        ----------
        cache_dir : str or os.PathLike, optional
            The root folder of the sessions (default: the working directory).
        silent : bool
            Hide progress bars.
        hash_files : bool
            Store each file's md5 (slower).
        lab : str, optional
            The lab of sessions whose path has no lab part.
        overwrite : bool, optional
            Rebuild existing tables (they are kept otherwise; nothing is ever asked interactively).

        Returns
        -------
        onesdk.One
            A local instance on the folder.

        Raises
        ------
        onesdk.errors.ArgumentError
            ``cache_dir`` is not an existing folder.
        """
        from onesdk._cache import make_cache

        if cache_dir is not None:
            path_like(cache_dir, "cache_dir")
        root = Path(cache_dir) if cache_dir else Path.cwd()
        if not root.is_dir():
            raise ArgumentError("cache_dir", str(root), "an existing directory")
        if overwrite or not (root / "sessions.pqt").exists():
            make_cache(root, hash_files=hash_files, lab=lab)
        return One(root, mode="local", silent=silent)


#: the column order of one-api's remote ``list_datasets(details=True)``
_REMOTE_COLUMNS = ("file_size", "hash", "exists", "rel_path", "default_revision", "qc")


def remote_order(frame: pd.DataFrame) -> pd.DataFrame:
    """A datasets frame with the remote column order (file_size, hash, exists, ...)."""
    first = [c for c in _REMOTE_COLUMNS if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


__all__ += ["ExpRefDict", "RawExpRefDict"]
