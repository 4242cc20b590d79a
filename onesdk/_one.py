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
from typing import TYPE_CHECKING, Literal, Self, overload

import platformdirs

from onesdk._convert import (
    ExpRefConversions,
    ExpRefDict,
    RawExpRefDict,
    RefList,
    dataset_uuid_in_name,
    is_exp_ref,
    is_uuid_string,
    parse_uuid,
    ref2dict,
    session_parts,
)
from onesdk._env import refuse_with_pinned_revision, revision_last_before
from onesdk._layered import LayeredRepository
from onesdk._narrow import NarrowLoaders
from onesdk._options import Options
from onesdk._query import FILENAME_PARTS, DatasetQuery, FilenameFilter, PartValue, SessionQuery
from onesdk._store import FileRecord, Store
from onesdk._validate import (
    eid_like,
    filename_filter,
    instance,
    part_value,
    path_like,
    text_or_path,
)
from onesdk.alf._alfpath import ALFPath
from onesdk.alf._path import split_session_path
from onesdk.errors import (
    AlfError,
    ALFObjectNotFound,
    ArgumentError,
    CacheError,
    CacheWarning,
    UnknownTermError,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from onesdk._cache import CacheTables
    from onesdk._lazy_repository import LazyRepository
    from onesdk._lock import Lock
    from onesdk._lock_view import PinView
    from onesdk._models import Dataset, Session
    from onesdk._parquet import ParquetRepository
    from onesdk._remote_session import RemoteSession
    from onesdk._settings import Secret
    from onesdk.alf.io import AlfBunch, FileContent

__all__ = ["SEARCH_TERMS", "One"]

# The heavy modules (pyarrow, pandas, file loaders) come in with the class, not on first use:
# constructing a One then costs the cache load only, and the first load_* call its reading and
# hashing only. ``import onesdk`` itself stays light (the class is lazy there). The pydantic
# models stay lazy: only record-returning calls need them.
for _module in (
    "onesdk._parquet",
    "onesdk._tables",
    "onesdk._hashing",
    "onesdk.alf.io",
):
    importlib.import_module(_module)

_log = logging.getLogger("onesdk.one")

#: the search terms of one-api's local ``One.search``, in its order
SEARCH_TERMS = (
    "datasets",
    "date_range",
    "laboratory",
    "number",
    "projects",
    "subject",
    "task_protocol",
    "dataset_qc_lte",
)
#: spellings accepted besides prefixes of SEARCH_TERMS
_SEARCH_ALIASES = {"dataset": "datasets", "lab": "laboratory", "date": "date_range"}

EidLike = str | uuid.UUID | PurePath | Mapping[str, object]
# Several eids at once: a list or tuple (never a bare string, which is one eid).
EidList = list[str] | list[uuid.UUID] | list[EidLike] | tuple[EidLike, ...]
QcLike = int | str
_FAIL = 3  # position of FAIL in the QC order


def _complete_term(term: str) -> str:
    """The full search term for ``term`` (exact, alias, or unique prefix); else raise."""
    key = term.casefold()
    if key in SEARCH_TERMS:
        return key
    if key in _SEARCH_ALIASES:
        return _SEARCH_ALIASES[key]
    candidates = [t for t in SEARCH_TERMS if t.startswith(key)]
    if len(candidates) == 1:
        return candidates[0]
    raise UnknownTermError(term, (*SEARCH_TERMS, *_SEARCH_ALIASES))


class One(NarrowLoaders, ExpRefConversions):
    """Search, list and load ALF data from the cache tables in ``cache_dir``.

    ``wildcards=True`` (default) makes dataset filters shell patterns (``*``, ``?``) and session
    text filters regular expressions, as in one-api.

    ``lazy`` chooses how the datasets table is held. ``False``: loaded whole into memory (the
    fastest queries). ``True``: left on disk and read per query from a partitioned copy
    (``datasets.parts/`` beside ``datasets.pqt``, built on first open and rebuilt when the
    table changes), so a table larger than memory works; every method gives the same answers.
    ``None`` (default): lazy when ``datasets.pqt`` is larger than 1/8 of physical memory.
    """

    _search_terms = SEARCH_TERMS

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
        self.uuid_filenames = False
        self._loaded_ids: set[str] = set()
        self._modified_time: dt.datetime | None = None
        self._saved_time: dt.datetime | None = None
        self._tables: CacheTables | None = None
        self._repo: ParquetRepository | LazyRepository | LayeredRepository | None = None
        self._lazy_wanted = options.lazy
        self._pin: PinView | None = None
        self._store = Store(
            options.cache_dir,
            data_server=options.http_data_server,
            online=lambda: not self.offline,
            silent=options.silent,
            n_threads=options.n_threads,
            timeout=options.timeout,
        )

    @classmethod
    def _reopen(cls, options: Options, token: Secret | None) -> Self:
        """An instance on ``options`` that reads its tables on first use (and, for a server,
        logs in with ``token`` when it first needs to)."""
        one = cls.__new__(cls)
        if options.base_url is None:
            one._open(options)
            return one
        from onesdk._auth import resolve_credentials
        from onesdk._remote_session import connect

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

    def __repr__(self) -> str:
        return f"One ({'off' if self.offline else 'on'}line, {self.cache_dir})"

    # ------------------------------------------------------------------ cache

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
    def offline(self) -> bool:
        """True when nothing reaches a server (always, for a One without one)."""
        return self._server is None or self._server.mode == "local"

    def search_terms(self, query_type: str | None = None) -> tuple[str, ...]:
        """The keyword arguments :meth:`search` accepts (prefixes and aliases also work)."""
        return self._search_terms

    def _loaded(
        self,
    ) -> tuple[CacheTables, ParquetRepository | LazyRepository | LayeredRepository]:
        """The tables and repository, read first if nothing is loaded yet (an unpickled
        instance reads them on first use)."""
        if self._repo is None or self._tables is None:
            self._first_load()
        if self._repo is None or self._tables is None:
            raise AlfError("no cache loaded; call load_cache()")
        return self._tables, self._repo

    def _first_load(self) -> None:
        """The tables an instance starts with: the local ones, or with a server in 'remote'
        or 'refresh' mode none (the server is asked), as the reference."""
        if self._server is None:
            One.load_cache(self)
        elif self._server.starts_empty:
            from onesdk._cache import empty_tables
            from onesdk._parquet import ParquetRepository

            self._tables = empty_tables()
            self._repo = LayeredRepository(ParquetRepository(self._tables), self._tables)
        else:
            self._load_layered(None)

    def _load_layered(self, tables_dir: str | os.PathLike[str] | None) -> dt.datetime | None:
        """Read the tables from disk, with an empty overlay for a server's answers."""
        loaded = One.load_cache(self, tables_dir)
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
        from onesdk._layered import LayeredRepository
        from onesdk._lazy_repository import LazyRepository

        repo = self._loaded()[1]
        return isinstance(
            repo.base if isinstance(repo, LayeredRepository) else repo, LazyRepository
        )

    @property
    def tables(self) -> CacheTables:
        """The cache tables; when :attr:`lazy`, reading ``tables.datasets`` loads every
        dataset row from disk (``tables.core_datasets`` has the columns only)."""
        from onesdk._layered import LayeredRepository

        tables, repo = self._loaded()
        return repo.merged() if isinstance(repo, LayeredRepository) else tables

    def load_cache(
        self, tables_dir: str | os.PathLike[str] | None = None, clobber: bool = True
    ) -> dt.datetime | None:
        """(Re)load the cache tables; returns when they were loaded (None if none found)."""
        import warnings

        from onesdk._cache import read_tables
        from onesdk._cache._schema import DATASETS_FILE
        from onesdk._lazy_repository import load_lazy, open_lazily
        from onesdk._parquet import ParquetRepository

        if not clobber:
            _log.debug("load_cache(clobber=False): tables are replaced, not merged")
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
        return tables.loaded_time

    def refresh_cache(self, mode: str = "auto") -> dt.datetime | None:
        """Reload the tables from disk (a local cache has nothing newer to fetch)."""
        return self.load_cache()

    def save_cache(
        self,
        save_dir: str | os.PathLike[str] | None = None,
        clobber: bool = False,
        *,
        force: bool = False,
    ) -> None:
        """Write the tables to ``save_dir`` (default: the tables dir) if they changed.

        ``clobber=True`` or ``force=True`` writes even when nothing changed; writes are atomic.
        """
        from onesdk._cache import write_tables
        from onesdk._layered import LayeredRepository
        from onesdk._parquet import ParquetRepository

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
        """Write the ids of loaded datasets (or their sessions) to a CSV in the tables dir.

        Datasets are recorded while ``record_loaded`` is True, whether they were on disk or
        downloaded. Returns the ids (``uuid.UUID``, as one-api) and the CSV path.
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
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            tmp.write_text("\n".join([name, *map(str, ids)]) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:  # read-only or full cache dir
            tmp.unlink(missing_ok=True)
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
        """Pin what loading ``datasets`` (names as ``load_dataset`` takes them; None: every
        dataset) of these sessions would read now: for each dataset its id, revision path,
        size, md5 and QC. Save it with ``lock.save(path)``; see docs/locks.md."""
        from onesdk._lock_make import make_lock

        return make_lock(self, eid_or_eids, datasets, collection=collection, revision=revision)

    @contextlib.contextmanager
    def locked(self, lock: Lock) -> Iterator[Lock]:
        """Inside the block every ``list_*``/``load_*`` reads the datasets pinned by ``lock``;
        asking for a session or dataset it does not pin raises ``NotLockedError``."""
        from onesdk._lock_view import pinned

        with pinned(self, lock):
            yield lock

    def sync(self, lock: Lock) -> list[Path]:
        """Download (when missing or different) and md5-verify exactly the files ``lock``
        pins, into this cache dir; returns their paths, in the lock's order."""
        from onesdk._lock_sync import sync

        return sync(self, lock)

    # ------------------------------------------------------------------ search

    @overload
    def search(
        self,
        details: Literal[False] = False,
        *,
        query_type: str | None = None,
        subject: str | Sequence[str] | None = None,
        lab: str | Sequence[str] | None = None,
        date_range: object = None,
        number: int | str | Sequence[int | str] | None = None,
        datasets: str | Sequence[str] | None = None,
        dataset_qc_lte: QcLike | None = None,
        task_protocol: str | Sequence[str] | None = None,
        projects: str | Sequence[str] | None = None,
        **aliases: object,
    ) -> list[uuid.UUID]: ...
    @overload
    def search(
        self,
        details: Literal[True],
        *,
        query_type: str | None = None,
        subject: str | Sequence[str] | None = None,
        lab: str | Sequence[str] | None = None,
        date_range: object = None,
        number: int | str | Sequence[int | str] | None = None,
        datasets: str | Sequence[str] | None = None,
        dataset_qc_lte: QcLike | None = None,
        task_protocol: str | Sequence[str] | None = None,
        projects: str | Sequence[str] | None = None,
        **aliases: object,
    ) -> tuple[list[uuid.UUID], list[Session]]: ...
    def search(
        self,
        details: bool = False,
        *,
        query_type: str | None = None,
        **filters: object,
    ) -> list[uuid.UUID] | tuple[list[uuid.UUID], list[Session]]:
        """Sessions matching every filter, newest first.

        Filters: ``subject``, ``lab``/``laboratory``, ``date_range`` (one date, or [start, end]
        with None for an open end; alias ``date``), ``number``, ``task_protocol`` (alias
        ``task``), ``projects``, ``datasets`` (alias ``dataset``: every name must exist in the
        session), ``dataset_qc_lte`` (sessions with an existing dataset at or below this QC;
        with ``datasets``, the named ones must be). Text filters match partially (regular
        expressions when ``wildcards`` is on); a list means any of its values. Unknown
        keywords raise :class:`onesdk.errors.UnknownTermError`.
        """
        query = self._session_query(filters)
        table = self.repository.sessions(query)
        eids = [uuid.UUID(e) for e in table.column("id").to_pylist()]
        if not details:
            return eids
        from onesdk._tables import session_model

        return eids, [session_model(r) for r in table.to_pylist()]

    def _session_query(self, filters: Mapping[str, object]) -> SessionQuery:
        values: dict[str, object] = {}
        for key, value in filters.items():
            term = _complete_term(key)
            name = "lab" if term == "laboratory" else term
            if name in values and values[name] != value:
                raise ArgumentError(key, value, f"one value for {name} (given twice)")
            try:  # checked one by one, so an error names the keyword the caller used
                SessionQuery.build(regex=self.wildcards, **{name: value})
            except ArgumentError as exc:
                raise ArgumentError(key, value, exc.expected) from None
            values[name] = value
        return SessionQuery.build(regex=self.wildcards, **values)

    def list_subjects(self) -> list[str]:
        """Every subject in the cache, sorted."""
        import pyarrow.compute as pc

        subjects = pc.unique(self.repository.sessions_table.column("subject")).to_pylist()
        return sorted(s for s in subjects if s is not None)

    # ------------------------------------------------------------------ identifiers

    @overload
    def to_eid(
        self, id: EidLike | None = None, cache_dir: str | os.PathLike[str] | None = None
    ) -> uuid.UUID | None: ...
    @overload
    def to_eid(
        self, id: EidList, cache_dir: str | os.PathLike[str] | None = None
    ) -> list[uuid.UUID | None]: ...
    def to_eid(
        self, id: EidLike | EidList | None = None, cache_dir: str | os.PathLike[str] | None = None
    ) -> uuid.UUID | list[uuid.UUID | None] | None:
        """The eid of a session given as UUID, UUID string, URL, path, exp ref or dict.

        Returns None when a path or ref names no session in the cache; raises
        :class:`ArgumentError` (a ValueError) when ``id`` is no kind of session identifier.
        A list gives a list, in order.
        """
        if isinstance(id, list | tuple):
            return [self._to_eid(one, "id") for one in id]
        return self._to_eid(id, "id")

    def _to_eid(self, id: EidLike | None, argument: str) -> uuid.UUID | None:
        if id is None:
            return None
        eid_like(id, argument)
        if isinstance(id, uuid.UUID):
            return id
        if isinstance(id, PurePath):
            return self.path2eid(id)
        if isinstance(id, Mapping):
            if is_exp_ref(id):
                return self._ref2eid_or_none(id)
            if {"subject", "number"} <= set(id) and ("date" in id or "start_time" in id):
                date = str(id.get("date") or str(id.get("start_time"))[:10])
                lab = id.get("lab")
                parts = [str(lab), "Subjects"] if lab else []
                number = str(id["number"])
                if not number.isdigit():
                    raise ArgumentError(argument, dict(id), "a session record with an int number")
                path = PurePath(*parts, str(id["subject"]), date, f"{int(number):03d}")
                try:
                    return self.path2eid(path)
                except ArgumentError as exc:
                    raise ArgumentError(argument, dict(id), exc.expected) from None
            raise ArgumentError(argument, dict(id), "a session record or experiment reference dict")
        if isinstance(id, str):
            if is_exp_ref(id):
                return self._ref2eid_or_none(id)
            if session_parts(id) is not None:
                return self.path2eid(id)
            text = id.strip()[-36:]
            if is_uuid_string(text):
                return uuid.UUID(text)
        raise ArgumentError(argument, id, "an experiment ID: UUID, session path, exp ref or dict")

    def _eid(self, id: EidLike, argument: str = "eid") -> str:
        """The canonical eid string of ``id``; raises if it cannot be parsed."""
        eid = self._to_eid(id, argument)
        if eid is None:
            raise ArgumentError(argument, id, "a session in the cache (none matches)")
        return str(eid)

    def _ref2eid_or_none(self, ref: str | Mapping[str, object]) -> uuid.UUID | None:
        parsed = ref2dict(ref)
        if not self.offline:  # the server's search: substring filters, a date range
            date = str(parsed["date"])
            rows = self.search(
                subject=str(parsed["subject"]), date_range=[date, date], number=parsed["sequence"]
            )
        else:
            rows = self.search(
                subject=f"^{parsed['subject']}$" if self.wildcards else parsed["subject"],
                date_range=parsed["date"],
                number=parsed["sequence"],
            )
        matches = [e for e in rows if self._session_record(str(e))["subject"] == parsed["subject"]]
        return matches[0] if len(matches) == 1 else None

    def _session_record(self, eid: str) -> dict[str, object]:
        rows = self.repository.session_row(eid).to_pylist()
        if not rows:
            raise ALFObjectNotFound(f"session {eid} is not in the cache")
        record: dict[str, object] = rows[0]
        return record

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
        """The session record (a :class:`Session`), or with ``full=True`` a frame of its
        datasets with the session columns joined; a list of eids gives a list, in order."""
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

    def _dataset_query(
        self,
        eids: tuple[str, ...] | None,
        filename: FilenameFilter,
        collection: PartValue,
        revision: PartValue,
        qc: QcLike,
        ignore_qc_not_set: bool,
        default_revisions_only: bool,
        *,
        names: Mapping[str, str] | None = None,
    ) -> DatasetQuery:
        """The query of a listing; ``names`` maps filename/collection/revision and filename
        parts to the argument names the caller used (for error messages)."""
        from onesdk._cache._schema import qc_code

        names = names or {}
        filename_filter(
            filename,
            names.get("filename", "filename"),
            wildcards=self.wildcards,
            parts=FILENAME_PARTS,
            part_arguments=names,
        )
        part_value(collection, names.get("collection", "collection"), wildcards=self.wildcards)
        part_value(revision, names.get("revision", "revision"), wildcards=self.wildcards)
        if default_revisions_only and "default_revision" not in self.repository.dataset_columns():
            raise AlfError("No default revisions specified: the cache has no default_revision")
        return DatasetQuery(
            eids=eids,
            filename=filename,
            collection=collection,
            revision=revision,
            qc=qc_code(qc),
            ignore_qc_not_set=ignore_qc_not_set,
            default_revisions_only=default_revisions_only,
            wildcards=self.wildcards,
        )

    def _eids_arg(self, eid: EidLike | Sequence[EidLike] | None) -> tuple[str, ...] | None:
        if eid is None:
            return None
        if isinstance(eid, str) and not eid.strip():  # never "every session" by accident
            raise ArgumentError("eid", eid, "an experiment ID (an empty string names none)")
        if isinstance(eid, str | uuid.UUID | PurePath | Mapping):
            found = self._to_eid(eid, "eid")
            return (str(found),) if found is not None else ()
        instance(eid, Sequence, "eid", "an experiment ID or a list of them")
        return tuple(str(e) for e in (self._to_eid(x, "eid") for x in eid) if e is not None)

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
        """The datasets of a session (or of every session when ``eid`` is None).

        ``filename`` is a pattern, a list of patterns, or a dict of ALF parts; ``collection``
        and ``revision`` are patterns (shell wildcards, or regular expressions when
        ``wildcards`` is off). Only datasets with QC at or below ``qc`` are listed. Returns the
        sorted relative paths (unique paths in table order without ``eid``), or with
        ``details=True`` the datasets frame (indexed by id, or by (eid, id) when
        ``keep_eid_index`` or no eid).
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
            from onesdk._tables import datasets_frame

            table = repo.datasets(query)
            frame = datasets_frame(table, eid_index=eids is None or keep_eid_index)
            return remote_order(frame) if remote else frame
        return repo.rel_paths(query)

    def _remote_eid(self, eid: EidLike) -> str:
        """The eid of ``eid`` as the server knows it (a UUID need not be in the cache)."""
        if isinstance(eid, str | uuid.UUID):
            text = str(eid).strip()[-36:]
            try:
                return str(uuid.UUID(text))
            except ValueError:
                pass
        return self._eid(eid)

    def _asks_server(self, query_type: str | None) -> bool:
        """Whether a call with ``query_type`` goes to a server (never for a local One)."""
        return self._server is not None and self._server.asks_server(query_type)

    def _refresh_sessions(self, eids: Sequence[str]) -> None:
        """Fetch these sessions from the server into the overlay (none without a server)."""
        if self._server is not None:
            for key in eids:
                self._server.refresh_session(key)

    def _matching_table(
        self,
        eid: EidLike | Sequence[EidLike] | None,
        filename: FilenameFilter,
        collection: PartValue,
        revision: PartValue,
        qc: QcLike = "FAIL",
        query_type: str | None = None,
    ) -> pa.Table:
        if eid is not None and not isinstance(eid, list | tuple) and self._asks_server(query_type):
            self._refresh_sessions([self._remote_eid(eid)])  # type: ignore[arg-type]
        query = self._dataset_query(
            self._eids_arg(eid), filename, collection, revision, qc, False, False
        )
        repo = self.repository
        return repo.datasets(query)

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
        """The collections holding matching datasets (in table order), or a frame for each."""
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
        """The revisions of matching datasets ('' for none; in table order), or a frame each."""
        table = self._matching_table(eid, filename, collection, revision, query_type=query_type)
        return self._group_by_part(table, 1, details, eid_index=eid is None)

    def _group_by_part(
        self, table: pa.Table, part: int, details: bool, *, eid_index: bool
    ) -> list[str] | dict[str, pd.DataFrame]:
        import pyarrow as pa

        from onesdk._query import split_rel_path
        from onesdk._tables import datasets_frame, rel_paths

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

    def _check_files(self, rows: pa.Table, check_hash: bool) -> list[ALFPath | None]:
        """Local paths of ``rows`` from the store (None where a file is missing and cannot be
        downloaded); records loaded ids when ``record_loaded`` is set."""
        from onesdk._tables import session_rel_path, table_records

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
            self._loaded_ids.update(r.id for r, f in zip(wanted, files, strict=True) if f)
        return files

    def _dataset_filter(self, dataset: str | Mapping[str, PartValue]) -> FilenameFilter:
        """A ``load_dataset`` name as a filter: 'object.attribute' matches any namespace and
        extension (one-api appends '.*', which misses namespaced files)."""
        if isinstance(dataset, str) and self.wildcards:
            parts = dataset.split(".")
            if len(parts) == 2 and all(p and p.replace("_", "a").isalnum() for p in parts):
                return {"object": parts[0].lstrip("_"), "attribute": parts[1]}
            if len(parts) == 2:
                return dataset + ".*"
        return dataset

    def _select(
        self,
        eid: str,
        filename: FilenameFilter,
        collection: PartValue,
        revision: str | None,
        *,
        assert_unique: bool,
        exact_revision: bool = False,
        what: str,
        names: Mapping[str, str] | None = None,
        query_type: str | None = None,
    ) -> pa.Table:
        """One session's datasets matching the filters, one revision per dataset (the
        session is fetched first when ``query_type`` asks a server)."""
        from onesdk._parquet import resolve_revisions
        from onesdk._query import split_rel_path
        from onesdk._tables import rel_paths

        if revision is not None and not isinstance(revision, str):
            raise ArgumentError((names or {}).get("revision", "revision"), revision, "a str")
        if self._asks_server(query_type):
            self._refresh_sessions([eid])
        if revision is None and not exact_revision:
            revision = revision_last_before()  # ONE_REVISION_LAST_BEFORE pins loads
        query = self._dataset_query(
            (eid,), filename, collection, None, "FAIL", False, False, names=names
        )
        if exact_revision:
            query = DatasetQuery(**{**query.__dict__, "revision": revision or ""})
        else:
            query = DatasetQuery(**{**query.__dict__, "match_revision": False})
        repo = self.repository
        rows = repo.datasets(query)
        if len(rows) == 0:
            return rows
        if assert_unique:
            collections = sorted({split_rel_path(r)[0] for r in rel_paths(rows)})
            if len(collections) > 1:
                from onesdk.errors import ALFMultipleCollectionsFound

                listed = ", ".join(f'"{c}"' for c in collections)
                raise ALFMultipleCollectionsFound(
                    f"{what} exists in collections {listed}; pass a collection to choose one"
                )
        if exact_revision:
            kept = rows
        else:
            kept, notes = resolve_revisions(rows, revision, assert_unique=assert_unique)
            for note in notes:
                _log.info(note)
        if assert_unique and len(kept) > 1:
            from onesdk.errors import ALFMultipleObjectsFound

            listed = ", ".join(f'"{r}"' for r in rel_paths(kept))
            raise ALFMultipleObjectsFound(f"{what} matches several datasets: {listed}")
        return kept

    @overload
    def load_dataset(
        self,
        eid: EidLike,
        dataset: str | Mapping[str, PartValue],
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: Literal[False] = False,
        check_hash: bool = True,
    ) -> FileContent: ...
    @overload
    def load_dataset(
        self,
        eid: EidLike,
        dataset: str | Mapping[str, PartValue],
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        *,
        download_only: Literal[True],
        check_hash: bool = True,
    ) -> ALFPath: ...
    def load_dataset(
        self,
        eid: EidLike,
        dataset: str | Mapping[str, PartValue],
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: bool = False,
        check_hash: bool = True,
    ) -> FileContent | Path:
        """Load one dataset of a session (``download_only``: return its local path).

        ``dataset`` is a file name (shell wildcards allowed), ``'object.attribute'``, a dict
        of ALF parts, or a relative path ``collection/#revision#/name``. Without ``revision``
        the default revision is loaded; with one, that revision or the last one before it.
        """
        key = self._eid(eid)
        instance(dataset, (str, Mapping), "dataset", "a dataset name, relative path or dict")
        is_rel_path = "/" in dataset if isinstance(dataset, str) else "collection" in dataset
        if is_rel_path and (collection is not None or revision is not None):
            raise ArgumentError(
                "collection/revision", (collection, revision), "None when dataset is a path"
            )
        if is_rel_path:
            refuse_with_pinned_revision("dataset", dataset)
        if is_rel_path and isinstance(dataset, str) and "*" in dataset:
            import warnings

            from onesdk.errors import ALFWarning

            warnings.warn(  # as one-api: a relative path names one dataset
                f"wildcards should not be used in a relative dataset path: {dataset!r}",
                ALFWarning,
                stacklevel=2,
            )
        rows = self._select(
            key,
            self._dataset_filter(dataset),
            collection,
            revision,
            assert_unique=not is_rel_path,
            what=f'Dataset "{dataset}"',
            names={"filename": "dataset", **dict.fromkeys(FILENAME_PARTS, "dataset")},
            query_type=query_type,
        )
        if len(rows) == 0:
            raise ALFObjectNotFound(
                f'Dataset "{dataset}" not found in session {key}'
                + (f" (collection {collection!r})" if collection is not None else "")
            )
        (file,) = self._check_files(rows.slice(0, 1), check_hash)
        if file is None:
            raise ALFObjectNotFound(f'Dataset "{dataset}" of session {key} is not on disk')
        if download_only:
            return file
        from onesdk.alf.io import load_file_content

        return load_file_content(file)

    def load_datasets(
        self,
        eid: EidLike,
        datasets: Sequence[str] | Sequence[Mapping[str, PartValue]] | pd.DataFrame,
        collections: str | Sequence[str | None] | None = None,
        revisions: str | Sequence[str | None] | None = None,
        query_type: str | None = None,
        assert_present: bool = True,
        download_only: bool = False,
        check_hash: bool = True,
    ) -> tuple[list[FileContent | Path | None], list[Dataset | None]]:
        """Load several datasets of one session; returns (data or paths, records).

        Relative paths (``collection/#revision#/name``, or a frame from ``list_datasets``) name
        exact datasets; plain names use ``collections``/``revisions`` (one, or one per dataset).
        Missing datasets raise unless ``assert_present=False`` (then their entries are None).
        """
        import warnings

        from onesdk._query import split_rel_path
        from onesdk._tables import dataset_model, table_records
        from onesdk.errors import ALFWarning

        key = self._eid(eid)
        if isinstance(datasets, str):
            raise ArgumentError("datasets", datasets, "a list of dataset names, not one string")
        if not isinstance(datasets, Sequence) and not hasattr(datasets, "columns"):
            raise ArgumentError("datasets", datasets, "a list of dataset names or a DataFrame")
        if not isinstance(datasets, Sequence) and "rel_path" not in datasets.columns:
            raise ArgumentError("datasets", datasets, "a DataFrame with a rel_path column")
        if isinstance(datasets, Sequence) and not all(
            isinstance(d, str | Mapping) for d in datasets
        ):
            raise ArgumentError("datasets", datasets, "a list of names, paths or dicts")
        names: list[str | Mapping[str, PartValue]]
        if not isinstance(datasets, Sequence):  # a DataFrame from list_datasets
            names = [str(r) for r in datasets["rel_path"].tolist()]
        else:
            names = list(datasets)
        is_rel = any(isinstance(n, str) and "/" in n for n in names) or not isinstance(
            datasets, Sequence
        )
        n = len(names)
        if is_rel:
            if collections is not None or revisions is not None:
                raise ArgumentError(
                    "collections/revisions", (collections, revisions), "None with relative paths"
                )
            refuse_with_pinned_revision("datasets", names)
            split = [split_rel_path(str(x)) for x in names]
            colls: list[str | None] = [c for c, _, _ in split]
            revs: list[str | None] = [r for _, r, _ in split]
            names = [name for _, _, name in split]
        else:
            colls = _per_dataset("collections", collections, n)
            revs = _per_dataset("revisions", revisions, n)
        rows_per: list[pa.Table | None] = []
        for name, coll, rev in zip(names, colls, revs, strict=True):
            found = self._select(
                key,
                self._dataset_filter(name),
                coll,
                rev,
                assert_unique=True,
                exact_revision=is_rel,
                query_type=query_type,
                what=f'Dataset "{name}"',
                names={
                    "filename": "datasets",
                    **dict.fromkeys(FILENAME_PARTS, "datasets"),
                    "collection": "collections",
                    "revision": "revisions",
                },
            )
            rows_per.append(found if len(found) == 1 else None)
        missing = [
            "/".join(p for p in (c, f"#{r}#" if r else "", str(x)) if p)
            for x, c, r, hit in zip(names, colls, revs, rows_per, strict=True)
            if hit is None
        ]
        if missing:
            message = f"The following datasets are not in the cache: {', '.join(missing)}"
            if assert_present:
                raise ALFObjectNotFound(message)
            _log.warning(message)
        data: list[FileContent | Path | None] = []
        records: list[Dataset | None] = []
        old: list[str] = []
        for hit in rows_per:
            if hit is None:
                data.append(None)
                records.append(None)
                continue
            record = table_records(hit)[0]
            if is_rel and record.get("default_revision") is False:
                old.append(str(record["rel_path"]))
            (file,) = self._check_files(hit, check_hash)
            if file is None and assert_present:
                raise ALFObjectNotFound(f"{record['rel_path']} of session {key} is not on disk")
            records.append(dataset_model(record))
            if file is None or download_only:
                data.append(file)
            else:
                from onesdk.alf.io import load_file_content

                data.append(load_file_content(file))
        if old:
            warnings.warn(
                "These datasets are not the default revision (pass revisions= to choose "
                f"explicitly): {', '.join(old)}",
                ALFWarning,
                stacklevel=2,
            )
        return data, records

    @overload
    def load_object(
        self,
        eid: EidLike,
        obj: str,
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: Literal[False] = False,
        check_hash: bool = True,
        **filters: PartValue,
    ) -> AlfBunch: ...
    @overload
    def load_object(
        self,
        eid: EidLike,
        obj: str,
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        *,
        download_only: Literal[True],
        check_hash: bool = True,
        **filters: PartValue,
    ) -> list[ALFPath]: ...
    def load_object(
        self,
        eid: EidLike,
        obj: str,
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: bool = False,
        check_hash: bool = True,
        **filters: PartValue,
    ) -> AlfBunch | list[ALFPath]:
        """Load every attribute of an ALF object (``filters``: namespace, attribute,
        timescale, extra, extension) into an :class:`AlfBunch`, or return the paths."""
        key = self._eid(eid)
        files = self._object_files(
            key, obj, collection, revision, check_hash, filters, query_type=query_type
        )
        if download_only:
            return files
        from onesdk.alf.io import load_object

        return load_object(files, wildcards=self.wildcards)

    def _object_files(
        self,
        eid: str,
        obj: str | None,
        collection: str | None,
        revision: str | None,
        check_hash: bool,
        filters: Mapping[str, PartValue],
        *,
        query_type: str | None = None,
    ) -> list[ALFPath]:
        from onesdk._query import split_rel_path
        from onesdk._tables import rel_paths
        from onesdk.errors import ALFMultipleCollectionsFound, ALFMultipleObjectsFound

        unknown = [k for k in filters if k not in FILENAME_PARTS or k == "object"]
        if unknown:
            raise UnknownTermError(unknown[0], [p for p in FILENAME_PARTS if p != "object"])
        instance(obj, str, "obj", "an ALF object name")
        spec: dict[str, PartValue] = {"object": obj, **filters}
        rows = self._select(
            eid,
            spec,
            collection,
            revision,
            assert_unique=False,
            what=f"object {obj!r}",
            names={**{p: p for p in FILENAME_PARTS}, "object": "obj"},
            query_type=query_type,
        )
        if len(rows) == 0:
            raise ALFObjectNotFound(f"ALF object {obj!r} not found in session {eid}")
        paths = rel_paths(rows)
        objects = sorted({_object_of(split_rel_path(p)[2]) for p in paths})
        if len(objects) > 1:
            raise ALFMultipleObjectsFound(f"{obj!r} matches several objects: {objects}")
        collections = sorted({split_rel_path(p)[0] for p in paths})
        if len(collections) > 1:
            listed = ", ".join(f'"{c}"' for c in collections)
            raise ALFMultipleCollectionsFound(
                f"object {obj!r} exists in collections {listed}; pass collection= to choose one"
            )
        files = [f for f in self._check_files(rows, check_hash) if f is not None]
        if not files:
            raise ALFObjectNotFound(f"ALF object {obj!r} of session {eid} is not on disk")
        return files

    @overload
    def load_collection(
        self,
        eid: EidLike,
        collection: str,
        object: str | Sequence[str] | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: Literal[False] = False,
        check_hash: bool = True,
        **filters: PartValue,
    ) -> dict[str, AlfBunch]: ...
    @overload
    def load_collection(
        self,
        eid: EidLike,
        collection: str,
        object: str | Sequence[str] | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        *,
        download_only: Literal[True],
        check_hash: bool = True,
        **filters: PartValue,
    ) -> list[ALFPath]: ...
    def load_collection(
        self,
        eid: EidLike,
        collection: str,
        object: str | Sequence[str] | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: bool = False,
        check_hash: bool = True,
        **filters: PartValue,
    ) -> dict[str, AlfBunch] | list[ALFPath]:
        """Load every object of a collection: ``{object: AlfBunch}`` (or the paths)."""
        from onesdk._query import split_rel_path

        key = self._eid(eid)
        if not self.list_datasets(key, collection=collection):
            raise AlfError(f"collection {collection!r} not found for session {key}")
        spec: dict[str, PartValue] = {"object": object, **filters}
        rows = self._select(
            key,
            spec,
            collection,
            revision,
            assert_unique=False,
            what=f"object {object!r}",
            names={p: p for p in FILENAME_PARTS},
            query_type=query_type,
        )
        if len(rows) == 0:
            raise ALFObjectNotFound(f"no object {object or ''!r} in collection {collection!r}")
        files = [f for f in self._check_files(rows, check_hash) if f is not None]
        if not files:
            raise ALFObjectNotFound(f"ALF collection {collection!r} not found on disk")
        if download_only:
            return files
        from onesdk.alf.io import load_object

        by_object: dict[str, list[Path]] = {}
        for file in files:
            by_object.setdefault(_object_of(split_rel_path(file.name)[2]), []).append(file)
        return {k: load_object(v, wildcards=self.wildcards) for k, v in by_object.items()}

    @overload
    def load_dataset_from_id(
        self,
        dset_id: str | uuid.UUID,
        download_only: Literal[False] = False,
        details: Literal[False] = False,
        check_hash: bool = True,
    ) -> FileContent: ...
    @overload
    def load_dataset_from_id(
        self,
        dset_id: str | uuid.UUID,
        download_only: Literal[True],
        details: Literal[False] = False,
        check_hash: bool = True,
    ) -> ALFPath: ...
    @overload
    def load_dataset_from_id(
        self,
        dset_id: str | uuid.UUID,
        download_only: Literal[False] = False,
        *,
        details: Literal[True],
        check_hash: bool = True,
    ) -> tuple[FileContent, Dataset]: ...
    @overload
    def load_dataset_from_id(
        self,
        dset_id: str | uuid.UUID,
        download_only: Literal[True],
        details: Literal[True],
        check_hash: bool = True,
    ) -> tuple[ALFPath, Dataset]: ...
    def load_dataset_from_id(
        self,
        dset_id: str | uuid.UUID,
        download_only: bool = False,
        details: bool = False,
        check_hash: bool = True,
    ) -> FileContent | Path | tuple[FileContent | Path, Dataset]:
        """Load a dataset given its UUID (with ``details``, also return its record)."""
        from onesdk._tables import dataset_model, table_records
        from onesdk.errors import ALFMultipleObjectsFound

        did = str(parse_uuid(dset_id, "dset_id"))
        rows = self.repository.dataset_by_id(did)
        if len(rows) == 0:
            raise ALFObjectNotFound(f"dataset {did} is not in the cache")
        if len(rows) > 1:
            raise ALFMultipleObjectsFound(f"dataset id {did} appears {len(rows)} times")
        (file,) = self._check_files(rows, check_hash)
        if file is None:
            raise ALFObjectNotFound(f"dataset {did} is not on disk")
        output: FileContent | Path = file
        if not download_only:
            from onesdk.alf.io import load_file_content

            output = load_file_content(file)
        if details:
            return output, dataset_model(table_records(rows)[0])
        return output

    # ------------------------------------------------------------------ conversions

    @overload
    def eid2path(self, eid: EidLike) -> Path | None: ...
    @overload
    def eid2path(self, eid: EidList) -> list[Path | None]: ...
    def eid2path(self, eid: EidLike | EidList) -> Path | list[Path | None] | None:
        """The local session folder of ``eid`` (None when not in the cache); a list of eids
        gives a list, in order."""
        if isinstance(eid, list | tuple):
            return [self.eid2path(one) for one in eid]
        from onesdk._tables import session_rel_path

        found = parse_uuid(eid) if not isinstance(eid, Mapping | PurePath) else None
        key = str(found or self._to_eid(eid, "eid"))
        if not self.repository.has_session(key):
            return None
        return self.cache_dir / session_rel_path(self._session_record(key))

    @overload
    def path2eid(self, path_obj: str | PurePath) -> uuid.UUID | None: ...  # type: ignore[overload-overlap]
    @overload
    def path2eid(self, path_obj: Sequence[str | PurePath]) -> list[uuid.UUID | None]: ...
    def path2eid(
        self, path_obj: str | PurePath | Sequence[str | PurePath]
    ) -> uuid.UUID | list[uuid.UUID | None] | None:
        """The eid of the session folder in ``path_obj`` (None when not in the cache); a list
        of paths gives a list, in order."""
        if isinstance(path_obj, list | tuple):
            return [self.path2eid(one) for one in path_obj]
        if not isinstance(path_obj, str | PurePath):
            raise ArgumentError("path_obj", path_obj, "a path (str or PurePath) or a list")
        import pyarrow as pa
        import pyarrow.compute as pc

        parts = session_parts(text_or_path(path_obj, "path_obj"))
        if parts is None:
            return None
        _, subject, date, number = parts
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:  # shaped like a date, but no such day: no session folder
            return None
        sessions = self.repository.sessions_table
        mask = pc.and_(
            pc.and_(
                pc.equal(sessions.column("subject"), pa.scalar(subject)),
                pc.equal(sessions.column("date"), pa.scalar(day)),
            ),
            pc.equal(sessions.column("number").cast(pa.int64()), pa.scalar(int(number))),
        )
        ids = sessions.filter(mask).column("id").to_pylist()
        return uuid.UUID(ids[0]) if len(ids) == 1 else None

    def path2record(self, path: str | PurePath) -> Session | Dataset | None:
        """The session record of a session folder, or the dataset record of a file."""
        from onesdk._tables import dataset_model, session_model, table_records

        text = text_or_path(path, "path")
        if (did := dataset_uuid_in_name(text)) is not None:  # a served name: x.y.<uuid>.npy
            rows = self.repository.dataset_by_id(did)
            return dataset_model(table_records(rows)[0]) if len(rows) else None
        eid = self.path2eid(text)
        if eid is None:
            return None
        parts = session_parts(text)
        if parts is not None and text.rstrip("/").endswith(f"{parts[2]}/{parts[3]}"):
            return session_model(self._session_record(str(eid)))
        rel = _relative_to_session(text)
        table = self._matching_table(str(eid), None, None, None, qc="CRITICAL")
        for record in table_records(table):
            if record["rel_path"] == rel:
                return dataset_model(record)
        return None

    def record2path(self, dataset: Dataset) -> Path | None:
        """The local path of a dataset record."""
        from onesdk._models import Dataset

        instance(dataset, Dataset, "dataset", "a Dataset record")
        if dataset.eid is None:
            return None
        session = self.eid2path(dataset.eid)
        return None if session is None else session / dataset.rel_path

    def path2url(self, filepath: str | PurePath) -> str | None:
        """The file-server URL of a local dataset file (needs ``http_data_server``)."""
        record = self.path2record(text_or_path(filepath, "filepath"))
        if record is None:
            return None
        from onesdk._models import Dataset

        if not isinstance(record, Dataset):
            return self._url(str(_session_path_of(self, record.id)))
        return self.record2url(record)

    def record2url(self, record: Dataset | Session) -> str:
        """The file-server URL of a dataset (the dataset id goes before the extension)."""
        from onesdk._models import Dataset, Session

        instance(record, (Dataset, Session), "record", "a Dataset or Session record")
        if not isinstance(record, Dataset):
            return self._url(str(_session_path_of(self, record.id)))
        if record.eid is None:
            raise ArgumentError("record", record.id, "a dataset record with a session")
        session = _session_path_of(self, record.eid)
        name = PurePath(record.rel_path)
        stem, dot, ext = name.name.rpartition(".")
        rel = name.with_name(f"{stem}.{record.id}{dot}{ext}") if dot else name
        return self._url(f"{session}/{rel.as_posix()}")

    def _url(self, rel: str) -> str:
        if not self.http_data_server:
            raise AlfError(
                "no file server configured: pass http_data_server= to build dataset URLs"
            )
        return f"{self.http_data_server}/{rel}"

    @overload
    def eid2ref(
        self, eid: EidLike, as_dict: Literal[True] = True, parse: Literal[True] = True
    ) -> ExpRefDict: ...
    @overload
    def eid2ref(
        self, eid: EidLike, as_dict: Literal[True] = True, *, parse: Literal[False]
    ) -> RawExpRefDict: ...
    @overload
    def eid2ref(self, eid: EidLike, as_dict: Literal[False], parse: bool = True) -> str: ...
    @overload
    def eid2ref(
        self, eid: EidList, as_dict: Literal[True] = True, parse: Literal[True] = True
    ) -> list[ExpRefDict]: ...
    @overload
    def eid2ref(
        self, eid: EidList, as_dict: Literal[True] = True, *, parse: Literal[False]
    ) -> list[RawExpRefDict]: ...
    @overload
    def eid2ref(self, eid: EidList, as_dict: Literal[False], parse: bool = True) -> list[str]: ...
    def eid2ref(
        self, eid: EidLike | EidList, as_dict: bool = True, parse: bool = True
    ) -> (
        ExpRefDict
        | RawExpRefDict
        | str
        | list[ExpRefDict]
        | list[RawExpRefDict]
        | list[str]
        | list[ExpRefDict | RawExpRefDict | str]
    ):
        """The experiment reference of a session: a dict, or ``'yyyy-mm-dd_N_subject'``; a list
        of eids gives a list, in order."""
        if isinstance(eid, list | tuple):
            return [self._eid2ref_one(one, as_dict, parse) for one in eid]
        return self._eid2ref_one(eid, as_dict, parse)

    def _eid2ref_one(
        self, eid: EidLike, as_dict: bool, parse: bool
    ) -> ExpRefDict | RawExpRefDict | str:

        record = self._session_record(self._eid(eid))
        date = record["date"]
        if not isinstance(date, dt.date):
            raise AlfError(f"session {eid} has no date")
        subject, number = str(record["subject"]), int(str(record["number"]))
        if parse:
            if not as_dict:
                return f"{date.isoformat()}_{number}_{subject}"
            return ExpRefDict(subject=subject, date=date, sequence=number)
        if not as_dict:
            return f"{date.isoformat()}_{number:03d}_{subject}"
        return RawExpRefDict(subject=subject, date=date.isoformat(), sequence=f"{number:03d}")

    @overload
    def ref2eid(self, ref: str | Mapping[str, object]) -> uuid.UUID: ...  # type: ignore[overload-overlap]
    @overload
    def ref2eid(self, ref: RefList) -> list[uuid.UUID]: ...
    def ref2eid(self, ref: str | Mapping[str, object] | RefList) -> uuid.UUID | list[uuid.UUID]:
        """The eid of an experiment reference; raises ALFObjectNotFound if not exactly one.
        A list of references gives a list of eids, in order."""
        if isinstance(ref, list | tuple):
            return [self.ref2eid(one) for one in ref]
        if not isinstance(ref, str | Mapping):
            raise ArgumentError("ref", ref, "an experiment reference (str or dict) or a list")
        eid = self._ref2eid_or_none(ref)
        if eid is None:
            raise ALFObjectNotFound(f"session {ref!r} not found in the cache")
        return eid

    @overload
    def ref2path(self, ref: str | Mapping[str, object]) -> Path: ...  # type: ignore[overload-overlap]
    @overload
    def ref2path(self, ref: RefList) -> list[Path]: ...
    def ref2path(self, ref: str | Mapping[str, object] | RefList) -> Path | list[Path]:
        """The local session folder of an experiment reference (a list gives a list)."""
        if isinstance(ref, list | tuple):
            return [self.ref2path(one) for one in ref]
        if not isinstance(ref, str | Mapping):
            raise ArgumentError("ref", ref, "an experiment reference (str or dict) or a list")
        path = self.eid2path(self.ref2eid(ref))
        if path is None:
            raise ALFObjectNotFound(f"session {ref!r} not found in the cache")
        return path

    @staticmethod
    def setup(
        cache_dir: str | os.PathLike[str] | None = None,
        silent: bool = False,
        *,
        hash_files: bool = False,
        lab: str | None = None,
        overwrite: bool | None = None,
    ) -> One:
        """Build the cache tables of the ALF tree in ``cache_dir`` and return a One on it.

        Existing tables are kept unless ``overwrite=True`` (never asked interactively: a
        library does not prompt).
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


def reopen(cls: type[One], options: Options, token: Secret | None) -> One:
    """An instance of ``cls`` rebuilt from pickled ``options`` (and session ``token``)."""
    return cls._reopen(options, token)


def _per_dataset(name: str, value: str | Sequence[str | None] | None, n: int) -> list[str | None]:
    if value is None or isinstance(value, str):
        return [value] * n
    if not isinstance(value, Sequence) or not all(v is None or isinstance(v, str) for v in value):
        raise ArgumentError(name, value, "a str, or a list of str (or None) per dataset")
    if len(value) != n:
        raise ArgumentError(name, value, f"one value, or one per dataset ({n})")
    return list(value)


#: the column order of one-api's remote ``list_datasets(details=True)``
_REMOTE_COLUMNS = ("file_size", "hash", "exists", "rel_path", "default_revision", "qc")


def remote_order(frame: pd.DataFrame) -> pd.DataFrame:
    """A datasets frame with the remote column order (file_size, hash, exists, ...)."""
    first = [c for c in _REMOTE_COLUMNS if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


def _object_of(filename: str) -> str:
    """The object part of an ALF file name (namespace stripped)."""
    from onesdk.alf import filename_parts

    return filename_parts(filename, assert_valid=False).object or filename.split(".", 1)[0]


def _relative_to_session(path: str) -> str:
    found = split_session_path(path)
    return path if found is None else found[1]


def _session_path_of(one: One, eid: uuid.UUID | str) -> PurePath:
    from onesdk._tables import session_rel_path

    return session_rel_path(one._session_record(str(eid)))


__all__ += ["ExpRefDict", "RawExpRefDict"]
