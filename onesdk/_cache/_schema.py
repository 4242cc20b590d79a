"""Column layout of the ONE cache tables, as one-api and Alyx write them.

``sessions.pqt`` holds one row per session (index ``id``) and ``datasets.pqt`` one row per file
(index ``eid``, ``id``). Both carry a JSON ``one_metadata`` key in the parquet key-value metadata.
Older tables split every UUID into two little-endian int64 columns (``id_0``, ``id_1``).
"""

from __future__ import annotations

from typing import Final

from onesdk_gen.alf import QC

SESSIONS_FILE: Final = "sessions.pqt"
DATASETS_FILE: Final = "datasets.pqt"
CACHE_INFO_FILE: Final = "cache_info.json"
METADATA_KEY: Final = b"one_metadata"

#: the oldest one-api that reads what we write (the format of Alyx's ``one_cache``)
MIN_API_VERSION: Final = "2.10"

SESSION_COLUMNS: Final = ("lab", "subject", "date", "number", "task_protocol", "projects")
#: the datasets columns in the order one-api 3.6.1 writes them
DATASET_COLUMNS: Final = ("file_size", "hash", "default_revision", "qc", "exists", "rel_path")

#: QC level names ordered by value (from the one QC enum of the ALF spec); a dataset's ``qc``
#: is stored as its position in this tuple
QC_NAMES: Final = tuple(level.name for level in sorted(QC))
QC_VALUES: Final = tuple(int(level) for level in sorted(QC))


def qc_code(value: object, *, argument: str = "qc") -> int:
    """The position in :data:`QC_NAMES` of a QC given as enum, int value, numeric str or name."""
    from onesdk.errors import ArgumentError

    expected = f"a QC name ({', '.join(QC_NAMES)}) or value ({', '.join(map(str, QC_VALUES))})"
    if isinstance(value, bool):
        raise ArgumentError(argument, value, expected)
    if isinstance(value, int):
        if value in QC_VALUES:
            return QC_VALUES.index(value)
        raise ArgumentError(argument, value, expected)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return qc_code(int(text), argument=argument)
        if text.upper() in QC_NAMES:
            return QC_NAMES.index(text.upper())
    raise ArgumentError(argument, value, expected)
