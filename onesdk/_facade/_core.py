"""The core of the facade: options, tables and repository, identifiers, search, and files.

``One`` is assembled from this core and two groups of methods (:mod:`onesdk._facade._one_load`,
:mod:`onesdk._facade._one_paths`); the core holds the three things a facade is made of: the frozen
:class:`Options`, a repository (with a server: a layered one) and a :class:`Store`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Literal, Self, TypeAlias, overload

from onesdk._convert import (
    is_exp_ref,
    is_uuid_string,
    ref2dict,
    session_parts,
)
from onesdk._options import Options
from onesdk._remote._layered import LayeredRepository
from onesdk._repo._query import (
    FILENAME_PARTS,
    DatasetQuery,
    FilenameFilter,
    PartValue,
    SessionQuery,
)
from onesdk._store._core import FileRecord, Store
from onesdk._validate import (
    eid_like,
    filename_filter,
    part_value,
    path_like,
    text_or_path,
)
from onesdk.alf._alfpath import ALFPath
from onesdk.errors import (
    AlfError,
    ALFObjectNotFound,
    ArgumentError,
    CacheWarning,
    UnknownTermError,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from onesdk._cache import CacheTables
    from onesdk._lock._view import PinView
    from onesdk._models import Session
    from onesdk._remote._session import RemoteSession
    from onesdk._repo._lazy_repository import LazyRepository
    from onesdk._repo._parquet import ParquetRepository
    from onesdk._settings import Secret


__all__ = ["SEARCH_TERMS", "EidLike", "EidList", "Facade", "QcLike", "reopen"]

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


if TYPE_CHECKING:  # a Session record is an eid too; pydantic only loads when one is used
    EidLike: TypeAlias = str | uuid.UUID | PurePath | Mapping[str, object] | Session
else:
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


def reopen(cls: type[Facade], options: Options, token: Secret | None) -> Facade:
    """An instance of ``cls`` rebuilt from pickled ``options`` (and session ``token``)."""
    return cls._reopen(options, token)


class Facade:
    """Options, repository and store of a facade, and what every method group uses."""

    _search_terms = SEARCH_TERMS

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
    def offline(self) -> bool:
        """True when nothing reaches a server (always, for a One without one)."""
        return self._server is None or self._server.mode == "local"

    def search_terms(self, query_type: str | None = None) -> tuple[str, ...]:
        """The keyword arguments :meth:`search` accepts (prefixes and aliases also work).

        Parameters
        ----------
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.

        Returns
        -------
        tuple of str
            The filter names.
        """
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
            Accepted for one-api compatibility: the tables are always replaced, never merged.

        Returns
        -------
        datetime.datetime or None
            When the tables were loaded; None when none were found (with a ``CacheWarning``).
        """
        import warnings

        from onesdk._cache import read_tables
        from onesdk._cache._schema import DATASETS_FILE
        from onesdk._repo._lazy_repository import load_lazy, open_lazily
        from onesdk._repo._parquet import ParquetRepository

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

        Parameters
        ----------
        details : bool
            Also return each session's record.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.
        subject : str or list of str, optional
            Subject nickname(s); partial match (a regular expression when ``wildcards`` is on).
        lab, laboratory : str or list of str, optional
            Lab name(s); partial match.
        date_range, date : str, datetime.date or [start, end], optional
            One day, or an inclusive range with None for an open end
            (``['2024-01-01', None]``).
        number : int, str or list, optional
            Session number(s) of the day (``1``, ``'001'``).
        task_protocol, task : str or list of str, optional
            Task protocol(s); partial match.
        projects : str or list of str, optional
            Project name(s); partial match.
        datasets, dataset : str or list of str, optional
            Dataset names (patterns) that must all exist in the session.
        dataset_qc_lte : str, int or onesdk.QC, optional
            Sessions with an existing dataset at or below this QC (with ``datasets``: the named
            datasets must be).
        **filters
            The filters above are keyword arguments; each may also be given by an unambiguous
            prefix (``subj``, ``proj``).

        Returns
        -------
        list of uuid.UUID
            The matching eids (``str(eid)`` gives one-api's string form).
        list of onesdk.Session
            With ``details=True``, the records of those sessions, in the same order.

        Raises
        ------
        onesdk.errors.UnknownTermError
            An unknown filter keyword (the message lists the valid ones and the closest match).
        onesdk.errors.ArgumentError
            A filter value of the wrong kind (a bad date, QC name, regular expression...).

        Examples
        --------
        >>> eids = one.search(subject='KS051', date_range=['2024-01-01', '2024-03-31'])
        >>> eids, records = one.search(lab='cortexlab', details=True)
        >>> eids = one.search(datasets=['spikes.times.npy', '_ibl_trials.table.pqt'])
        """
        query = self._session_query(filters)
        table = self.repository.sessions(query)
        eids = [uuid.UUID(e) for e in table.column("id").to_pylist()]
        if not details:
            return eids
        from onesdk._repo._results import session_model

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

    @overload
    def to_eid(self, id: Session, cache_dir: str | os.PathLike[str] | None = None) -> uuid.UUID: ...

    @overload
    def to_eid(
        self, id: EidLike | None = None, cache_dir: str | os.PathLike[str] | None = None
    ) -> uuid.UUID | None: ...

    @overload
    def to_eid(
        self, id: EidList, cache_dir: str | os.PathLike[str] | None = None
    ) -> list[uuid.UUID | None]: ...

    @overload
    def to_eid(
        self, id: list[Session], cache_dir: str | os.PathLike[str] | None = None
    ) -> list[uuid.UUID | None]: ...

    def to_eid(
        self,
        id: EidLike | EidList | Session | list[Session] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> uuid.UUID | list[uuid.UUID | None] | None:
        """The eid of a session given in any form.

        Parameters
        ----------
        id : str, uuid.UUID, pathlib.Path, dict, onesdk.Session, or a list of them
            A UUID (or its string), an Alyx URL, a session path, an exp ref, or a record
            (a dict, or the ``Session`` models of ``search(details=True)``).
        cache_dir : str or os.PathLike, optional
            Accepted for one-api compatibility.

        Returns
        -------
        uuid.UUID or None
            The eid; None when a path or exp ref names no session in the cache. A list gives a
            list, in order.

        Raises
        ------
        onesdk.errors.ArgumentError
            ``id`` is no kind of session identifier.
        """
        if isinstance(id, list | tuple):
            return [self._to_eid(one, "id") for one in id]
        return self._to_eid(id, "id")

    def _to_eid(self, id: EidLike | Session | None, argument: str) -> uuid.UUID | None:
        if id is None:
            return None
        if not isinstance(id, str | uuid.UUID | PurePath | Mapping):
            from onesdk._models import Session

            if isinstance(id, Session):  # a record from search(details=True), get_details...
                return id.id
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
        if isinstance(eid, str | uuid.UUID | PurePath | Mapping) or not isinstance(eid, Sequence):
            found = self._to_eid(eid, "eid")  # a Session record is one eid too
            return (str(found),) if found is not None else ()
        return tuple(str(e) for e in (self._to_eid(x, "eid") for x in eid) if e is not None)

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
            self._loaded_ids.update(r.id for r, f in zip(wanted, files, strict=True) if f)
        return files

    @overload
    def path2eid(self, path_obj: str | PurePath) -> uuid.UUID | None: ...  # type: ignore[overload-overlap]

    @overload
    def path2eid(self, path_obj: Sequence[str | PurePath]) -> list[uuid.UUID | None]: ...

    def path2eid(
        self, path_obj: str | PurePath | Sequence[str | PurePath]
    ) -> uuid.UUID | list[uuid.UUID | None] | None:
        """The eid of the session folder a path is in.

        Parameters
        ----------
        path_obj : str, pathlib.PurePath, or a list of them
            A session folder or any path inside one (absolute, or starting at the subject).

        Returns
        -------
        uuid.UUID or None
            The eid; None when the session is not in the cache. A list gives a list, in order.
        """
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
