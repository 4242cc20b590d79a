"""Conversions between session identifiers: eid (UUID), session path, experiment reference.

An experiment reference ("exp ref") is ``yyyy-mm-dd_N_subject``; a session path is
``[lab/Subjects/]subject/yyyy-mm-dd/NNN``. The pure functions here need no cache; the methods
of :class:`One` that need one (``eid2path``, ``path2eid``, ``ref2eid``...) build on them. Every
reading of a path or reference goes through the ALF grammar of :mod:`onesdk.alf`. As in the
reference, each converter given a list (or tuple) returns a list, one result per item.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Literal, TypedDict, cast, overload

from onesdk_gen import alf as _grammar

from onesdk.alf import regex
from onesdk.alf._parts import posix_text
from onesdk.alf._path import uuid_in_name
from onesdk.alf._spec import is_uuid_text
from onesdk.errors import ArgumentError

__all__ = [
    "ExpRefConversions",
    "ExpRefDict",
    "RawExpRefDict",
    "dataset_uuid_in_name",
    "dict2ref",
    "is_exp_ref",
    "is_uuid_string",
    "path2ref",
    "ref2dict",
    "session_parts",
]

# The start of a reference: date_number_subject (the subject may go on: the reference's test)
_EXP_REF_START = regex(_grammar.EXP_REF_SPEC)

RefLike = str | Mapping[str, object]
"""An experiment reference as text or as a dict with subject, date and sequence."""
RefList = Sequence[RefLike]
"""Several references: a list or tuple (a str is one reference, never a list of them)."""
PathLike = str | PurePath
PathList = Sequence[PathLike]
_RefResults = list["ExpRefDict | None"] | list["RawExpRefDict | None"] | list[str | None]


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


is_uuid_string = is_uuid_text
dataset_uuid_in_name = uuid_in_name


def session_parts(path: str | PurePath) -> tuple[str, str, str, str] | None:
    """(lab, subject, date, number) of the first session folder within ``path``, or None.

    The session starts a folder and ends at the number folder; ``lab`` is ``''`` without one.
    """
    if not isinstance(path, str | PurePath):
        raise ArgumentError("path", path, "a path (str or PurePath)")
    found = _grammar.SESSION_FOLDERS_RE.search(posix_text(path, "path"))
    if found is None:
        return None
    return found["lab"] or "", found["subject"], found["date"], found["number"]


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


def _path2ref_one(
    path: PathLike, as_dict: bool, parse: bool
) -> ExpRefDict | RawExpRefDict | str | None:
    parts = session_parts(path)
    if parts is None:
        return None
    _, subject, date, number = parts
    if len(number) == 2 and number.startswith("0"):
        return None  # ALF pads session numbers to three digits: "01" is not one
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:  # shaped like a date, but no such day: no session folder
        return None
    if not as_dict:
        return f"{date}_{number}_{subject}"
    if parse:
        return ExpRefDict(subject=subject, date=day, sequence=int(number))
    return RawExpRefDict(subject=subject, date=date, sequence=number)


def _is_exp_ref_one(ref: object) -> bool:
    if isinstance(ref, Mapping):
        if not {"subject", "date", "sequence"} <= set(ref):
            return False
        ref = f"{ref['date']}_{ref['sequence']}_{ref['subject']}"
    return isinstance(ref, str) and _EXP_REF_START.match(ref) is not None


class ExpRefConversions:
    """The reference's experiment-reference converters, as static methods of ``One``.

    They need no cache; each is also a function of this module.
    """

    @overload
    @staticmethod
    def is_exp_ref(  # type: ignore[overload-overlap]  # a list is also an object
        ref: list[str] | list[Mapping[str, object]] | list[object] | tuple[object, ...],
    ) -> list[bool]: ...
    @overload
    @staticmethod
    def is_exp_ref(ref: object) -> bool: ...
    @staticmethod
    def is_exp_ref(ref: object) -> bool | list[bool]:
        """Whether a value is an experiment reference.

        Parameters
        ----------
        ref : object
            Text ``'yyyy-mm-dd_N_subject'``, a dict with subject, date and sequence, or a list of
            such values.

        Returns
        -------
        bool or list of bool
            One answer, or one per item of a list.
        """
        if isinstance(ref, list | tuple):
            return [_is_exp_ref_one(item) for item in ref]
        return _is_exp_ref_one(ref)

    @overload
    @staticmethod
    def ref2dict(ref: RefLike, parse: Literal[True] = True) -> ExpRefDict: ...  # type: ignore[overload-overlap]
    @overload
    @staticmethod
    def ref2dict(ref: RefLike, parse: Literal[False]) -> RawExpRefDict: ...  # type: ignore[overload-overlap]
    @overload
    @staticmethod
    def ref2dict(ref: RefList, parse: Literal[True] = True) -> list[ExpRefDict]: ...
    @overload
    @staticmethod
    def ref2dict(ref: RefList, parse: Literal[False]) -> list[RawExpRefDict]: ...
    @staticmethod
    def ref2dict(
        ref: RefLike | RefList, parse: bool = True
    ) -> ExpRefDict | RawExpRefDict | list[ExpRefDict] | list[RawExpRefDict]:
        """Split an experiment reference into its parts.

        Parameters
        ----------
        ref : str or list of str
            ``'yyyy-mm-dd_N_subject'``.
        parse : bool
            Give the date as ``datetime.date`` and the sequence as ``int`` (else strings).

        Returns
        -------
        dict
            ``{'date', 'sequence', 'subject'}``; a list gives a list.
        """
        if isinstance(ref, list | tuple):
            if parse:
                return [ref2dict(item) for item in ref]
            return [ref2dict(item, parse=False) for item in ref]
        if isinstance(ref, Mapping):
            parts = {k: ref[k] for k in ("date", "sequence", "subject") if k in ref}
            if len(parts) != 3:
                raise ArgumentError("ref", dict(ref), "a dict with subject, date and sequence")
            date, sequence, subject = parts["date"], parts["sequence"], parts["subject"]
        elif isinstance(ref, str):
            pieces = ref.split("_", 2)
            if len(pieces) != 3 or not _EXP_REF_START.match(ref):
                raise ArgumentError("ref", ref, "an experiment reference 'yyyy-mm-dd_N_subject'")
            date, sequence, subject = pieces
        else:
            raise ArgumentError("ref", ref, "an experiment reference string or dict")
        if not parse:
            return RawExpRefDict(subject=str(subject), date=str(date), sequence=str(sequence))
        return ExpRefDict(
            subject=str(subject), date=_date(date, "ref"), sequence=_sequence(sequence, "ref")
        )

    @overload
    @staticmethod
    def dict2ref(ref: ExpRefDict | RawExpRefDict) -> str: ...
    @overload
    @staticmethod
    def dict2ref(
        ref: Sequence[Mapping[str, object]],
    ) -> list[str | None]: ...
    @overload
    @staticmethod
    def dict2ref(ref: Mapping[str, object]) -> str | None: ...
    @staticmethod
    def dict2ref(
        ref: Mapping[str, object] | Sequence[Mapping[str, object]],
    ) -> str | list[str | None] | None:
        """Join reference parts into ``'yyyy-mm-dd_N_subject'``.

        Parameters
        ----------
        ref : dict or list of dict
            ``{'subject', 'date', 'sequence'}`` (``number`` is accepted for ``sequence``).

        Returns
        -------
        str or None
            The reference (None for an empty dict); a list gives a list.
        """
        if isinstance(ref, list | tuple):
            return [dict2ref(item) for item in ref]
        if not isinstance(ref, Mapping):
            raise ArgumentError("ref", ref, "a dict with subject, date and sequence")
        if not ref:
            return None
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
    @staticmethod
    def path2ref(  # type: ignore[overload-overlap]  # a str is also a sequence
        path: PathLike, as_dict: Literal[True] = True, parse: Literal[True] = True
    ) -> ExpRefDict | None: ...
    @overload
    @staticmethod
    def path2ref(  # type: ignore[overload-overlap]  # a str is also a sequence
        path: PathLike, as_dict: Literal[True] = True, *, parse: Literal[False]
    ) -> RawExpRefDict | None: ...
    @overload
    @staticmethod
    def path2ref(path: PathLike, as_dict: Literal[False], parse: bool = True) -> str | None: ...  # type: ignore[overload-overlap]
    @overload
    @staticmethod
    def path2ref(
        path: PathList, as_dict: Literal[True] = True, parse: Literal[True] = True
    ) -> list[ExpRefDict | None]: ...
    @overload
    @staticmethod
    def path2ref(
        path: PathList, as_dict: Literal[True] = True, *, parse: Literal[False]
    ) -> list[RawExpRefDict | None]: ...
    @overload
    @staticmethod
    def path2ref(
        path: PathList, as_dict: Literal[False], parse: bool = True
    ) -> list[str | None]: ...
    @staticmethod
    def path2ref(
        path: PathLike | PathList, as_dict: bool = True, parse: bool = True
    ) -> (
        ExpRefDict
        | RawExpRefDict
        | str
        | list[ExpRefDict | None]
        | list[RawExpRefDict | None]
        | list[str | None]
        | None
    ):
        """The experiment reference of the session folder in a path.

        Parameters
        ----------
        path : str, pathlib.PurePath, or a list of them
            A session folder or a path inside one.
        as_dict : bool
            Return a dict instead of ``'yyyy-mm-dd_N_subject'``.
        parse : bool
            With ``as_dict``, give the date as ``datetime.date`` and the sequence as ``int``.

        Returns
        -------
        dict, str or None
            The reference; None when the path holds no ALF session (a number folder must have
            three digits). A list gives a list.
        """
        if isinstance(path, list | tuple):
            found = [_path2ref_one(item, as_dict, parse) for item in path]
            return cast(
                list[ExpRefDict | None] | list[RawExpRefDict | None] | list[str | None], found
            )
        if not isinstance(path, str | PurePath):
            raise ArgumentError("path", path, "a path (str or PurePath) or a list of them")
        return _path2ref_one(path, as_dict, parse)


is_exp_ref = ExpRefConversions.is_exp_ref
ref2dict = ExpRefConversions.ref2dict
dict2ref = ExpRefConversions.dict2ref
path2ref = ExpRefConversions.path2ref


def parse_uuid(value: object, argument: str = "eid") -> uuid.UUID:
    """A UUID from a UUID or its string (a URL ending in one also works).

    The legacy form of older cache tables, a pair of int64 (an array of shape (2,) or (1, 2),
    the UUID's 16 bytes read as two little-endian int64), is read too, as one-api does.
    """
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        text = value.strip()[-36:]
        if is_uuid_string(text):
            return uuid.UUID(text)
    elif (pair := _uuid_of_int64_pair(value)) is not None:
        return pair
    raise ArgumentError(argument, value, "a UUID or UUID string")


def _uuid_of_int64_pair(value: object) -> uuid.UUID | None:
    tolist = getattr(value, "tolist", None)  # a numpy array, without importing numpy
    items = tolist() if callable(tolist) else value
    if isinstance(items, list | tuple) and len(items) == 1 and isinstance(items[0], list | tuple):
        items = items[0]
    if not isinstance(items, list | tuple) or len(items) != 2:
        return None
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        return None
    try:
        return uuid.UUID(bytes=struct.pack("<qq", *items))
    except struct.error:  # out of the int64 range
        return None
