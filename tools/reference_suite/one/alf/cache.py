"""``one.alf.cache``: only ``QC_TYPE``, the QC column dtype the reference's test helpers use.

The reference's table builders and mergers (``make_parquet_db``, ``load_tables``,
``merge_tables``, ``remove_missing_datasets``) have no public onesdk counterpart: caches are
built by ``One.setup(cache_dir)`` or ``onesdk cache build`` (see docs/differences.md).
"""

import pandas as pd

from onesdk.alf import QC

QC_TYPE = pd.CategoricalDtype(categories=[level.name for level in sorted(QC)], ordered=True)

__all__ = ["QC_TYPE"]
