"""``OneAlyx``: everything :class:`One` does, plus an Alyx server behind it.

Modes (``mode=`` at construction, ``query_type=`` per call):

* ``'remote'`` (default): searches and listings ask the server; what comes back is merged into
  the in-memory cache tables, so loading, conversions and later local queries see it. The local
  tables on disk are not read at start (as the reference).
* ``'local'``: only the cache tables in the cache dir; nothing reaches the network.
* ``'auto'``: the local tables are read at start and calls go to the server; when it cannot be
  reached the instance falls back to the local tables with one :class:`OfflineWarning`.
* ``'refresh'``: as ``'auto'``, but the server's cache tables are downloaded first when newer.

Files missing from the cache dir are downloaded on load (verified, resumable, locked); see
:mod:`onesdk._download`. Credentials and the token are handled by :mod:`onesdk._auth`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import inspect
import os
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Literal, Self, TypeVar, cast, overload

import platformdirs

from onesdk._auth import Credentials, TokenAuth, resolve_credentials
from onesdk._download import Downloader, DownloadTask, safe_target, url_for
from onesdk._layered import LayeredRepository
from onesdk._log import get_logger
from onesdk._one import EidLike, EidList, One, QcLike, reopen
from onesdk._options import Options, check_connection, check_mode
from onesdk._parquet import ParquetRepository
from onesdk._query import FilenameFilter, PartValue
from onesdk._remote_records import (
    SessionRow,
    dataset_rows,
    session_dataset_rows,
    session_row,
)
from onesdk._remote_tables import (
    install_cache_zip,
    local_cache_info,
    needs_download,
    remote_cache_info,
)
from onesdk._rest import AlyxHttp, JsonObject, RestRepository, search_terms
from onesdk._rest_cache import RestCache
from onesdk._servers import check_username, http_data_server_for, log_in_now
from onesdk._settings import (
    Secret,
    Settings,
    default_token_store,
    load_settings,
    normalise_base_url,
    save_settings,
)
from onesdk._validate import instance, path_like
from onesdk.alf._alfpath import ALFPath
from onesdk.errors import (
    ALFObjectNotFound,
    ArgumentError,
    HTTPError,
    OfflineError,
    OfflineWarning,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from onesdk._lazy_repository import LazyRepository
    from onesdk._models import Insertion, Session
    from onesdk.alf.io import FileContent

__all__ = ["OneAlyx"]

_log = get_logger("onesdk.one_alyx")
_MODES: tuple[str, ...] = ("remote", "local", "auto", "refresh")
#: the remote column order of list_datasets(details=True)
_REMOTE_COLUMNS = ("file_size", "hash", "exists", "rel_path", "default_revision", "qc")


_QUERY_TYPE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "onesdk_query_type", default=None
)
_F = TypeVar("_F", bound=Callable[..., object])


def _scoped(method: _F, *, remote_frames: bool = False) -> _F:
    """``method`` with its ``query_type`` argument visible to the hooks it calls.

    The inherited load and list methods accept ``query_type`` but do not pass it down; the
    download hooks (:meth:`OneAlyx._select`, :meth:`OneAlyx._check_files`) read it here.
    """
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(*args: object, **kwargs: object) -> object:
        bound = signature.bind(*args, **kwargs)
        value = bound.arguments.get("query_type")
        token = _QUERY_TYPE.set(value if isinstance(value, str) else None)
        try:
            result = method(*args, **kwargs)
            remote = isinstance(args[0], OneAlyx) and args[0]._remote(_QUERY_TYPE.get())
        finally:
            _QUERY_TYPE.reset(token)
        if remote_frames and remote and isinstance(result, dict):
            return {key: _remote_order(frame) for key, frame in result.items()}
        return result

    return cast(_F, wrapper)


class OneAlyx(One):
    """Search, list and load ALF data through an Alyx server (and the local cache)."""

    load_dataset = _scoped(One.load_dataset)
    load_datasets = _scoped(One.load_datasets)
    load_object = _scoped(One.load_object)
    load_collection = _scoped(One.load_collection)
    list_collections = _scoped(One.list_collections, remote_frames=True)
    list_revisions = _scoped(One.list_revisions)

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        base_url: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        mode: str = "remote",
        wildcards: bool = True,
        tables_dir: str | os.PathLike[str] | None = None,
        *,
        silent: bool = False,
        http_data_server: str | None = None,
        cache_rest: Literal["GET"] | None = "GET",
        n_threads: int = 4,
        timeout: float = 30.0,
        lazy: bool | None = None,
    ) -> None:
        requested = check_mode(mode)
        check_connection(cache_rest, n_threads, timeout)
        for name, value in (("cache_dir", cache_dir), ("tables_dir", tables_dir)):
            if value is not None:
                path_like(value, name)
        instance(http_data_server, (str, type(None)), "http_data_server", "a URL (str) or None")
        saved = load_settings(normalise_base_url(base_url) if base_url else None)
        if base_url is None:
            if saved is None:
                raise ArgumentError(
                    "base_url", None, "an Alyx URL (none given and no saved settings)"
                )
            base_url = saved.base_url
        base_url = normalise_base_url(base_url)
        root = Path(cache_dir) if cache_dir else (saved.cache_dir if saved else None)
        if root is None:
            host = base_url.split("://", 1)[1].split("/")[0].replace(":", "_")
            root = Path(platformdirs.user_cache_dir("ONE")) / host
        server = http_data_server_for(
            base_url, http_data_server, saved.http_data_server if saved else None
        )
        credentials = resolve_credentials(
            username, password, saved_username=saved.username if saved else None
        )
        check_username(base_url, credentials.username if credentials else None, password)
        options = Options(
            cache_dir=root,
            tables_dir=Path(tables_dir) if tables_dir else root,
            mode=requested,
            wildcards=wildcards,
            silent=silent,
            http_data_server=server.rstrip("/") if server else None,
            lazy=lazy,
            base_url=base_url,
            username=credentials.username if credentials else None,
            cache_rest=cache_rest,
            n_threads=n_threads,
            timeout=timeout,
        )
        save_settings(Settings(base_url, options.username, server, root))
        self._open(options)
        self._connect(credentials, None)
        if requested in ("remote", "refresh"):
            log_in_now(self._auth, password_given=password is not None)
        self.load_cache()
        if requested == "refresh":
            self.load_cache(clobber=True)

    def _open(self, options: Options) -> None:
        One._open(self, options)
        self._insertions: dict[str, JsonObject] = {}
        self._requested_mode: str = options.mode
        self._warned_offline = False
        self._initialised = False
        self.mode = "remote" if options.mode in ("auto", "refresh") else options.mode

    def _connect(self, credentials: Credentials | None, token: Secret | None) -> None:
        options = self.options
        if options.base_url is None:
            raise ArgumentError("base_url", None, "an Alyx URL")
        self._auth = TokenAuth(
            options.base_url, credentials, store=default_token_store(), token=token
        )
        rest_cache = RestCache(options.cache_dir / ".rest") if options.cache_rest == "GET" else None
        self._rest = RestRepository(
            AlyxHttp(
                options.base_url, auth=self._auth, rest_cache=rest_cache, timeout=options.timeout
            )
        )
        self._n_threads = options.n_threads
        self._timeout = options.timeout
        # where one.alyx.download_file / download_cache_tables write, as in the reference
        self._rest.cache_dir, self._rest.silent = options.cache_dir, options.silent
        self._rest.http_data_server = options.http_data_server

    @classmethod
    def _reopen(cls, options: Options, token: Secret | None) -> Self:
        # 'refresh' already fetched the server's tables before pickling: read them as 'auto'
        one = cls.__new__(cls)
        one._open(options.replace(mode="auto") if options.mode == "refresh" else options)
        one._options = options
        credentials = (
            resolve_credentials(options.username, None) if options.username is not None else None
        )
        one._connect(credentials, token)
        return one

    def __reduce__(self) -> tuple[object, ...]:
        # options and the session token, never the password: the copy logs in with the token
        return (reopen, (type(self), self.options, self._auth.token))

    def __repr__(self) -> str:
        user = self._auth.username
        login = f"logged in as {user}" if self._auth.has_token and user else "not logged in"
        state = "offline" if self.offline else "online"
        return f"{type(self).__name__} ({state}, {self.alyx.base_url}, {login})"

    # ------------------------------------------------------------------ connection

    @property
    def alyx(self) -> RestRepository:
        """The REST repository (Alyx client) of this instance."""
        return self._rest

    @property
    def offline(self) -> bool:
        """True in local mode: nothing reaches the server."""
        return self.mode == "local"

    def logout(self) -> None:
        """Forget the stored token of this server."""
        self._auth.logout()

    def close(self) -> None:
        """Close the connection to the server (the instance can still be used offline)."""
        self._rest.close()

    def _remote(self, query_type: str | None) -> bool:
        wanted = query_type or self.mode
        if wanted not in ("local", "remote", "auto", "refresh"):
            raise ArgumentError("query_type", query_type, "'local' or 'remote'")
        if wanted != "local" and self.mode == "local" and query_type is None:
            return False
        return wanted != "local"

    def _fall_back(self, exc: OfflineError) -> bool:
        """In 'auto' mode, switch to local (warning once) instead of failing."""
        if self._requested_mode not in ("auto", "refresh"):
            return False
        if not self._warned_offline:
            warnings.warn(
                f"{exc}; using the local cache tables instead", OfflineWarning, stacklevel=3
            )
            self._warned_offline = True
        self.mode = "local"
        return True

    # ------------------------------------------------------------------ cache tables

    def load_cache(
        self,
        tables_dir: str | os.PathLike[str] | None = None,
        clobber: bool = False,
        tag: str | None = None,
    ) -> dt.datetime | None:
        """Load the cache tables; in remote modes first fetch the server's if newer.

        ``tag`` loads the tables of a dataset tag (into ``<cache_dir>/<tag>`` unless
        ``tables_dir`` is given). Called by the constructor: a 'remote' instance starts empty.
        """
        if getattr(self, "_initialised", False) is False:
            self._initialised = True
            if self._requested_mode in ("remote", "refresh"):
                self._start_empty()  # 'refresh' fetches the server's tables right after
                return None
            return self._load_layered(tables_dir)
        target = Path(tables_dir) if tables_dir else (self.cache_dir / tag if tag else None)
        target = target or self._tables_dir
        try:
            info = remote_cache_info(self._rest, tag)
        except OfflineError as exc:
            if not self._fall_back(exc):
                raise
            return self._load_layered(target)
        local = local_cache_info(target)
        if info.location and needs_download(
            info, local, tag=tag, base_url=self._rest.base_url, clobber=clobber
        ):
            with Downloader(silent=self.silent, n_threads=1) as dl:
                install_cache_zip(dl, info.location, target)
        return self._load_layered(target)

    def _load_layered(self, tables_dir: str | os.PathLike[str] | None) -> dt.datetime | None:
        """Read the tables from disk, with an empty overlay for the server's answers."""
        loaded = One.load_cache(self, tables_dir)
        self._repo = LayeredRepository(self._base_repo(), self._loaded()[0])
        return loaded

    def _base_repo(self) -> ParquetRepository | LazyRepository:
        repo = self._loaded()[1]
        return repo.base if isinstance(repo, LayeredRepository) else repo

    def _start_empty(self) -> None:
        from onesdk._cache import empty_tables

        self._tables = empty_tables()
        self._repo = LayeredRepository(ParquetRepository(self._tables), self._tables)

    def _layers(self) -> LayeredRepository:
        repo = self._loaded()[1]  # the real layers, also inside locked()
        if not isinstance(repo, LayeredRepository):
            raise TypeError("an OneAlyx holds a LayeredRepository")
        return repo

    def _add_sessions(self, sessions: Iterable[SessionRow]) -> None:
        """Lay the server's session rows over the loaded ones."""
        rows = list(sessions)
        if rows:
            self._layers().add_sessions(rows)
            self._modified_time = dt.datetime.now()

    # ------------------------------------------------------------------ search

    def search_terms(
        self, query_type: str | None = None, endpoint: str | None = None
    ) -> tuple[str, ...]:
        """The keywords of :meth:`search` (remote: the server's session filters, sorted)."""
        if not self._remote(query_type):
            return super().search_terms(query_type)
        return search_terms(endpoint or "sessions")

    @overload
    def search(
        self, details: Literal[False] = False, *, query_type: str | None = None, **filters: object
    ) -> list[uuid.UUID]: ...
    @overload
    def search(
        self, details: Literal[True], *, query_type: str | None = None, **filters: object
    ) -> tuple[list[uuid.UUID], list[Session]]: ...
    def search(
        self, details: bool = False, *, query_type: str | None = None, **filters: object
    ) -> list[uuid.UUID] | tuple[list[uuid.UUID], list[Session]]:
        """Sessions matching the filters: remote by default (see :func:`search_terms`)."""
        if not self._remote(query_type):
            return super().search(details, query_type="local", **filters)  # type: ignore[call-overload,no-any-return]
        try:
            found = self._rest.search_sessions(filters)
            records = found.raw()
        except OfflineError as exc:
            if not self._fall_back(exc):
                raise
            return super().search(details, query_type="local", **filters)  # type: ignore[call-overload,no-any-return]
        self._add_sessions(session_row(r) for r in _unique(records))
        eids = [uuid.UUID(str(r["id"])) for r in records]
        if not details:
            return eids
        from onesdk._models import session_from_rest

        return eids, [session_from_rest(r) for r in records]

    @overload
    def search_insertions(
        self, details: Literal[False] = False, *, query_type: str | None = None, **filters: object
    ) -> list[uuid.UUID]: ...
    @overload
    def search_insertions(
        self, details: Literal[True], *, query_type: str | None = None, **filters: object
    ) -> tuple[list[uuid.UUID], list[Insertion]]: ...
    def search_insertions(
        self, details: bool = False, *, query_type: str | None = None, **filters: object
    ) -> list[uuid.UUID] | tuple[list[uuid.UUID], list[Insertion]]:
        """Probe insertions matching the filters (``session``, ``name``, ``lab``, ...)."""
        from onesdk._models import insertion_from_rest

        if not self._remote(query_type):
            records = [r for r in self._insertions.values() if _insertion_matches(r, filters)]
        else:
            records = self._rest.search_insertions(filters).raw()
            self._remember_insertions(records)
        pids = [uuid.UUID(str(r["id"])) for r in records]
        if not details:
            return pids
        return pids, [insertion_from_rest(r) for r in records]

    def _remember_insertions(self, records: Iterable[JsonObject]) -> None:
        rows: list[SessionRow] = []
        for record in records:
            self._insertions[str(record["id"])] = record
            info = record.get("session_info")
            if isinstance(info, dict):
                rows.append(session_row(info))
        self._add_sessions(rows)

    # ------------------------------------------------------------------ insertions

    def pid2eid(
        self, pid: uuid.UUID | str, query_type: str | None = None
    ) -> tuple[uuid.UUID, str] | tuple[None, None]:
        """The session and probe name of an insertion; (None, None) when unknown."""
        key = str(_as_uuid(pid, "pid"))
        if self._remote(query_type):
            try:
                self._remember_insertions([self._rest.insertion(key)])
            except HTTPError as exc:
                if exc.status != 404:
                    raise
                return None, None
        record = self._insertions.get(key)
        if record is None:
            return None, None
        return uuid.UUID(str(record["session"])), str(record["name"])

    def eid2pid(
        self, eid: EidLike, query_type: str | None = None, details: bool = False
    ) -> (
        tuple[list[uuid.UUID], list[str]]
        | tuple[list[uuid.UUID], list[str], list[Insertion]]
        | tuple[None, None]
        | tuple[None, None, None]
    ):
        """The insertions of a session: (pids, names[, records]); Nones when there are none."""
        key = self._eid(eid)
        if self._remote(query_type):
            pids, records = self.search_insertions(True, query_type="remote", session=key)
        else:
            pids, records = self.search_insertions(True, query_type="local", session=key)
        if not pids:
            return (None, None, None) if details else (None, None)
        names = [r.name for r in records]
        return (pids, names, records) if details else (pids, names)

    # ------------------------------------------------------------------ datasets

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
        """The datasets of a session; remotely, asked of the server and merged into the cache.

        As in the reference, ``default_revisions_only`` has no effect remotely.
        """
        kwargs: dict[str, object] = {
            "filename": filename,
            "collection": collection,
            "revision": revision,
            "qc": qc,
            "ignore_qc_not_set": ignore_qc_not_set,
            "details": details,
            "keep_eid_index": keep_eid_index,
        }
        if (
            eid is None
            or not self._remote(query_type)
            or not isinstance(eid, (str, uuid.UUID, PurePath, Mapping))
        ):
            return super().list_datasets(  # type: ignore[call-overload,no-any-return]
                eid, default_revisions_only=default_revisions_only, **kwargs
            )
        key = self._remote_eid(eid)
        try:
            self._fetch_session(key)
        except OfflineError as exc:
            if not self._fall_back(exc):
                raise
        result = super().list_datasets(key, **kwargs)  # type: ignore[call-overload]
        if details:
            return _remote_order(result)
        listed: list[str] = result
        return listed

    def _remote_eid(self, eid: EidLike) -> str:
        if isinstance(eid, (str, uuid.UUID)):
            text = str(eid).strip()[-36:]
            try:
                return str(uuid.UUID(text))
            except ValueError:
                pass
        return self._eid(eid)

    def _fetch_session(self, eid: str) -> JsonObject:
        detail = self._rest.session(eid)
        self._layers().add_session(session_row(detail), session_dataset_rows(detail))
        self._modified_time = dt.datetime.now()
        return detail

    @overload
    def type2datasets(
        self, eid: EidLike, dataset_type: str | Sequence[str], details: Literal[False] = False
    ) -> list[str]: ...
    @overload
    def type2datasets(
        self, eid: EidLike, dataset_type: str | Sequence[str], details: Literal[True]
    ) -> pd.DataFrame: ...
    def type2datasets(
        self, eid: EidLike, dataset_type: str | Sequence[str], details: bool = False
    ) -> list[str] | pd.DataFrame:
        """The datasets of given dataset type(s) in a session (remote only)."""
        from onesdk._remote_records import datasets_frame

        key = self._remote_eid(eid)
        if isinstance(dataset_type, str):
            django = f"session__id,{key},dataset_type__name,{dataset_type}"
        elif isinstance(dataset_type, Sequence):
            django = f"session__id,{key},dataset_type__name__in,{list(dataset_type)}"
        else:
            raise ArgumentError("dataset_type", dataset_type, "a str or a list of str")
        rows = dataset_rows(self._rest.dataset_records([("django", django)]).raw())
        frame = datasets_frame(rows, keep_eid_index=True)
        return frame if details else sorted(frame["rel_path"])

    def _dataset_name2id(self, name: str, argument: str = "dataset") -> str:
        for record in self.tables.core_datasets.select(["id", "rel_path"]).to_pylist():
            if str(record["rel_path"]).endswith(name):
                return str(record["id"])
        raise ArgumentError(argument, name, "a dataset name in the cache (not found)")

    def dataset2type(self, dset: str | uuid.UUID) -> str:
        """The dataset type name of a dataset (by UUID, or by a file name in the cache)."""
        instance(dset, (str, uuid.UUID), "dset", "a dataset UUID or file name")
        key = str(dset) if isinstance(dset, uuid.UUID) else dset
        if not _is_uuid(key):
            key = self._dataset_name2id(key, "dset")
        value = self._rest.dataset(key).get("dataset_type")
        return str(value)

    def describe_dataset(self, dataset_type: str | None = None) -> JsonObject:
        """The dataset type record (by type name, or by a dataset file name in the cache)."""
        if not dataset_type:
            raise ArgumentError("dataset_type", dataset_type, "a dataset type or file name")
        try:
            record = self._rest.dataset_type(dataset_type)
        except HTTPError as exc:
            if exc.status != 404:
                raise
            record = self._rest.dataset_type(self.dataset2type(dataset_type))
        _log.info("%s: %s", record.get("name"), record.get("description"))
        return record

    def describe_revision(self, revision: str, full: bool = False) -> JsonObject | None:
        """The revision record (``full=True``); None when the revision does not exist."""
        try:
            record = self._rest.revision(revision)
        except HTTPError as exc:
            if exc.status != 404:
                raise
            _log.info('revision "%s" not found', revision)
            return None
        _log.info("%s", record.get("description"))
        return record if full else None

    # ------------------------------------------------------------------ details

    @overload  # type: ignore[override]
    def get_details(
        self, eid: EidLike, full: Literal[False] = False, query_type: str | None = None
    ) -> Session: ...
    @overload
    def get_details(
        self, eid: EidLike, full: Literal[True], query_type: str | None = None
    ) -> JsonObject | pd.DataFrame: ...
    @overload
    def get_details(
        self, eid: EidList, full: Literal[False] = False, query_type: str | None = None
    ) -> list[Session]: ...
    @overload
    def get_details(
        self, eid: EidList, full: Literal[True], query_type: str | None = None
    ) -> list[JsonObject | pd.DataFrame]: ...
    def get_details(
        self, eid: EidLike | EidList, full: bool = False, query_type: str | None = None
    ) -> Session | JsonObject | pd.DataFrame | list[Session] | list[JsonObject | pd.DataFrame]:
        """The session record: remote by default.

        A :class:`Session`; with ``full=True`` the whole detail record as the server sends it
        (its datasets merged into the cache), or locally the frame of its datasets. A list of
        eids gives a list, in order.
        """
        if isinstance(eid, list | tuple):
            if full:
                return [self.get_details(one, full=True, query_type=query_type) for one in eid]
            if not self._remote(query_type):
                return super().get_details(eid)
            return self._remote_sessions([self._remote_eid(one) for one in eid])
        if not self._remote(query_type):
            if full:
                return super().get_details(eid, full=True)
            return super().get_details(eid)
        key = self._remote_eid(eid)
        if full:
            try:
                return self._fetch_session(key)
            except HTTPError as exc:
                if exc.status != 404:
                    raise
                raise ALFObjectNotFound(f"session {key} not found on the server") from None
        return self._remote_sessions([key])[0]

    def _remote_sessions(self, keys: list[str]) -> list[Session]:
        """The session records of ``keys``, in order, in one request."""
        from onesdk._models import session_from_rest

        # the reference's request: a django primary-key filter with a Python tuple
        found = self._rest.session_records([("django", f"pk__in,{tuple(keys)}")]).raw()
        self._add_sessions(session_row(r) for r in found)
        by_id = {
            str(record.get("id") or str(record.get("url", ""))[-36:]): record for record in found
        }
        missing = [key for key in keys if key not in by_id]
        if missing:
            raise ALFObjectNotFound(
                f"session(s) {', '.join(missing)} not found on {self._rest.base_url}"
            )
        return [session_from_rest(by_id[key]) for key in keys]

    def _ref2eid_or_none(self, ref: str | Mapping[str, object]) -> uuid.UUID | None:
        if self.mode == "local":
            return super()._ref2eid_or_none(ref)
        from onesdk._convert import ref2dict

        parsed = ref2dict(ref)
        date = str(parsed["date"])
        found = self.search(
            subject=str(parsed["subject"]), date_range=[date, date], number=parsed["sequence"]
        )
        exact = [
            e for e in found if str(self._session_record(str(e))["subject"]) == parsed["subject"]
        ]
        return exact[0] if len(exact) == 1 else None

    # ------------------------------------------------------------------ aggregates

    def list_aggregates(
        self,
        relation: str,
        identifier: str | None = None,
        dataset: str | None = None,
        revision: str | None = None,
        assert_unique: bool = False,
    ) -> pd.DataFrame:
        """Aggregate datasets (no session) of a relation such as 'subjects', from the server."""
        import fnmatch

        from onesdk._remote_records import datasets_frame

        if not isinstance(relation, str) or not relation:
            raise ArgumentError("relation", relation, "a relation name such as 'subjects'")
        for name, value in (
            ("identifier", identifier),
            ("dataset", dataset),
            ("revision", revision),
        ):
            instance(value, (str, type(None)), name, "a str or None")
        records = self._rest.dataset_records([("django", "session__isnull,True")]).raw()
        frame = datasets_frame(dataset_rows(records), keep_eid_index=False)
        frame["rel_path"] = frame["rel_path"].str.replace(
            r"^[\w/]+(?=aggregates/)", "", n=1, regex=True
        )
        frame["relation"] = [
            p.split("aggregates")[-1].split("/")[1].casefold() for p in frame["rel_path"]
        ]
        frame = frame[frame["relation"] == relation.casefold()].copy()
        frame["identifier"] = [_aggregate_identifier(p, relation) for p in frame["rel_path"]]
        frame["revision"] = [_revision_of(p) for p in frame["rel_path"]]
        if identifier is not None:
            found = [isinstance(v, str) and identifier in v for v in frame["identifier"]]
            frame = frame[found]
        if dataset is not None:
            names = [p.rsplit("/", 1)[-1] for p in frame["rel_path"]]
            frame = frame[[fnmatch.fnmatchcase(n, dataset) for n in names]]
        frame = _pick_revisions(frame, revision)
        if dataset is not None:
            frame = frame.sort_index()  # the reference's order when a name filter is given
        if frame.empty:
            frame = frame.drop(columns=["revision"], errors="ignore")
        if assert_unique and len(frame) > 1:
            from onesdk.errors import ALFMultipleObjectsFound

            raise ALFMultipleObjectsFound(
                f"{dataset} matches several aggregates: {', '.join(frame['rel_path'])}"
            )
        return frame

    @overload
    def load_aggregate(
        self,
        relation: str,
        identifier: str,
        dataset: str | None = None,
        revision: str | None = None,
        download_only: Literal[False] = False,
    ) -> FileContent: ...
    @overload
    def load_aggregate(
        self,
        relation: str,
        identifier: str,
        dataset: str | None = None,
        revision: str | None = None,
        *,
        download_only: Literal[True],
    ) -> Path: ...
    def load_aggregate(
        self,
        relation: str,
        identifier: str,
        dataset: str | None = None,
        revision: str | None = None,
        download_only: bool = False,
    ) -> FileContent | Path:
        """Load (or with ``download_only`` fetch) one aggregate dataset."""
        if self.wildcards and isinstance(dataset, str) and len(dataset.split(".")) == 2:
            dataset += ".*"
        frame = self.list_aggregates(relation, identifier, dataset, revision, assert_unique=True)
        if frame.empty:
            raise ALFObjectNotFound(f"{dataset or 'dataset'} not found for {relation}/{identifier}")
        row = frame.iloc[0]
        rel = str(row["rel_path"])
        target = safe_target(self.cache_dir, "aggregates", rel.removeprefix("aggregates/"))
        size = row["file_size"]
        task = DownloadTask(
            url_for(self._data_server(), rel, str(frame.index[0])),
            target,
            int(size) if not pd_isna(size) else None,
            str(row["hash"]) if isinstance(row["hash"], str) and row["hash"] else None,
        )
        with Downloader(silent=self.silent, n_threads=1) as dl:
            path = dl.fetch(task)
        if download_only:
            return ALFPath(path)
        from onesdk.alf.io import load_file_content

        return load_file_content(path)

    # ------------------------------------------------------------------ conversions

    @overload
    def eid2path(self, eid: EidLike, query_type: str | None = None) -> Path | None: ...
    @overload
    def eid2path(self, eid: EidList, query_type: str | None = None) -> list[Path | None]: ...
    def eid2path(
        self, eid: EidLike | EidList, query_type: str | None = None
    ) -> Path | list[Path | None] | None:
        """The local session folder of ``eid`` (asking the server when not in the cache); a
        list of eids gives a list, in order."""
        if isinstance(eid, list | tuple):
            return [self._eid2path_one(one, query_type) for one in eid]
        return self._eid2path_one(eid, query_type)

    def _eid2path_one(self, eid: EidLike, query_type: str | None) -> Path | None:
        local = super().eid2path(eid)
        if local is not None or not self._remote(query_type):
            return local
        try:
            self._fetch_session(self._remote_eid(eid))
        except HTTPError as exc:
            if exc.status == 404:
                return None
            raise
        return super().eid2path(eid)

    @overload
    def path2eid(  # type: ignore[overload-overlap]  # a str is also a sequence
        self, path_obj: str | PurePath, query_type: str | None = None
    ) -> uuid.UUID | None: ...
    @overload
    def path2eid(
        self,
        path_obj: Sequence[str | PurePath],
        query_type: str | None = None,
    ) -> list[uuid.UUID | None]: ...
    def path2eid(
        self,
        path_obj: str | PurePath | Sequence[str | PurePath],
        query_type: str | None = None,
    ) -> uuid.UUID | list[uuid.UUID | None] | None:
        """The eid of a session folder (asking the server when not in the cache); a list of
        paths gives a list, in order."""
        if isinstance(path_obj, list | tuple):
            return [self.path2eid(one, query_type) for one in path_obj]
        if not isinstance(path_obj, str | PurePath):
            raise ArgumentError("path_obj", path_obj, "a path (str or PurePath) or a list")
        local = super().path2eid(path_obj)
        if local is not None or not self._remote(query_type):
            return local
        from onesdk._convert import session_parts

        parts = session_parts(path_obj)
        if parts is None:
            return None
        _, subject, date, number = parts
        found = self.search(
            query_type="remote", subject=subject, date_range=[date, date], number=number
        )
        return found[0] if len(found) == 1 else None

    # ------------------------------------------------------------------ loading

    def _matching_table(
        self, eid: EidLike | Sequence[EidLike] | None, *args: object, **kwargs: object
    ) -> pa.Table:
        if (
            eid is not None
            and not isinstance(eid, (list, tuple))
            and self._remote(_QUERY_TYPE.get())
        ):
            try:
                self._fetch_session(self._remote_eid(eid))  # type: ignore[arg-type]
            except OfflineError as exc:
                if not self._fall_back(exc):
                    raise
        return super()._matching_table(eid, *args, **kwargs)  # type: ignore[arg-type]

    def _select(self, eid: str, *args: object, **kwargs: object) -> pa.Table:
        if self._remote(_QUERY_TYPE.get()):
            try:
                self._fetch_session(eid)
            except OfflineError as exc:
                if not self._fall_back(exc):
                    raise
        return super()._select(eid, *args, **kwargs)  # type: ignore[arg-type]

    def _check_files(self, rows: pa.Table, check_hash: bool) -> list[Path | None]:
        """Local paths of ``rows``: missing or damaged files are downloaded (online only).

        A file is damaged when its size, or with ``check_hash`` its md5, differs from the
        record; the downloader checks both in one read and fetches only what is wrong. When a
        download fails but a local copy exists, the copy is used with a warning.
        """
        if self.offline:  # an online instance downloads even for query_type='local'
            return super()._check_files(rows, check_hash)
        files = super()._check_files(rows, check_hash=False)
        from onesdk._tables import session_rel_path, table_records

        records = table_records(rows)
        tasks: list[tuple[int, DownloadTask]] = []
        for i, (record, path) in enumerate(zip(records, files, strict=True)):
            size = record.get("file_size")
            digest = record.get("hash")
            known_size = size if isinstance(size, int) else None
            known_md5 = digest if isinstance(digest, str) and digest else None
            size_ok = path is not None and (known_size is None or path.stat().st_size == size)
            if size_ok and not (check_hash and known_md5):
                continue
            session = session_rel_path(self._session_record(str(record["eid"]))).as_posix()
            rel = str(record["rel_path"])
            target = safe_target(self.cache_dir, session, rel)
            url = url_for(self._data_server(), f"{session}/{rel}", str(record["id"]))
            tasks.append((i, DownloadTask(url, target, known_size, known_md5)))
        if not tasks:
            return files
        with Downloader(silent=self.silent, n_threads=self._n_threads) as dl:
            outcomes = dl.fetch_each([t for _, t in tasks])
        for (i, _), outcome in zip(tasks, outcomes, strict=True):
            if outcome.error is None:
                files[i] = ALFPath(outcome.path) if outcome.path else None
                if self.record_loaded:  # downloaded files are loaded datasets too
                    self._loaded_ids.add(str(records[i]["id"]))
            elif files[i] is not None:
                warnings.warn(
                    f"{outcome.error}; using the local copy {files[i]}", OfflineWarning, 2
                )
            else:
                raise outcome.error
        return files

    def _data_server(self) -> str:
        if not self.http_data_server:
            raise OfflineError(
                "no file server configured: pass http_data_server= to download missing files"
            )
        return self.http_data_server

    @staticmethod
    def setup(  # type: ignore[override]
        base_url: str | None = None,
        *,
        username: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        http_data_server: str | None = None,
        silent: bool = False,
        **kwargs: object,
    ) -> OneAlyx:
        """Save the settings of a server (URL, user, file server, cache dir) and connect."""
        if base_url is None:
            raise ArgumentError("base_url", None, "the Alyx URL to set up")
        if kwargs:
            raise ArgumentError(next(iter(kwargs)), "...", "no other keyword")
        root = Path(cache_dir) if cache_dir else None
        save_settings(Settings(normalise_base_url(base_url), username, http_data_server, root))
        return OneAlyx(
            username=username,
            base_url=base_url,
            cache_dir=root,
            http_data_server=http_data_server,
            silent=silent,
        )


