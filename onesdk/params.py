"""one-api's ``one.params`` functions over onesdk's saved settings.

>>> from onesdk import params
>>> par = params.get(silent=True)  # doctest: +SKIP
>>> par.ALYX_URL, par.HTTP_DATA_SERVER, par.CACHE_DIR  # doctest: +SKIP
>>> params.get_cache_dir()  # doctest: +SKIP

The parameters of a server are the settings ``ONE.setup`` and ``onesdk login`` save in the user
config dir (:func:`get_params_dir`), read back here as a frozen :class:`Params` record with
one-api's attribute names; there is no second file format. What they say is what ``ONE()``
uses: :func:`get_cache_dir` is the folder ``ONE(base_url=client)`` downloads to, also when no
cache dir was saved.

Nothing here prompts. Where one-api would ask (``get()`` with nothing saved, ``setup()``
without ``silent``), ``get`` raises an :class:`~onesdk.errors.ArgumentError` that says how to
save a server, and ``setup`` saves what it is given. With ``silent=True``, ``get`` of a server
that is not saved answers the settings ``ONE()`` would start from (the public database's for
the default) and writes nothing. Alyx passwords and tokens are never part of the
parameters: tokens are kept apart (system keyring or a 0600 file), Alyx passwords are never
saved. The file server's password (``HTTP_DATA_SERVER_PWD``) is kept where the tokens are,
never in the settings file, and comes back as a masked :class:`Secret`.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

from onesdk._http._file_auth import login_to_save, save_file_server_password
from onesdk._remote._servers import (
    PUBLIC_ALYX_URL,
    PUBLIC_HTTP_DATA_SERVER,
    http_data_server_for,
)
from onesdk._settings import (
    Secret,
    Settings,
    config_dir,
    default_cache_dir,
    file_server_password_store,
    forget_server,
    load_settings,
    normalise_base_url,
    save_server,
    save_settings,
    saved_servers,
    settings_for_cache_dir,
)
from onesdk.errors import ArgumentError, CacheDirInUse, OneSdkWarning

__all__ = [
    "Params",
    "Secret",
    "check_cache_conflict",
    "default",
    "delete_params",
    "get",
    "get_cache_dir",
    "get_default_client",
    "get_params_dir",
    "save",
    "setup",
]

#: one-api keeps these in its parameter files; onesdk keeps them apart or not at all
_NEVER_SAVED: Final = {
    "TOKEN": "tokens are kept by onesdk's token store (system keyring or a 0600 file)",
    "ALYX_PWD": "passwords are never saved; pass password= to ONE() or use `onesdk login`",
}


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Params:
    """The parameters of one Alyx server, under one-api's names.

    Attributes
    ----------
    ALYX_URL : str
        The Alyx server, without a trailing slash.
    ALYX_LOGIN : str or None
        The saved user name (None: none saved).
    HTTP_DATA_SERVER : str or None
        The file server root downloads are built from (the public file server for the public
        database).
    HTTP_DATA_SERVER_LOGIN : str or None
        The saved user name of a password-protected file server (None: none saved).
    HTTP_DATA_SERVER_PWD : Secret or None
        Its stored password, masked in every repr (``.reveal()`` gives it); None when none
        is stored for that login. It is kept where the tokens are (system keyring or a 0600
        file), never in the settings file.
    CACHE_DIR : pathlib.Path
        The folder ``ONE(base_url=ALYX_URL)`` downloads to.

    Examples
    --------
    >>> from pathlib import Path
    >>> par = Params(
    ...     ALYX_URL="https://alyx.example.org",
    ...     ALYX_LOGIN="me",
    ...     HTTP_DATA_SERVER=None,
    ...     CACHE_DIR=Path("one"),
    ... )
    >>> par.ALYX_LOGIN, par["CACHE_DIR"].name
    ('me', 'one')
    >>> par.set("ALYX_LOGIN", "you").ALYX_LOGIN
    'you'
    """

    ALYX_URL: str
    ALYX_LOGIN: str | None
    HTTP_DATA_SERVER: str | None
    HTTP_DATA_SERVER_LOGIN: str | None = None
    HTTP_DATA_SERVER_PWD: Secret | None = None
    CACHE_DIR: Path

    def __getitem__(self, key: str) -> str | Path | Secret | None:
        """The parameter named ``key`` (one of :meth:`keys`); KeyError for any other."""
        if key not in _FIELDS:
            raise KeyError(key)
        value: str | Path | Secret | None = getattr(self, key)
        return value

    @staticmethod
    def keys() -> tuple[str, ...]:
        """The parameter names, in one-api's order."""
        return _FIELDS

    def as_dict(self) -> dict[str, str | Path | Secret | None]:
        """The parameters as a new dict (one-api's ``IBLParams.as_dict``)."""
        return {key: self[key] for key in _FIELDS}

    def set(self, key: str, value: str | Path | Secret | None) -> Params:
        """A copy with parameter ``key`` set to ``value`` (one-api's ``IBLParams.set``).

        Raises
        ------
        onesdk.errors.ArgumentError
            ``key`` is not a parameter name, or ``value`` does not fit it.
        """
        _check_keys([key], "key")
        if key in ("ALYX_URL", "CACHE_DIR") and not value:
            raise ArgumentError("value", value, f"a value for {key} (it is never empty)")
        return _from_mapping({**self.as_dict(), key: value}, "value", self.CACHE_DIR)


