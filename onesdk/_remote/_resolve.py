"""Which server, folder, file server and user an instance on an Alyx server starts with.

``OneAlyx`` and ``AlyxClient`` share these rules, so the same arguments mean the same thing to
both:

* ``base_url``: as given (normalised), else the saved default server; with neither, an
  :class:`~onesdk.errors.ArgumentError` saying how to name or save one.
* ``cache_dir``: as given, else the folder saved for the server, else the user cache folder of
  the server (:func:`~onesdk._settings.default_cache_dir`).
* the file server root: as given, else the saved one, else the server's default
  (:func:`~onesdk._remote._servers.http_data_server_for`).
* the credentials: the arguments, ``ONE_ALYX_USERNAME`` / ``ONE_ALYX_PASSWORD``, the saved user
  name (:func:`~onesdk._http._auth.resolve_credentials`); a password without any user name is
  refused. With an API token, the user the server's ``/me`` names, else ``username``
  (:func:`~onesdk._http._token.credentials_for`: the token is checked here).

The first use of a server saves what was chosen as its settings; saved settings are never
rewritten here (``ONE.setup`` and ``onesdk login`` do that), except that a token login fills in
a missing user name, so a later ``ONE()`` finds the stored token.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from onesdk._http._auth import Credentials, TokenAuth
from onesdk._http._token import TOKEN_VERIFY_TIMEOUT, credentials_for, token_argument
from onesdk._remote._servers import PUBLIC_ALYX_URL, check_username, http_data_server_for
from onesdk._settings import (
    Secret,
    Settings,
    default_cache_dir,
    load_settings,
    normalise_base_url,
    save_settings,
)
from onesdk._validate import instance, path_like
from onesdk.errors import ArgumentError

__all__ = ["ServerChoice", "choose_server"]


@dataclasses.dataclass(frozen=True)
class ServerChoice:
    """What an instance on ``base_url`` uses, and the settings saved for it (None: none yet).

    ``credentials`` repr masks the password; ``http_data_server`` is as given or saved
    (callers strip a trailing slash).
    """

    base_url: str
    cache_dir: Path
    http_data_server: str | None
    credentials: Credentials | None
    saved: Settings | None
    #: the API token the credentials come from (checked with ``/me``), None for a password
    token: Secret | None = None

    @property
    def username(self) -> str | None:
        return self.credentials.username if self.credentials is not None else None

    def save_if_new(self) -> None:
        """Save this choice as the server's settings when none are saved yet.

        The server becomes the default only when no server is saved at all, so using a second
        server leaves the default as it was. A token login also fills in a missing saved user
        name (a saved one is kept), as the stored token is found by it.
        """
        if self.saved is not None:
            if self.token and self.saved.username is None and self.username is not None:
                filled = dataclasses.replace(self.saved, username=self.username)
                save_settings(filled, make_default=False)
            return
        first = load_settings() is None
        settings = Settings(self.base_url, self.username, self.http_data_server, self.cache_dir)
        save_settings(settings, make_default=first)

    def adopt_token(self, auth: TokenAuth) -> None:
        """Make the checked API token (if any) ``auth``'s credential, stored like the token of
        a password login."""
        if self.token is not None and self.username is not None:
            auth.use_token(self.token, self.username)


def choose_server(
    base_url: str | None,
    username: str | None,
    password: str | None,
    cache_dir: str | os.PathLike[str] | None,
    http_data_server: str | None,
    *,
    token: object = None,
    token_timeout: float = TOKEN_VERIFY_TIMEOUT,
) -> ServerChoice:
    """The server, folder, file server and credentials for these arguments (nothing is saved;
    nothing is sent but the ``GET /me`` that checks a ``token``, within ``token_timeout``).

    ``token`` is a str or one-api's ``{'token': str}``, never beside a password.

    Raises
    ------
    onesdk.errors.ArgumentError
        An argument of the wrong kind; no ``base_url`` and no saved default server; a password
        without any user name; a token beside a password, or whose user neither ``/me`` nor
        ``username`` names.
    onesdk.errors.AuthenticationError
        The server rejected the ``token``.
    """
    secret = token_argument(token, password=password)
    instance(username, (str, type(None)), "username", "an Alyx user name (str) or None")
    instance(password, (str, type(None)), "password", "a password (str) or None")
    if cache_dir is not None:
        path_like(cache_dir, "cache_dir")
    instance(http_data_server, (str, type(None)), "http_data_server", "a URL (str) or None")
    saved = load_settings(normalise_base_url(base_url) if base_url else None)
    if base_url is None:
        if saved is None:
            raise ArgumentError(
                "base_url",
                None,
                "an Alyx URL: none was given and no server is saved; pass base_url=... "
                "or save one with ONE.setup(base_url=...) (the public IBL database is "
                f"{PUBLIC_ALYX_URL})",
            )
        base_url = saved.base_url
    base_url = normalise_base_url(base_url)
    root = Path(cache_dir) if cache_dir else (saved.cache_dir if saved else None)
    server = http_data_server_for(
        base_url, http_data_server, saved.http_data_server if saved else None
    )
    saved_user = saved.username if saved else None
    credentials = credentials_for(
        base_url, username, password, secret, saved_username=saved_user, timeout=token_timeout
    )
    check_username(base_url, credentials.username if credentials else None, password)
    return ServerChoice(
        base_url=base_url,
        cache_dir=root if root is not None else default_cache_dir(base_url),
        http_data_server=server,
        credentials=credentials,
        saved=saved,
        token=secret,
    )
