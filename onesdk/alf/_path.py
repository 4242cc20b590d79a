"""The ALF path helpers users of the reference know.

They work on ``pathlib`` paths and return the same path class they were given (a ``str`` gives a
``pathlib.Path``); invalid input raises ``onesdk.errors.ALFInvalid``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, TypeVar, overload
from uuid import UUID

from onesdk_gen import alf as _gen

from onesdk.alf._parts import StrPath, folder_parts, posix_text
from onesdk.alf._spec import is_uuid, is_uuid_string, is_uuid_text
from onesdk.alf._value import AlfPath
from onesdk.errors import ALFInvalid, ArgumentError

if TYPE_CHECKING:
    from onesdk.alf._alfpath import ALFPath

_log = logging.getLogger("onesdk.alf")
_P = TypeVar("_P", bound=PurePath)


def parse(path: StrPath) -> AlfPath:
    """Parse any ALF path or file name into an :class:`AlfPath` (raises ``ALFInvalid``)."""
    return AlfPath.parse(posix_text(path, "path"))


def _is_iso_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _as_path(path: StrPath, argument: str) -> PurePath:
    if isinstance(path, PurePath):
        return path
    return Path(posix_text(path, argument))


@overload
def get_session_path(path: str) -> Path | None: ...
@overload
def get_session_path(path: _P) -> _P | None: ...
@overload
def get_session_path(path: None) -> None: ...
def get_session_path(path: StrPath | None) -> PurePath | None:
    """The path up to and including its session folder, or None when it has no session.

    The session ends at the first folder of digits preceded by a ``yyyy-mm-dd`` folder, so a
    file path, a collection folder or a session folder all give the session folder (with the
    root they start with).
    """
    if path is None:
        return None
    pure = _as_path(path, "path")
    parts = pure.parts
    for i, part in enumerate(parts):
        if i > 0 and part.isdigit() and _is_iso_date(parts[i - 1]):
            return type(pure)().joinpath(*parts[: i + 1])
    return None


def get_alf_path(path: StrPath) -> str | None:
    """The ALF part of a path: from its session on, else collection/name, else the name.

    None when the path holds neither a session nor an ALF file name.
    """
    text = posix_text(path, "path").strip("/")
    if session := _gen.SESSION_SEARCH_RE.search(text):
        return text[session.start() :]
    name = text.rsplit("/", 1)[-1]
    if _gen.FILENAME_RE.match(name):
        return text if _gen.REL_PATH_RE.match(text) else name
    return None


@overload
def remove_uuid_string(file_path: str) -> Path: ...
@overload
def remove_uuid_string(file_path: _P) -> _P: ...
def remove_uuid_string(file_path: StrPath) -> PurePath:
    """The path without a UUID as the last extra part of its file name (unchanged if none)."""
    path = _as_path(file_path, "file_path")
    name_parts = path.stem.split(".")
    if is_uuid_string(name_parts[-1]):
        return path.with_name(".".join(name_parts[:-1]) + path.suffix)
    return path


@overload
def add_uuid_string(file_path: str, uuid: str | UUID, strict: bool = False) -> Path: ...
@overload
def add_uuid_string(file_path: _P, uuid: str | UUID, strict: bool = False) -> _P: ...
def add_uuid_string(file_path: StrPath, uuid: str | UUID, strict: bool = False) -> PurePath:
    """The path with ``uuid`` as the last extra part of its file name.

    A different UUID already there is replaced, or raises ``ArgumentError`` when ``strict``.
    ``uuid`` must be a UUID or its canonical hyphenated string.
    """
    if isinstance(uuid, str):
        if not is_uuid_string(uuid):
            raise ArgumentError("uuid", uuid, "a hyphenated lower-case UUID string")
    elif not isinstance(uuid, UUID):
        raise ArgumentError("uuid", uuid, "a uuid.UUID or a UUID string")
    text = str(uuid)
    path = _as_path(file_path, "file_path")
    name_parts = path.stem.split(".")
    if is_uuid(name_parts[-1]):
        *name_parts, old = name_parts
        if old == text:
            _log.warning("UUID already in file name %s: unchanged", path.name)
            return path
        if strict:
            raise ArgumentError("uuid", text, f"the UUID already in {path.name!r} ({old})")
        _log.debug("Replacing %s with %s in %s (the file name had another UUID)", old, text, path)
    return path.parent.joinpath(f"{'.'.join(name_parts)}.{text}{path.suffix}")


@overload
def padded_sequence(file_path: str) -> ALFPath: ...
@overload
def padded_sequence(file_path: _P) -> _P: ...
def padded_sequence(file_path: StrPath) -> PurePath:
    """The path with its session number folder zero-padded to three digits (``1`` -> ``001``).

    Text and ``pathlib.Path`` give an :class:`~onesdk.alf.ALFPath` (as in one-api); other
    pure paths keep their class.
    """
    path = _as_path(file_path, "file_path")
    if type(path) is type(Path()):
        from onesdk.alf._alfpath import ALFPath

        path = ALFPath(path)
    session = get_session_path(path)
    if session is None:
        raise ALFInvalid(str(file_path), "path: expected a session path subject/yyyy-mm-dd/N")
    depth = len(path.parts) - len(session.parts)
    number = str(int(session.parts[-1])).zfill(3)
    return path.parents[depth].joinpath(number, path.relative_to(session))


@overload
def without_revision(file_path: str) -> Path: ...
@overload
def without_revision(file_path: _P) -> _P: ...
def without_revision(file_path: StrPath) -> PurePath:
    """A dataset path with its ``#revision#`` folder removed."""
    path = _as_path(file_path, "file_path")
    collection = folder_parts(path.parent).collection
    session = get_session_path(path)
    if session is None:
        raise ALFInvalid(str(file_path), "path: expected a dataset path inside a session")
    return session.joinpath(*filter(None, (collection, path.name)))


