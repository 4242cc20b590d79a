"""Conversions between session identifiers: eid (UUID), session path, experiment reference.

An experiment reference ("exp ref") is ``yyyy-mm-dd_N_subject``; a session path is
``[lab/Subjects/]subject/yyyy-mm-dd/NNN``. The pure functions here need no cache; the methods
of :class:`One` that need one (``eid2path``, ``path2eid``, ``ref2eid``...) build on them.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from pathlib import PurePath
from typing import Literal, TypedDict, overload

from onesdk.errors import ArgumentError

__all__ = [
    "ExpRefDict",
    "RawExpRefDict",
    "dict2ref",
    "is_exp_ref",
    "is_uuid_string",
    "path2ref",
    "ref2dict",
    "session_parts",
]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_EXP_REF = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})_(?P<sequence>\d{1,3})_(?P<subject>\w+)")
_SESSION_IN_PATH = re.compile(
    r"(?:^|/)(?:(?P<lab>\w+)/Subjects/)?(?P<subject>[\w.-]+)/(?P<date>\d{4}-\d{2}-\d{2})/"
    r"(?P<number>\d{1,3})(?=/|$)"
)


class ExpRefDict(TypedDict):
    """A parsed experiment reference."""

    subject: str
    date: dt.date
    sequence: int


class RawExpRefDict(TypedDict):
    """An experiment reference with its parts as strings."""

    subject: str
    date: str
    sequence: str


def is_uuid_string(value: object) -> bool:
    return isinstance(value, str) and _UUID.match(value) is not None


def session_parts(path: str | PurePath) -> tuple[str, str, str, str] | None:
    """(lab, subject, date, number) of the session folder within ``path``, or None."""
    if not isinstance(path, str | PurePath):
        raise ArgumentError("path", path, "a path (str or PurePath)")
    text = PurePath(path).as_posix() if isinstance(path, PurePath) else path.replace("\\", "/")
    matches = list(_SESSION_IN_PATH.finditer(text))
    if not matches:
        return None
    match = matches[-1]
    return match["lab"] or "", match["subject"], match["date"], match["number"]


def is_exp_ref(ref: object) -> bool:
    """Whether ``ref`` is an exp ref string or a dict with subject, date and sequence."""
    if isinstance(ref, Mapping):
        if not {"subject", "date", "sequence"} <= set(ref):
            return False
        ref = f"{ref['date']}_{ref['sequence']}_{ref['subject']}"
    return isinstance(ref, str) and _EXP_REF.match(ref) is not None


@overload
def ref2dict(ref: str | Mapping[str, object], parse: Literal[True] = True) -> ExpRefDict: ...
@overload
def ref2dict(ref: str | Mapping[str, object], parse: Literal[False]) -> RawExpRefDict: ...
def ref2dict(ref: str | Mapping[str, object], parse: bool = True) -> ExpRefDict | RawExpRefDict:
    """``'2020-01-01_1_subj'`` -> ``{'date', 'sequence', 'subject'}`` (parsed unless told not)."""
    if isinstance(ref, Mapping):
        parts = {k: ref[k] for k in ("date", "sequence", "subject") if k in ref}
        if len(parts) != 3:
            raise ArgumentError("ref", dict(ref), "a dict with subject, date and sequence")
        date, sequence, subject = parts["date"], parts["sequence"], parts["subject"]
    elif isinstance(ref, str):
        pieces = ref.split("_", 2)
        if len(pieces) != 3 or not _EXP_REF.match(ref):
            raise ArgumentError("ref", ref, "an experiment reference 'yyyy-mm-dd_N_subject'")
        date, sequence, subject = pieces
    else:
        raise ArgumentError("ref", ref, "an experiment reference string or dict")
    if not parse:
        return RawExpRefDict(subject=str(subject), date=str(date), sequence=str(sequence))
    return ExpRefDict(
        subject=str(subject), date=_date(date, "ref"), sequence=_sequence(sequence, "ref")
    )


def _date(value: object, argument: str = "date") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ArgumentError(argument, value, "an ISO date yyyy-mm-dd") from None


def _sequence(value: object, argument: str) -> int:
    text = str(value)
    if not text.isdigit():
        raise ArgumentError(argument, value, "a session number (a non-negative int)")
    return int(text)


def dict2ref(ref: Mapping[str, object]) -> str:
    """``{'subject', 'date', 'sequence'|'number'}`` -> ``'yyyy-mm-dd_N_subject'``."""
    if not isinstance(ref, Mapping):
        raise ArgumentError("ref", ref, "a dict with subject, date and sequence")
    if "sequence" in ref:
        sequence = ref["sequence"]
    elif "number" in ref:
        sequence = ref["number"]
    else:
        raise ArgumentError("ref", dict(ref), "a dict with subject, date and sequence")
    if "date" in ref:
        date = ref["date"]
    elif "start_time" in ref:
        date = str(ref["start_time"])[:10]
    else:
        raise ArgumentError("ref", dict(ref), "a dict with a date or start_time")
    subject = ref.get("subject")
    parsed = not all(isinstance(v, str) for v in (date, sequence))
    if parsed:
        return f"{_date(date, 'ref').isoformat()}_{_sequence(sequence, 'ref')}_{subject}"
    return f"{date}_{sequence}_{subject}"


@overload
def path2ref(
    path: str | PurePath, as_dict: Literal[True] = True, parse: Literal[True] = True
) -> ExpRefDict | None: ...
@overload
def path2ref(
    path: str | PurePath, as_dict: Literal[True] = True, *, parse: Literal[False]
) -> RawExpRefDict | None: ...
@overload
def path2ref(path: str | PurePath, as_dict: Literal[False], parse: bool = True) -> str | None: ...
def path2ref(
    path: str | PurePath, as_dict: bool = True, parse: bool = True
) -> ExpRefDict | RawExpRefDict | str | None:
    """The experiment reference of the session folder in ``path`` (None if there is none)."""
    parts = session_parts(path)
    if parts is None:
        return None
    _, subject, date, number = parts
    if not as_dict:
        return f"{date}_{number}_{subject}"
    if parse:
        return ExpRefDict(subject=subject, date=dt.date.fromisoformat(date), sequence=int(number))
    return RawExpRefDict(subject=subject, date=date, sequence=number)


def parse_uuid(value: object, argument: str = "eid") -> uuid.UUID:
    """A UUID from a UUID or its string (a URL ending in one also works)."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        text = value.strip()[-36:]
        if is_uuid_string(text):
            return uuid.UUID(text)
    raise ArgumentError(argument, value, "a UUID or UUID string")
