"""``one.alf.spec`` -> :mod:`onesdk.alf` (``readableALF`` is ``readable_alf``,
``SPEC_DESCRIPTION`` is ``PART_DESCRIPTIONS``; onesdk's ``describe`` returns the text it shows
instead of printing it)."""

from onesdk.alf import (
    COLLECTION_SPEC,
    FILE_SPEC,
    FULL_SPEC,
    QC,
    REL_PATH_SPEC,
    SESSION_SPEC,
    describe,
    is_session_path,
    is_uuid,
    is_uuid_string,
    is_valid,
    path_pattern,
    regex,
    to_alf,
)
from onesdk.alf import (
    PART_DESCRIPTIONS as SPEC_DESCRIPTION,
)
from onesdk.alf import (
    readable_alf as readableALF,  # noqa: N812 - the reference's spelling
)

__all__ = [
    "COLLECTION_SPEC",
    "FILE_SPEC",
    "FULL_SPEC",
    "QC",
    "REL_PATH_SPEC",
    "SESSION_SPEC",
    "SPEC_DESCRIPTION",
    "describe",
    "is_session_path",
    "is_uuid",
    "is_uuid_string",
    "is_valid",
    "path_pattern",
    "readableALF",
    "regex",
    "to_alf",
]
