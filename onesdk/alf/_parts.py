"""Parsers splitting ALF names and paths into named parts (the reference's *_parts functions).

Each returns a NamedTuple whose fields are the part names (``as_dict=True``: the same as a
TypedDict). With ``assert_valid=False`` an unparsable input gives the ``Empty*`` variant (every
field None) instead of raising, as the reference gives a tuple of Nones.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Literal, TypeAlias, TypeVar, cast, overload

from onesdk_gen import alf as _gen
from onesdk_gen.alf import (
    EmptyFilenameParts,
    EmptyFilenamePartsDict,
    EmptyFolderParts,
    EmptyFolderPartsDict,
    EmptyRelPathParts,
    EmptyRelPathPartsDict,
    EmptySessionParts,
    EmptySessionPartsDict,
    FilenameParts,
    FilenamePartsDict,
    FolderParts,
    FolderPartsDict,
    FullPathParts,
    FullPathPartsDict,
    RelPathParts,
    RelPathPartsDict,
    SessionParts,
    SessionPartsDict,
)

from onesdk.errors import ALFInvalid, ArgumentTypeError

StrPath: TypeAlias = str | os.PathLike[str]
"""A path given as text or as a path object (``pathlib`` or anything ``os.fspath`` accepts)."""

_T = TypeVar("_T")


def posix_text(path: StrPath, argument: str = "path") -> str:
    """The path as POSIX text: path objects via ``as_posix``, backslashes read as separators.

    A backslash can never be part of a valid ALF name, so reading it as a separator only ever
    turns Windows-style text into the path it meant.
    """
    if isinstance(path, str):
        return path.replace("\\", "/")
    as_posix = getattr(path, "as_posix", None)
    if callable(as_posix):
        text = as_posix()
        if isinstance(text, str):
            return text
    try:
        text = os.fspath(path)
    except TypeError:  # a TypeError still, as os.fspath and one-api raise it
        raise ArgumentTypeError(argument, path, "a str or os.PathLike path") from None
    if not isinstance(text, str):
        raise ArgumentTypeError(argument, path, "a str path, not bytes")
    return text.replace("\\", "/")


def _parse(
    text: str,
    pattern: re.Pattern[str],
    result: Callable[..., _T],
    rule: str,
    *,
    search: bool,
    assert_valid: bool,
) -> _T | None:
    found = pattern.search(text) if search else pattern.match(text)
    if found is not None:
        return result(**found.groupdict())
    if assert_valid:
        raise ALFInvalid(text, rule)
    return None


# --- session_path_parts ----------------------------------------------------------------------


@overload
def session_path_parts(
    session_path: StrPath, as_dict: Literal[False] = False, assert_valid: Literal[True] = True
) -> SessionParts: ...
@overload
def session_path_parts(
    session_path: StrPath, as_dict: Literal[False] = False, *, assert_valid: bool
) -> SessionParts | EmptySessionParts: ...
@overload
def session_path_parts(
    session_path: StrPath, as_dict: Literal[True], assert_valid: Literal[True] = True
) -> SessionPartsDict: ...
@overload
def session_path_parts(
    session_path: StrPath, as_dict: Literal[True], assert_valid: bool
) -> SessionPartsDict | EmptySessionPartsDict: ...
@overload
def session_path_parts(
    session_path: StrPath, as_dict: bool = False, assert_valid: bool = True
) -> SessionParts | EmptySessionParts | SessionPartsDict | EmptySessionPartsDict: ...
def session_path_parts(
    session_path: StrPath, as_dict: bool = False, assert_valid: bool = True
) -> SessionParts | EmptySessionParts | SessionPartsDict | EmptySessionPartsDict:
    """The lab, subject, date and number of the first session path found in ``session_path``.

    The session may sit anywhere in the path (``/data/lab/Subjects/subj/2020-01-01/001/alf``
    works); ``lab`` is None when the path has no ``lab/Subjects`` part. Raises ``ALFInvalid``
    when no session is found, unless ``assert_valid`` is false.
    """
    text = posix_text(session_path, "session_path")
    rule = f"session path: expected {_gen.READABLE['session']}"
    parts = _parse(
        text, _gen.SESSION_SEARCH_RE, SessionParts, rule, search=True, assert_valid=assert_valid
    )
    if parts is None:
        empty = EmptySessionParts()
        return cast(EmptySessionPartsDict, empty._asdict()) if as_dict else empty
    return cast(SessionPartsDict, parts._asdict()) if as_dict else parts


# --- folder_parts ----------------------------------------------------------------------------


@overload
def folder_parts(
    folder_path: StrPath, as_dict: Literal[False] = False, assert_valid: Literal[True] = True
) -> FolderParts: ...
@overload
def folder_parts(
    folder_path: StrPath, as_dict: Literal[False] = False, *, assert_valid: bool
) -> FolderParts | EmptyFolderParts: ...
@overload
def folder_parts(
    folder_path: StrPath, as_dict: Literal[True], assert_valid: Literal[True] = True
) -> FolderPartsDict: ...
@overload
def folder_parts(
    folder_path: StrPath, as_dict: Literal[True], assert_valid: bool
) -> FolderPartsDict | EmptyFolderPartsDict: ...
@overload
def folder_parts(
    folder_path: StrPath, as_dict: bool = False, assert_valid: bool = True
) -> FolderParts | EmptyFolderParts | FolderPartsDict | EmptyFolderPartsDict: ...
def folder_parts(
    folder_path: StrPath, as_dict: bool = False, assert_valid: bool = True
) -> FolderParts | EmptyFolderParts | FolderPartsDict | EmptyFolderPartsDict:
    """Session, collection and revision parts of a folder path.

    ``lab/Subjects/subject/2020-01-01/001/alf/#2021-01-01#`` gives lab, subject, date, number,
    collection ``alf`` and revision ``2021-01-01``. Raises ``ALFInvalid`` when the folder holds
    no session path, unless ``assert_valid`` is false.
    """
    text = posix_text(folder_path, "folder_path")
    if text and not text.endswith("/"):
        text += "/"  # the folder grammar ends each folder with a separator
    rule = f"folder path: expected {_gen.READABLE['folder']}"
    parts = _parse(
        text, _gen.FOLDER_SEARCH_RE, FolderParts, rule, search=True, assert_valid=assert_valid
    )
    if parts is None:
        empty = EmptyFolderParts()
        return cast(EmptyFolderPartsDict, empty._asdict()) if as_dict else empty
    return cast(FolderPartsDict, parts._asdict()) if as_dict else parts


# --- filename_parts --------------------------------------------------------------------------


@overload
def filename_parts(
    filename: StrPath, as_dict: Literal[False] = False, assert_valid: Literal[True] = True
) -> FilenameParts: ...
@overload
def filename_parts(
    filename: StrPath, as_dict: Literal[False] = False, *, assert_valid: bool
) -> FilenameParts | EmptyFilenameParts: ...
@overload
def filename_parts(
    filename: StrPath, as_dict: Literal[True], assert_valid: Literal[True] = True
) -> FilenamePartsDict: ...
@overload
def filename_parts(
    filename: StrPath, as_dict: Literal[True], assert_valid: bool
) -> FilenamePartsDict | EmptyFilenamePartsDict: ...
@overload
def filename_parts(
    filename: StrPath, as_dict: bool = False, assert_valid: bool = True
) -> FilenameParts | EmptyFilenameParts | FilenamePartsDict | EmptyFilenamePartsDict: ...
def filename_parts(
    filename: StrPath, as_dict: bool = False, assert_valid: bool = True
) -> FilenameParts | EmptyFilenameParts | FilenamePartsDict | EmptyFilenamePartsDict:
    """Namespace, object, attribute, timescale, extra and extension of an ALF file name.

    ``_ibl_trials.goCue_times_bpod.csv`` gives ``('ibl', 'trials', 'goCue_times', 'bpod',
    None, 'csv')``; several extra parts come back joined by periods. Raises ``ALFInvalid`` for
    a name that is not ALF, unless ``assert_valid`` is false.
    """
    text = posix_text(filename, "filename")
    rule = f"file name: expected {_gen.READABLE['filename']}"
    parts = _parse(
        text, _gen.FILENAME_RE, FilenameParts, rule, search=False, assert_valid=assert_valid
    )
    if parts is None:
        empty = EmptyFilenameParts()
        return cast(EmptyFilenamePartsDict, empty._asdict()) if as_dict else empty
    return cast(FilenamePartsDict, parts._asdict()) if as_dict else parts


# --- rel_path_parts --------------------------------------------------------------------------


@overload
def rel_path_parts(
    rel_path: StrPath, as_dict: Literal[False] = False, assert_valid: Literal[True] = True
) -> RelPathParts: ...
@overload
def rel_path_parts(
    rel_path: StrPath, as_dict: Literal[False] = False, *, assert_valid: bool
) -> RelPathParts | EmptyRelPathParts: ...
@overload
def rel_path_parts(
    rel_path: StrPath, as_dict: Literal[True], assert_valid: Literal[True] = True
) -> RelPathPartsDict: ...
@overload
def rel_path_parts(
    rel_path: StrPath, as_dict: Literal[True], assert_valid: bool
) -> RelPathPartsDict | EmptyRelPathPartsDict: ...
@overload
def rel_path_parts(
    rel_path: StrPath, as_dict: bool = False, assert_valid: bool = True
) -> RelPathParts | EmptyRelPathParts | RelPathPartsDict | EmptyRelPathPartsDict: ...
def rel_path_parts(
    rel_path: StrPath, as_dict: bool = False, assert_valid: bool = True
) -> RelPathParts | EmptyRelPathParts | RelPathPartsDict | EmptyRelPathPartsDict:
    """Collection, revision and file-name parts of a path relative to a session.

    ``alf/probe00/#2021-01-01#/spikes.times.npy`` gives collection ``alf/probe00``, revision
    ``2021-01-01``, object ``spikes``... Raises ``ALFInvalid`` when the text is not
    ``collection/#revision#/name``, unless ``assert_valid`` is false.
    """
    text = posix_text(rel_path, "rel_path")
    rule = f"relative path: expected {_gen.READABLE['rel_path']}"
    parts = _parse(
        text, _gen.REL_PATH_RE, RelPathParts, rule, search=False, assert_valid=assert_valid
    )
    if parts is None:
        empty = EmptyRelPathParts()
        return cast(EmptyRelPathPartsDict, empty._asdict()) if as_dict else empty
    return cast(RelPathPartsDict, parts._asdict()) if as_dict else parts


# --- full_path_parts -------------------------------------------------------------------------


@overload
def full_path_parts(
    path: StrPath, as_dict: Literal[False] = False, assert_valid: bool = True
) -> FullPathParts: ...
@overload
def full_path_parts(
    path: StrPath, as_dict: Literal[True], assert_valid: bool = True
) -> FullPathPartsDict: ...
@overload
def full_path_parts(
    path: StrPath, as_dict: bool = False, assert_valid: bool = True
) -> FullPathParts | FullPathPartsDict: ...
def full_path_parts(
    path: StrPath, as_dict: bool = False, assert_valid: bool = True
) -> FullPathParts | FullPathPartsDict:
    """Every part of a path that is a session folder, a dataset file, or a full dataset path.

    A last segment with at least two periods is read as a file name, anything else as a folder.
    Parts the path does not have are None. Raises ``ALFInvalid`` when the path is none of
    these (a folder path must end at its session, collection or revision folder), unless
    ``assert_valid`` is false.
    """
    pure = PurePosixPath(posix_text(path))
    name = pure.name
    folders: FolderParts | EmptyFolderParts
    file: FilenameParts | EmptyFilenameParts
    if name.count(".") < 2:  # a folder: the last segment must be one of its ALF parts
        folders = folder_parts(pure, assert_valid=assert_valid)
        if assert_valid and name not in folders and f"#{folders.revision}#" != name:
            raise ALFInvalid(
                pure.as_posix(), "folder path: it must end at a session, collection or revision"
            )
        file = EmptyFilenameParts()
    elif "/" not in pure.as_posix():
        folders, file = EmptyFolderParts(), filename_parts(name, assert_valid=assert_valid)
    else:
        folders = folder_parts(pure.parent, assert_valid=assert_valid)
        file = filename_parts(name, assert_valid=assert_valid)
    parts = FullPathParts(*folders, *file)
    return cast(FullPathPartsDict, parts._asdict()) if as_dict else parts