# --- text helpers for paths served by a file server or listed in cache tables -----------------


def split_session_path(path: StrPath) -> tuple[str, str] | None:
    """``(session path, path inside the session)`` of the first session that starts a folder.

    ``root/lab/Subjects/subj/2020-01-01/001/alf/x.y.npy`` gives
    ``('lab/Subjects/subj/2020-01-01/001', 'alf/x.y.npy')``; None when there is no session.
    """
    text = posix_text(path, "path").strip("/")
    found = _gen.SESSION_FOLDERS_RE.search(text)
    if found is None:
        return None
    return text[found.start() : found.end()], text[found.end() :].strip("/")


def split_revision(rel_path: str) -> tuple[str | None, str]:
    """``(revision, rel_path without its #revision# folder)``; the revision is None without one."""
    folders = rel_path.split("/")
    for i, folder in enumerate(folders[:-1]):
        revision = folder[1:-1] if len(folder) > 2 and folder[0] == folder[-1] == "#" else ""
        if revision and _gen.PART_RE["revision"].fullmatch(revision):
            return revision, "/".join(folders[:i] + folders[i + 1 :])
    return None, rel_path


def uuid_in_name(path: StrPath) -> str | None:
    """The UUID a file name carries just before its extension (``x.y.<uuid>.npy``), or None.

    File servers name files this way; any UUID version and either case are recognised.
    """
    name = posix_text(path, "path").rsplit("/", 1)[-1]
    pieces = name.split(".")
    if len(pieces) < 3:
        return None
    return pieces[-2] if is_uuid_text(pieces[-2]) else None


def without_uuid_in_name(path: str) -> str:
    """``path`` (text) without the UUID just before the extension of its file name."""
    found = uuid_in_name(path)
    if found is None:
        return path
    head, _, ext = path.rpartition(".")
    return f"{head[: -len(found) - 1]}.{ext}"
