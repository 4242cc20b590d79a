"""Typed checks of public arguments, in one place: each raises ArgumentError naming the argument.

The facades call these before anything reaches the query model or the repository, so a wrong
type or a pattern that does not compile is reported against the name the caller used, instead of
surfacing as a TypeError, KeyError or ``re.error`` from deep inside.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePath

from onesdk.errors import ArgumentError, UnknownTermError, UnsafePathError

__all__ = [
    "date_value",
    "eid_like",
    "filename_filter",
    "instance",
    "part_value",
    "path_like",
    "path_part",
    "session_numbers",
    "text_items",
    "text_or_path",
]

#: what an experiment ID may be
_EID_TYPES = (str, uuid.UUID, PurePath, Mapping)


def eid_like(value: object, argument: str = "eid") -> object:
    """``value`` if it may name a session (UUID, str, path or dict); else raise."""
    if isinstance(value, bool) or not isinstance(value, _EID_TYPES):
        raise ArgumentError(
            argument, value, "an experiment ID: UUID, session path, exp ref or dict"
        )
    return value


def path_like(value: object, argument: str = "path") -> str | os.PathLike[str]:
    """``value`` if it is a str or os.PathLike of str without NUL characters; else raise."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, os.PathLike):
        text = os.fspath(value)
        if not isinstance(text, str):
            raise ArgumentError(argument, value, "a path (str or os.PathLike of str)")
    else:
        raise ArgumentError(argument, value, "a path (str or os.PathLike)")
    if "\0" in text:
        raise ArgumentError(argument, value, "a path without NUL characters")
    return value


def text_or_path(value: object, argument: str = "path") -> str:
    """The posix text of a str or path argument (backslashes read as separators)."""
    checked = path_like(value, argument)
    if isinstance(checked, PurePath):
        return checked.as_posix()
    return os.fspath(checked).replace("\\", "/")


def instance(value: object, types: type | tuple[type, ...], argument: str, expected: str) -> None:
    """Raise unless ``value`` is an instance of ``types``."""
    if not isinstance(value, types):
        raise ArgumentError(argument, value, expected)


def text_items(value: object, argument: str) -> str | tuple[str, ...]:
    """A str, or the items of an iterable of str as a tuple; else raise."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Iterable) or isinstance(value, bytes | Mapping):
        raise ArgumentError(argument, value, "a str or a list of str")
    items = tuple(value)
    if not all(isinstance(v, str) for v in items):
        raise ArgumentError(argument, value, "a str or a list of str")
    return items


def part_value(value: object, argument: str, *, wildcards: bool) -> None:
    """A part filter: None, a pattern, or a list of patterns that compile (regex mode)."""
    if value is None:
        return
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not all(isinstance(v, str) for v in items):
        raise ArgumentError(argument, value, "a string, a list of strings, or None")
    if wildcards:
        return
    for item in items:
        try:
            re.compile(item)
        except re.error as exc:
            raise ArgumentError(argument, item, f"a valid regular expression ({exc})") from None


def filename_filter(
    value: object,
    argument: str,
    *,
    wildcards: bool,
    parts: Sequence[str],
    part_arguments: Mapping[str, str] | None = None,
) -> None:
    """A filename filter: a pattern, a list of patterns, or a dict of ALF ``parts``.

    Errors in one part of a dict name ``part_arguments[part]`` (default: ``argument``).
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or key not in parts:
                raise UnknownTermError(str(key), parts, context=f"{argument} part")
            name = (part_arguments or {}).get(key, argument)
            part_value(item, name, wildcards=wildcards)
        return
    part_value(value, argument, wildcards=wildcards)


def date_value(value: object, argument: str) -> dt.date:
    """A date from a date, a datetime (its date) or an ISO string ``YYYY-MM-DD[THH:MM...]``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise ArgumentError(argument, value, "a date, datetime or ISO date string (YYYY-MM-DD)")


def path_part(value: object, field: str, *, optional: bool = False) -> str:
    """``value`` if it is one safe folder name (a session's ``lab`` or ``subject``).

    Values come from cache tables and servers, which are not trusted: an absolute path, ``..``,
    a separator, a NUL byte or a drive letter would make a session path leave the cache dir,
    so they raise :class:`UnsafePathError` naming the field.
    """
    text = "" if value is None else str(value)
    if optional and not text:
        return ""
    unsafe = (
        not text
        or text in (".", "..")
        or any(c in text for c in "/\\\0")
        or (len(text) >= 2 and text[1] == ":")
        or len(text.encode("utf-8", "surrogatepass")) > 255
    )
    if unsafe:
        shown = repr(text[:80])
        raise UnsafePathError(
            f"session {field} {shown} is not a single folder name; the cache table or the "
            "server's record is corrupt or hostile"
        )
    return text


#: a session number is a small positive count (three digits in a session path)
_MAX_NUMBER = 10**9


def session_numbers(value: object, argument: str = "number") -> tuple[int, ...]:
    """Session numbers from an int, a digit string or a list of them; else ArgumentError.

    ``bytes`` are refused (they iterate as character codes: ``b"1"`` would search 49), as
    are bools and numbers no session can have (negative, or beyond 64 bits).
    """
    items = [value] if isinstance(value, str | int) else value
    if isinstance(items, bytes | bytearray | Mapping) or not isinstance(items, Iterable):
        raise ArgumentError(argument, value, "an int or a list of ints")
    numbers: list[int] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise ArgumentError(argument, value, "an int or a list of ints")
        text = str(item).strip()
        if not text.isascii() or not text.isdigit() or int(text) > _MAX_NUMBER:
            raise ArgumentError(argument, value, f"session numbers from 0 to {_MAX_NUMBER}")
        numbers.append(int(text))
    return tuple(numbers)
