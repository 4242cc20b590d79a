"""ALF (ALyx File) names and paths: parse, check and build them.

An ALF dataset path reads::

    lab/Subjects/subject/yyyy-mm-dd/NNN/collection/#revision#/_namespace_object.attribute_timescale.extra.ext

where the lab part, collection, revision, namespace, timescale and extras are optional. The
grammar comes from ``schema/alf-spec.yaml`` (see docs/alf-spec.md). The function names are the
ones users of the reference ``one.alf`` know; results are typed NamedTuples (``as_dict=True``:
TypedDicts) and invalid input raises :class:`onesdk.errors.ALFInvalid`; ``QC.parse`` raises
:class:`AlfSpecError` (both are ``ValueError``).

>>> from onesdk import alf
>>> alf.filename_parts("_ibl_trials.goCue_times_bpod.npy").attribute
'goCue_times'
>>> str(alf.parse("subj/2020-01-01/001/alf/trials.intervals.npy").with_collection("raw"))
'subj/2020-01-01/001/raw/trials.intervals.npy'
"""

from __future__ import annotations

from onesdk_gen.alf import (
    COLLECTION_SPEC,
    FILE_SPEC,
    FULL_SPEC,
    LOADER_FORMATS,
    OBJECT_ATTRIBUTES,
    OBJECTS,
    PART_ALONE_PATTERNS,
    PART_DESCRIPTIONS,
    PART_PATTERNS,
    QC,
    REL_PATH_SPEC,
    SESSION_SPEC,
    AlfSpecError,
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

from onesdk.alf._alfpath import (
    ALFPath,
    PureALFPath,
    PurePosixALFPath,
    PureWindowsALFPath,
    ensure_alf_path,
)
from onesdk.alf._dataset_record import (
    one_path_from_dataset,
    path_from_dataset,
    path_from_filerecord,
)
from onesdk.alf._dataset_type import DatasetTypeLike, get_dataset_type
from onesdk.alf._parts import (
    StrPath,
    filename_parts,
    folder_parts,
    full_path_parts,
    rel_path_parts,
    session_path_parts,
)
from onesdk.alf._path import (
    add_uuid_string,
    get_alf_path,
    get_session_path,
    padded_sequence,
    parse,
    remove_uuid_string,
    without_revision,
)
from onesdk.alf._ref import ExpRef
from onesdk.alf._session_record import session_record2path
from onesdk.alf._spec import (
    AlfDescription,
    describe,
    is_session_path,
    is_uuid,
    is_uuid_string,
    is_valid,
    path_pattern,
    readable_alf,
    regex,
    to_alf,
)
from onesdk.alf._value import AlfPath

__all__ = [
    "COLLECTION_SPEC",
    "FILE_SPEC",
    "FULL_SPEC",
    "LOADER_FORMATS",
    "OBJECTS",
    "OBJECT_ATTRIBUTES",
    "PART_ALONE_PATTERNS",
    "PART_DESCRIPTIONS",
    "PART_PATTERNS",
    "QC",
    "REL_PATH_SPEC",
    "SESSION_SPEC",
    "ALFPath",
    "AlfDescription",
    "AlfPath",
    "AlfSpecError",
    "DatasetTypeLike",
    "EmptyFilenameParts",
    "EmptyFilenamePartsDict",
    "EmptyFolderParts",
    "EmptyFolderPartsDict",
    "EmptyRelPathParts",
    "EmptyRelPathPartsDict",
    "EmptySessionParts",
    "EmptySessionPartsDict",
    "ExpRef",
    "FilenameParts",
    "FilenamePartsDict",
    "FolderParts",
    "FolderPartsDict",
    "FullPathParts",
    "FullPathPartsDict",
    "PureALFPath",
    "PurePosixALFPath",
    "PureWindowsALFPath",
    "RelPathParts",
    "RelPathPartsDict",
    "SessionParts",
    "SessionPartsDict",
    "StrPath",
    "add_uuid_string",
    "describe",
    "ensure_alf_path",
    "filename_parts",
    "folder_parts",
    "full_path_parts",
    "get_alf_path",
    "get_dataset_type",
    "get_session_path",
    "is_session_path",
    "is_uuid",
    "is_uuid_string",
    "is_valid",
    "one_path_from_dataset",
    "padded_sequence",
    "parse",
    "path_from_dataset",
    "path_from_filerecord",
    "path_pattern",
    "readable_alf",
    "regex",
    "rel_path_parts",
    "remove_uuid_string",
    "session_path_parts",
    "session_record2path",
    "to_alf",
    "without_revision",
]
