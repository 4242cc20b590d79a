"""``AlyxClient``: one-api's Alyx client, made directly or reached as ``one.alyx``.

An :class:`AlyxClient` holds an :class:`~onesdk._http._alyx.AlyxHttp` (the one HTTP runtime:
token auth, retries, the REST cache) and carries the reference's surface on it through the
mixins of :mod:`onesdk._remote._alyx_rest`, :mod:`onesdk._remote._alyx_verbs` and
:mod:`onesdk._remote._alyx_fields`. Made by a user, it resolves the server, folder and
credentials as ``OneAlyx`` does (:mod:`onesdk._remote._resolve`); inside an ``OneAlyx``,
:func:`onesdk._remote._session.connect` builds one over the instance's own HTTP runtime, so
``one.alyx`` and the instance share the login, the REST cache and the connection.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, Self

from onesdk._http._alyx import AlyxHttp
from onesdk._http._auth import Credentials, TokenAuth, resolve_credentials
from onesdk._http._file_auth import FileServerAuth
from onesdk._http._rest_cache import RestCache
from onesdk._options import check_connection
from onesdk._remote._alyx_fields import AlyxJsonFields
from onesdk._remote._resolve import choose_server
from onesdk._settings import Secret, default_token_store
from onesdk._validate import instance

__all__ = ["AlyxClient", "open_http", "token_auth"]


def token_auth(
    base_url: str, credentials: Credentials | None, token: Secret | None = None
) -> TokenAuth:
    """Token auth for ``base_url`` with the user's token store (a stored token is picked up
    for ``credentials``; nothing is sent)."""
    return TokenAuth(base_url, credentials, store=default_token_store(), token=token)


def open_http(
    auth: TokenAuth, *, cache_dir: Path, cache_rest: Literal["GET"] | None, timeout: float
) -> AlyxHttp:
    """The HTTP runtime of ``auth``'s server, with the REST cache in ``cache_dir / '.rest'``
    when ``cache_rest`` is ``'GET'`` (nothing is sent)."""
    cache = RestCache(cache_dir / ".rest") if cache_rest == "GET" else None
    return AlyxHttp(auth.base_url, auth=auth, rest_cache=cache, timeout=timeout)


@dataclasses.dataclass(frozen=True)
class _Pickled:
    """What a client pickles as: its server, user and session token, never the password."""

    base_url: str
    username: str | None
    token: Secret | None
    cache_dir: Path | None
    silent: bool
    http_data_server: str | None
    rest_cache: Path | None
    expiry: dt.timedelta | None
    cache_mode: str | None
    timeout: float


def _reopen(cls: type[AlyxClient], state: _Pickled) -> AlyxClient:
    """A client of ``cls`` rebuilt from what it pickled as (nothing is sent)."""
    user = state.username
    credentials = resolve_credentials(user, None) if user is not None else None
    auth = token_auth(state.base_url, credentials, state.token)
    cache = None
    if state.rest_cache is not None and state.expiry is not None:
        cache = RestCache(state.rest_cache, expiry=state.expiry)
    http = AlyxHttp(state.base_url, auth=auth, rest_cache=cache, timeout=state.timeout)
    http.cache_mode = state.cache_mode if cache is not None else None
    return cls._over(
        http,
        cache_dir=state.cache_dir,
        silent=state.silent,
        http_data_server=state.http_data_server,
    )


class AlyxClient(AlyxJsonFields):
    """A client of one Alyx server, as one-api's ``one.webclient.AlyxClient``.

    ``rest()``, ``get``/``post``/``put``/``patch``/``delete``, the ``json_field_*`` helpers,
    ``authenticate``/``logout``, ``download_file`` and ``download_cache_tables`` work as on
    ``one.alyx``, which is an ``AlyxClient`` too.

    Parameters
    ----------
    base_url : str, optional
        The Alyx server (default: the saved default server; with none saved, an
        ``ArgumentError`` saying how to save one). A trailing slash is dropped.
    username, password : str, optional
        The Alyx credentials (default: ``ONE_ALYX_USERNAME`` / ``ONE_ALYX_PASSWORD``, then the
        saved user name). With a password the client logs in here, so a wrong one fails at
        construction; without one, a stored token (or ``ONE_ALYX_PASSWORD``) is used at the
        first request that needs it. The password is never stored nor shown.
    cache_dir : str or os.PathLike, optional
        Where ``download_file`` and ``download_cache_tables`` write and where the REST cache
        lives (``cache_dir/.rest``); default: the folder saved for the server, else the user
        cache folder of the server. It is made when first written to.
    silent : bool
        No progress bars.
    cache_rest : {'GET', None}
        Cache GET answers on disk (None: never).
    token : str or dict, optional
        An Alyx API token (or ``{'token': ...}``) instead of a password, as the server's
        ``/me`` page shows it: checked here with ``GET /me`` (within
        :attr:`token_verify_timeout` seconds), which names its owner, and stored like a token
        from a password login (see ``authenticate``).
    http_data_server : str, optional
        The file server root of ``download_file`` with a relative URL (default: the saved
        setting; for the public database its public server). Its downloads carry the file
        server's login and password (``ONE_HTTP_DATA_SERVER_LOGIN``/``_PASSWORD``, else the
        saved ones), sent to it only.
    timeout : float
        Seconds to wait for the server.

    Raises
    ------
    onesdk.errors.ArgumentError
        An argument of the wrong kind, no ``base_url`` and no saved server, a password without
        a user name.
    onesdk.errors.AuthenticationError
        The server refused the user name and password, or the token.

    Examples
    --------
    >>> from onesdk.webclient import AlyxClient
    >>> alyx = AlyxClient("https://alyx.example.org", "me", password)  # doctest: +SKIP
    >>> subjects = alyx.rest("subjects", "list", lab="cortexlab")  # doctest: +SKIP
    >>> alyx.close()  # doctest: +SKIP

    The first use of a server saves its settings (URL, user name, file server, folder) as
    ``ONE()`` does; settings saved before are never rewritten by a client. A client pickles
    (for joblib, multiprocessing, Dask) with its session token, never its password.
    """

    http: AlyxHttp

    def __init__(
        self,
        base_url: str | None = None,
        username: str | None = None,
        password: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        silent: bool = False,
        cache_rest: Literal["GET"] | None = "GET",
        token: str | Mapping[str, str] | None = None,
        *,
        http_data_server: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        check_connection(cache_rest, 1, timeout)
        instance(silent, bool, "silent", "True or False")
        wait = type(self).token_verify_timeout
        chosen = choose_server(
            base_url,
            username,
            password,
            cache_dir,
            http_data_server,
            token=token,
            token_timeout=wait,
        )
        chosen.save_if_new()
        auth = token_auth(chosen.base_url, chosen.credentials)
        chosen.adopt_token(auth)
        http = open_http(auth, cache_dir=chosen.cache_dir, cache_rest=cache_rest, timeout=timeout)
        server = chosen.http_data_server
        self._hold(http, chosen.cache_dir, silent, server.rstrip("/") if server else None)
        if password is not None:  # a password given means a login now, as in one-api
            try:
                auth.log_in(timeout=timeout)
            except BaseException:
                http.close()
                raise

    @classmethod
    def _over(
        cls,
        http: AlyxHttp,
        *,
        cache_dir: Path | None = None,
        silent: bool = False,
        http_data_server: str | None = None,
    ) -> Self:
        """A client on an existing HTTP runtime (``OneAlyx`` shares its own this way)."""
        client = cls.__new__(cls)
        client._hold(http, cache_dir, silent, http_data_server)
        return client

    def _hold(
        self, http: AlyxHttp, cache_dir: Path | None, silent: bool, http_data_server: str | None
    ) -> None:
        self.http = http
        self.cache_dir = cache_dir
        self.silent = silent
        self.http_data_server = http_data_server
        # the file server's credentials, for download_file and download_cache_tables only
        self.file_auth = FileServerAuth(http.base_url, http_data_server)

    @property
    def base_url(self) -> str:
        """The Alyx server's URL (without trailing slash)."""
        return self.http.base_url

    def __repr__(self) -> str:
        user = self.user
        if self.is_logged_in:
            login = f"logged in as {user}"
        else:
            login = f"user {user}, not logged in" if user else "not logged in"
        closed = ", closed" if self.http.client.is_closed else ""
        return f"{type(self).__name__} ({self.base_url}, {login}{closed})"

    def __reduce__(self) -> tuple[object, ...]:
        # joblib, multiprocessing and Dask pickle what they send: the server, the user and the
        # session token (so the copy needs no login), never the password
        auth, cache = self.http.auth, self.http.rest_cache
        state = _Pickled(
            base_url=self.base_url,
            username=auth.username if auth is not None else None,
            token=auth.token if auth is not None else None,
            cache_dir=self.cache_dir,
            silent=self.silent,
            http_data_server=self.http_data_server,
            rest_cache=cache.root if cache is not None else None,
            expiry=cache.expiry if cache is not None else None,
            cache_mode=self.http.cache_mode,
            timeout=self.http.policy.timeout,
        )
        return (_reopen, (type(self), state))

    def close(self) -> None:
        """Close the connections to the server (an ``OneAlyx``'s too, for ``one.alyx``)."""
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
