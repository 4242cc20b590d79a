"""The file path of an Alyx dataset record or file record, as ``one.alyx.rest`` returns them.

A file record names a file in a data repository: the repository's path on its server
(``data_repository_path``, such as ``/hoferlab/Subjects/``) and the file's path below it
(``relative_path``, from the subject folder on). Joined, they give the path ONE keeps the file
at below its cache folder (``lab/Subjects/subject/date/number/...``), or the path on the file
server. The kind of root path given decides the kind of path returned.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Final, TypeAlias, TypeVar, cast, overload
from uuid import UUID

from onesdk.alf._alfpath import (
    ALFPath,
    PureALFPath,
    PurePosixALFPath,
    PureWindowsALFPath,
    ensure_alf_path,
)
from onesdk.alf._spec import is_uuid_string
from onesdk.errors import ArgumentError

__all__ = [
    "DatasetRecordLike",
    "FileRecordLike",
    "one_path_from_dataset",
    "path_from_dataset",
    "path_from_filerecord",
]

#: a file record: an item of a dataset record's ``file_records`` (a dict, ``DatasetFileRecord``)
FileRecordLike: TypeAlias = Mapping[str, object]
#: a dataset record of the ``datasets`` endpoint (a dict, ``onesdk.alyx_types.Dataset``)
DatasetRecordLike: TypeAlias = Mapping[str, object]

_RootT = TypeVar("_RootT", bound=PureALFPath)
#: the root of ``path_from_dataset``/``path_from_filerecord`` when none is given
_SERVER_ROOT: Final = PurePosixALFPath("/")

_FILE_RECORD = "an Alyx file record (a mapping with 'data_repository_path' and 'relative_path')"
_DATASET = "an Alyx dataset record (a mapping with 'url' and a list of 'file_records')"


def _is_many(value: object) -> bool:
    return isinstance(value, list | tuple)


def _file_path(
    fr: object, root_path: str | os.PathLike[str] | PurePath | None, uuid: str | UUID | None
) -> PureALFPath:
    """The path of one file record below ``root_path`` (relative when None)."""
    if not isinstance(fr, Mapping):
        raise ArgumentError("fr", fr, _FILE_RECORD)
    repository, relative = fr.get("data_repository_path"), fr.get("relative_path")
    if not isinstance(repository, str) or not isinstance(relative, str) or not relative:
        raise ArgumentError("fr", fr, _FILE_RECORD)
    # both parts are relative by name: a leading slash must not make either the root
    path: PureALFPath = PurePosixALFPath(repository.lstrip("/"), relative.lstrip("/"))
    if root_path is not None:
        path = ensure_alf_path(root_path).joinpath(*path.parts)
    return path.with_uuid(uuid) if uuid else path


def _file_record(dset: object, repository: str | None) -> Mapping[str, object]:
    """The file record of ``dset`` in ``repository``, else its first one on a server."""
    if not isinstance(dset, Mapping):
        raise ArgumentError("dset", dset, _DATASET)
    found_records = dset.get("file_records")
    if not isinstance(found_records, list) or not all(
        isinstance(r, Mapping) for r in found_records
    ):
        raise ArgumentError("dset", dset, _DATASET)
    records = cast(list[Mapping[str, object]], found_records)
    if repository is not None:
        found = next((r for r in records if r.get("data_repository") == repository), None)
        if found is None:
            names = sorted(str(r.get("data_repository")) for r in records)
            raise ArgumentError(
                "repository", repository, f"a repository of the dataset's file records: {names}"
            )
        return found
    found = next((r for r in records if r.get("data_url")), None)
    if found is None:
        raise ArgumentError("dset", dset, "a dataset with a file record on a server (data_url)")
    return found


def _dataset_uuid(dset: Mapping[str, object]) -> str:
    url = dset.get("url")
    tail = url[-36:] if isinstance(url, str) else ""
    if not is_uuid_string(tail):
        raise ArgumentError("dset", dset, "a dataset record whose 'url' ends in its UUID")
    return tail


def _dataset_path(
    dset: object,
    root_path: str | os.PathLike[str] | PurePath | None,
    repository: str | None,
    uuid: bool,
) -> PureALFPath:
    record = _file_record(dset, repository)
    assert isinstance(dset, Mapping)  # checked by _file_record
    return _file_path(record, root_path, _dataset_uuid(dset) if uuid else None)


@overload
def path_from_filerecord(
    fr: FileRecordLike, root_path: _RootT, uuid: str | UUID | None = None
) -> _RootT: ...
@overload
def path_from_filerecord(
    fr: FileRecordLike, root_path: str | Path, uuid: str | UUID | None = None
) -> ALFPath: ...
@overload
def path_from_filerecord(
    fr: FileRecordLike, root_path: PureWindowsPath, uuid: str | UUID | None = None
) -> PureWindowsALFPath: ...
@overload
def path_from_filerecord(
    fr: FileRecordLike,
    root_path: PurePosixPath | None = _SERVER_ROOT,
    uuid: str | UUID | None = None,
) -> PurePosixALFPath: ...
@overload
def path_from_filerecord(
    fr: Sequence[FileRecordLike], root_path: _RootT, uuid: str | UUID | None = None
) -> list[_RootT]: ...
@overload
def path_from_filerecord(
    fr: Sequence[FileRecordLike], root_path: str | Path, uuid: str | UUID | None = None
) -> list[ALFPath]: ...
@overload
def path_from_filerecord(
    fr: Sequence[FileRecordLike], root_path: PureWindowsPath, uuid: str | UUID | None = None
) -> list[PureWindowsALFPath]: ...
@overload
def path_from_filerecord(
    fr: Sequence[FileRecordLike],
    root_path: PurePosixPath | None = _SERVER_ROOT,
    uuid: str | UUID | None = None,
) -> list[PurePosixALFPath]: ...
def path_from_filerecord(
    fr: FileRecordLike | Sequence[FileRecordLike],
    root_path: str | os.PathLike[str] | PurePath | None = _SERVER_ROOT,
    uuid: str | UUID | None = None,
) -> PureALFPath | Sequence[PureALFPath]:
    """The path of the file an Alyx file record names: its repository path, then its relative
    path, below ``root_path``.

    Parameters
    ----------
    fr : Mapping or list of Mapping
        A file record, an item of a dataset record's ``file_records`` (a dict or an
        ``onesdk.alyx_types.DatasetFileRecord``), or a list of them.
    root_path : str, os.PathLike or pathlib.PurePath, optional
        The folder the path starts from: a string or ``Path`` gives an :class:`ALFPath` of this
        system, a ``PurePosixPath`` a :class:`PurePosixALFPath`, a ``PureWindowsPath`` a
        :class:`PureWindowsALFPath`. ``None`` gives the path relative to the repository's root.
        Default: ``/``, the root of the file server.
    uuid : str or uuid.UUID, optional
        A dataset UUID to insert in the file name, before its extension.

    Returns
    -------
    onesdk.alf.PureALFPath or list of onesdk.alf.PureALFPath
        The file's path, of the kind of ``root_path``; a list for a list of file records.

    Raises
    ------
    onesdk.errors.ArgumentError
        ``fr`` is no file record, or ``uuid`` no UUID.

    Examples
    --------
    >>> fr = {"data_repository_path": "/hoferlab/Subjects/",
    ...       "relative_path": "SWC_014/2019-12-11/001/alf/spikes.times.npy"}
    >>> path_from_filerecord(fr).as_posix()
    '/hoferlab/Subjects/SWC_014/2019-12-11/001/alf/spikes.times.npy'
    >>> path_from_filerecord(fr, PureWindowsPath("D:/data"), uuid=None)
    PureWindowsALFPath('D:/data/hoferlab/Subjects/SWC_014/2019-12-11/001/alf/spikes.times.npy')
    """
    if _is_many(fr):
        assert isinstance(fr, Sequence)
        return [_file_path(one, root_path, uuid) for one in fr]
    return _file_path(fr, root_path, uuid)


@overload
def path_from_dataset(
    dset: DatasetRecordLike,
    root_path: _RootT,
    repository: str | None = None,
    uuid: bool = False,
) -> _RootT: ...
@overload
def path_from_dataset(
    dset: DatasetRecordLike,
    root_path: str | Path,
    repository: str | None = None,
    uuid: bool = False,
) -> ALFPath: ...
@overload
def path_from_dataset(
    dset: DatasetRecordLike,
    root_path: PureWindowsPath,
    repository: str | None = None,
    uuid: bool = False,
) -> PureWindowsALFPath: ...
@overload
def path_from_dataset(
    dset: DatasetRecordLike,
    root_path: PurePosixPath | None = _SERVER_ROOT,
    repository: str | None = None,
    uuid: bool = False,
) -> PurePosixALFPath: ...
@overload
def path_from_dataset(
    dset: Sequence[DatasetRecordLike],
    root_path: _RootT,
    repository: str | None = None,
    uuid: bool = False,
) -> list[_RootT]: ...
@overload
def path_from_dataset(
    dset: Sequence[DatasetRecordLike],
    root_path: str | Path,
    repository: str | None = None,
    uuid: bool = False,
) -> list[ALFPath]: ...
@overload
def path_from_dataset(
    dset: Sequence[DatasetRecordLike],
    root_path: PureWindowsPath,
    repository: str | None = None,
    uuid: bool = False,
) -> list[PureWindowsALFPath]: ...
@overload
def path_from_dataset(
    dset: Sequence[DatasetRecordLike],
    root_path: PurePosixPath | None = _SERVER_ROOT,
    repository: str | None = None,
    uuid: bool = False,
) -> list[PurePosixALFPath]: ...
def path_from_dataset(
    dset: DatasetRecordLike | Sequence[DatasetRecordLike],
    root_path: str | os.PathLike[str] | PurePath | None = _SERVER_ROOT,
    repository: str | None = None,
    uuid: bool = False,
) -> PureALFPath | Sequence[PureALFPath]:
    """The path of a dataset's file, from one of the file records of its Alyx record.

    Parameters
    ----------
    dset : Mapping or list of Mapping
        A record of the ``datasets`` endpoint (a dict or an ``onesdk.alyx_types.Dataset``),
        or a list of them.
    root_path : str, os.PathLike or pathlib.PurePath, optional
        The folder the path starts from, whose kind decides the kind of path returned (see
        :func:`path_from_filerecord`). Default: ``/``, the root of the file server.
    repository : str, optional
        The data repository whose file record to use; by default the first file record on a
        server (with a ``data_url``).
    uuid : bool, default False
        Insert the dataset's UUID in the file name, as the file server names the file.

    Returns
    -------
    onesdk.alf.PureALFPath or list of onesdk.alf.PureALFPath
        The file's path, of the kind of ``root_path``; a list for a list of records.

    Raises
    ------
    onesdk.errors.ArgumentError
        ``dset`` is no dataset record, has no file record on a server, or no file record in
        ``repository``.

    Examples
    --------
    >>> dset = {"url": "http://alyx.test/datasets/00059298-1b33-429c-a802-fa51bb662d72",
    ...         "file_records": [{"data_repository": "flatiron_hoferlab",
    ...                           "data_repository_path": "/hoferlab/Subjects/",
    ...                           "relative_path": "SWC_014/2019-12-11/001/alf/spikes.times.npy",
    ...                           "data_url": "http://files.test/hoferlab/Subjects/..."}]}
    >>> path_from_dataset(dset, uuid=True).name
    'spikes.times.00059298-1b33-429c-a802-fa51bb662d72.npy'
    """
    if _is_many(dset):
        assert isinstance(dset, Sequence)
        return [_dataset_path(one, root_path, repository, uuid) for one in dset]
    return _dataset_path(dset, root_path, repository, uuid)


@overload
def one_path_from_dataset(dset: DatasetRecordLike, one_cache: _RootT) -> _RootT: ...
@overload
def one_path_from_dataset(dset: DatasetRecordLike, one_cache: str | Path) -> ALFPath: ...
@overload
def one_path_from_dataset(
    dset: DatasetRecordLike, one_cache: PureWindowsPath
) -> PureWindowsALFPath: ...
@overload
def one_path_from_dataset(
    dset: DatasetRecordLike, one_cache: PurePosixPath
) -> PurePosixALFPath: ...
@overload
def one_path_from_dataset(dset: Sequence[DatasetRecordLike], one_cache: _RootT) -> list[_RootT]: ...
@overload
def one_path_from_dataset(
    dset: Sequence[DatasetRecordLike], one_cache: str | Path
) -> list[ALFPath]: ...
@overload
def one_path_from_dataset(
    dset: Sequence[DatasetRecordLike], one_cache: PureWindowsPath
) -> list[PureWindowsALFPath]: ...
@overload
def one_path_from_dataset(
    dset: Sequence[DatasetRecordLike], one_cache: PurePosixPath
) -> list[PurePosixALFPath]: ...
def one_path_from_dataset(
    dset: DatasetRecordLike | Sequence[DatasetRecordLike],
    one_cache: str | os.PathLike[str] | PurePath,
) -> PureALFPath | Sequence[PureALFPath]:
    """Where ONE keeps a dataset's file below a cache folder, from its Alyx record; the file
    need not exist.

    The path is ``one_cache/lab/Subjects/subject/yyyy-mm-dd/NNN/collection/[#revision#/]name``,
    read from the dataset's first file record on a server.

    Parameters
    ----------
    dset : Mapping or list of Mapping
        A record of the ``datasets`` endpoint (a dict or an ``onesdk.alyx_types.Dataset``),
        or a list of them.
    one_cache : str, os.PathLike or pathlib.PurePath
        The cache folder. A string or ``Path`` gives an :class:`ALFPath` of this system, a
        ``PurePosixPath`` a :class:`PurePosixALFPath`, a ``PureWindowsPath`` a
        :class:`PureWindowsALFPath`.

    Returns
    -------
    onesdk.alf.PureALFPath or list of onesdk.alf.PureALFPath
        The local path, of the kind of ``one_cache``; a list for a list of records.

    Raises
    ------
    onesdk.errors.ArgumentError
        ``dset`` is no dataset record, or has no file record on a server.

    Examples
    --------
    >>> dset = {"url": "http://alyx.test/datasets/00059298-1b33-429c-a802-fa51bb662d72",
    ...         "file_records": [{"data_repository": "flatiron_hoferlab",
    ...                           "data_repository_path": "/hoferlab/Subjects/",
    ...                           "relative_path": "SWC_014/2019-12-11/001/alf/spikes.times.npy",
    ...                           "data_url": "http://files.test/hoferlab/Subjects/..."}]}
    >>> one_path_from_dataset(dset, PurePosixPath("/data")).as_posix()
    '/data/hoferlab/Subjects/SWC_014/2019-12-11/001/alf/spikes.times.npy'
    """
    if one_cache is None:
        raise ArgumentError("one_cache", one_cache, "the cache folder (a str or a path)")
    if _is_many(dset):
        assert isinstance(dset, Sequence)
        return [_dataset_path(one, one_cache, None, False) for one in dset]
    return _dataset_path(dset, one_cache, None, False)
