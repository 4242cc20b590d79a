"""``OneAlyx``: everything :class:`One` does, plus an Alyx server behind it.

Modes (``mode=`` at construction; a call's ``query_type`` is ``'local'`` or ``'remote'``, and
there ``'auto'`` and ``'refresh'`` read the cache tables, as in one-api):

* ``'remote'`` (default): searches and listings ask the server; what comes back is merged into
  the in-memory cache tables, so loading, conversions and later local queries see it. The local
  tables on disk are not read at start (as the reference).
* ``'local'``: only the cache tables in the cache dir; nothing reaches the network.
* ``'auto'``: the local tables are read at start and calls go to the server; when it cannot be
  reached the instance falls back to the local tables with one :class:`OfflineWarning`.
* ``'refresh'``: as ``'auto'``, but the server's cache tables are downloaded first when newer.

Files missing from the cache dir are downloaded on load (verified, resumable, locked); see
:mod:`onesdk._store._download`. Credentials and the token are handled by
:mod:`onesdk._http._auth`.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from onesdk._facade._one import EidLike, EidList, One
from onesdk._facade._one_alyx_aggregates import AggregateMethods
from onesdk._facade._one_alyx_paths import RemotePathMethods
from onesdk._facade._one_alyx_records import RemoteRecordMethods
from onesdk._http._alyx import as_json
from onesdk._http._file_auth import login_to_save, save_file_server_password
from onesdk._log import get_logger
from onesdk._options import Options, check_connection, check_mode
from onesdk._remote._client import AlyxClient
from onesdk._remote._filters import search_terms, session_query
from onesdk._remote._records import (
    session_row_of,
)
from onesdk._remote._resolve import choose_server
from onesdk._remote._rest import JsonObject
from onesdk._remote._servers import log_in_now
from onesdk._remote._session import (
    LOCAL_INSERTION_TERMS,
    connect,
    unique_records,
)
from onesdk._remote._tables import (
    install_cache_zip,
    local_cache_info,
    needs_download,
    remote_cache_info,
)
from onesdk._settings import save_server
from onesdk._store._download import Downloader
from onesdk._validate import path_like
from onesdk.errors import (
    ALFObjectNotFound,
    ArgumentError,
    HTTPError,
    OfflineError,
)

if TYPE_CHECKING:
    import pandas as pd

    from onesdk._models import Session

__all__ = ["OneAlyx"]

_log = get_logger("onesdk.one_alyx")


class OneAlyx(RemotePathMethods, AggregateMethods, One, RemoteRecordMethods):
    """Search, list and load ALF data through an Alyx server (and the local cache).

    Parameters
    ----------
    username, password : str, optional
        Alyx credentials (default: ``ONE_ALYX_USERNAME``/``ONE_ALYX_PASSWORD``, the saved
        user name, a stored token). In 'remote' and 'refresh' modes the instance logs in
        here; the password is never stored.
    base_url : str, optional
        The Alyx server (default: the saved default server).
    cache_dir : str or os.PathLike, optional
        The download folder (default: the saved one, else the user cache dir per server).
    mode : {'remote', 'local', 'auto', 'refresh'}
        Where answers come from (see ``ONE``).
    wildcards : bool
        Dataset filters are shell patterns, session filters regular expressions.
    tables_dir : str or os.PathLike, optional
        Where the cache tables are, when not in ``cache_dir``.
    silent : bool
        Hide progress bars.
    http_data_server : str, optional
        The file server root downloads are built from (default: the saved setting; for the
        public database its public server). A password-protected one gets its login and
        password from ``ONE_HTTP_DATA_SERVER_LOGIN``/``ONE_HTTP_DATA_SERVER_PASSWORD``, else
        from what :meth:`setup` saved; they are sent to it only.
    cache_rest : {'GET', None}
        Cache the server's GET answers on disk (None: never).
    n_threads : int
        Parallel downloads.
    timeout : float
        Seconds to wait for the server.
    lazy : bool, optional
        How the loaded datasets table is held (see :class:`One`).
    token : str or dict, optional
        An Alyx API token (or one-api's ``{'token': ...}``) instead of a password, as the
        server's ``/me`` page shows it: the only credential of accounts that sign in through
        an identity provider. Checked here with ``GET /me``, which names its owner (who wins
        over ``username``, with an :class:`~onesdk.errors.AuthenticationWarning`); a rejected
        token is an :class:`~onesdk.errors.AuthenticationError`. It is stored like a token
        from a password login, so later sessions need neither.
    """

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
        token: str | Mapping[str, str] | None = None,
    ) -> None:
        requested = check_mode(mode)
        check_connection(cache_rest, n_threads, timeout)
        if tables_dir is not None:
            path_like(tables_dir, "tables_dir")
        wait = AlyxClient.token_verify_timeout  # a token is checked now: /me names its owner
        chosen = choose_server(
            base_url,
            username,
            password,
            cache_dir,
            http_data_server,
            token=token,
            token_timeout=wait,
        )
        credentials, root, server = chosen.credentials, chosen.cache_dir, chosen.http_data_server
        options = Options(
            cache_dir=root,
            tables_dir=Path(tables_dir) if tables_dir else root,
            mode=requested,
            wildcards=wildcards,
            silent=silent,
            http_data_server=server.rstrip("/") if server else None,
            lazy=lazy,
            base_url=chosen.base_url,
            username=chosen.username,
            cache_rest=cache_rest,
            n_threads=n_threads,
            timeout=timeout,
        )
        chosen.save_if_new()  # the first use of this server; later ones never rewrite them
        self._open(options, connect(options, credentials, None, self._layers))
        chosen.adopt_token(self._connection.auth)
        if requested in ("remote", "refresh"):
            log_in_now(self._connection.auth, password_given=password is not None)
        self._loaded()
        if requested == "refresh":
            self.load_cache(clobber=True)

    def __repr__(self) -> str:
        auth = self._connection.auth
        login = f"logged in as {auth.username}" if auth.has_token and auth.username else ""
        login = login or "not logged in"
        state = "offline" if self.offline else "online"
        return f"{type(self).__name__} ({state}, {self.alyx.base_url}, {login})"

    # ------------------------------------------------------------------ connection

    @property
    def alyx(self) -> AlyxClient:
        """The Alyx client of this instance (``rest()``, ``get``/``post``/..., ``download_file``):
        it shares the instance's login, REST cache and connections."""
        return self._connection.alyx

    def logout(self) -> None:
        """Forget the stored token of this server."""
        self._connection.auth.logout()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called (``ONE(...)`` then builds a new instance)."""
        return self._connection.closed

    def close(self) -> None:
        """Close the connection to the server (the instance can still be used offline)."""
        self._connection.close()

    # ------------------------------------------------------------------ cache tables

    def load_cache(
        self,
        tables_dir: str | os.PathLike[str] | None = None,
        clobber: bool = False,
        tag: str | None = None,
    ) -> dt.datetime | None:
        """Load the cache tables; in remote modes first fetch the server's if newer.

        Parameters
        ----------
        tables_dir : str or os.PathLike, optional
            Where the tables are (default: the tables dir, or ``<cache_dir>/<tag>``).
        clobber : bool
            Download the server's tables even when the local ones are as new.
        tag : str, optional
            Load the tables of a release tag (installed into ``<cache_dir>/<tag>``).

        Returns
        -------
        datetime.datetime or None
            When the tables were loaded; None for a 'remote' instance's empty start.
        """
        target = Path(tables_dir) if tables_dir else (self.cache_dir / tag if tag else None)
        target = target or self._tables_dir
        try:
            info = remote_cache_info(self._connection.rest, tag)
        except OfflineError as exc:
            if not self._connection.fall_back(exc):
                raise
            return self._load_layered(target)
        local = local_cache_info(target)
        if info.location and needs_download(
            info, local, tag=tag, base_url=self._connection.rest.base_url, clobber=clobber
        ):
            auth = self._connection.file_auth  # for tables kept on the file server
            with Downloader(silent=self.silent, n_threads=1, auth=auth) as dl:
                install_cache_zip(dl, info.location, target)
        return self._load_layered(target)

    # ------------------------------------------------------------------ search

    def search_terms(
        self, query_type: str | None = None, endpoint: str | None = None
    ) -> tuple[str, ...]:
        """The keywords :meth:`search` accepts.

        Parameters
        ----------
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.
        endpoint : str, optional
            ``'sessions'`` (default) or ``'insertions'``: whose filters to list (locally, the
            insertion filters are ``name`` and ``session``).

        Returns
        -------
        tuple of str
            The filter names (remote: the server's, sorted).
        """
        if not self._connection.asks_server(query_type):
            if endpoint == "insertions":
                return LOCAL_INSERTION_TERMS
            if endpoint not in (None, "sessions"):
                raise ArgumentError("endpoint", endpoint, "'sessions' or 'insertions'")
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
        """Sessions matching the filters: asked of the server by default.

        Parameters
        ----------
        details : bool
            Also return each session's record.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.
        **filters
            The server's session filters (see :meth:`search_terms`): the local ones
            (``subject``, ``lab``, ``date_range``, ``number``, ``task_protocol``, ``projects``,
            ``datasets`` or ``dataset``, ``dataset_qc_lte``) and remote-only ones such as
            ``performance_gte``, ``atlas_acronym`` or ``django``. The server matches text as
            case-insensitive substrings; a regular expression (``wildcards`` on) or several
            session numbers are matched here, as a local search matches them.

        Returns
        -------
        list of uuid.UUID
            The matching eids, every page fetched.
        list of onesdk.Session
            With ``details=True``, their records, in the same order.

        Raises
        ------
        onesdk.errors.UnknownTermError
            A filter the server does not know.
        onesdk.errors.ArgumentError
            A filter value of the wrong kind (nothing is sent).

        Examples
        --------
        >>> eids = one.search(subject='KS051', performance_gte=70)
        >>> eids = one.search(subject='KS051', query_type='local')
        """
        if not self._connection.asks_server(query_type):
            return super().search(details, query_type="local", **filters)  # type: ignore[call-overload,no-any-return]
        query = session_query(filters, regex=self.wildcards)  # the local search's query model
        try:
            found = self._connection.rest.search_sessions(query)
            records = found.raw()
        except OfflineError as exc:
            if not self._connection.fall_back(exc):
                raise
            return super().search(details, query_type="local", **filters)  # type: ignore[call-overload,no-any-return]
        self._connection.add_sessions(session_row_of(r) for r in unique_records(records))
        eids = [r.id for r in records]
        if not details:
            return eids
        from onesdk._models import session_from_wire

        return eids, [session_from_wire(r) for r in records]

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
        """The record of a session: asked of the server by default.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, or a list of them
            The session(s): UUIDs, session paths, exp refs or records; a list gives a list, in
            order.
        full : bool
            Remote: the whole detail record as the server sends it (its datasets are merged into
            the cache); local: the session's datasets frame.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.

        Returns
        -------
        onesdk.Session
            The session record.
        dict or pandas.DataFrame
            With ``full=True``.

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            The session does not exist.
        """
        if isinstance(eid, list | tuple):
            if full:
                return [self.get_details(one, full=True, query_type=query_type) for one in eid]
            if not self._connection.asks_server(query_type):
                return super().get_details(eid)
            return self._remote_sessions([self._remote_eid(one) for one in eid])
        if not self._connection.asks_server(query_type):
            if full:
                return super().get_details(eid, full=True)
            return super().get_details(eid)
        key = self._remote_eid(eid)
        if full:
            try:
                return as_json(self._connection.fetch_session(key))
            except HTTPError as exc:
                if exc.status != 404:
                    raise
                raise ALFObjectNotFound(f"session {key} not found on the server") from None
        return self._remote_sessions([key])[0]

    def _remote_sessions(self, keys: list[str]) -> list[Session]:
        """The session records of ``keys``, in order, in one request."""
        from onesdk._models import session_from_wire

        # the reference's request: a django primary-key filter with a Python tuple
        found = self._connection.rest.session_records([("django", f"pk__in,{tuple(keys)}")]).raw()
        self._connection.add_sessions(session_row_of(r) for r in found)
        by_id = {str(record.id): record for record in found}
        missing = [key for key in keys if key not in by_id]
        if missing:
            raise ALFObjectNotFound(
                f"session(s) {', '.join(missing)} not found on {self._connection.rest.base_url}"
            )
        return [session_from_wire(by_id[key]) for key in keys]

    # ------------------------------------------------------------------ setup

    @staticmethod
    def setup(  # type: ignore[override]
        base_url: str | None = None,
        *,
        username: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        http_data_server: str | None = None,
        silent: bool = False,
        make_default: bool | None = None,
        http_data_server_login: str | None = None,
        http_data_server_password: str | None = None,
        **kwargs: object,
    ) -> OneAlyx:
        """Save the settings of a server and connect to it (never prompts).

        Parameters
        ----------
        base_url : str
            The Alyx URL.
        username : str, optional
            The Alyx user name to save.
        cache_dir : str or os.PathLike, optional
            The download folder to save.
        http_data_server : str, optional
            The file server root to save (default for the public database: its public server).
        silent : bool
            Hide progress bars.
        make_default : bool, optional
            Make it the server ``ONE()`` opens without a ``base_url``; by default only when no
            server is saved yet, so setting up another server leaves the default as it was.
        http_data_server_login : str, optional
            The user name of a password-protected file server (one-api's
            ``HTTP_DATA_SERVER_LOGIN``), saved in the server's settings; default: the saved
            one; ``''`` forgets it and its password.
        http_data_server_password : str, optional
            Its password (``HTTP_DATA_SERVER_PWD``), kept where the tokens are (system keyring
            or a 0600 file in the user config dir), never in the settings file; sent as basic
            authentication to the file server only.
        **kwargs
            Refused: every other keyword is an error.

        Returns
        -------
        onesdk.OneAlyx
            An instance on the server.
        """
        if base_url is None:
            raise ArgumentError("base_url", None, "the Alyx URL to set up")
        if kwargs:
            raise ArgumentError(next(iter(kwargs)), "...", "no other keyword")
        root = Path(cache_dir) if cache_dir else None
        login = login_to_save(base_url, http_data_server_login, http_data_server_password)
        save_server(
            base_url,
            username=username,
            http_data_server=http_data_server,
            cache_dir=root,
            make_default=make_default,
            http_data_server_login=login,
        )
        save_file_server_password(base_url, login, http_data_server_password)
        return OneAlyx(
            username=username,
            base_url=base_url,
            cache_dir=root,
            http_data_server=http_data_server,
            silent=silent,
        )
