"""``AlfPath``: a parsed ALF path as a frozen value object, over the generated grammar tables.

The grammar (part patterns, templates, compiled regexes) is generated from the ALF spec into
``onesdk_gen.alf``; this module holds the logic that reads and rebuilds a path with it.
``str(AlfPath.parse(text)) == text`` for any valid POSIX path without a trailing slash.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath, PurePosixPath
from typing import NoReturn, Self, TypeAlias
from uuid import UUID

from onesdk_gen import alf as _gen

from onesdk.alf._parts import StrPath, posix_text
from onesdk.alf._ref import ExpRef
from onesdk.alf._spec import is_uuid, is_uuid_string
from onesdk.errors import ALFInvalid, ArgumentError

__all__ = ["AlfPath"]

_CANONICAL_HINT = "a namespace is written _namespace_ before the object"

# AlfPath has a field named "object"; these keep the builtin reachable inside the class.
_Value: TypeAlias = object
_set_field = object.__setattr__


def _segments(text: str) -> str:
    """The path with backslashes read as separators, empty and "." segments dropped."""
    absolute = text.startswith(("/", "\\"))
    segments = [s for s in text.replace("\\", "/").split("/") if s not in ("", ".")]
    return ("/" if absolute else "") + "/".join(segments)


def _is_file_name(name: str) -> bool:
    """A last segment with two periods is a file name, unless it is a ``#revision#`` folder."""
    return name.count(".") >= 2 and not (name.startswith("#") and name.endswith("#"))


