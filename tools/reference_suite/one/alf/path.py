"""``one.alf.path`` -> :mod:`onesdk.alf` (same function names and arguments).

``ALFPath``, ``PureALFPath``, ``PurePosixALFPath`` and ``PureWindowsALFPath`` are onesdk's classes
of the same names.
"""

from onesdk.alf import (
    ALFPath as ALFPath,
)
from onesdk.alf import (
    PureALFPath as PureALFPath,
)
from onesdk.alf import (
    PurePosixALFPath as PurePosixALFPath,
)
from onesdk.alf import (
    PureWindowsALFPath as PureWindowsALFPath,
)
from onesdk.alf import (
    add_uuid_string as add_uuid_string,
)
from onesdk.alf import (
    ensure_alf_path as ensure_alf_path,
)
from onesdk.alf import (
    filename_parts as filename_parts,
)
from onesdk.alf import (
    folder_parts as folder_parts,
)
from onesdk.alf import (
    full_path_parts as full_path_parts,
)
from onesdk.alf import (
    get_alf_path as get_alf_path,
)
from onesdk.alf import (
    get_session_path as get_session_path,
)
from onesdk.alf import (
    padded_sequence as padded_sequence,
)
from onesdk.alf import (
    rel_path_parts as rel_path_parts,
)
from onesdk.alf import (
    remove_uuid_string as remove_uuid_string,
)
from onesdk.alf import (
    session_path_parts as session_path_parts,
)
from onesdk.alf import (
    without_revision as without_revision,
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
