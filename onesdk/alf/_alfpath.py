"""``ALFPath``: a ``pathlib.Path`` that reads and replaces its ALF parts (``PureALFPath``: the same
on a ``pathlib.PurePath``, never touching the disk).

Where :class:`~onesdk.alf.AlfPath` is a strict value object (it accepts only text that reads back
as written), ``ALFPath`` is an ordinary path of this operating system with the reference's ALF
properties and ``with_*`` methods. Its properties read parts leniently, as the reference-named
parsers do: a part the path does not have reads as ``''``. Every reading and every replacement
goes through the grammar generated from the ALF spec.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Literal, Self, TypeVar, cast, overload
from uuid import UUID

from onesdk_gen import alf as _gen
from onesdk_gen.alf import (
    EmptyFilenameParts,
    EmptyFilenamePartsDict,
    FilenameParts,
    FilenamePartsDict,
    FullPathParts,
    FullPathPartsDict,
)

from onesdk.alf._parts import (
    StrPath,
    filename_parts,
    full_path_parts,
    posix_text,
    rel_path_parts,
    session_path_parts,
)
from onesdk.alf._path import (
    add_uuid_string,
    get_session_path,
    padded_sequence,
    remove_uuid_string,
    without_revision,
)
from onesdk.alf._spec import is_session_path, is_valid, regex
from onesdk.errors import ALFInvalid, ArgumentError

__all__ = [
    "ALFPath",
    "PureALFPath",
    "PurePosixALFPath",
    "PureWindowsALFPath",
    "ensure_alf_path",
]

if TYPE_CHECKING:
    _PathOfThisSystem = Path
else:
    # Path() is PosixPath or WindowsPath: subclass the concrete one (Python 3.11 needs it)
    _PathOfThisSystem = type(Path())

_LAB_PREFIX = regex("{lab}/Subjects/")
_COLLECTION_FOLDERS = _gen.COLLECTION_FOLDERS_RE


def _checked(value: object, part: str, argument: str | None = None) -> str:
    """``value`` when it is a valid ALF ``part`` on its own, else an ``ArgumentError``."""
    if not isinstance(value, str) or not value or not _gen.PART_RE[part].fullmatch(value):
        raise ArgumentError(argument or part, value, f"an ALF {part}: {_gen.PART_RULES[part]}")
    return value


class PureALFPath(PurePath):
    """A pure path (never touching the disk) with ALF part properties and ``with_*`` replacers.

    ``PureALFPath(...)`` gives a :class:`PurePosixALFPath` or, on Windows, a
    :class:`PureWindowsALFPath`, as ``PurePath(...)`` does. :class:`ALFPath` adds the checks that
    look at the disk.

    >>> p = PureALFPath("lab/Subjects/KS005/2020-01-01/001/alf/_ibl_trials.intervals.npy")
    >>> p.subject, p.sequence, p.collection, p.object
    ('KS005', '001', 'alf', 'trials')
    >>> p.with_revision("2021-01-01").relative_to_session().as_posix()
    'alf/#2021-01-01#/_ibl_trials.intervals.npy'
    >>> p.revision
    ''

    Parts the path does not have read as ``''`` (as in the reference). Replacers check the new
    value (``ArgumentError`` naming it) and the path (``ALFInvalid`` when it has no such part).
    """

    def __new__(cls, *args: StrPath) -> Self:
        target: type[PureALFPath] = cls
        if cls is PureALFPath:
            target = PureWindowsALFPath if os.name == "nt" else PurePosixALFPath
        return cast(Self, super(PureALFPath, target).__new__(target, *args))

    # --- what the path is -------------------------------------------------------------------

    def is_dataset(self) -> bool:
        """True when the file name is an ALF dataset name."""
        return is_valid(self.name)

    def is_session_path(self) -> bool:
        """True when the path ends with a session folder.

        Like the reference, it also works on the class: ``PureALFPath.is_session_path(text)``.
        """
        return is_session_path(self)

    def is_valid_alf(self) -> bool:
        """True when the path is a session, collection, revision or dataset path.

        Like the reference, it also works called on the class: ``PureALFPath.is_valid_alf(text)``.
        """
        try:
            full_path_parts(self)
        except ALFInvalid:
            return False
        return True

    # --- reading parts ----------------------------------------------------------------------

    def session_path(self) -> Self | None:
        """The path up to and including its session folder, or None without a session."""
        return get_session_path(self)

    def session_path_short(self, include_lab: bool = False) -> str | None:
        """``subject/date/number`` (``include_lab``: ``lab/subject/date/number``), or None."""
        parts = self.session_parts[0 if include_lab else 1 :]
        return "/".join(p for p in parts if p) if any(parts) else None

    def without_lab(self) -> Self:
        """The path without its ``lab/Subjects/`` folders (the same path when it has none)."""
        text = self.as_posix()
        if match := _LAB_PREFIX.search(text):
            return type(self)(text[: match.start()], text[match.end() :])
        return self

    def relative_to_lab(self) -> Self:
        """The part of the path after ``lab/Subjects/``; ``ALFInvalid`` when it has none."""
        text = self.as_posix()
        if match := _LAB_PREFIX.search(text):
            return type(self)(text[match.end() :])
        raise ALFInvalid(str(self), "path: expected a lab/Subjects/ part")

    def relative_to_session(self) -> Self:
        """The part of the path inside its session folder; ``ALFInvalid`` without a session."""
        session = self.session_path()
        if session is None:
            raise ALFInvalid(str(self), f"path: expected a session {_gen.READABLE['session']}")
        return self.relative_to(session)

    @overload
    def parse_alf_path(self, as_dict: Literal[True] = True) -> FullPathPartsDict: ...
    @overload
    def parse_alf_path(self, as_dict: Literal[False]) -> FullPathParts: ...
    def parse_alf_path(self, as_dict: bool = True) -> FullPathPartsDict | FullPathParts:
        """Every ALF part of the path (None where absent), as a dict unless ``as_dict=False``."""
        return full_path_parts(self, as_dict=as_dict, assert_valid=False)

    @overload
    def parse_alf_name(
        self, as_dict: Literal[True] = True
    ) -> FilenamePartsDict | EmptyFilenamePartsDict: ...
    @overload
    def parse_alf_name(self, as_dict: Literal[False]) -> FilenameParts | EmptyFilenameParts: ...
    def parse_alf_name(
        self, as_dict: bool = True
    ) -> FilenamePartsDict | EmptyFilenamePartsDict | FilenameParts | EmptyFilenameParts:
        """The parts of the file name (all None when it is not ALF), as a dict by default."""
        return filename_parts(self.name, as_dict=as_dict, assert_valid=False)

    @property
    def dataset_name_parts(self) -> tuple[str, ...]:
        """namespace, object, attribute, timescale, extra, extension (``''`` where absent)."""
        return tuple(p or "" for p in self.parse_alf_name(as_dict=False))

    @property
    def session_parts(self) -> tuple[str, ...]:
        """lab, subject, date, number (``''`` where absent)."""
        return tuple(p or "" for p in session_path_parts(self, assert_valid=False))

    @property
    def alf_parts(self) -> tuple[str, ...]:
        """Every ALF part in path order (``''`` where absent)."""
        return tuple(p or "" for p in self.parse_alf_path(as_dict=False))

    @property
    def lab(self) -> str:
        """The lab, or ``''``."""
        return self.session_parts[0]

    @property
    def subject(self) -> str:
        """The subject, or ``''``."""
        return self.session_parts[1]

    @property
    def date(self) -> str:
        """The session date ``yyyy-mm-dd``, or ``''``."""
        return self.session_parts[2]

    @property
    def sequence(self) -> str:
        """The session number as written (e.g. ``'001'``), or ``''``."""
        return self.session_parts[3]

    @property
    def collection(self) -> str:
        """The collection, or ``''``."""
        return self.alf_parts[4]

    @property
    def revision(self) -> str:
        """The revision (without the pound signs), or ``''``."""
        return self.alf_parts[5]

    @property
    def namespace(self) -> str:
        """The namespace of the file name, or ``''``."""
        return self.dataset_name_parts[0]

    @property
    def object(self) -> str:
        """The ALF object of the file name, or ``''``."""
        return self.dataset_name_parts[1]

    @property
    def attribute(self) -> str:
        """The attribute of the file name, or ``''``."""
        return self.dataset_name_parts[2]

    @property
    def timescale(self) -> str:
        """The timescale of the file name, or ``''``."""
        return self.dataset_name_parts[3]

    @property
    def extra(self) -> str:
        """The extra parts of the file name joined by periods, or ``''``."""
        return self.dataset_name_parts[4]

    @property
    def extension(self) -> str:
        """The ALF extension (no period), or ``''``."""
        return self.dataset_name_parts[5]

    # --- replacing session parts ------------------------------------------------------------

    def _session_replaced(self, group: str, text: str) -> Self:
        """The path with one group of its first session match replaced by ``text``."""
        posix = self.as_posix()
        match = _gen.SESSION_SEARCH_RE.search(posix)
        if match is None:
            raise ALFInvalid(str(self), f"path: expected a session {_gen.READABLE['session']}")
        start, end = match.span(group) if match[group] is not None else match.span("subject")
        if match[group] is None:  # the lab is absent: insert it before the subject
            end = start
        return type(self)(posix[:start] + text + posix[end:])

    def with_lab(self, lab: str, strict: bool = False) -> Self:
        """The path with its lab replaced, or added with ``lab/Subjects/`` when absent.

        ``strict``: the path must already have a lab (``ALFInvalid`` otherwise).
        """
        _checked(lab, "lab")
        if not self.subject or (strict and not self.lab):
            raise ALFInvalid(str(self), "path: expected a session path with a lab part")
        return self._session_replaced("lab", lab if self.lab else f"{lab}/Subjects/")

    def with_subject(self, subject: str) -> Self:
        """The path with its subject replaced."""
        return self._session_replaced("subject", _checked(subject, "subject"))

    def with_date(self, date: str | dt.date) -> Self:
        """The path with its session date replaced (a ``date`` or ``yyyy-mm-dd`` text)."""
        text = date.isoformat()[:10] if isinstance(date, dt.date) else date
        return self._session_replaced("date", _checked(text, "date", "date"))

    def with_sequence(self, number: str | int) -> Self:
        """The path with its session number replaced, zero-padded to three digits."""
        value: object = number
        if isinstance(number, str) and number.strip().isdigit():
            value = int(number.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise ArgumentError("number", number, "a session number (an int or digits)")
        return self._session_replaced("number", _checked(f"{value:03d}", "number", "number"))

    def with_padded_sequence(self) -> Self:
        """The path with its session number zero-padded to three digits (``1`` -> ``001``)."""
        return padded_sequence(self)

    # --- replacing file name parts ----------------------------------------------------------

    def _name_parts(self) -> tuple[FilenameParts, str, str, str]:
        """The parsed file name, and its text split at the first two periods.

        Replacers rebuild only the piece they change; the others stay as written.
        """
        if not self.is_dataset():
            raise ALFInvalid(str(self), f"file name: expected {_gen.READABLE['filename']}")
        ns_obj, attr_ts, rest = self.name.split(".", 2)
        return filename_parts(self.name), ns_obj, attr_ts, rest

    def with_object(self, obj: str) -> Self:
        """The path with the object of its file name replaced."""
        parts, _, attr_ts, rest = self._name_parts()
        namespace = f"_{parts.namespace}_" if parts.namespace else ""
        return self.with_name(f"{namespace}{_checked(obj, 'object', 'obj')}.{attr_ts}.{rest}")

    def with_namespace(self, ns: str | None) -> Self:
        """The path with the namespace of its file name replaced (``None``/``''`` removes it)."""
        parts, _, attr_ts, rest = self._name_parts()
        namespace = f"_{_checked(ns, 'namespace', 'ns')}_" if ns else ""
        return self.with_name(f"{namespace}{parts.object}.{attr_ts}.{rest}")

    def with_attribute(self, attr: str) -> Self:
        """The path with the attribute of its file name replaced (its timescale kept)."""
        parts, ns_obj, _, rest = self._name_parts()
        timescale = f"_{parts.timescale}" if parts.timescale else ""
        attribute = _checked(attr, "attribute", "attr")
        return self.with_name(f"{ns_obj}.{attribute}{timescale}.{rest}")

    def with_timescale(self, timescale: str | None) -> Self:
        """The path with the timescale of its file name replaced (``None``/``''`` removes it).

        An attribute ending in ``_times`` or ``_intervals`` keeps that ending.
        """
        parts, ns_obj, _, rest = self._name_parts()
        suffix = f"_{_checked(timescale, 'timescale')}" if timescale else ""
        return self.with_name(f"{ns_obj}.{parts.attribute}{suffix}.{rest}")

    def with_extra(self, extra: str | Iterable[str] | None, append: bool = False) -> Self:
        """The path with the extra parts of its file name replaced (``append``: added to).

        ``extra`` is ``'a.b'`` or ``['a', 'b']``; ``None`` or ``''`` removes them.
        """
        parts, ns_obj, attr_ts, _ = self._name_parts()
        if extra is None:
            new: list[str] = []
        elif isinstance(extra, str):
            new = extra.strip(".").split(".")
        else:
            new = list(extra)
        if append and parts.extra:
            new = [*parts.extra.split("."), *new]
        extras = "".join(f".{_checked(e, 'extra')}" for e in new if e)
        return self.with_name(f"{ns_obj}.{attr_ts}{extras}.{parts.extension}")

    def with_extension(self, ext: str) -> Self:
        """The path with the extension of its file name replaced (``ext`` without the period)."""
        _checked(ext, "extension", "ext")
        self._name_parts()  # a file name to replace it in
        return self.with_suffix(f".{ext}")

    def with_uuid(self, uuid: str | UUID, strict: bool = False) -> Self:
        """The path with ``uuid`` as the last extra part of its file name.

        A different UUID already there is replaced, or raises ``ArgumentError`` when ``strict``.
        """
        self._name_parts()
        return add_uuid_string(self, uuid, strict=strict)

    def without_uuid(self) -> Self:
        """The path without a UUID in its file name (unchanged when there is none)."""
        return remove_uuid_string(self) if self.is_dataset() else self

    # --- replacing folders ------------------------------------------------------------------

    def with_collection(self, collection: str | PurePath) -> Self:
        """The path with its collection replaced, or added after the session when absent."""
        text = PurePath(collection or "").as_posix().strip("/")
        _checked(text, "collection", "collection")
        session = self.session_path()
        if session is None:
            raise ALFInvalid(str(self), f"path: expected a session {_gen.READABLE['session']}")
        if self == session:
            return self.joinpath(text)
        rel = self.relative_to(session).as_posix()
        if self.is_dataset():
            found = rel_path_parts(rel, assert_valid=False)
            if found.object is None:  # folders between session and file that are not ALF
                raise ALFInvalid(str(self), f"path: expected {_gen.READABLE['full_path']}")
            revision, name = found.revision, [self.name]
        elif match := _COLLECTION_FOLDERS.match(rel + "/"):
            revision, name = match["revision"], []
        else:
            raise ALFInvalid(str(self), f"folder: expected {_gen.READABLE['collection']}")
        folders = [text, f"#{revision}#"] if revision else [text]
        return session.joinpath(*folders, *name)

    def with_revision(self, revision: str) -> Self:
        """The path with its ``#revision#`` folder replaced, or added when absent."""
        if not isinstance(revision, str) or not _gen.PART_RE["revision"].fullmatch(revision):
            raise ALFInvalid(str(revision), f"revision: expected {_gen.PART_RULES['revision']}")
        if is_valid(self.name):
            return self.without_revision().parent / f"#{revision}#" / self.name
        return self.without_revision() / f"#{revision}#"

    def without_revision(self) -> Self:
        """The path without its ``#revision#`` folder (unchanged when it has none)."""
        if is_valid(self.name):
            return without_revision(self)
        try:
            full_path_parts(self)
        except ALFInvalid:
            raise ALFInvalid(str(self), "path: not an ALF path inside a session") from None
        name = self.name
        if (
            name.startswith("#")
            and name.endswith("#")
            and _gen.PART_RE["revision"].fullmatch(name[1:-1])
        ):
            return self.parent
        return self


