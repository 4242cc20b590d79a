"""Logging in with an Alyx API token instead of a password.

Accounts that sign in through an identity provider have no password: the token shown on the
database's ``/me`` page is their only credential. A token the user gives is checked once, with
``GET <base_url>/me`` carrying it, within :data:`TOKEN_VERIFY_TIMEOUT` seconds:

* 401 or 403: the server rejected it, an :class:`~onesdk.errors.AuthenticationError` naming the
  server and where its tokens are shown (never the token);
* a JSON object with a non-empty ``username``: the token's owner, who wins over a user name the
  caller typed (with an :class:`~onesdk.errors.AuthenticationWarning`);
* anything else (404 from an Alyx without ``/me``, a web page, no answer in time, a redirect to
  another origin): the token is taken as given, and the first real request tells.

The check is a plain request (the Alyx contract has no ``/me`` operation) on the runtime's
pieces: a bounded answer, and no request leaving the server's origin.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping
from typing import Final

import httpx

from onesdk._http._auth import Credentials, TokenAuth, resolve_credentials, same_origin_only
from onesdk._http._runtime import MAX_REDIRECTS, BoundedTransport
from onesdk._log import get_logger
from onesdk._settings import Secret
from onesdk.errors import ArgumentError, AuthenticationError, AuthenticationWarning, OneSdkError

__all__ = [
    "TOKEN_VERIFY_TIMEOUT",
    "credentials_for",
    "log_in_with_token",
    "token_argument",
    "token_owner",
    "token_user",
]

_log = get_logger("onesdk.auth")

#: seconds to wait for ``/me`` when checking a token (one-api's ``token_verify_timeout``)
TOKEN_VERIFY_TIMEOUT: Final = 10.0
_REJECTED: Final = frozenset({401, 403})
#: a ``/me`` answer is a small record
_MAX_ME_BYTES: Final = 1 << 20
#: Django's longest user name
_MAX_USERNAME: Final = 150


def token_argument(token: object, *, password: object = None) -> Secret | None:
    """``token=`` as a :class:`Secret` (None when not given); refuses anything else.

    A str, or a mapping holding only ``'token'`` (what one-api stores); surrounding
    whitespace, as a paste leaves it, is dropped. A password beside a token is refused: one
    login takes one credential.
    """
    if token is None:
        return None
    expected = "an Alyx API token: a str, or {'token': str}"
    value = token
    if isinstance(token, Mapping):
        if set(token) != {"token"}:
            raise ArgumentError("token", "<mapping>", expected)
        value = token["token"]
    if isinstance(value, Secret):
        value = value.reveal()
    if not isinstance(value, str):
        raise ArgumentError("token", type(value).__name__, expected)
    value = value.strip()
    if not value or not value.isascii() or not value.isprintable() or " " in value:
        raise ArgumentError("token", "***", "a token of visible ASCII characters, as /me shows")
    if password is not None:
        raise ArgumentError(
            "token",
            "***",
            "a token or a password, not both",
            problem="password= and token= were both given",
        )
    return Secret(value)


def _rejected(base_url: str, status: int, username: str | None) -> AuthenticationError:
    whose = f" given for user {username!r}" if username else ""
    return AuthenticationError(
        f"{base_url} rejected the API token{whose} (HTTP {status}): tokens are shown at "
        f"{base_url}/me once signed in, and change when regenerated"
    )


def _owner_in(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None  # an older Alyx serves /me as a web page
    name = body.get("username") if isinstance(body, dict) else None
    if not isinstance(name, str):
        return None
    name = name.strip()
    # the name keys the token store: one that cannot be written back is no name
    if not name or len(name) > _MAX_USERNAME or not name.isprintable():
        return None
    return name


def token_owner(
    base_url: str,
    token: Secret,
    *,
    username: str | None = None,
    timeout: float = TOKEN_VERIFY_TIMEOUT,
    transport: httpx.BaseTransport | None = None,
) -> str | None:
    """Ask ``<base_url>/me`` whose ``token`` it is: the owner's user name, None when the
    server does not say; a rejection raises :class:`AuthenticationError`.

    ``username`` (the one the caller gave, if any) only goes into the error message.
    """
    url = f"{base_url}/me"
    inner = transport if transport is not None else httpx.HTTPTransport()
    try:
        with httpx.Client(
            transport=BoundedTransport(inner, max_body=_MAX_ME_BYTES, timeout=timeout),
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            event_hooks={"request": [same_origin_only(base_url)]},
        ) as client:
            response = client.get(
                url,
                headers={"Authorization": f"Token {token.reveal()}", "Accept": "application/json"},
            )
    except (httpx.HTTPError, httpx.InvalidURL, OneSdkError) as exc:
        _log.info(
            "could not check the token with %s (%s); using it as given", url, type(exc).__name__
        )
        return None
    if response.status_code in _REJECTED:
        raise _rejected(base_url, response.status_code, username)
    if not response.is_success:
        _log.info("%s answered HTTP %d; using the token as given", url, response.status_code)
        return None
    owner = _owner_in(response)
    if owner is None:
        _log.info("%s names no user; using the token as given", url)
    return owner


def _first_caller_outside() -> int:
    """The ``stacklevel`` (for a warning raised by the caller) of the first frame outside
    onesdk: the user's line, however deep the call went (``ONE()`` or ``OneAlyx()``)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
        level += 1
    return level


