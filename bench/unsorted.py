"""The same cache with its datasets rows in file-tree order instead of (eid, id) order.

Alyx writes the datasets table sorted by (eid, id); a table indexed from a walk of the file tree
(one-api's ``One.setup``) or grown by appending rows is not. Here the rows of a generated cache
are put in the order a walk gives them: sessions by lab, subject, date and number, then each
session's files by relative path. Nothing else changes (columns, types, metadata), so both
clients load the same rows, and a bare ``read_table`` of these files is the floor to compare with.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bench.synth import Cache
from onesdk._atomic import staged

__all__ = ["ORDER", "ensure_unsorted"]

ORDER: Final = "session path (lab, subject, date, number), then rel_path"
_MARKER: Final = "bench_unsorted.json"


def ensure_unsorted(cache: Cache) -> Path:
    """The tables dir of ``cache`` reordered (made only if absent or made from another cache)."""
    out = cache.path.with_name(f"{cache.path.name}-unsorted")
    want = {"source": cache.spec.key, "order": ORDER}
    marker = out / _MARKER
    if marker.is_file() and json.loads(marker.read_text()) == want:
        return out
    out.mkdir(parents=True, exist_ok=True)
    sessions = pq.read_table(cache.path / "sessions.pqt")
    datasets = pq.read_table(cache.path / "datasets.pqt")
    walk = sessions.sort_by([(n, "ascending") for n in ("lab", "subject", "date", "number")])
    rank = pc.index_in(
        datasets.column("eid").cast(pa.string()), value_set=walk.column("id").cast(pa.string())
    )
    keys = pa.Table.from_arrays([rank, datasets.column("rel_path")], names=["rank", "rel_path"])
    order = pc.sort_indices(keys, [("rank", "ascending"), ("rel_path", "ascending")])
    _write(out / "datasets.pqt", datasets.take(order))
    for name in ("sessions.pqt", "cache_info.json"):
        shutil.copyfile(cache.path / name, out / name)
    marker.write_text(json.dumps(want))
    return out


def _write(path: Path, table: pa.Table) -> None:
    with staged(path) as (temp,):
        pq.write_table(table, temp)
