"""``One``: search, list and load ALF data from a local cache, with one-api's method names.

The facade normalises arguments (aliases, single values or lists, eids in any form), builds a
:class:`SessionQuery`/:class:`DatasetQuery`, asks the repository, and shapes the answer. It owns
the reference's compatibility quirks; the layers below know nothing of them.
"""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from onesdk._convert import (
    ExpRefConversions,
    ExpRefDict,
    RawExpRefDict,
)
from onesdk._facade._core import EidLike, EidList, QcLike, reopen
from onesdk._facade._narrow import NarrowLoaders
from onesdk._facade._one_cache import CacheMethods
from onesdk._facade._one_load_objects import ObjectLoadMethods
from onesdk._facade._one_locks import LockMethods
from onesdk._facade._one_paths import PathMethods
from onesdk._facade._one_search import SEARCH_TERMS
from onesdk._options import Options
from onesdk._settings import default_cache_dir, load_settings
from onesdk._validate import (
    instance,
    path_like,
)
from onesdk.errors import (
    ALFObjectNotFound,
    ArgumentError,
)

if TYPE_CHECKING:
    import pandas as pd

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


class One(
    NarrowLoaders, ExpRefConversions, ObjectLoadMethods, PathMethods, CacheMethods, LockMethods
):
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
            saved = load_settings()
            if saved is not None:
                cache_dir = cache_dir or saved.cache_dir
                http_data_server = http_data_server or saved.http_data_server
        root = Path(cache_dir) if cache_dir else default_cache_dir()
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
        if eid is None:  # no session at all is bad input, not a session missing from the cache
            raise ArgumentError("eid", None, "an experiment ID: UUID, path, exp ref or dict")
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


__all__ += ["ExpRefDict", "RawExpRefDict"]