def _remote_order(frame: pd.DataFrame) -> pd.DataFrame:
    """A datasets frame with the remote column order (file_size, hash, exists, ...)."""
    first = [c for c in _REMOTE_COLUMNS if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


def _unique(records: Iterable[JsonObject]) -> list[JsonObject]:
    seen: dict[str, JsonObject] = {}
    for record in records:
        seen.setdefault(str(record.get("id")), record)
    return list(seen.values())


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _as_uuid(value: uuid.UUID | str, name: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip()[-36:])
    except ValueError:
        raise ArgumentError(name, value, "a UUID") from None


def _insertion_matches(record: JsonObject, filters: Mapping[str, object]) -> bool:
    for key, value in filters.items():
        if key == "session":
            if str(record.get("session")) != str(value):
                return False
        elif key == "name":
            if record.get("name") != value:
                return False
        else:
            raise OfflineError(
                f"search_insertions({key}=...) needs the server (query_type='remote')"
            )
    return True


def pd_isna(value: object) -> bool:
    return value is None or value is _pd_na() or (isinstance(value, float) and value != value)


def _pd_na() -> object:
    import pandas as pd

    return pd.NA


def _revision_of(rel_path: str) -> str:
    for part in rel_path.split("/")[:-1]:
        if len(part) > 2 and part.startswith("#") and part.endswith("#"):
            return part[1:-1]
    return ""


def _aggregate_identifier(rel_path: str, relation: str) -> str:
    parts = [p for p in rel_path.split("/")[:-1] if not (p.startswith("#") and p.endswith("#"))]
    lowered = [p.casefold() for p in parts]
    start = lowered.index(relation.casefold()) + 1
    return "/".join(parts[start:])


def _pick_revisions(frame: pd.DataFrame, revision: str | None) -> pd.DataFrame:
    """One row per (identifier, file name): the default revision, or the last at or before
    ``revision``."""
    if frame.empty:
        return frame
    keep: list[int] = []
    names = [p.rsplit("/", 1)[-1] for p in frame["rel_path"]]
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (ident, name) in enumerate(zip(frame["identifier"], names, strict=True)):
        groups.setdefault((str(ident), name), []).append(i)
    for rows in groups.values():
        revisions = [str(frame["revision"].iloc[i]) for i in rows]
        if revision is None:
            default = [i for i in rows if bool(frame["default_revision"].iloc[i])]
            keep.append(default[0] if default else rows[revisions.index(max(revisions))])
        else:
            before = [(r, i) for r, i in zip(revisions, rows, strict=True) if r <= revision]
            if before:
                keep.append(max(before)[1])
    picked = frame.iloc[sorted(keep)]
    # the reference lists them by path without the revision folder
    order = sorted(range(len(picked)), key=lambda i: _without_revision(picked["rel_path"].iloc[i]))
    return picked.iloc[order]


def _without_revision(rel_path: str) -> str:
    return "/".join(p for p in rel_path.split("/") if not (p.startswith("#") and p.endswith("#")))
