"""``one.alf.io`` -> :mod:`onesdk.alf.io` (same function names and arguments)."""

from onesdk.alf.io import (
    AlfBunch as AlfBunch,
)
from onesdk.alf.io import (
    check_dimensions as check_dimensions,
)
from onesdk.alf.io import (
    dataframe as dataframe,
)
from onesdk.alf.io import (
    exists as exists,
)
from onesdk.alf.io import (
    filter_by as filter_by,
)
from onesdk.alf.io import (
    find_variants as find_variants,
)
from onesdk.alf.io import (
    iter_datasets as iter_datasets,
)
from onesdk.alf.io import (
    iter_sessions as iter_sessions,
)
from onesdk.alf.io import (
    load_file_content as load_file_content,
)
from onesdk.alf.io import (
    load_object as load_object,
)
from onesdk.alf.io import (
    next_num_folder as next_num_folder,
)
from onesdk.alf.io import (
    read_ts as read_ts,
)
from onesdk.alf.io import (
    remove_empty_folders as remove_empty_folders,
)
from onesdk.alf.io import (
    save_metadata as save_metadata,
)
from onesdk.alf.io import (
    save_object_npy as save_object_npy,
)
from onesdk.alf.io import (
    ts2vec as ts2vec,
)

__all__ = [
    "AlfBunch",
    "check_dimensions",
    "dataframe",
    "exists",
    "filter_by",
    "find_variants",
    "iter_datasets",
    "iter_sessions",
    "load_file_content",
    "load_object",
    "next_num_folder",
    "read_ts",
    "remove_empty_folders",
    "save_metadata",
    "save_object_npy",
    "ts2vec",
]
