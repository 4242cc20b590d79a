"""Credentials for a password-protected data file server, and the basic authentication that
carries them (one-api's ``HTTP_DATA_SERVER_LOGIN`` / ``HTTP_DATA_SERVER_PWD``).

Where they come from, the first found winning:

1. the ``ONE_HTTP_DATA_SERVER_LOGIN`` / ``ONE_HTTP_DATA_SERVER_PASSWORD`` environment variables
   (for cluster jobs, which should not depend on a saved password);
2. the saved settings of the Alyx server: the login in its settings file, the password in the
   secret store of the tokens (:func:`~onesdk._settings.file_server_password_store`: the
   system keyring, else a 0600 file in the user config dir; never the settings file, never the
   cache dir). ``ONE.setup``, ``onesdk.params.setup``/``save`` and ``onesdk login
   --file-server-user`` save them there (:func:`save_file_server_login`).

Where they go: :class:`FileServerAuth` signs only requests to the origin (scheme, host, port)
of the file server, that is the downloads: saved credentials (kept for this Alyx server) with
the first request, credentials from the environment (which name no server) only after the
file server asks for them with a 401, so a file server that serves without a login (a public
one, another lab's) never receives them; the Alyx REST client never holds it, and httpx drops
the header when a redirect leaves that origin (a signed URL on S3, say). They are looked up at
the first download, not when an instance is made, and never appear in a repr, a log record or
an error message.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import threading
from collections.abc import Generator
from typing import Final

import httpx

from onesdk._http._auth import origin
from onesdk._http._runtime import public_url
from onesdk._log import register_secret
from onesdk._settings import (
    Secret,
    TokenStore,
    file_server_password_store,
    load_settings,
    normalise_base_url,
)
from onesdk.errors import ArgumentError, FileServerAuthError

__all__ = [
    "ENV_LOGIN",
    "ENV_PASSWORD",
    "FileServerAuth",
    "FileServerLogin",
    "login_to_save",
    "resolve_file_server_login",
    "save_file_server_password",
]

ENV_LOGIN: Final = "ONE_HTTP_DATA_SERVER_LOGIN"
ENV_PASSWORD: Final = "ONE_HTTP_DATA_SERVER_PASSWORD"


@dataclasses.dataclass(frozen=True)
class FileServerLogin:
    """The file server's user name and password as found (either may be missing).

    ``source`` says where the login came from (``'environment'``, ``'settings'``), for
    messages; the password is a :class:`~onesdk._settings.Secret` (masked in every repr).
    """

    login: str | None
    password: Secret | None
    source: str | None = None

    @property
    def complete(self) -> bool:
        """Both a login and a password: basic authentication can be sent."""
        return bool(self.login) and bool(self.password)


def resolve_file_server_login(base_url: str, store: TokenStore | None = None) -> FileServerLogin:
    """The file-server credentials of the Alyx server ``base_url``: the environment first,
    then the saved login and the stored password."""
    url = normalise_base_url(base_url)
    login = os.environ.get(ENV_LOGIN) or None
    source = "environment" if login else None
    if login is None:
        saved = load_settings(url)
        login = saved.http_data_server_login if saved is not None else None
        source = "settings" if login else None
    env_password = os.environ.get(ENV_PASSWORD)
    password = Secret(env_password) if env_password else None
    if password is None and login is not None:
        keeper = store if store is not None else file_server_password_store()
        password = keeper.get(url, login)
    return FileServerLogin(login, password, source)


def login_to_save(
    base_url: str,
    login: object,
    password: object,
    *,
    names: tuple[str, str] = ("http_data_server_login", "http_data_server_password"),
) -> str | None:
    """The file-server login to save for ``base_url``, given the arguments ``login`` and
    ``password`` (named ``names`` in errors): ``login`` when given (``''`` forgets it), else
    the saved one. A password needs a login to go with it.
    """
    if login is not None and not isinstance(login, str):
        raise ArgumentError(names[0], login, "the file server's user name (str) or None")
    if password is not None and not isinstance(password, str | Secret):
        raise ArgumentError(names[1], "<password>", "a str, a Secret or None")
    if login is None:
        saved = load_settings(normalise_base_url(base_url))
        chosen = saved.http_data_server_login if saved is not None else None
    else:
        chosen = login.strip() or None
    if password and not chosen:
        raise ArgumentError(
            names[1],
            "<password>",
            f"a password with a login: pass {names[0]}= too (the file server's user name)",
        )
    return chosen


def save_file_server_password(
    base_url: str,
    login: str | None,
    password: str | Secret | None,
    store: TokenStore | None = None,
) -> None:
    """Keep ``password`` for ``login`` on the file server of ``base_url`` in the secret store.

    No login forgets the stored password; a login without a password leaves the stored one
    as it is (it is found again only for the same login).
    """
    keeper = store if store is not None else file_server_password_store()
    url = normalise_base_url(base_url)
    if not login:
        keeper.delete(url)
        return
    if password:
        keeper.set(url, login, password if isinstance(password, Secret) else Secret(password))


def _basic(login: str, password: Secret) -> str:
    value = base64.b64encode(f"{login}:{password.reveal()}".encode()).decode("ascii")
    register_secret(value)  # the header's encoded form is as secret as the password
    return f"Basic {value}"


class FileServerAuth(httpx.Auth):
    """HTTP basic authentication for the file server of one Alyx server, and nowhere else.

    Requests to another origin than ``file_server``'s go out unsigned; the credentials are
    looked up (:func:`resolve_file_server_login`) at the first request that needs them.
    """

    def __init__(
        self, base_url: str, file_server: str | None, *, store: TokenStore | None = None
    ) -> None:
        self.base_url = normalise_base_url(base_url)
        self.file_server = file_server.rstrip("/") if file_server else None
        self._home = origin(httpx.URL(self.file_server)) if self.file_server else None
        self._store = store
        self._lock = threading.Lock()
        self._found: FileServerLogin | None = None

    def __repr__(self) -> str:
        server = public_url(self.file_server) if self.file_server else None
        return f"FileServerAuth({server!r})"

    def credentials(self) -> FileServerLogin:
        """The credentials, looked up once (later calls answer the same)."""
        with self._lock:
            if self._found is None:
                self._found = resolve_file_server_login(self.base_url, self._store)
            return self._found

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        found = self.credentials() if self._home == origin(request.url) else None
        login, password = (found.login, found.password) if found else (None, None)
        if not (found and login and password):
            yield request
            return
        header = _basic(login, password)
        if found.source == "settings":  # saved for this very server: sent at once
            request.headers["Authorization"] = header
            yield request
            return
        # the environment names no server: only a file server that asks gets them
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = header
            yield request

    def refused(self, error: FileServerAuthError) -> FileServerAuthError:
        """``error`` (an HTTP 401 of the file server) saying what to set, without the
        password. The next download looks the credentials up again, so what the user sets
        after this error is used without a new instance."""
        found = self.credentials()
        with self._lock:
            self._found = None
        save = (
            "ONE.setup(base_url=..., http_data_server_login=..., http_data_server_password=...) "
            "or `onesdk login --base-url URL --file-server-user NAME`"
        )
        if found.complete:
            hint = (
                f"the file server refused the login {found.login!r} (from the {found.source}); "
                f"check it and its password ({ENV_LOGIN}/{ENV_PASSWORD}, or save new ones "
                f"with {save})"
            )
        elif found.login:
            hint = (
                f"no password for the file-server login {found.login!r} (from the "
                f"{found.source}): set {ENV_PASSWORD}, or save it with {save}"
            )
        else:
            hint = (
                f"no file-server credentials for {self.base_url}: set {ENV_LOGIN} and "
                f"{ENV_PASSWORD}, or save them (HTTP_DATA_SERVER_LOGIN and its password) "
                f"with {save}"
            )
        return FileServerAuthError(f"{error}; {hint}")
