"""``one.alf.path`` -> :mod:`onesdk.alf` (same function names and arguments).

``ALFPath``, ``PureALFPath``, ``PurePosixALFPath`` and ``PureWindowsALFPath`` are onesdk's classes
of the same names.
"""

from onesdk.alf import (
    ALFPath,
    PureALFPath,
    PurePosixALFPath,
    PureWindowsALFPath,
    add_uuid_string,
    ensure_alf_path,
    filename_parts,
    folder_parts,
    full_path_parts,
    get_alf_path,
    get_session_path,
    padded_sequence,
    rel_path_parts,
    remove_uuid_string,
    session_path_parts,
    without_revision,
)

__all__ = [
    "ALFPath",
    "PureALFPath",
    "PurePosixALFPath",
    "PureWindowsALFPath",
    "add_uuid_string",
    "ensure_alf_path",
    "filename_parts",
    "folder_parts",
    "full_path_parts",
    "get_alf_path",
    "get_session_path",
    "padded_sequence",
    "rel_path_parts",
    "remove_uuid_string",
    "session_path_parts",
    "without_revision",
]
