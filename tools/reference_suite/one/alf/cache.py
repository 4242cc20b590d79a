"""``one.alf.cache``: only ``QC_TYPE``, the QC column dtype the reference's test helpers use.

The reference's table builders and mergers (``make_parquet_db``, ``load_tables``,
``merge_tables``, ``remove_missing_datasets``) have no public onesdk counterpart: caches are
built by ``One.setup(cache_dir)`` or ``onesdk cache build`` (see docs/differences.md).
"""

import pandas as pd

from one._absent import Absent
from onesdk.alf import QC

QC_TYPE = pd.CategoricalDtype(categories=[level.name for level in sorted(QC)], ordered=True)

# imported at the top of the reference's test_one.py and test_converters.py
_FRAMES = "one-api's in-memory pandas tables (docs/differences.md, 'one.alf.cache' helpers)"
EMPTY_DATASETS_FRAME = Absent("one.alf.cache.EMPTY_DATASETS_FRAME", _FRAMES)
EMPTY_SESSIONS_FRAME = Absent("one.alf.cache.EMPTY_SESSIONS_FRAME", _FRAMES)
cast_index_object = Absent("one.alf.cache.cast_index_object", _FRAMES)

__all__ = ["QC_TYPE"]
