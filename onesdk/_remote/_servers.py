"""What onesdk knows about particular Alyx servers, and logging in when an instance is made.

The public IBL database (OpenAlyx) has one-api's defaults: its file server root is
``https://ibl.flatironinstitute.org/public`` (also when older saved settings name the root
without ``/public``), and it has no shared login: every user signs up, so a password without a
user name is refused with the sign-up address, as one-api 3.6.1 does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onesdk.errors import ArgumentError

if TYPE_CHECKING:
    from onesdk._http._auth import TokenAuth

__all__ = [
    "PUBLIC_ALYX_URL",
    "PUBLIC_HTTP_DATA_SERVER",
    "check_username",
    "http_data_server_for",
    "is_public_alyx",
    "log_in_now",
]

PUBLIC_ALYX_URL = "https://openalyx.internationalbrainlab.org"
PUBLIC_HTTP_DATA_SERVER = "https://ibl.flatironinstitute.org/public"
_SIGNUP = f"{PUBLIC_ALYX_URL}/signup"


def is_public_alyx(base_url: str) -> bool:
    """True for the public IBL database (any scheme, trailing slash or path)."""
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host.casefold() == "openalyx.internationalbrainlab.org"


def http_data_server_for(base_url: str, given: str | None, saved: str | None) -> str | None:
    """The file server root: the argument, else the saved setting, else the server's default.

    For the public database a saved root without ``/public`` is replaced (its files moved
    there), as one-api patches such settings.
    """
    if given:
        return given
    if is_public_alyx(base_url) and (saved is None or "public" not in saved):
        return PUBLIC_HTTP_DATA_SERVER
    return saved


def check_username(base_url: str, username: str | None, password: object) -> None:
    """Refuse a password that comes without any user name (it would be silently unused)."""
    if password is None or username:
        return
    where = (
        f"; accounts on the public database are created at {_SIGNUP}"
        if is_public_alyx(base_url)
        else ""
    )
    raise ArgumentError(
        "username",
        None,
        "the Alyx user name that goes with password= (pass username=, set ONE_ALYX_USERNAME, "
        f"or save it with `onesdk login --username NAME`){where}",
    )


def log_in_now(auth: TokenAuth, *, password_given: bool) -> None:
    """Log in while the instance is made, as one-api does, so a wrong password fails there.

    A stored token is reused unless a password was passed (a new password means a new login);
    without credentials the instance stays anonymous (public endpoints only).
    """
    if auth.credentials is None:
        return
    if auth.has_token and not password_given:
        return
    auth.log_in()
