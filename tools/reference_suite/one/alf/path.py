"""``one.alf.path`` -> :mod:`onesdk.alf` (same function names and arguments).

onesdk has one path class, :class:`onesdk.alf.ALFPath` (a ``pathlib.Path``); the reference's
pure variants (``PureALFPath``, ``PurePosixALFPath``, ``PureWindowsALFPath``) map onto it.
"""

from onesdk.alf import (
    ALFPath as ALFPath,
)
from onesdk.alf import (
    ALFPath as PureALFPath,
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
