"""Alyx token authentication: login, stored tokens, one re-login when a token goes stale.

:class:`TokenAuth` is an ``httpx.Auth``: each request carries ``Authorization: Token <t>``. When
there is no token yet it logs in first (``POST /auth-token``); when the server answers 401 or
403 to a request that carried a token (Alyx says 403 for an expired or revoked token) it logs in
again once and retries; if that still fails, :class:`~onesdk.errors.AuthenticationError`.

Credentials come from, in order: the arguments, the ``ONE_ALYX_USERNAME`` /
``ONE_ALYX_PASSWORD`` environment variables, the saved settings (user name only), and, only when
stdin is a terminal, an interactive prompt. Passwords are never stored.
"""

from __future__ import annotations

import dataclasses
import getpass
import os
import sys
import threading
from collections.abc import Callable, Generator

import httpx

from onesdk._log import get_logger
from onesdk._settings import Secret, TokenStore, default_token_store, normalise_base_url
from onesdk.errors import AuthenticationError, HTTPError, RemoteError

__all__ = [
    "ENV_PASSWORD",
    "ENV_USERNAME",
    "Credentials",
    "TokenAuth",
    "login",
    "resolve_credentials",
    "same_origin_only",
]

_log = get_logger("onesdk.auth")
ENV_USERNAME = "ONE_ALYX_USERNAME"
ENV_PASSWORD = "ONE_ALYX_PASSWORD"
_REJECTED = frozenset({401, 403})


@dataclasses.dataclass(frozen=True)
class Credentials:
    """A user name and, when known, a password (masked in repr)."""

    username: str
    password: Secret | None = None


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def resolve_credentials(
    username: str | None = None,
    password: str | Secret | None = None,
    *,
    saved_username: str | None = None,
    prompt: Callable[[str], str] | None = None,
) -> Credentials | None:
    """The credentials to log in with, or None when no user name can be found.

    ``prompt`` (default :func:`getpass.getpass`) is only asked when stdin is a terminal.
    """
    user = username or os.environ.get(ENV_USERNAME) or saved_username
    if not user:
        if not _stdin_is_tty():
            return None
        user = input("Alyx user name: ").strip()
        if not user:
            return None
    if isinstance(password, str):
        secret: Secret | None = Secret(password)
    elif isinstance(password, Secret):
        secret = password
    else:
        env = os.environ.get(ENV_PASSWORD)
        secret = Secret(env) if env else None
    return Credentials(user, secret)


def _ask_password(credentials: Credentials, prompt: Callable[[str], str] | None) -> Secret:
    if credentials.password is not None:
        return credentials.password
    if not _stdin_is_tty():
        raise AuthenticationError(
            f"no password for Alyx user {credentials.username!r}: pass password=..., or set "
            f"{ENV_PASSWORD}, or run interactively (an account without a password passes a "
            "new token=... instead)"
        )
    ask = prompt if prompt is not None else getpass.getpass
    return Secret(ask(f"Alyx password for {credentials.username}: "))


