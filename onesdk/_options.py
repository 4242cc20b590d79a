"""``Options``: the frozen, picklable settings of one facade instance.

``ONE()`` and the ``One``/``OneAlyx`` constructors turn their keywords into one :class:`Options`
(paths resolved, saved settings applied, every value checked); the facade then only reads it.
Because it holds no connection, lock or table, it is what an instance pickles as: the
unpickled instance is rebuilt from it (plus, for a server, the session token) and opens its
tables on first use. It never holds a password.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Final, Literal, TypeAlias

from onesdk.errors import ArgumentError

__all__ = ["MODES", "CacheRest", "Mode", "Options", "check_connection", "check_mode"]

Mode: TypeAlias = Literal["local", "remote", "auto", "refresh"]
CacheRest: TypeAlias = Literal["GET"] | None
MODES: Final[tuple[Mode, ...]] = ("local", "remote", "auto", "refresh")


def check_mode(value: object, argument: str = "mode") -> Mode:
    """``value`` as a :data:`Mode`; else raise naming ``argument``."""
    for mode in MODES:
        if value == mode:
            return mode
    raise ArgumentError(argument, value, "one of 'local', 'remote', 'auto', 'refresh'")


def check_connection(cache_rest: object, n_threads: object, timeout: object) -> None:
    """Raise naming the first of the connection keywords that is not valid."""
    if cache_rest not in ("GET", None):
        raise ArgumentError("cache_rest", cache_rest, "'GET' or None")
    if isinstance(n_threads, bool) or not isinstance(n_threads, int) or n_threads < 1:
        raise ArgumentError("n_threads", n_threads, "a positive int")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ArgumentError("timeout", timeout, "a positive number of seconds")


@dataclasses.dataclass(frozen=True)
class Options:
    """What a facade was opened with. ``base_url`` is None for a local :class:`One`.

    ``mode`` is the mode asked for (an instance in 'auto' mode that fell back to its local
    tables still pickles as 'auto'). ``lazy`` is the local table choice (None: by size).
    """

    cache_dir: Path
    tables_dir: Path
    mode: Mode = "local"
    wildcards: bool = True
    silent: bool = False
    http_data_server: str | None = None
    lazy: bool | None = None
    base_url: str | None = None
    username: str | None = None
    cache_rest: CacheRest = "GET"
    n_threads: int = 4
    timeout: float = 30.0

    def __post_init__(self) -> None:
        check_mode(self.mode)
        check_connection(self.cache_rest, self.n_threads, self.timeout)
        if self.lazy is not None and not isinstance(self.lazy, bool):
            raise ArgumentError("lazy", self.lazy, "True, False or None (automatic)")

    @property
    def remote(self) -> bool:
        """True when these options name a server."""
        return self.base_url is not None

    def replace(
        self,
        *,
        mode: Mode | None = None,
        tables_dir: Path | None = None,
    ) -> Options:
        """A copy with ``mode`` and/or ``tables_dir`` changed."""
        return dataclasses.replace(
            self,
            mode=self.mode if mode is None else mode,
            tables_dir=self.tables_dir if tables_dir is None else tables_dir,
        )
