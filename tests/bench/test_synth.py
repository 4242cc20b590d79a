"""Synthetic caches: deterministic, in the reference table format, loadable by both clients."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from bench import synth
from bench.harness import object_files
from onesdk._cache._schema import QC_NAMES
from tests.reference import run_reference

SMALL = synth.CacheSpec(n_sessions=120, n_datasets=50, seed=7)
TABLES = ("sessions.pqt", "datasets.pqt", "cache_info.json")


@pytest.fixture(scope="module")
def small_cache(tmp_path_factory: pytest.TempPathFactory) -> synth.Cache:
    return synth.generate(SMALL, tmp_path_factory.mktemp("cache"))


def test_generation_is_deterministic(small_cache: synth.Cache, tmp_path: Path) -> None:
    again = synth.generate(SMALL, tmp_path / "again")
    for name in TABLES:
        assert (small_cache.path / name).read_bytes() == (again.path / name).read_bytes(), name
    assert again.targets == small_cache.targets
    other = synth.generate(synth.CacheSpec(120, 50, seed=8), tmp_path / "other")
    a = (small_cache.path / "datasets.pqt").read_bytes()
    assert (other.path / "datasets.pqt").read_bytes() != a


def test_table_sizes_and_keys(small_cache: synth.Cache) -> None:
    sessions = pq.read_table(small_cache.path / "sessions.pqt")
    datasets = pq.read_table(small_cache.path / "datasets.pqt")
    assert sessions.num_rows == SMALL.n_sessions
    assert datasets.num_rows == SMALL.n_sessions * SMALL.n_datasets
    assert len(set(sessions.column("id").to_pylist())) == SMALL.n_sessions
    assert len(set(datasets.column("id").to_pylist())) == datasets.num_rows
    assert set(datasets.column("eid").to_pylist()) == set(sessions.column("id").to_pylist())
    # (subject, date, number) identifies a session
    keys = zip(
        *(sessions.column(c).to_pylist() for c in ("subject", "date", "number")), strict=True
    )
    assert len(set(keys)) == SMALL.n_sessions
    info = json.loads((small_cache.path / "cache_info.json").read_text())
    assert info["tables"]["datasets"]["nrecs"] == datasets.num_rows
    # each session holds one default copy of every revised dataset
    revised = pc.match_substring(datasets.column("rel_path"), "#")
    assert pc.all(pc.filter(datasets.column("default_revision"), revised)).as_py()
    assert set(datasets.column("qc").to_pylist()) == set(QC_NAMES)


def _pandas_layout(schema: pa.Schema) -> dict[str, object]:
    """What pandas rebuilds a frame from: the index columns and each column's logical type.

    Leaves out what depends on the pandas and pyarrow that wrote the file (``attributes``, absent
    with pandas 2.2 and pyarrow 16; ``numpy_type`` 'str' or 'object'; the creator): nothing a
    reader of the table sees.
    """
    meta = json.loads((schema.metadata or {})[b"pandas"])
    columns = [(c["name"], c["pandas_type"], c["metadata"]) for c in meta["columns"]]
    return {"index_columns": meta["index_columns"], "columns": columns}


def test_same_schema_as_the_reference_cache(small_cache: synth.Cache, shared_alyx: Path) -> None:
    for name in ("sessions.pqt", "datasets.pqt"):
        ours = pq.read_schema(small_cache.path / name)
        theirs = pq.read_schema(shared_alyx / "cache" / name)
        # column names, order and Arrow types
        assert ours.remove_metadata().equals(theirs.remove_metadata()), name
        assert _pandas_layout(ours) == _pandas_layout(theirs), name
        ours_one = json.loads((ours.metadata or {})[b"one_metadata"])
        theirs_one = json.loads((theirs.metadata or {})[b"one_metadata"])
        assert ours_one.keys() == theirs_one.keys()


def test_real_files_match_their_hashes(small_cache: synth.Cache) -> None:
    files = object_files(small_cache)
    assert len(files) == 2  # wheel.position, wheel.timestamps
    table = pq.read_table(small_cache.path / "datasets.pqt").to_pandas()
    rows = table.loc[small_cache.targets.load_eid]
    by_name = {
        Path(rel).name: (size, h)
        for rel, size, h in zip(rows["rel_path"], rows["file_size"], rows["hash"], strict=True)
    }
    for path in files:
        size, digest = by_name[path.name]
        assert path.stat().st_size == size
        assert hashlib.md5(path.read_bytes()).hexdigest() == digest


def test_ensure_cache_reuses_what_is_on_disk(tmp_path: Path) -> None:
    first = synth.ensure_cache(SMALL, tmp_path)
    stamp = (first.path / "datasets.pqt").stat().st_mtime_ns
    second = synth.ensure_cache(SMALL, tmp_path)
    assert second == first
    assert (second.path / "datasets.pqt").stat().st_mtime_ns == stamp


def test_unknown_size_names_the_argument() -> None:
    with pytest.raises(ValueError, match="size"):
        synth.spec_for("XL")


def _subject_sessions(cache: synth.Cache) -> int:
    sessions = pq.read_table(cache.path / "sessions.pqt")
    subjects = sessions.column("subject").to_pylist()
    return sum(cache.targets.subject in str(s) for s in subjects)


def test_loads_in_onesdk(small_cache: synth.Cache) -> None:
    one_module = pytest.importorskip("onesdk._facade._one", reason="onesdk.One not merged yet")
    one = one_module.One(cache_dir=small_cache.path, mode="local")
    t = small_cache.targets
    table = pq.read_table(small_cache.path / "datasets.pqt", filters=pc.field("eid") == t.load_eid)
    listed = one.list_datasets(t.load_eid)
    assert listed
    assert set(listed) <= set(table.column("rel_path").to_pylist())
    assert len(one.search(subject=t.subject)) == _subject_sessions(small_cache)


_ONE_API_SCRIPT = """
import json, sys
from one.api import One
p = json.load(sys.stdin)
one = One(cache_dir=p["path"], mode="local")
t = p["targets"]
obj = one.load_object(t["load_eid"], t["object"], collection=t["collection"], check_hash=True)
print(json.dumps({
    "n_sessions": len(one._cache["sessions"]),
    "n_datasets": len(one._cache["datasets"]),
    "subject": len(one.search(subject=t["subject"])),
    "datasets": len(one.search(datasets=t["datasets"])),
    "object": sorted(obj.keys()),
    "listed": len(one.list_datasets(t["load_eid"])),
}))
"""


def test_loads_in_one_api(small_cache: synth.Cache, reference_python: Path) -> None:
    out = run_reference(reference_python, _ONE_API_SCRIPT, small_cache.to_json())
    sessions = pq.read_table(small_cache.path / "sessions.pqt")
    assert out["n_sessions"] == sessions.num_rows
    assert out["n_datasets"] == SMALL.n_sessions * SMALL.n_datasets
    assert out["subject"] == _subject_sessions(small_cache)
    assert out["datasets"] > 0
    assert out["object"] == ["position", "timestamps"]
    assert out["listed"] > 0


def test_a_scaled_cache_is_the_base_repeated_with_unique_ids_sorted(
    small_cache: synth.Cache, tmp_path: Path
) -> None:
    import onesdk

    scaled = synth.scale_up(small_cache, 3, tmp_path / "x3")
    base_rows = pq.read_table(small_cache.path / "datasets.pqt")
    rows = pq.read_table(scaled.path / "datasets.pqt")
    assert rows.num_rows == 3 * base_rows.num_rows == scaled.n_datasets_total
    assert rows.schema.metadata == base_rows.schema.metadata
    pairs = list(zip(rows.column("eid").to_pylist(), rows.column("id").to_pylist(), strict=True))
    assert pairs == sorted(pairs)
    assert len(set(rows.column("id").to_pylist())) == rows.num_rows
    sessions = pq.read_table(scaled.path / "sessions.pqt")
    keys = list(
        zip(*(sessions.column(c).to_pylist() for c in ("subject", "date", "number")), strict=True)
    )
    assert len(set(keys)) == len(keys) == 3 * SMALL.n_sessions
    # every copy has the base's datasets: the same rel_paths, three times over
    assert sorted(map(str, rows.column("rel_path").to_pylist())) == sorted(
        list(map(str, base_rows.column("rel_path").to_pylist())) * 3
    )
    one = onesdk.One(cache_dir=scaled.path, mode="local")
    t = scaled.targets
    wheel = one.load_object(t.load_eid, t.object, collection=t.collection, check_hash=True)
    position = wheel["position"]
    assert isinstance(position, np.ndarray)
    assert position.shape[0] > 0
    # subject filters are regular expressions: "NYU-01" also finds the copies' "NYU-01-2"
    base_one = onesdk.One(cache_dir=small_cache.path, mode="local")
    assert len(one.search(subject=t.subject)) == 3 * len(base_one.search(subject=t.subject))
    assert len(one.search(subject=f"^{t.subject}$")) == len(base_one.search(subject=t.subject))


def test_scaled_sizes_check_the_fit_instead_of_joining_it() -> None:
    from bench.report import scaling

    def size(rows: int, seconds: float) -> dict[str, object]:
        entry = {"onesdk": {"median_s": seconds}}
        return {"cache": {"n_datasets_total": rows}, "ops": {"load": entry}}

    fits = scaling({"S": size(1000, 0.01), "L": size(10_000, 0.1), "XL": size(100_000, 5.0)})
    fit = fits["load"]["onesdk"]
    assert fit["exponent"] == pytest.approx(1.0)  # fitted on S and L only
    assert fit["predicted_10x_s"] == pytest.approx(1.0)
    assert fit["measured_10x_s"] == pytest.approx(5.0)
