"""Faults the replay server can inject, one response at a time.

A fault is attached to a request path (or a predicate on it) with a number of times it fires;
the server consults its faults before answering normally. Each fault decides how the answer is
damaged: a status code instead of the body, a connection dropped mid-body, altered or missing
bytes, a delay longer than the client's timeout, a body trickled slowly, or Range ignored.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Status:
    """Answer ``status`` (with ``headers``) instead of the real response."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclasses.dataclass(frozen=True)
class DropAfter:
    """Promise the full length, send ``nbytes`` of the body, then close the connection."""

    nbytes: int


@dataclasses.dataclass(frozen=True)
class Truncate:
    """A well-formed response whose body is only the first ``nbytes`` (Content-Length matches)."""

    nbytes: int


@dataclasses.dataclass(frozen=True)
class Corrupt:
    """The right length, but one byte altered (so the md5 differs)."""

    offset: int = 0


@dataclasses.dataclass(frozen=True)
class Delay:
    """Wait ``seconds`` before answering (beyond the client's timeout)."""

    seconds: float


@dataclasses.dataclass(frozen=True)
class Trickle:
    """Send the body in ``chunk``-byte pieces with ``pause`` seconds between them."""

    chunk: int
    pause: float


@dataclasses.dataclass(frozen=True)
class IgnoreRange:
    """Answer a Range request with the whole body and 200, as servers without Range do."""


Fault = Status | DropAfter | Truncate | Corrupt | Delay | Trickle | IgnoreRange
PathMatch = str | Callable[[str], bool]


@dataclasses.dataclass
class _Armed:
    match: PathMatch
    fault: Fault
    remaining: int
    host: str | None

    def applies(self, host: str, path: str) -> bool:
        if self.remaining <= 0 or (self.host is not None and self.host != host):
            return False
        if isinstance(self.match, str):
            return self.match == path
        return self.match(path)


class FaultPlan:
    """Thread-safe list of armed faults; the first one that applies to a request fires."""

    def __init__(self) -> None:
        self._armed: list[_Armed] = []
        self._lock = threading.Lock()
        self.fired: list[tuple[str, str, Fault]] = []

    def add(
        self, match: PathMatch, fault: Fault, *, times: int = 1, host: str | None = None
    ) -> None:
        """Arm ``fault`` for requests whose path is ``match`` (or satisfies it), ``times`` times.

        ``host`` restricts it to ``'alyx'`` or ``'files'``.
        """
        if times < 1:
            raise ValueError(f"times must be >= 1, got {times}")
        with self._lock:
            self._armed.append(_Armed(match, fault, times, host))

    def take(self, host: str, path: str) -> Fault | None:
        """The fault to apply to this request, consuming one of its uses; None for none."""
        with self._lock:
            for armed in self._armed:
                if armed.applies(host, path):
                    armed.remaining -= 1
                    self.fired.append((host, path, armed.fault))
                    return armed.fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()