@dataclasses.dataclass(frozen=True, slots=True)
class AlfPath:
    """A parsed ALF path: optional root, session, collection, revision and file name.

    >>> p = AlfPath.parse("lab/Subjects/KS005/2020-01-01/001/alf/_ibl_trials.intervals.npy")
    >>> p.object, p.collection
    ('trials', 'alf')
    >>> str(p.with_revision("2021-01-01"))
    'lab/Subjects/KS005/2020-01-01/001/alf/#2021-01-01#/_ibl_trials.intervals.npy'
    >>> AlfPath("KS005/2020-01-01/001").number
    '001'

    Every part is a string exactly as written in the path (``number`` keeps its zero padding),
    or None when absent; ``extra`` is the tuple of extra name parts. ``root`` is whatever comes
    before the session (empty or ending with a slash). ``AlfPath(text)`` is ``AlfPath.parse(text)``;
    parts are given by keyword. Instances are immutable: the ``with_*`` methods return a new,
    checked path and raise ``ALFInvalid`` when the result would not be a valid ALF path.
    """

    root: str = ""
    lab: str | None = None
    subject: str | None = None
    date: str | None = None
    number: str | None = None
    collection: str | None = None
    revision: str | None = None
    namespace: str | None = None
    object: str | None = None
    attribute: str | None = None
    timescale: str | None = None
    extra: tuple[str, ...] = ()
    extension: str | None = None

    def __init__(
        self,
        text: StrPath | None = None,
        /,
        *,
        root: str = "",
        lab: str | None = None,
        subject: str | None = None,
        date: str | None = None,
        number: str | None = None,
        collection: str | None = None,
        revision: str | None = None,
        namespace: str | None = None,
        object: str | None = None,
        attribute: str | None = None,
        timescale: str | None = None,
        extra: tuple[str, ...] = (),
        extension: str | None = None,
    ) -> None:
        values: dict[str, _Value] = {
            "root": root,
            "lab": lab,
            "subject": subject,
            "date": date,
            "number": number,
            "collection": collection,
            "revision": revision,
            "namespace": namespace,
            "object": object,
            "attribute": attribute,
            "timescale": timescale,
            "extra": tuple(extra),
            "extension": extension,
        }
        if text is not None:
            # a path given as text is parsed, never taken as the root of an empty path
            if any(values[f.name] != f.default for f in dataclasses.fields(AlfPath)):
                raise ArgumentError("text", text, "either a path to parse or parts by keyword")
            parsed = type(self).parse(text)
            values = {f.name: getattr(parsed, f.name) for f in dataclasses.fields(AlfPath)}
        for name, value in values.items():
            _set_field(self, name, value)

    @classmethod
    def _invalid(cls, value: _Value, rule: str) -> NoReturn:
        raise ALFInvalid(value if isinstance(value, str) else repr(value), rule)

    @classmethod
    def parse(cls, text: StrPath) -> Self:
        """Parse a full path, session folder, collection folder, relative path or file name.

        Path objects are read with ``as_posix``; backslashes in text are separators.
        """
        if not isinstance(text, str):
            text = posix_text(text, "text")
        path = _segments(text)
        head, sep, name = path.rpartition("/")
        found: dict[str, str | None] = {}
        extra: tuple[str, ...] = ()
        if _is_file_name(name):
            file_match = _gen.FILENAME_RE.match(name)
            if file_match is None:
                cls._invalid(text, "file name: expected " + _gen.READABLE["filename"])
            found.update(file_match.groupdict())
            extra_text = found.pop("extra")
            extra = tuple(extra_text.split(".")) if extra_text is not None else ()
            if not all(_gen.PART_RE["extra"].fullmatch(part) for part in extra):
                cls._invalid(text, "file name: an extra part is empty (two periods in a row)")
            folder = head if sep else ""
        else:
            folder = path.rstrip("/")
        root = cls._read_folders(text, folder, found)
        if not found:
            cls._invalid(text, "path: expected a session folder or an ALF file name")
        parsed = cls(root=root, extra=extra, **found)
        if str(parsed) != path:
            # the grammar matched, but by reading a part differently than written, e.g.
            # "_ibltrials.x.npy" as namespace "ibltrial" + object "s": not a canonical ALF name
            cls._invalid(text, "path: it does not read back as written; " + _CANONICAL_HINT)
        return parsed

    @classmethod
    def _read_folders(cls, text: str, folder: str, found: dict[str, str | None]) -> str:
        """Add the folder parts to ``found``; return the root before the session."""
        if not folder:
            return ""
        if folder_match := _gen.ROOTED_FOLDER_RE.match(folder + "/"):
            found.update(folder_match.groupdict())
            return found.pop("root") or ""
        if found and (rel_match := _gen.COLLECTION_FOLDERS_RE.match(folder + "/")):
            found.update(rel_match.groupdict())
            return ""
        rule = "folder: expected " + _gen.READABLE["collection"] if found else ""
        return cls._invalid(text, rule or "session path: expected " + _gen.READABLE["session"])

    # --- reading ----------------------------------------------------------------------------

    @property
    def session(self) -> str | None:
        """The session path (lab/Subjects/subject/date/number or subject/date/number)."""
        if self.subject is None:
            return None
        lab = f"{self.lab}/Subjects/" if self.lab else ""
        return f"{lab}{self.subject}/{self.date}/{self.number}"

    @property
    def name(self) -> str | None:
        """The file name, or None for a folder."""
        if self.object is None:
            return None
        namespace = f"_{self.namespace}_" if self.namespace else ""
        timescale = f"_{self.timescale}" if self.timescale else ""
        extra = "".join("." + part for part in self.extra)
        return f"{namespace}{self.object}.{self.attribute}{timescale}{extra}.{self.extension}"

    @property
    def rel_path(self) -> str | None:
        """collection/#revision#/name relative to the session, or None for a folder."""
        if self.name is None:
            return None
        return "/".join([*self._folders(session=False), self.name])

    @property
    def is_dataset(self) -> bool:
        """True when the path names a file."""
        return self.object is not None

    @property
    def exp_ref(self) -> ExpRef | None:
        """The experiment reference of the session, or None without a session."""
        if self.subject is None:
            return None
        return ExpRef.from_path(str(self))

    def _folders(self, *, session: bool = True) -> list[str]:
        folders = [self.session] if session and self.session is not None else []
        if self.collection:
            folders.append(self.collection)
        if self.revision:
            folders.append(f"#{self.revision}#")
        return folders

    def __str__(self) -> str:
        names = self._folders() + ([self.name] if self.name is not None else [])
        return self.root + "/".join(names)

    def as_path(self) -> PurePath:
        """The path as a ``pathlib.PurePosixPath``."""
        return PurePosixPath(str(self))

    def is_valid(self) -> bool:
        """True when the path is well formed: it prints as text that parses back to itself."""
        if self.root and (self.subject is None or not self.root.endswith("/")):
            return False
        if any(not _gen.PART_RE["extra"].fullmatch(part) for part in self.extra):
            return False
        try:
            return type(self).parse(str(self)) == self
        except ValueError:
            return False

    def checked(self) -> Self:
        """This path, after checking it is valid (e.g. one built from parts by hand)."""
        if not self.is_valid():
            self._invalid(str(self), f"path: parts {self!r} do not make a valid ALF path")
        return self

    # --- replacing --------------------------------------------------------------------------

    def _replaced(self, part: str, value: _Value, **changes: _Value) -> Self:
        new = dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        if not new.is_valid():
            self._invalid(value, f"{part} for {str(self)!r}: expected {_gen.PART_RULES[part]}")
        return new

    def _with_part(self, part: str, value: str | None) -> Self:
        if value is not None and not (
            isinstance(value, str) and _gen.PART_RE[part].fullmatch(value)
        ):
            self._invalid(value, f"{part}: expected {_gen.PART_RULES[part]}")
        return self._replaced(part, value, **{part: value})

    def with_lab(self, lab: str | None) -> Self:
        """A copy with the lab replaced (None removes it); raises when invalid."""
        return self._with_part("lab", lab)

    def with_subject(self, subject: str | None) -> Self:
        """A copy with the subject replaced (None removes it); raises when invalid."""
        return self._with_part("subject", subject)

    def with_date(self, date: str | None) -> Self:
        """A copy with the date replaced (None removes it); raises when invalid."""
        return self._with_part("date", date)

    def with_number(self, number: str | None) -> Self:
        """A copy with the session number replaced (None removes it); raises when invalid."""
        return self._with_part("number", number)

    def with_collection(self, collection: str | None) -> Self:
        """A copy with the collection replaced (None removes it); raises when invalid."""
        return self._with_part("collection", collection)

    def with_revision(self, revision: str | None) -> Self:
        """A copy with the revision replaced (None removes it); raises when invalid."""
        return self._with_part("revision", revision)

    def with_namespace(self, namespace: str | None) -> Self:
        """A copy with the namespace replaced (None removes it); raises when invalid."""
        return self._with_part("namespace", namespace)

    def with_object(self, object: str | None) -> Self:
        """A copy with the object replaced (None removes it); raises when invalid."""
        return self._with_part("object", object)

    def with_attribute(self, attribute: str | None) -> Self:
        """A copy with the attribute replaced (None removes it); raises when invalid."""
        return self._with_part("attribute", attribute)

    def with_timescale(self, timescale: str | None) -> Self:
        """A copy with the timescale replaced (None removes it); raises when invalid."""
        return self._with_part("timescale", timescale)

    def with_extension(self, extension: str | None) -> Self:
        """A copy with the extension replaced (None removes it); raises when invalid."""
        return self._with_part("extension", extension)

    def with_extra(self, extra: str | tuple[str, ...] | None) -> Self:
        """A copy with the extra parts replaced ("a.b" or ("a", "b"); None removes them)."""
        parts = tuple(extra.split(".")) if isinstance(extra, str) else tuple(extra or ())
        for part in parts:
            if not (isinstance(part, str) and _gen.PART_RE["extra"].fullmatch(part)):
                self._invalid(part, f"extra: expected {_gen.PART_RULES['extra']}")
        return self._replaced("extra", extra, extra=parts)

    def with_root(self, root: str) -> Self:
        """A copy below another root folder ("" for a path relative to the root)."""
        if not isinstance(root, str):
            raise ArgumentError("root", root, "a folder path (str)")
        if root and not root.endswith(("/", "\\")):
            root += "/"
        return self._replaced("root", root, root=root.replace("\\", "/"))

    def with_uuid(self, uuid: str | UUID, *, strict: bool = False) -> Self:
        """A copy with ``uuid`` as the last extra part of the file name (see add_uuid_string).

        A different UUID already there is replaced, or raises ``ArgumentError`` when ``strict``.
        """
        if self.object is None:
            self._invalid(str(self), "dataset path: only a file name can carry a UUID")
        if isinstance(uuid, str) and not is_uuid_string(uuid):
            raise ArgumentError("uuid", uuid, "a hyphenated lower-case UUID string")
        text = str(uuid)
        extra = self.extra
        if extra and is_uuid(extra[-1]):
            if strict and extra[-1] != text:
                raise ArgumentError("uuid", text, f"the UUID already in {self.name!r}")
            extra = extra[:-1]
        return self.with_extra((*extra, text))

    def without_uuid(self) -> Self:
        """A copy without a UUID as the last extra part (unchanged when there is none)."""
        if self.extra and is_uuid_string(self.extra[-1]):
            return self.with_extra(self.extra[:-1])
        return self
