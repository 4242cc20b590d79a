"""Demonstration: under an address-space cap the eager load fails and the lazy One answers.

Each child process imports everything first, then caps its address space at what it already
uses plus ``BUDGET_MB``, and opens the cache. Threads are limited to one and Arrow uses the
system allocator, so the cap measures the data, not per-thread arenas. The cache's eager load
needs over twice the budget (about 130-200 MB here); the lazy engine, reading ahead one part in
a thread, answers in about 40-48 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import synth
from onesdk._cache._lazy import open_partitioned
from onesdk._facade._one import One

ROOT = Path(__file__).resolve().parents[2]
BUDGET_MB = 64

_CHILD = """
import json, resource, sys
import pandas, pyarrow, pyarrow.parquet
import onesdk._repo._lazy_repository
from onesdk import One

pyarrow.set_cpu_count(1)
pyarrow.set_io_thread_count(1)
with open("/proc/self/status") as status:
    used = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmSize"))
if sys.argv[3] != "none":
    cap = used + (int(sys.argv[3]) << 20)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
try:
    one = One(cache_dir=sys.argv[1], mode="local", lazy=sys.argv[2] == "lazy")
    print(json.dumps({"answer": one.list_datasets(filename="*times*")}))
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
"""

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="needs Linux /proc for the address space size"
)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = synth.CacheSpec(n_sessions=6000, n_datasets=100, seed=1)
    path = synth.generate(spec, tmp_path_factory.mktemp("big")).path
    open_partitioned(path)  # built here: the children only open it
    return path


def _child(cache: Path, engine: str, budget: str) -> dict[str, object]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MALLOC_ARENA_MAX": "1",
        "OMP_NUM_THREADS": "1",
        "ARROW_DEFAULT_MEMORY_POOL": "system",
    }
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(cache), engine, budget],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"error": f"exit {proc.returncode}"}
    result: dict[str, object] = json.loads(lines[-1])
    return result


def test_lazy_answers_where_the_eager_load_runs_out_of_memory(cache: Path) -> None:
    expected = One(cache_dir=cache, lazy=False).list_datasets(filename="*times*")
    assert expected
    assert _child(cache, "eager", "none") == {"answer": expected}  # the cap is what breaks it
    assert "error" in _child(cache, "eager", str(BUDGET_MB))
    assert _child(cache, "lazy", str(BUDGET_MB)) == {"answer": expected}