def token_user(
    base_url: str,
    token: Secret,
    username: str | None,
    *,
    timeout: float = TOKEN_VERIFY_TIMEOUT,
) -> str:
    """The user ``token`` logs in as: the owner ``/me`` names, else ``username``.

    An owner other than ``username`` wins, with an :class:`AuthenticationWarning` (a token
    stored under a name it does not belong to would be found by the wrong user). Without
    either, :class:`ArgumentError` naming ``username``.
    """
    owner = token_owner(base_url, token, username=username, timeout=timeout)
    if owner is not None and username and owner != username:
        warnings.warn(
            f"the API token belongs to Alyx user {owner!r}, not {username!r}: "
            f"logged in to {base_url} as {owner!r}",
            AuthenticationWarning,
            stacklevel=_first_caller_outside(),
        )
    user = owner or username
    if not user:
        raise ArgumentError(
            "username",
            None,
            f"the Alyx user the token belongs to: {base_url} does not say (its /me names no "
            "user; older Alyx versions lack it), so pass username=...",
        )
    return user


def credentials_for(
    base_url: str,
    username: str | None,
    password: str | None,
    token: Secret | None,
    *,
    saved_username: str | None,
    timeout: float = TOKEN_VERIFY_TIMEOUT,
) -> Credentials | None:
    """The credentials an instance on ``base_url`` starts with.

    Without a token, :func:`~onesdk._http._auth.resolve_credentials`. With one, the user it
    logs in as (:func:`token_user`): the saved user name and ``ONE_ALYX_USERNAME`` are not
    used, since a token stored under a name that does not own it would be found by the wrong
    user.
    """
    if token is None:
        return resolve_credentials(username, password, saved_username=saved_username)
    return Credentials(token_user(base_url, token, username, timeout=timeout))


def log_in_with_token(
    auth: TokenAuth,
    token: object,
    *,
    username: str | None,
    password: object = None,
    cache_token: bool = True,
    timeout: float = TOKEN_VERIFY_TIMEOUT,
) -> str:
    """Check ``token`` and make it the credential of ``auth``; returns the user name.

    Stored in the token store under that user unless ``cache_token`` is false. A rejected
    token changes nothing: ``auth`` keeps what it held.
    """
    secret = token_argument(token, password=password)
    if secret is None:
        raise ArgumentError("token", None, "an Alyx API token")
    user = token_user(auth.base_url, secret, username, timeout=timeout)
    auth.use_token(secret, user, store=cache_token)
    return user
