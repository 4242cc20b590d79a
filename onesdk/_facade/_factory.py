"""``ONE(...)``: one entry point that returns a local :class:`One` or a remote ``OneAlyx``.

``ONE`` is a typed callable object, as one-api's cached factory is a function with methods:

* ``ONE(...)`` builds the instance its arguments describe, and hands back the same instance
  when called again with the same arguments (the last call's instance is kept, as one-api's
  ``lru_cache(maxsize=1)`` does), unless its cache tables changed on disk since or it was
  closed; ``ONE.cache_clear()`` forgets it.
* ``ONE.setup(base_url=..., ...)`` saves the settings of a server and connects to it.

Which class: ``mode='local'`` without a server gives a :class:`One` on the cache dir. A
``cache_dir`` without a server, user name or password gives a local :class:`One`, unless the
saved settings of a server name that cache dir (then an ``OneAlyx`` on that server). Anything
else (a ``base_url``, credentials, or nothing at all: the saved default server) gives an
``OneAlyx``. ``mode='auto'``, which ONE 3 removed, is accepted: without a server or
credentials it gives a local :class:`One`; with them an ``OneAlyx`` in 'auto' mode, which asks
the server and falls back to the local cache (with one :class:`~onesdk.errors.OfflineWarning`)
when it cannot be reached.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from onesdk._facade._one import One
from onesdk._validate import path_like
from onesdk.errors import ArgumentError

if TYPE_CHECKING:
    from onesdk._facade._one_alyx import OneAlyx

__all__ = ["ONE", "OneFactory", "build_one"]

_MODES = ("local", "remote", "auto", "refresh")
_Key = tuple[tuple[str, object], ...]
_Stamp = tuple[tuple[int, int] | None, ...]


def build_one(
    base_url: str | None = None,
    *,
    username: str | None = None,
    password: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    mode: str = "remote",
    silent: bool = False,
    http_data_server: str | None = None,
    wildcards: bool = True,
    tables_dir: str | os.PathLike[str] | None = None,
    cache_rest: Literal["GET"] | None = "GET",
    n_threads: int = 4,
    timeout: float = 30.0,
    lazy: bool | None = None,
    token: str | Mapping[str, str] | None = None,
) -> One | OneAlyx:
    """What ``ONE(...)`` returns, always built anew (the factory's cache aside)."""
    if mode not in _MODES:
        raise ArgumentError("mode", mode, "'local', 'remote', 'auto' or 'refresh'")
    if lazy is not None and not isinstance(lazy, bool):
        raise ArgumentError("lazy", lazy, "True, False or None (automatic)")
    for name, value in (("cache_dir", cache_dir), ("tables_dir", tables_dir)):
        if value is not None:
            path_like(value, name)  # before the settings lookup makes a Path of it
    credential = username is not None or password is not None or token is not None
    remote_wanted = base_url is not None or credential
    if not remote_wanted and cache_dir is not None and mode != "local":
        # a cache dir alone: local, unless a server was set up for that very folder
        from onesdk._settings import settings_for_cache_dir

        saved = settings_for_cache_dir(Path(cache_dir))
        if saved is None:
            mode = "local"
        else:
            base_url = saved.base_url
            mode = "remote" if mode == "auto" else mode
    remote_wanted = base_url is not None or credential
    if mode == "local" and not remote_wanted:
        return One(
            cache_dir,
            mode="local",
            wildcards=wildcards,
            tables_dir=tables_dir,
            silent=silent,
            http_data_server=http_data_server,
            lazy=lazy,
        )
    if mode == "auto" and not remote_wanted:
        mode = "remote"  # no cache dir either: the saved default server
    # mode 'local' with a server configured is an offline OneAlyx
    return _one_alyx()(
        base_url=base_url,
        username=username,
        password=password,
        cache_dir=cache_dir,
        mode=mode,
        silent=silent,
        http_data_server=http_data_server,
        wildcards=wildcards,
        tables_dir=tables_dir,
        cache_rest=cache_rest,
        n_threads=n_threads,
        timeout=timeout,
        lazy=lazy,
        token=token,
    )


class OneFactory:
    """The type of :data:`ONE`: call it for an instance; ``setup`` and ``cache_clear``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: tuple[_Key, One, _Stamp] | None = None

    def __repr__(self) -> str:
        return "onesdk.ONE"

    @property
    def version(self) -> str:
        """The version of onesdk, as one-api's ``ONE.version`` gives its own."""
        from onesdk import __version__

        return __version__

    @overload
    def __call__(
        self,
        base_url: None = None,
        *,
        username: None = None,
        password: None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        mode: Literal["local"],
        silent: bool = False,
        http_data_server: str | None = None,
        wildcards: bool = True,
        tables_dir: str | os.PathLike[str] | None = None,
        cache_rest: Literal["GET"] | None = "GET",
        n_threads: int = 4,
        timeout: float = 30.0,
        lazy: bool | None = None,
        token: None = None,
    ) -> One: ...
    @overload
    def __call__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        mode: Literal["local", "remote", "refresh"] = "remote",
        silent: bool = False,
        http_data_server: str | None = None,
        wildcards: bool = True,
        tables_dir: str | os.PathLike[str] | None = None,
        cache_rest: Literal["GET"] | None = "GET",
        n_threads: int = 4,
        timeout: float = 30.0,
        lazy: bool | None = None,
        token: str | Mapping[str, str] | None = None,
    ) -> OneAlyx: ...
    @overload
    def __call__(
        self,
        base_url: None = None,
        *,
        username: str,
        password: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        mode: Literal["local", "remote", "refresh"] = "remote",
        silent: bool = False,
        http_data_server: str | None = None,
        wildcards: bool = True,
        tables_dir: str | os.PathLike[str] | None = None,
        cache_rest: Literal["GET"] | None = "GET",
        n_threads: int = 4,
        timeout: float = 30.0,
        lazy: bool | None = None,
        token: str | Mapping[str, str] | None = None,
    ) -> OneAlyx: ...
    @overload
    def __call__(
        self,
        base_url: None = None,
        *,
        username: str | None = None,
        password: None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        mode: Literal["local", "remote", "refresh", "auto"] = "remote",
        silent: bool = False,
        http_data_server: str | None = None,
        wildcards: bool = True,
        tables_dir: str | os.PathLike[str] | None = None,
        cache_rest: Literal["GET"] | None = "GET",
        n_threads: int = 4,
        timeout: float = 30.0,
        lazy: bool | None = None,
        token: str | Mapping[str, str],
    ) -> OneAlyx: ...
    @overload
    def __call__(
        self,
        base_url: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        mode: Literal["remote", "refresh", "auto"] = "remote",
        silent: bool = False,
        http_data_server: str | None = None,
        wildcards: bool = True,
        tables_dir: str | os.PathLike[str] | None = None,
        cache_rest: Literal["GET"] | None = "GET",
        n_threads: int = 4,
        timeout: float = 30.0,
        lazy: bool | None = None,
        token: str | Mapping[str, str] | None = None,
    ) -> One | OneAlyx: ...
    def __call__(
        self,
        base_url: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        mode: str = "remote",
        silent: bool = False,
        http_data_server: str | None = None,
        wildcards: bool = True,
        tables_dir: str | os.PathLike[str] | None = None,
        cache_rest: Literal["GET"] | None = "GET",
        n_threads: int = 4,
        timeout: float = 30.0,
        lazy: bool | None = None,
        token: str | Mapping[str, str] | None = None,
    ) -> One | OneAlyx:
        """Return a :class:`One` or an ``OneAlyx`` (see the module docstring); the same
        instance as the previous call when the arguments are the same.

        Parameters
        ----------
        base_url : str, optional
            The Alyx server; default: the saved settings (or a local :class:`One` when a
            ``cache_dir`` without saved server settings is given).
        username, password : str, optional
            Alyx credentials (default: ``ONE_ALYX_USERNAME``/``ONE_ALYX_PASSWORD``, the saved
            user name, a stored token). A remote instance logs in here, so a wrong password
            fails at this call; the password is never stored. See also ``token``.
        cache_dir : str or os.PathLike, optional
            Where the data files (and, by default, the cache tables) are.
        mode : {'remote', 'local', 'auto', 'refresh'}
            ``'local'``: the cache tables only; ``'remote'``: ask the server; ``'auto'``: the
            tables, falling back offline; ``'refresh'``: download newer tables first.
        silent : bool
            Hide progress bars (and never prompt).
        http_data_server : str, optional
            The file server root downloads are built from (default: the saved setting; the
            public database's public server for OpenAlyx). A password-protected one gets its
            login and password from ``ONE_HTTP_DATA_SERVER_LOGIN``/
            ``ONE_HTTP_DATA_SERVER_PASSWORD``, else from what ``ONE.setup`` saved; they are
            sent to it only.
        wildcards : bool
            Dataset filters are shell patterns and session filters regular expressions.
        tables_dir : str or os.PathLike, optional
            Where the cache tables are, when not in ``cache_dir``.
        cache_rest : {'GET', None}
            Cache the server's GET answers on disk (None: never).
        n_threads : int
            Parallel downloads.
        timeout : float
            Seconds to wait for the server.
        lazy : bool, optional
            How the datasets table is held (see :class:`One`); an ``OneAlyx`` keeps the
            server's answers in an overlay above it.
        token : str or dict, optional
            An Alyx API token (or ``{'token': ...}``) instead of a password, as the server's
            ``/me`` page shows it; checked here with ``GET /me``, which names its owner, and
            stored like a token from a password login (see ``OneAlyx``).

        Returns
        -------
        One or OneAlyx
            A local :class:`One`, or an ``OneAlyx`` for a server.

        Raises
        ------
        onesdk.errors.ArgumentError
            A bad argument (named in the message).
        onesdk.errors.AuthenticationError
            The server refused the login.
        """
        arguments: dict[str, object] = {
            "base_url": base_url,
            "username": username,
            "cache_dir": _text(cache_dir),
            "mode": mode,
            "silent": silent,
            "http_data_server": http_data_server,
            "wildcards": wildcards,
            "tables_dir": os.fspath(tables_dir)
            if isinstance(tables_dir, os.PathLike)
            else tables_dir,
            "cache_rest": cache_rest,
            "n_threads": n_threads,
            "timeout": timeout,
            "lazy": lazy,
            # the key never holds a password or token, only whether one was given and its digest
            "password": _digest(password),
            "token": _digest(token.get("token") if isinstance(token, Mapping) else token),
        }
        key = _key(arguments)
        with self._lock:
            last = self._last
            fresh = last is not None and not _closed(last[1]) and _stamp(last[1]) == last[2]
            if last is not None and last[0] == key and fresh:
                return last[1]
            made = build_one(
                base_url,
                username=username,
                password=password,
                cache_dir=cache_dir,
                mode=mode,
                silent=silent,
                http_data_server=http_data_server,
                wildcards=wildcards,
                tables_dir=tables_dir,
                cache_rest=cache_rest,
                n_threads=n_threads,
                timeout=timeout,
                lazy=lazy,
                token=token,
            )
            self._last = (key, made, _stamp(made)) if key is not None else None
            return made

    def cache_clear(self) -> None:
        """Forget the instance kept for the last arguments: the next call builds a new one."""
        with self._lock:
            self._last = None

    def setup(
        self,
        base_url: str | None = None,
        *,
        username: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        http_data_server: str | None = None,
        silent: bool = False,
        make_default: bool | None = None,
        http_data_server_login: str | None = None,
        http_data_server_password: str | None = None,
    ) -> OneAlyx:
        """Save the settings of a server and return an instance on it; never prompts.

        The kept instance is forgotten first.

        Parameters
        ----------
        base_url : str
            The Alyx server.
        username : str, optional
            The user name to save.
        cache_dir : str or os.PathLike, optional
            The download folder to save.
        http_data_server : str, optional
            The file server root to save.
        silent : bool
            Hide progress bars.
        make_default : bool, optional
            Make it the server ``ONE()`` opens without a ``base_url``; by default only when no
            server is saved yet, so setting up another server leaves the default as it was.
        http_data_server_login : str, optional
            The user name of a password-protected file server (one-api's
            ``HTTP_DATA_SERVER_LOGIN``) to save; default: the saved one; ``''`` forgets it.
        http_data_server_password : str, optional
            Its password, kept where the tokens are (system keyring or a 0600 file), never in
            the settings file; sent as basic authentication to the file server only.

        Returns
        -------
        OneAlyx
            An instance on the server.

        Examples
        --------
        >>> one = ONE.setup(  # doctest: +SKIP
        ...     base_url="https://alyx.example.org",
        ...     http_data_server="https://files.example.org",
        ...     http_data_server_login="lab",
        ...     http_data_server_password=getpass.getpass(),
        ... )
        """
        self.cache_clear()
        return _one_alyx().setup(
            base_url,
            username=username,
            cache_dir=cache_dir,
            http_data_server=http_data_server,
            silent=silent,
            make_default=make_default,
            http_data_server_login=http_data_server_login,
            http_data_server_password=http_data_server_password,
        )


