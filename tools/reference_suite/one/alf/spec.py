"""``one.alf.spec`` -> :mod:`onesdk.alf` (``readableALF`` is ``readable_alf``,
``SPEC_DESCRIPTION`` is ``PART_DESCRIPTIONS``; onesdk has no printing ``describe``)."""

from onesdk.alf import (
    COLLECTION_SPEC as COLLECTION_SPEC,
)
from onesdk.alf import (
    FILE_SPEC as FILE_SPEC,
)
from onesdk.alf import (
    FULL_SPEC as FULL_SPEC,
)
from onesdk.alf import (
    PART_DESCRIPTIONS as SPEC_DESCRIPTION,
)
from onesdk.alf import (
    QC as QC,
)
from onesdk.alf import (
    REL_PATH_SPEC as REL_PATH_SPEC,
)
from onesdk.alf import (
    SESSION_SPEC as SESSION_SPEC,
)
from onesdk.alf import (
    is_session_path as is_session_path,
)
from onesdk.alf import (
    is_uuid as is_uuid,
)
from onesdk.alf import (
    is_uuid_string as is_uuid_string,
)
from onesdk.alf import (
    is_valid as is_valid,
)
from onesdk.alf import (
    path_pattern as path_pattern,
)
from onesdk.alf import (
    readable_alf as readableALF,  # noqa: N812 - the reference's spelling
)
from onesdk.alf import (
    regex as regex,
)
from onesdk.alf import (
    to_alf as to_alf,
)

__all__ = [
    "COLLECTION_SPEC",
    "FILE_SPEC",
    "FULL_SPEC",
    "QC",
    "REL_PATH_SPEC",
    "SESSION_SPEC",
    "SPEC_DESCRIPTION",
    "is_session_path",
    "is_uuid",
    "is_uuid_string",
    "is_valid",
    "path_pattern",
    "readableALF",
    "regex",
    "to_alf",
]