class PurePosixALFPath(PureALFPath, PurePosixPath):
    """A :class:`PureALFPath` with POSIX path rules."""

    __slots__ = ()


class PureWindowsALFPath(PureALFPath, PureWindowsPath):
    """A :class:`PureALFPath` with Windows path rules."""

    __slots__ = ()


class ALFPath(PureALFPath, _PathOfThisSystem):
    """A path of this system with its ALF parts as properties and ``with_*`` replacers.

    >>> p = ALFPath("/data/lab/Subjects/KS005/2020-01-01/001/alf/_ibl_trials.intervals.npy")
    >>> p.subject, p.sequence, p.collection, p.object
    ('KS005', '001', 'alf', 'trials')

    The methods of :class:`PureALFPath`, plus checks that look at the disk: a folder is never a
    dataset, a file never a session, and ``iter_datasets`` lists a folder.
    """

    def is_dataset(self) -> bool:
        """True when the file name is an ALF dataset name and the path is not a folder on disk."""
        return not self.is_dir() and is_valid(self.name)

    def is_session_path(self) -> bool:
        """True when the path ends with a session folder and is not a file on disk.

        Like the reference, it also works called on the class: ``ALFPath.is_session_path(text)``.
        """
        path = self if isinstance(self, ALFPath) else ALFPath(self)
        return not path.is_file() and is_session_path(path)

    def is_valid_alf(self) -> bool:
        """True when the path is a session, collection, revision or dataset path.

        A path that parses as a dataset but is a folder on disk (or the reverse) is not valid.
        Like the reference, it also works called on the class: ``ALFPath.is_valid_alf(text)``.
        """
        path = self if isinstance(self, ALFPath) else ALFPath(self)
        try:
            parsed = full_path_parts(path)
        except ALFInvalid:
            return False
        if path.is_file():
            return parsed.object is not None
        if path.is_dir():
            return parsed.object is None
        return True

    def iter_datasets(self, recursive: bool = False) -> Iterator[Self]:
        """The ALF datasets in this folder (``recursive``: and below it), sorted."""
        found = self.rglob("*.*.*") if recursive else self.glob("*.*.*")
        for path in sorted(found):
            if path.is_dataset():
                yield path