def _text(path: str | os.PathLike[str] | None) -> object:
    return os.fspath(path) if isinstance(path, os.PathLike) else path


def _digest(secret: object) -> str | None:
    if secret is None:
        return None
    return hashlib.sha256(secret.encode()).hexdigest() if isinstance(secret, str) else "?"


def _key(arguments: dict[str, object]) -> _Key | None:
    """The arguments as a hashable key (None when one of them is not hashable)."""
    key = tuple(sorted(arguments.items()))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _stamp(instance: One) -> _Stamp:
    """When and how big the instance's table files are: a kept instance whose tables changed
    on disk since (rebuilt, or refreshed by another process) is built again."""
    out: list[tuple[int, int] | None] = []
    for name in ("sessions.pqt", "datasets.pqt"):
        try:
            info = (instance.options.tables_dir / name).stat()
        except OSError:
            out.append(None)
            continue
        out.append((info.st_mtime_ns, info.st_size))
    return tuple(out)


def _closed(instance: One) -> bool:
    return bool(getattr(instance, "closed", False))


def _one_alyx() -> type[OneAlyx]:
    """The remote class (a subclass of One), imported only when needed."""
    try:
        module = importlib.import_module("onesdk._facade._one_alyx")
    except ModuleNotFoundError as exc:
        if exc.name != "onesdk._facade._one_alyx":
            raise
        raise ArgumentError(
            "mode",
            "remote",
            "mode='local' with a cache_dir: remote access (OneAlyx) is not available",
        ) from None
    cls: type[OneAlyx] = module.OneAlyx
    return cls


#: ``ONE(...)``, ``ONE.setup(...)``, ``ONE.cache_clear()`` (one-api's names)
ONE = OneFactory()
