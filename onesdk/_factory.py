"""``ONE(...)``: one entry point that returns a local :class:`One` or a remote ``OneAlyx``.

``mode='local'`` without a server gives a :class:`One` on the cache dir. Anything else (a
``base_url``, credentials, ``mode='remote'`` or ``'refresh'``) gives an ``OneAlyx``.
``mode='auto'``, which ONE 3 removed, is accepted: without a server or credentials it gives a
local :class:`One`; with them an ``OneAlyx`` in 'auto' mode, which asks the server and falls back
to the local cache (with one :class:`~onesdk.errors.OfflineWarning`) when it cannot be reached.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Literal, overload

from onesdk._one import One
from onesdk.errors import ArgumentError

if TYPE_CHECKING:
    from onesdk._one_alyx import OneAlyx

__all__ = ["ONE"]

_MODES = ("local", "remote", "auto", "refresh")


@overload
def ONE(
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
) -> One: ...
@overload
def ONE(
    base_url: str,
    *,
    username: str | None = None,
    password: str | None = None,
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
) -> OneAlyx: ...
@overload
def ONE(
    base_url: str | None = None,
    *,
    username: str | None = None,
    password: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    mode: Literal["remote", "refresh"] = "remote",
    silent: bool = False,
    http_data_server: str | None = None,
    wildcards: bool = True,
    tables_dir: str | os.PathLike[str] | None = None,
    cache_rest: Literal["GET"] | None = "GET",
    n_threads: int = 4,
    timeout: float = 30.0,
    lazy: bool | None = None,
) -> OneAlyx: ...
@overload
def ONE(
    base_url: str | None = None,
    *,
    username: str | None = None,
    password: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    mode: Literal["auto"],
    silent: bool = False,
    http_data_server: str | None = None,
    wildcards: bool = True,
    tables_dir: str | os.PathLike[str] | None = None,
    cache_rest: Literal["GET"] | None = "GET",
    n_threads: int = 4,
    timeout: float = 30.0,
    lazy: bool | None = None,
) -> One | OneAlyx: ...
def ONE(  # noqa: N802 (one-api's name)
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
) -> One | OneAlyx:
    """Return a :class:`One` (local mode, no server) or an ``OneAlyx`` (anything else).

    Unlike one-api this is not cached: each call builds a new instance. ``lazy`` (see
    :class:`One`) chooses how the loaded datasets table is held, for both classes: an
    ``OneAlyx`` keeps the server's answers in an overlay above it, never merged in.
    """
    if mode not in _MODES:
        raise ArgumentError("mode", mode, "'local', 'remote', 'auto' or 'refresh'")
    if lazy is not None and not isinstance(lazy, bool):
        raise ArgumentError("lazy", lazy, "True, False or None (automatic)")
    remote_wanted = base_url is not None or username is not None or password is not None
    local = mode == "local" or (mode == "auto" and not remote_wanted and cache_dir is not None)
    if local:
        if mode == "local" and remote_wanted:
            # a local instance with a server configured is an offline OneAlyx
            return _one_alyx()(
                base_url=base_url,
                username=username,
                password=password,
                cache_dir=cache_dir,
                mode="local",
                silent=silent,
                http_data_server=http_data_server,
                wildcards=wildcards,
                tables_dir=tables_dir,
                cache_rest=cache_rest,
                n_threads=n_threads,
                timeout=timeout,
                lazy=lazy,
            )
        return One(
            cache_dir,
            mode="local",
            wildcards=wildcards,
            tables_dir=tables_dir,
            silent=silent,
            http_data_server=http_data_server,
            lazy=lazy,
        )
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
    )


def _one_alyx() -> type[OneAlyx]:
    """The remote class (a subclass of One), imported only when needed."""
    try:
        module = importlib.import_module("onesdk._one_alyx")
    except ModuleNotFoundError as exc:
        if exc.name != "onesdk._one_alyx":
            raise
        raise ArgumentError(
            "mode",
            "remote",
            "mode='local' with a cache_dir: remote access (OneAlyx) is not available",
        ) from None
    cls: type[OneAlyx] = module.OneAlyx
    return cls
