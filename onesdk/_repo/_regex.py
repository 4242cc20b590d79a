"""User regular expressions on a linear-time engine (RE2), so no pattern can hang a search.

Python's ``re`` backtracks: ``(\\w|\\w)*!`` against a long name never returns. Patterns that
come from users (search filters, dataset names with wildcards off) are compiled with RE2
(``google-re2``), which matches in time linear in the text. RE2 has no backreferences and no
lookaround; such a pattern is refused with an :class:`~onesdk.errors.ArgumentError` naming the
argument, unless the pattern was built by onesdk itself from a shell glob (``fnmatch`` emits
lookaheads, and is linear by design), which keeps Python's engine.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import cast

import re2  # type: ignore[import-untyped]

from onesdk.errors import ArgumentError

__all__ = ["compile_user_pattern"]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print its parse errors to stderr


@lru_cache(maxsize=512)
def _compiled(pattern: str, trusted: bool) -> re.Pattern[str]:
    try:
        return cast(re.Pattern[str], re2.compile(pattern, _OPTIONS))
    except re2.error as exc:
        if not trusted:
            raise ValueError(_message(exc)) from None
    return re.compile(pattern)


def _message(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else exc
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    return str(detail)


def compile_user_pattern(pattern: str, argument: str, *, trusted: bool = False) -> re.Pattern[str]:
    """``pattern`` compiled on RE2 (``trusted``: built by onesdk, may fall back to ``re``)."""
    try:
        return _compiled(pattern, trusted)
    except (ValueError, re.error) as exc:
        raise ArgumentError(
            argument,
            pattern,
            f"a regular expression RE2 accepts, without backreferences or lookaround ({exc})",
        ) from None
