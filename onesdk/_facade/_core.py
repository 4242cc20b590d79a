"""The core of the facade: options, tables and repository, the server, and local files.

The core holds the three things a facade is made of: the frozen :class:`Options`, a repository
(with a server: a layered one) and a :class:`Store`. ``One`` is assembled from this core and
groups of methods, each a module of this package, each group building on the ones before it:

* :mod:`~onesdk._facade._one_search` (``search``), then :mod:`~onesdk._facade._one_identifiers`
  (eids from any identifier), then :mod:`~onesdk._facade._one_list` (``list_*`` and the dataset
  query), then :mod:`~onesdk._facade._one_load` (dataset loads) and
  :mod:`~onesdk._facade._one_load_objects` (object and collection loads);
* :mod:`~onesdk._facade._one_paths` (paths, URLs, exp refs), :mod:`~onesdk._facade._one_cache`
  (save and refresh the tables), :mod:`~onesdk._facade._one_locks` (data locks),
  :mod:`~onesdk._facade._narrow` (loaders of one precise type).

``OneAlyx`` adds :mod:`~onesdk._facade._one_alyx_records`, ``_one_alyx_aggregates`` and
``_one_alyx_paths``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Self, TypeAlias

from onesdk._options import Options
from onesdk._remote._layered import LayeredRepository
from onesdk._store._core import FileRecord, Store
from onesdk._validate import (
    path_like,
)
from onesdk.alf._alfpath import ALFPath
from onesdk.errors import (
    AlfError,
    ALFObjectNotFound,
    ArgumentError,
    CacheWarning,
    OfflineError,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from onesdk._cache import CacheTables
    from onesdk._facade._cache_view import CacheView, LoadedIds
    from onesdk._lock._view import PinView
    from onesdk._models import Session
    from onesdk._remote._session import RemoteSession
    from onesdk._repo._lazy_repository import LazyRepository
    from onesdk._repo._parquet import ParquetRepository
    from onesdk._settings import Secret


__all__ = ["EidLike", "EidList", "Facade", "QcLike", "reopen"]

_log = logging.getLogger("onesdk.one")


if TYPE_CHECKING:  # a Session record is an eid too; pydantic only loads when one is used
    EidLike: TypeAlias = str | uuid.UUID | PurePath | Mapping[str, object] | Session
else:
    EidLike = str | uuid.UUID | PurePath | Mapping[str, object]


# Several eids at once: a list or tuple (never a bare string, which is one eid).
EidList = list[str] | list[uuid.UUID] | list[EidLike] | tuple[EidLike, ...]


QcLike = int | str


_FAIL = 3  # position of FAIL in the QC order


def reopen(cls: type[Facade], options: Options, token: Secret | None) -> Facade:
    """An instance of ``cls`` rebuilt from pickled ``options`` (and session ``token``)."""
    return cls._reopen(options, token)


class Facade:
    """Options, repository and store of a facade, and what every method group uses."""

    def _open(self, options: Options, server: RemoteSession | None = None) -> None:
        """Take ``options``; the tables are read on first use (or by :meth:`load_cache`)."""
        self._options = options
        self.cache_dir = options.cache_dir
        self._tables_dir = options.tables_dir
        self._server = server
        self.wildcards = options.wildcards
        self.silent = options.silent
        self.http_data_server = options.http_data_server
        self.record_loaded = False
        self._loaded_ids: LoadedIds | None = None  # none until a load is recorded
        self._modified_time: dt.datetime | None = None
        self._saved_time: dt.datetime | None = None
        self._tables: CacheTables | None = None
        self._repo: ParquetRepository | LazyRepository | LayeredRepository | None = None
        self._lazy_wanted = options.lazy
        self._pin: PinView | None = None
        self._cache_view: CacheView | None = None  # one-api's ``_cache``, built when asked for
        self._store = Store(
            options.cache_dir,
            data_server=options.http_data_server,
            online=lambda: not self.offline,
            silent=options.silent,
            n_threads=options.n_threads,
            timeout=options.timeout,
            auth=server.file_auth if server is not None else None,
        )

    @classmethod
    def _reopen(cls, options: Options, token: Secret | None) -> Self:
        """An instance on ``options`` that reads its tables on first use (and, for a server,
        logs in with ``token`` when it first needs to)."""
        one = cls.__new__(cls)
        if options.base_url is None:
            one._open(options)
            return one
        from onesdk._http._auth import resolve_credentials
        from onesdk._remote._session import connect

        # 'refresh' already fetched the server's tables before pickling: read them as 'auto'
        reopened = options.replace(mode="auto") if options.mode == "refresh" else options
        user = options.username
        credentials = resolve_credentials(user, None) if user is not None else None
        one._open(options, connect(reopened, credentials, token, one._layers))
        return one

    @property
    def options(self) -> Options:
        """The frozen options this instance was opened with (what it pickles as)."""
        return self._options

    def __reduce__(self) -> tuple[object, ...]:
        # the options and the session token, never the password; the unpickled instance
        # reads its tables again on first use
        token = self._server.auth.token if self._server is not None else None
        return (reopen, (type(self), self._options, token))

    @property
    def mode(self) -> str:
        """'local' (nothing reaches a server), or with a server 'remote' (calls ask it)."""
        return self._server.mode if self._server is not None else "local"

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in ("local", "remote"):
            raise ArgumentError("mode", value, "'local' or 'remote'")
        if self._server is None:
            if value != "local":
                raise ArgumentError("mode", value, "'local' for One without a server")
            return
        self._server.mode = value

    @property
    def uuid_filenames(self) -> bool:
        """Always False: files are kept under their ALF names (no dataset id in the name)."""
        return False

    @uuid_filenames.setter
    def uuid_filenames(self, value: bool) -> None:
        if value is not False:
            raise ArgumentError(
                "uuid_filenames", value, "False: files are kept under their ALF names"
            )

    @property
    def offline(self) -> bool:
        """True when nothing reaches a server (always, for a One without one)."""
        return self._server is None or self._server.mode == "local"

    def _loaded(
        self,
    ) -> tuple[CacheTables, ParquetRepository | LazyRepository | LayeredRepository]:
        """The tables and repository, read first if nothing is loaded yet (an unpickled
        instance reads them on first use)."""
        if self._repo is None or self._tables is None:
            self._first_load()
        if self._repo is None or self._tables is None:
            raise AlfError("no cache loaded; call load_cache()")
        if self._cache_view is not None:  # the user may have changed its frames
            self._cache_view.sync()
        return self._tables, self._repo

    @property
    def _cache(self) -> CacheView:
        """one-api's in-memory tables as pandas frames, kept in step with this instance: a
        compatibility view (built on first use; each later call then checks it for changes)."""
        from onesdk._facade._cache_view import cache_view

        return cache_view(self)

    def _first_load(self) -> None:
        """The tables an instance starts with: the local ones, or with a server in 'remote'
        or 'refresh' mode none (the server is asked), as the reference."""
        if self._server is None:
            Facade.load_cache(self)
        elif self._server.starts_empty:
            from onesdk._cache import empty_tables
            from onesdk._repo._parquet import ParquetRepository

            self._tables = empty_tables()
            self._repo = LayeredRepository(ParquetRepository(self._tables), self._tables)
        else:
            self._load_layered(None)

    def _load_layered(self, tables_dir: str | os.PathLike[str] | None) -> dt.datetime | None:
        """Read the tables from disk, with an empty overlay for a server's answers."""
        loaded = Facade.load_cache(self, tables_dir)
        tables, repo = self._tables, self._repo
        if tables is None or repo is None or isinstance(repo, LayeredRepository):
            raise AlfError("no cache loaded; call load_cache()")
        self._repo = LayeredRepository(repo, tables)
        return loaded

    def _layers(self) -> LayeredRepository:
        """The layered repository of an instance with a server."""
        repo = self._loaded()[1]
        if not isinstance(repo, LayeredRepository):
            raise AlfError("only an instance with a server holds a layered repository")
        return repo

    @property
    def repository(self) -> ParquetRepository | LazyRepository | LayeredRepository:
        tables, repo = self._loaded()
        if self._pin is not None:  # inside locked(): the lock's datasets only
            return self._pin.repository(repo, tables)
        return repo

    @property
    def lazy(self) -> bool:
        """True when the datasets table is read from disk per query (see ``lazy=``)."""
        from onesdk._remote._layered import LayeredRepository
        from onesdk._repo._lazy_repository import LazyRepository

        repo = self._loaded()[1]
        return isinstance(
            repo.base if isinstance(repo, LayeredRepository) else repo, LazyRepository
        )

    @property
    def tables(self) -> CacheTables:
        """The cache tables; when :attr:`lazy`, reading ``tables.datasets`` loads every
        dataset row from disk (``tables.core_datasets`` has the columns only)."""
        from onesdk._remote._layered import LayeredRepository

        tables, repo = self._loaded()
        return repo.merged() if isinstance(repo, LayeredRepository) else tables

    def load_cache(
        self, tables_dir: str | os.PathLike[str] | None = None, clobber: bool = True
    ) -> dt.datetime | None:
        """(Re)load the cache tables.

        Parameters
        ----------
        tables_dir : str or os.PathLike, optional
            Where the tables are (default: the tables dir this instance was opened with).
        clobber : bool
            Must be True (the default): the tables are replaced, never merged into the loaded
            ones (one-api refuses ``clobber=False`` too).

        Returns
        -------
        datetime.datetime or None
            When the tables were loaded; None when none were found (with a ``CacheWarning``).

        Raises
        ------
        onesdk.errors.ArgumentError
            ``clobber=False``, or ``tables_dir`` is not a path.
        """
        import warnings

        from onesdk._cache import read_tables
        from onesdk._cache._schema import DATASETS_FILE
        from onesdk._repo._lazy_repository import load_lazy, open_lazily
        from onesdk._repo._parquet import ParquetRepository

        if not clobber:  # a merge was asked for: doing a replace instead would lose tables
            raise ArgumentError("clobber", clobber, "True: One replaces its tables, never merges")
        if tables_dir is not None:
            path_like(tables_dir, "tables_dir")
        self._tables_dir = Path(tables_dir) if tables_dir else self._tables_dir
        lazy = self._lazy_wanted
        if lazy is None:
            lazy = open_lazily(self._tables_dir)
        if lazy and (self._tables_dir / DATASETS_FILE).is_file():
            tables, self._repo = load_lazy(self._tables_dir)
        else:
            tables = read_tables(self._tables_dir)
            self._repo = ParquetRepository(tables)
        if tables.loaded_time is None:
            warnings.warn(f"No cache tables found in {self._tables_dir}", CacheWarning, 2)
        self._tables = tables
        if self._cache_view is not None:  # reloaded tables replace the view's frames
            self._cache_view.pull()
        return tables.loaded_time

    def _session_record(self, eid: str) -> dict[str, object]:
        rows = self.repository.session_row(eid).to_pylist()
        if not rows:
            raise ALFObjectNotFound(f"session {eid} is not in the cache")
        record: dict[str, object] = rows[0]
        return record

    @property
    def _connection(self) -> RemoteSession:
        """The server of this instance (OfflineError for an instance without one)."""
        server = self._server
        if server is None:
            raise OfflineError("this instance has no server")
        return server

    def _asks_server(self, query_type: str | None) -> bool:
        """Whether a call with ``query_type`` goes to a server (never for a local One)."""
        return self._server is not None and self._server.asks_server(query_type)

    def _refresh_sessions(self, eids: Sequence[str]) -> None:
        """Fetch these sessions from the server into the overlay (none without a server)."""
        if self._server is not None:
            for key in eids:
                self._server.refresh_session(key)

    def _check_files(self, rows: pa.Table, check_hash: bool) -> list[ALFPath | None]:
        """Local paths of ``rows`` from the store (None where a file is missing and cannot be
        downloaded); records loaded ids when ``record_loaded`` is set."""
        from onesdk._repo._results import session_rel_path, table_records

        wanted: list[FileRecord] = []
        sessions: dict[str, PurePath] = {}
        for record in table_records(rows):
            eid = str(record["eid"])
            if eid not in sessions:
                if not self.repository.has_session(eid):
                    raise ALFObjectNotFound(
                        f"dataset {record['id']} ({record['rel_path']}): its session {eid} "
                        "is not in the sessions table"
                    )
                sessions[eid] = session_rel_path(self._session_record(eid))
            size, digest = record.get("file_size"), record.get("hash")
            wanted.append(
                FileRecord(
                    id=str(record["id"]),
                    session=sessions[eid],
                    rel_path=str(record["rel_path"]),
                    size=size if isinstance(size, int) else None,
                    md5=digest if isinstance(digest, str) and digest else None,
                )
            )
        self._store.data_server = self.http_data_server
        files = self._store.files(wanted, check_hash)
        if self.record_loaded:
            from onesdk._facade._cache_view import record_loaded_ids

            record_loaded_ids(self, [r.id for r, f in zip(wanted, files, strict=True) if f])
        return files
