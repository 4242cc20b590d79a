"""Environment variables the reference documents for analyses, read when a call is made.

``ONE_REVISION_LAST_BEFORE``: pin every load to the last revision at or before this one (for
example ``2024-01-01``), so an analysis rerun later reads the data it read then. one-api reads
it once at import; onesdk reads it at each load, so setting it in a running session (or in
``os.environ`` before a worker starts) takes effect.
"""

from __future__ import annotations

import os

from onesdk.errors import ArgumentError

__all__ = ["REVISION_LAST_BEFORE", "refuse_with_pinned_revision", "revision_last_before"]

#: the variable's name, as one-api documents it
REVISION_LAST_BEFORE = "ONE_REVISION_LAST_BEFORE"


def revision_last_before() -> str | None:
    """The revision loads are pinned to; None when ``ONE_REVISION_LAST_BEFORE`` is unset."""
    value = os.environ.get(REVISION_LAST_BEFORE, "").strip()
    return value or None


def refuse_with_pinned_revision(argument: str, value: object) -> None:
    """Raise when a relative path (an exact revision) is loaded while loads are pinned.

    A relative path names its revision, which may be newer than the pin: one-api refuses the
    pair rather than silently loading past the pin, and so does onesdk.
    """
    pinned = revision_last_before()
    if pinned is not None:
        raise ArgumentError(
            argument,
            value,
            f"a dataset name with collection=/revision= arguments: relative paths name an exact "
            f"revision, which {REVISION_LAST_BEFORE}={pinned!r} forbids (unset it to load them)",
        )