def _login_request(base_url: str, credentials: Credentials, password: Secret) -> httpx.Request:
    return httpx.Request(
        "POST",
        f"{base_url}/auth-token",
        data={"username": credentials.username, "password": password.reveal()},
        headers={"Accept": "application/json"},
    )


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port of ``url`` (default ports spelled out), as browsers compare them."""
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port if url.port is not None else default


def same_origin_only(base_url: str) -> Callable[[httpx.Request], None]:
    """An httpx request hook refusing every request that leaves the origin of ``base_url``.

    httpx calls request hooks for each redirect it follows, so a server that redirects a
    login (whose body holds the password) or a signed request to another host gets nothing:
    the hook raises :class:`~onesdk.errors.RemoteError` before the request is sent.
    """
    home = origin(httpx.URL(base_url))

    def check(request: httpx.Request) -> None:
        if origin(request.url) != home:
            target = request.url.copy_with(username=None, password=None, query=None)
            raise RemoteError(
                f"{base_url} redirected {request.method} to another origin ({target}); "
                "onesdk sends requests for this server only to it (credentials never follow "
                "a redirect): use the redirect's server as base_url if you trust it"
            )

    return check


def _token_from(response: httpx.Response, base_url: str, username: str) -> Secret:
    if response.is_redirect:
        raise AuthenticationError(
            f"login to {base_url} answered with a redirect (HTTP {response.status_code}); "
            "a login never follows a redirect: use the server's own URL as base_url"
        )
    if response.status_code in (400, 401, 403):
        raise AuthenticationError(
            f"login to {base_url} refused for user {username!r} (HTTP {response.status_code}); "
            "check the user name and password"
        )
    if response.status_code != 200:
        raise HTTPError("POST", f"{base_url}/auth-token", response.status_code)
    try:
        token = response.json().get("token")
    except (ValueError, AttributeError) as exc:
        raise AuthenticationError(f"login to {base_url}: the answer holds no token") from exc
    if not isinstance(token, str) or not token:
        raise AuthenticationError(f"login to {base_url}: the answer holds no token")
    return Secret(token)


def login(
    base_url: str,
    credentials: Credentials,
    *,
    client: httpx.Client | None = None,
    prompt: Callable[[str], str] | None = None,
    timeout: float = 30.0,
) -> Secret:
    """POST ``/auth-token`` and return the token (nothing is stored)."""
    base_url = normalise_base_url(base_url)
    password = _ask_password(credentials, prompt)
    request = _login_request(base_url, credentials, password)
    try:
        if client is not None:
            response = client.send(request)
        else:
            with httpx.Client(timeout=timeout) as fresh:
                response = fresh.send(request)
    except httpx.HTTPError as exc:
        raise AuthenticationError(
            f"cannot reach {base_url} to log in: {type(exc).__name__}"
        ) from None
    token = _token_from(response, base_url, credentials.username)
    _log.info("logged in to %s as %s", base_url, credentials.username)
    return token


class TokenAuth(httpx.Auth):
    """Token authentication for one Alyx server, with stored tokens and one re-login."""

    requires_response_body = True

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None,
        *,
        store: TokenStore | None = None,
        token: Secret | None = None,
        prompt: Callable[[str], str] | None = None,
    ) -> None:
        self.base_url = normalise_base_url(base_url)
        self.credentials = credentials
        self.store = store if store is not None else default_token_store()
        self._prompt = prompt
        self._lock = threading.Lock()
        self._token = token
        if self._token is None and credentials is not None:
            self._token = self.store.get(self.base_url, credentials.username)

    def __repr__(self) -> str:
        user = self.credentials.username if self.credentials else None
        return (
            f"TokenAuth({self.base_url!r}, user={user!r}, token={'***' if self._token else None})"
        )

    @property
    def has_token(self) -> bool:
        return self._token is not None

    @property
    def token(self) -> Secret | None:
        """The current session token (masked in every repr), None before a login."""
        with self._lock:
            return self._token

    @property
    def username(self) -> str | None:
        return self.credentials.username if self.credentials else None

    def log_in(self, *, timeout: float = 30.0) -> None:
        """Log in now (not at the first request) and store the token."""
        self._accept(
            login(self.base_url, self._credentials_or_fail(), prompt=self._prompt, timeout=timeout)
        )

    def use_token(self, token: Secret, username: str, *, store: bool = True) -> None:
        """Use ``token`` as ``username`` from now on (checked by the caller); kept in the
        token store too unless ``store`` is false."""
        with self._lock:
            self.credentials = Credentials(username)
            self._token = token
        if store:
            self.store.set(self.base_url, username, token)
        _log.info("using an API token for %s as %s", self.base_url, username)

    def logout(self) -> None:
        """Forget the token, here and in the store."""
        with self._lock:
            self._token = None
        self.store.delete(self.base_url)
        _log.info("logged out of %s", self.base_url)

    def _accept(self, token: Secret) -> None:
        with self._lock:
            self._token = token
        if self.credentials is not None:
            self.store.set(self.base_url, self.credentials.username, token)

    def _credentials_or_fail(self) -> Credentials:
        if self.credentials is None:
            raise AuthenticationError(
                f"{self.base_url} needs a login: pass username=... (or set {ENV_USERNAME})"
            )
        return self.credentials

    def _sign(self, request: httpx.Request, token: Secret) -> httpx.Request:
        request.headers["Authorization"] = f"Token {token.reveal()}"
        return request

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        with self._lock:
            token = self._token
        relogged = False
        if token is None and self.credentials is not None:
            token = yield from self._relogin()
            relogged = True
        if token is None:
            # anonymous request (public endpoints); a rejection below says how to log in
            response = yield request
            if response.status_code in _REJECTED:
                self._credentials_or_fail()
            return
        response = yield self._sign(request, token)
        if response.status_code not in _REJECTED:
            return
        if relogged:
            raise AuthenticationError(
                f"{request.method} {request.url.copy_with(query=None)} refused "
                f"(HTTP {response.status_code}) right after a fresh login"
            )
        _log.info(
            "token refused by %s (HTTP %d); logging in again", self.base_url, response.status_code
        )
        token = yield from self._relogin()
        response = yield self._sign(request, token)
        if response.status_code in _REJECTED:
            raise AuthenticationError(
                f"{request.method} {request.url.copy_with(query=None)} refused "
                f"(HTTP {response.status_code}) even after logging in again"
            )

    def _relogin(self) -> Generator[httpx.Request, httpx.Response, Secret]:
        credentials = self._credentials_or_fail()
        password = _ask_password(credentials, self._prompt)
        response = yield _login_request(self.base_url, credentials, password)
        token = _token_from(response, self.base_url, credentials.username)
        self._accept(token)
        return token
