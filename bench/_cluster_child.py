"""The cluster bench's job with one-api 3.6.1 in a joblib loop (run by the reference venv).

Usage: ``python -I _cluster_child.py SPEC.json``; prints one JSON line: the job's seconds, the
seconds to start the instance, and the results in the order of the eids. Each joblib process
opens one instance (on its first session) and reuses it, as a careful user would.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from typing import Any

_ONE: Any = None


def instance(spec: dict[str, Any]) -> Any:
    """This process's one-api instance, opened on first use."""
    global _ONE
    if _ONE is None:
        api = importlib.import_module("one.api")
        one = api.ONE(
            base_url=spec["url"],
            username="bench",
            password="bench",
            silent=True,
            cache_dir=spec["cache"],
            mode="remote",
        )
        one.load_cache(spec["cache"])  # 'remote' starts without tables; there is no cache/info
        one.alyx._par = one.alyx._par.set("HTTP_DATA_SERVER", spec["url"])
        _ONE = one
    return _ONE


def warm(spec: dict[str, Any]) -> int:
    instance(spec)
    return os.getpid()


def job(spec: dict[str, Any], eid: str) -> float:
    numpy = importlib.import_module("numpy")
    trials = instance(spec).load_object(eid, "trials", query_type="local")
    return float(sum(float(numpy.mean(trials[name])) for name in spec["attributes"]))


def main() -> None:
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    joblib = importlib.import_module("joblib")
    # opened here first: one-api writes its parameter and token files when an instance is
    # made, and processes making theirs at the same moment read each other's half-written files
    instance(spec)
    t0 = time.perf_counter()
    with joblib.Parallel(n_jobs=spec["workers"], backend="loky") as parallel:
        parallel(joblib.delayed(warm)(spec) for _ in range(spec["workers"]))
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        results = parallel(joblib.delayed(job)(spec, eid) for eid in spec["eids"])
        seconds = time.perf_counter() - t1
    print(json.dumps({"seconds": seconds, "startup_s": startup, "results": results}))


if __name__ == "__main__":
    main()
