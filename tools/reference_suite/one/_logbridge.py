"""onesdk's log records, also under one-api's logger names (a logger name is a name too).

The reference tests listen on one-api's loggers (``assertLogs('one.alf.io', WARNING)``); onesdk
logs the same events under its own names (``onesdk.alf.io``). Each onesdk logger of
``ROUTES`` gets a filter that hands a copy of its records, renamed, to the handlers that
listen on the one-api logger of the same functions (or on its ``one`` parents), as
``assertLogs`` installs them. The root logger's handlers are never called from here: they
already receive the record through onesdk's logger, so nothing is emitted twice.

A one-api logger may listen at a level onesdk's logger is not enabled for (``assertLogs(...,
DEBUG)``): onesdk's logger then creates the record for the one-api side, and the filter keeps it
from going further on onesdk's side, which sees exactly the records it would see without the
bridge.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable

__all__ = ["ROUTES", "install"]

# onesdk logger -> the one-api logger of the same functions
ROUTES: dict[str, str] = {
    "onesdk.alf.io": "one.alf.io",
    "onesdk.alf": "one.alf.path",
    "onesdk.one": "one.api",
    "onesdk.cache": "one.alf.cache",
}


def _listeners(logger: logging.Logger) -> list[logging.Handler]:
    """The handlers a record of ``logger`` reaches below the root logger."""
    found: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None and current is not logging.getLogger():
        found.extend(current.handlers)
        if not current.propagate:
            break
        current = current.parent
    return found


class _Bridge(logging.Filter):
    """On an onesdk logger: passes its records on to a one-api logger's listeners."""

    def __init__(self, target: str, enabled: Callable[[int], bool]) -> None:
        super().__init__()
        self.target = logging.getLogger(target)
        self.enabled = enabled  # whether the onesdk logger, left alone, takes this level

    def wanted(self, level: int) -> bool:
        return self.target.isEnabledFor(level) and bool(_listeners(self.target))

    def filter(self, record: logging.LogRecord) -> bool:
        if self.wanted(record.levelno):
            renamed = copy.copy(record)
            renamed.name = self.target.name
            if self.target.filter(renamed):
                for handler in _listeners(self.target):
                    if renamed.levelno >= handler.level:
                        handler.handle(renamed)
        return self.enabled(record.levelno)


def install() -> None:
    """Bridge every logger of ``ROUTES``; installing twice changes nothing."""
    for source_name, target_name in ROUTES.items():
        source = logging.getLogger(source_name)
        if any(isinstance(f, _Bridge) for f in source.filters):
            continue
        bridge = _Bridge(target_name, source.isEnabledFor)

        def is_enabled_for(level: int, bridge: _Bridge = bridge) -> bool:
            return bridge.enabled(level) or bridge.wanted(level)

        # the logger decides whether to create a record before any filter runs
        source.isEnabledFor = is_enabled_for  # type: ignore[method-assign]
        source.addFilter(bridge)