_PureT = TypeVar("_PureT", bound=PureALFPath)


def _as_alf_path(path: StrPath) -> PureALFPath:
    if isinstance(path, PureALFPath):
        return path
    if isinstance(path, str | Path):
        return ALFPath(path)
    if isinstance(path, PureWindowsPath):
        return PureWindowsALFPath(path)
    if isinstance(path, PurePosixPath):
        return PurePosixALFPath(path)
    if isinstance(path, PurePath):
        return PureALFPath(path)
    return ALFPath(posix_text(path, "path"))


@overload
def ensure_alf_path(path: _PureT) -> _PureT: ...
@overload
def ensure_alf_path(path: str | Path) -> ALFPath: ...
@overload
def ensure_alf_path(path: PurePath | os.PathLike[str]) -> PureALFPath: ...
@overload
def ensure_alf_path(path: list[str | Path] | tuple[str | Path, ...]) -> list[ALFPath]: ...
@overload
def ensure_alf_path(path: list[StrPath] | tuple[StrPath, ...]) -> list[PureALFPath]: ...
def ensure_alf_path(
    path: StrPath | list[str | Path] | tuple[str | Path, ...] | list[StrPath] | tuple[StrPath, ...],
) -> PureALFPath | list[ALFPath] | list[PureALFPath]:
    """``path`` as an ALF path (a list of them for a list or tuple of paths).

    Text and ``Path`` objects give an :class:`ALFPath`; pure paths a :class:`PureALFPath` of the
    same flavour; an ALF path is returned as it is.
    """
    if isinstance(path, list | tuple):
        return [_as_alf_path(p) for p in path]
    return _as_alf_path(path)