_FIELDS: Final = tuple(f.name for f in dataclasses.fields(Params))


def _url(client: object, argument: str = "client") -> str:
    """``client`` as a normalised http(s) URL, or an error naming ``argument``."""
    expected = "an Alyx URL such as https://alyx.example.org"
    if not isinstance(client, str):
        raise ArgumentError(argument, client, expected)
    try:
        return normalise_base_url(client)
    except ArgumentError:
        raise ArgumentError(argument, client, expected) from None


def _flag(value: object, argument: str) -> bool:
    if not isinstance(value, bool):
        raise ArgumentError(argument, value, "True or False")
    return value


def _text(value: object, argument: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ArgumentError(argument, value, "a str or None")
    return value or None


def _params(settings: Settings, username: str | None = None) -> Params:
    """The parameters of saved (or default) settings, resolved as ``ONE()`` resolves them."""
    url = settings.base_url
    server = http_data_server_for(url, None, settings.http_data_server)
    login = settings.http_data_server_login
    password = None
    if login is not None:
        password = file_server_password_store().get(url, login)
    return Params(
        ALYX_URL=url,
        ALYX_LOGIN=username or settings.username,
        HTTP_DATA_SERVER=server.rstrip("/") if server else None,
        HTTP_DATA_SERVER_LOGIN=login,
        HTTP_DATA_SERVER_PWD=password,
        CACHE_DIR=settings.cache_dir or default_cache_dir(url),
    )


def default() -> Params:
    """The parameters of the public IBL database, as onesdk uses them when none are saved.

    Returns
    -------
    Params
        ``ALYX_URL`` the public database, no user name (every user signs up for one), its
        public file server, and the cache dir ``ONE()`` gives it.

    Examples
    --------
    >>> from onesdk import params
    >>> params.default().ALYX_URL
    'https://openalyx.internationalbrainlab.org'
    """
    return _params(Settings(PUBLIC_ALYX_URL, None, PUBLIC_HTTP_DATA_SERVER))


def get(client: str | None = None, silent: bool = False, username: str | None = None) -> Params:
    """The saved parameters of ``client`` (default: the default server).

    Parameters
    ----------
    client : str, optional
        The Alyx URL; None for the default server (the one ``ONE()`` opens).
    silent : bool
        When nothing is saved for ``client``: False raises; True answers what ``ONE()`` would
        start from (the public database when ``client`` is None) without saving anything.
    username : str, optional
        Replaces the saved user name in the answer (nothing is saved).

    Returns
    -------
    Params
        The server's parameters.

    Raises
    ------
    onesdk.errors.ArgumentError
        A bad argument, or nothing saved for ``client`` and not ``silent`` (the message says
        how to save a server).

    Examples
    --------
    >>> from onesdk import params
    >>> par = params.get("https://alyx.example.org", silent=True)  # doctest: +SKIP
    >>> par.ALYX_URL  # doctest: +SKIP
    'https://alyx.example.org'
    """
    url = None if client is None else _url(client)
    quiet = _flag(silent, "silent")
    user = _text(username, "username")
    saved = load_settings(url)
    if saved is None:
        if not quiet:
            where = client if client is not None else "the default server"
            raise ArgumentError(
                "client",
                client,
                f"a saved server: nothing is saved for {where}; save it with "
                "params.setup(client, silent=True), ONE.setup(base_url=...) or "
                "`onesdk login --base-url URL`, or pass silent=True for the defaults",
            )
        return _params(Settings(url or PUBLIC_ALYX_URL), user)
    return _params(saved, user)


def get_default_client(include_schema: bool = True) -> str | None:
    """The default server (the one ``ONE()`` opens), or None when none is saved.

    Parameters
    ----------
    include_schema : bool
        True: the URL (``https://alyx.example.org``); False: one-api's key for it, the URL
        without its scheme, lower case, other characters than letters, digits, ``.``, ``-``
        and ``_`` replaced (``alyx.example.org``, ``localhost_8000``).

    Returns
    -------
    str or None
        The default server, or None.

    Examples
    --------
    >>> from onesdk import params
    >>> params.get_default_client(include_schema=False)  # doctest: +SKIP
    'openalyx.internationalbrainlab.org'
    """
    with_schema = _flag(include_schema, "include_schema")
    saved = load_settings()
    if saved is None:
        return None
    return saved.base_url if with_schema else _client_key(saved.base_url)


def _client_key(url: str) -> str:
    """one-api's name for a server: ``url`` without scheme, lower case, file-name safe."""
    text = unicodedata.normalize("NFKC", url)
    text = re.sub(r"^https?://", "", text).strip("/").lower()
    text = re.sub(r"[^.\w\s-]", "_", text)
    return re.sub(r"[-\s]+", "-", text)


def get_cache_dir(client: str | None = None) -> Path:
    """The folder ``ONE()`` downloads to for ``client``, created if missing.

    Parameters
    ----------
    client : str, optional
        The Alyx URL; None for the default server. With nothing saved for it: the folder
        ``ONE(base_url=client)`` would use; with no server saved at all and ``client`` None,
        the folder of a local ``ONE(mode='local')``.

    Returns
    -------
    pathlib.Path
        The cache dir (it exists on return).

    Raises
    ------
    onesdk.errors.ArgumentError
        ``client`` is not an http(s) URL.

    Examples
    --------
    >>> from onesdk import params
    >>> params.get_cache_dir("https://alyx.example.org")  # doctest: +SKIP
    PosixPath('/home/me/.cache/ONE/alyx.example.org')
    """
    url = None if client is None else _url(client)
    saved = load_settings(url)
    if saved is not None and saved.cache_dir is not None:
        folder = saved.cache_dir
    else:
        folder = default_cache_dir(saved.base_url if saved else url)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_cache_conflict(cache_dir: str | os.PathLike[str]) -> None:
    """Refuse a folder that is already the saved cache dir of an Alyx server.

    Parameters
    ----------
    cache_dir : str or os.PathLike
        The folder to check (compared after resolving ``~`` and links).

    Raises
    ------
    onesdk.errors.CacheDirInUse
        A saved server downloads to ``cache_dir`` (the message names it). Also an
        ``AssertionError``, as one-api raises.

    Examples
    --------
    >>> from onesdk import params
    >>> params.check_cache_conflict("/data/new-project")  # doctest: +SKIP
    """
    if not isinstance(cache_dir, str | os.PathLike):
        raise ArgumentError("cache_dir", cache_dir, "a folder (str or path)")
    saved = settings_for_cache_dir(Path(cache_dir))
    if saved is not None:
        raise CacheDirInUse(
            "cache_dir", cache_dir, f"a folder no saved server uses (it is {saved.base_url}'s)"
        )


def delete_params(base_url: str | None = None) -> None:
    """Forget the saved settings of one server, or of every server.

    With them go the server's stored token, its file server's password and, when it was the
    default server, that mark; nothing else in the settings folder is touched.

    Parameters
    ----------
    base_url : str, optional
        The Alyx URL whose settings go; None: every saved server's.

    Warns
    -----
    onesdk.errors.OneSdkWarning
        Nothing was saved for ``base_url``.

    Examples
    --------
    >>> from onesdk import params
    >>> params.delete_params("https://alyx.example.org")  # doctest: +SKIP
    """
    if base_url is not None:
        if not forget_server(_url(base_url, "base_url")):
            warnings.warn(f"{base_url}: no settings are saved for it", OneSdkWarning, stacklevel=2)
        return
    for saved in saved_servers():
        forget_server(saved.base_url)
    (config_dir() / "default.json").unlink(missing_ok=True)


def get_params_dir() -> Path:
    """The folder onesdk keeps its settings in (the user config dir; not created).

    Returns
    -------
    pathlib.Path
        The settings folder (``HOME``/``XDG_CONFIG_HOME`` move it).

    Examples
    --------
    >>> from onesdk import params
    >>> params.get_params_dir().name
    'onesdk'
    """
    return config_dir()


def save(par: Params | Mapping[str, object], client: str) -> Path:
    """Save the parameters ``par`` for the server ``client``, atomically.

    The first server saved becomes the default; saving another leaves the default as it was.

    Parameters
    ----------
    par : Params or Mapping
        The parameters: a :class:`Params`, or a mapping of some of its names (missing ones are
        None; ``ALYX_URL`` defaults to ``client``). ``CACHE_DIR`` is saved too; a mapping
        without ``CACHE_DIR`` or ``HTTP_DATA_SERVER_LOGIN`` keeps the saved one.
        ``HTTP_DATA_SERVER_LOGIN`` goes to the settings file, ``HTTP_DATA_SERVER_PWD`` (a str
        or :class:`Secret`) to where the tokens are kept (system keyring or a 0600 file),
        never to the settings file; a None password keeps the stored one, a None login
        forgets both.
    client : str
        The Alyx URL these parameters are for.

    Returns
    -------
    pathlib.Path
        The settings file written.

    Raises
    ------
    onesdk.errors.ArgumentError
        ``par`` has a name onesdk does not know, an Alyx password or token, a file-server
        password without its login, or an ``ALYX_URL`` other than ``client``.

    Examples
    --------
    >>> from onesdk import params
    >>> par = params.get(silent=True).set("ALYX_LOGIN", "me")  # doctest: +SKIP
    >>> params.save(par, par.ALYX_URL)  # doctest: +SKIP
    """
    url = _url(client)
    if isinstance(par, Params):
        values: dict[str, object] = dict(par.as_dict())
    elif isinstance(par, Mapping):
        values = dict(par)
        _check_keys(values, "par")
    else:
        raise ArgumentError("par", type(par).__name__, "a Params or a mapping of its names")
    saved = load_settings(url)
    values.setdefault("ALYX_URL", url)
    checked = _from_mapping(values, "par", default_cache_dir(url))
    if url != checked.ALYX_URL:
        raise ArgumentError("par", checked.ALYX_URL, f"ALYX_URL equal to client={url!r}")
    # as in one-api, a mapping without CACHE_DIR leaves the saved cache dir as it was
    kept = saved.cache_dir if saved else None
    login = checked.HTTP_DATA_SERVER_LOGIN
    if "HTTP_DATA_SERVER_LOGIN" not in values:
        login = saved.http_data_server_login if saved else None
    if checked.HTTP_DATA_SERVER_PWD and not login:
        raise ArgumentError(
            "par",
            "HTTP_DATA_SERVER_PWD",
            "an HTTP_DATA_SERVER_LOGIN with the file-server password (its user name)",
        )
    settings = Settings(
        url,
        checked.ALYX_LOGIN,
        checked.HTTP_DATA_SERVER,
        checked.CACHE_DIR if values.get("CACHE_DIR") else kept,
        login,
    )
    path = save_settings(settings, make_default=load_settings() is None)
    save_file_server_password(url, login, checked.HTTP_DATA_SERVER_PWD)
    return path


def setup(
    client: str | None = None,
    silent: bool = False,
    make_default: bool | None = None,
    username: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    http_data_server_login: str | None = None,
    http_data_server_password: str | Secret | None = None,
) -> Params:
    """Save the settings of a server without connecting to it (never prompts).

    What is not given is kept from the server's saved settings; ``cache_dir`` is created.

    Parameters
    ----------
    client : str, optional
        The Alyx URL (default: the public IBL database).
    silent : bool
        Accepted for one-api's calls; nothing is ever asked.
    make_default : bool, optional
        Make it the server ``ONE()`` opens; by default only when no server is saved yet.
    username : str, optional
        The Alyx user name to save.
    cache_dir : str or os.PathLike, optional
        The download folder to save.
    http_data_server_login : str, optional
        The user name of a password-protected file server (``HTTP_DATA_SERVER_LOGIN``), saved
        in the settings file; ``''`` forgets it and its password.
    http_data_server_password : str or Secret, optional
        Its password (``HTTP_DATA_SERVER_PWD``), kept where the tokens are (system keyring or
        a 0600 file in the user config dir), never in the settings file. It needs a login,
        given or saved.

    Returns
    -------
    Params
        The server's parameters as saved.

    Raises
    ------
    onesdk.errors.ArgumentError
        A bad argument, or a file-server password without any login.

    Examples
    --------
    >>> from onesdk import params
    >>> par = params.setup("https://alyx.example.org", username="me")  # doctest: +SKIP
    >>> params.get_default_client()  # doctest: +SKIP
    'https://alyx.example.org'
    """
    url = PUBLIC_ALYX_URL if client is None else _url(client)
    _flag(silent, "silent")
    if make_default is not None:
        _flag(make_default, "make_default")
    user = _text(username, "username")
    if cache_dir is not None and not isinstance(cache_dir, str | os.PathLike):
        raise ArgumentError("cache_dir", cache_dir, "a folder (str or os.PathLike) or None")
    login = login_to_save(url, http_data_server_login, http_data_server_password)
    saved = load_settings(url)
    settings = save_server(
        url,
        username=user or (saved.username if saved else None),
        http_data_server=saved.http_data_server if saved else None,
        cache_dir=Path(cache_dir) if cache_dir else (saved.cache_dir if saved else None),
        make_default=make_default,
        http_data_server_login=login,
    )
    save_file_server_password(url, login, http_data_server_password)
    get_cache_dir(url)
    return _params(settings)


def _check_keys(keys: Iterable[object], argument: str) -> None:
    for key in keys:
        if key in _FIELDS:
            continue
        if isinstance(key, str) and key in _NEVER_SAVED:
            raise ArgumentError(argument, key, f"no {key}: {_NEVER_SAVED[key]}")
        close = difflib.get_close_matches(str(key), _FIELDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ArgumentError(argument, key, f"parameter names among {', '.join(_FIELDS)}{hint}")


def _from_mapping(values: Mapping[str, object], argument: str, cache_dir: Path) -> Params:
    """A checked :class:`Params` from ``values``, ``cache_dir`` when it has no CACHE_DIR."""
    url = _url(values.get("ALYX_URL"), argument)
    texts: dict[str, str | None] = {}
    for key in ("ALYX_LOGIN", "HTTP_DATA_SERVER", "HTTP_DATA_SERVER_LOGIN"):
        value = values.get(key)
        if value is not None and not isinstance(value, str):
            raise ArgumentError(argument, key, f"{key} as a str or None")
        texts[key] = value or None
    secret = values.get("HTTP_DATA_SERVER_PWD")
    if isinstance(secret, str):
        secret = Secret(secret) if secret else None
    if secret is not None and not isinstance(secret, Secret):
        raise ArgumentError(argument, "HTTP_DATA_SERVER_PWD", "a str, a Secret or None")
    cache = values.get("CACHE_DIR")
    if cache is not None and not isinstance(cache, str | os.PathLike):
        raise ArgumentError(argument, "CACHE_DIR", "CACHE_DIR as a folder (str or os.PathLike)")
    return Params(
        ALYX_URL=url,
        ALYX_LOGIN=texts["ALYX_LOGIN"],
        HTTP_DATA_SERVER=texts["HTTP_DATA_SERVER"],
        HTTP_DATA_SERVER_LOGIN=texts["HTTP_DATA_SERVER_LOGIN"],
        HTTP_DATA_SERVER_PWD=secret,
        CACHE_DIR=Path(cache) if cache else cache_dir,
    )
