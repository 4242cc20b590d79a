"""Run one benchmark operation in a fresh interpreter and write its measurements as JSON.

This file is executed as a script by both onesdk's interpreter and the one-api reference
interpreter, so it imports only the standard library and the client under test. Each
operation is written once and calls the same method names on either client.

Usage: ``python -I _child.py SPEC.json``; the spec names the client, the operation, the cache
and the targets, and where to write the result.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

# What a user imports to get a client module, per client.
MODULES = {"onesdk": "onesdk", "one-api": "one.api"}


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    ``ru_maxrss`` alone is wrong here: Linux carries the parent's high-water mark across
    ``execve`` (the harness's own peak would floor every child's), so the kernel's per-address-
    space counter ``VmHWM`` is read when available and ``ru_maxrss`` is the fallback.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summarise(value: Any) -> str:
    """A short, client-independent digest of an operation's result, to compare clients."""
    if value is None:
        return "None"
    if isinstance(value, (list, tuple)):
        digest = hashlib.md5("\n".join(sorted(map(str, value))).encode()).hexdigest()[:8]
        return f"list[{len(value)}]:{digest}"
    if isinstance(value, dict):
        return "dict:" + ",".join(sorted(map(str, value)))
    shape = getattr(value, "shape", None)
    if shape is not None:
        columns = getattr(value, "columns", None)
        if columns is not None and "rel_path" in columns:
            rel = "\n".join(sorted(map(str, value["rel_path"])))
            return f"frame{tuple(shape)}:{hashlib.md5(rel.encode()).hexdigest()[:8]}"
        return f"{type(value).__name__}{tuple(shape)}"
    return type(value).__name__


def operations(one: Any, spec: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    """Every measured operation, as calls shared by both clients."""
    t = spec["targets"]
    eid = t["load_eid"]
    scratch = spec["scratch"]

    def save_cache() -> None:
        out = tempfile.mkdtemp(dir=scratch)
        one.save_cache(save_dir=out, clobber=True)

    def load_warm() -> Any:
        return type(one)(cache_dir=spec["cache_dir"], mode="local")

    return {
        "load_warm": load_warm,
        # the same rows stored in file-tree order (bench/unsorted.py)
        "load_unsorted": lambda: type(one)(cache_dir=spec["unsorted_dir"], mode="local"),
        "search_subject": lambda: one.search(subject=t["subject"]),
        "search_date_range": lambda: one.search(date_range=list(t["date_range"])),
        "search_datasets": lambda: one.search(datasets=list(t["datasets"])),
        "search_dataset_qc": lambda: one.search(datasets=t["qc_dataset"], dataset_qc_lte="WARNING"),
        "list_datasets_eid": lambda: one.list_datasets(eid),
        "list_datasets_filename": lambda: one.list_datasets(filename=t["filename"]),
        "list_datasets_details": lambda: one.list_datasets(eid, details=True),
        "list_collections": lambda: one.list_collections(eid),
        "list_revisions": lambda: one.list_revisions(eid),
        "load_object_hash": lambda: one.load_object(
            eid, t["object"], collection=t["collection"], check_hash=True
        ),
        "load_object_nohash": lambda: one.load_object(
            eid, t["object"], collection=t["collection"], check_hash=False
        ),
        "load_dataset_hash": lambda: one.load_dataset(
            eid, t["dataset"], collection=t["collection"], check_hash=True
        ),
        "load_dataset_nohash": lambda: one.load_dataset(
            eid, t["dataset"], collection=t["collection"], check_hash=False
        ),
        "get_details_full": lambda: one.get_details(eid, full=True),
        "save_cache": save_cache,
    }


def baselines(spec: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    """What the hardware does without any client: the floor the targets are measured against."""
    # imported before timing, as the clients' imports are measured apart from their work
    # (read_table imports pyarrow.dataset on its first call: about 0.2 s of a cold read)
    import numpy as np
    import pyarrow.dataset  # noqa: F401
    import pyarrow.parquet as pq

    cache_dir = spec["cache_dir"]

    def read_tables() -> Any:
        return [
            pq.read_table(os.path.join(cache_dir, f"{n}.pqt")) for n in ("sessions", "datasets")
        ]

    def read_unsorted() -> Any:
        return [
            pq.read_table(os.path.join(spec["unsorted_dir"], f"{n}.pqt"))
            for n in ("sessions", "datasets")
        ]

    def read_md5() -> Any:
        out = []
        for path in spec["object_files"]:
            digest = hashlib.md5()
            with open(path, "rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
            out.append((np.load(path), digest.hexdigest()))
        return out

    def read_files() -> Any:
        return [np.load(path) for path in spec["object_files"]]

    return {
        "pyarrow_read": read_tables,
        "pyarrow_read_cold": read_tables,
        "pyarrow_read_unsorted": read_unsorted,
        "read_md5": read_md5,
        "read_files": read_files,
    }


def lazy_operations(spec: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    """The datasets table read from disk per query (``One(lazy=True)``, for caches larger
    than memory), through the same facade calls as the eager operations."""
    import itertools

    import onesdk

    t = spec["targets"]
    cache_dir = spec["cache_dir"]
    one = onesdk.One(cache_dir=cache_dir, mode="local", lazy=True)
    # a different session per call: the facade keeps the last few sessions' rows, and a
    # repeated lookup of one session would measure that, not a read
    eids = itertools.cycle([t["load_eid"], *map(str, one.search()[:400])])
    names = list(t["datasets"])
    return {
        "lazy_load": lambda: onesdk.One(cache_dir=cache_dir, mode="local", lazy=True),
        "lazy_list_datasets_eid": lambda: one.list_datasets(next(eids)),
        "lazy_list_datasets_filename": lambda: one.list_datasets(filename=t["filename"]),
        "lazy_search_datasets": lambda: one.search(datasets=names),
    }


#: operations sampled at least this often in a process, however slow: a single warm load
#: would be one sample of a second-long operation against a repeated baseline
AT_LEAST = {"load_warm": 3, "load_unsorted": 3}
#: operations called once untimed first: the first load of another cache in a process pays for
#: fresh pages, as the bare read it is compared with does before its untimed call
WARM_UP = frozenset({"load_unsorted"})


def repeat(
    fn: Callable[[], Any], spec: dict[str, Any], at_least: int = 1
) -> tuple[list[float], Any]:
    """Call ``fn`` until the time budget is spent (at least a few calls, at most max_repeats).

    A call slower than a third of the budget is not repeated past the budget (beyond
    ``at_least`` calls), so a 60 s operation runs once while a 50 us one runs max_repeats times.
    """
    budget = float(spec["budget_s"])
    max_n = int(spec["max_repeats"])
    samples: list[float] = []
    result: Any = None
    start = time.perf_counter()
    while True:
        result = None  # free the previous result first: peak RSS is one call's, not two
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
        min_n = at_least if samples[0] > budget / 3 else int(spec["min_repeats"])
        elapsed = time.perf_counter() - start
        if len(samples) >= max_n or (len(samples) >= min_n and elapsed >= budget):
            return samples, result


def versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": sys.version.split()[0]}
    for dist in ("onesdk", "ONE-api", "pandas", "pyarrow", "numpy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[dist] = metadata.version(dist)
    return out


def run(spec: dict[str, Any]) -> dict[str, Any]:
    client, op = spec["client"], spec["op"]
    # measure a source checkout other than the installed package (--onesdk-path)
    sys.path[:0] = spec.get("sys_path", [])
    out: dict[str, Any] = {"client": client, "op": op}
    if op == "versions":
        out["versions"] = versions()
        return out
    if client == "baseline":
        fn = baselines(spec)[op]
        if op.endswith("_cold"):
            # the first call of a fresh process, as a client's cache load is measured
            t0 = time.perf_counter()
            result = fn()
            out.update(samples=[time.perf_counter() - t0], summary=summarise(result))
            out["rss_mb"] = peak_rss_mb()
            return out
        # one untimed call first: the floor is the steady state, without pyarrow's one-off
        # lazy initialisation (which the clients' first load in a process does include)
        fn()
        samples, result = repeat(fn, spec)
        out.update(samples=samples, summary=summarise(result), rss_mb=peak_rss_mb())
        return out
    if client == "onesdk-lazy":
        t0 = time.perf_counter()
        fn = lazy_operations(spec)[op]
        out["load_s"] = time.perf_counter() - t0
        samples, result = repeat(fn, spec)
        out.update(samples=samples, summary=summarise(result), rss_mb=peak_rss_mb())
        return out
    module = MODULES[client]
    t0 = time.perf_counter()
    package = importlib.import_module(module)
    out["import_s"] = time.perf_counter() - t0
    if op == "import":
        out.update(samples=[out["import_s"]], rss_mb=peak_rss_mb())
        return out
    t0 = time.perf_counter()
    one_class = package.One
    out["import_one_s"] = out["import_s"] + time.perf_counter() - t0
    if op == "import_one":
        out.update(samples=[out["import_one_s"]], rss_mb=peak_rss_mb())
        return out
    t0 = time.perf_counter()
    one = one_class(cache_dir=spec["cache_dir"], mode="local")
    out["load_s"] = time.perf_counter() - t0
    out["load_rss_mb"] = peak_rss_mb()
    if op == "load":
        out.update(samples=[out["load_s"]], rss_mb=out["load_rss_mb"])
        return out
    if op == "load_warm":
        # loads after the first one in a process (compared with the warm pyarrow_read); the
        # first is freed so that the peak is one load's
        one = None
        samples, _ = repeat(
            lambda: one_class(cache_dir=spec["cache_dir"], mode="local"), spec, AT_LEAST[op]
        )
        out.update(samples=samples, summary="loaded", rss_mb=peak_rss_mb())
        return out
    table = operations(one, spec)
    if op != "group":
        if op in WARM_UP:
            table[op]()
        samples, result = repeat(table[op], spec, AT_LEAST.get(op, 1))
        out.update(samples=samples, summary=summarise(result), rss_mb=peak_rss_mb())
        return out
    # several operations in one process (quick mode), each with its own repeats
    out["ops"] = {}
    for name in spec["group"]:
        try:
            if name in WARM_UP:
                table[name]()
            samples, result = repeat(table[name], spec, AT_LEAST.get(name, 1))
        except Exception as exc:
            out["ops"][name] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        out["ops"][name] = {
            "samples": samples,
            "summary": summarise(result),
            "rss_mb": peak_rss_mb(),
        }
    return out


def main() -> None:
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    try:
        out = run(spec)
    except Exception as exc:  # reported to the harness, which decides what it means
        out = {"client": spec["client"], "op": spec["op"], "error": f"{type(exc).__name__}: {exc}"}
    finally:
        shutil.rmtree(spec.get("scratch") or "", ignore_errors=True)
    with open(spec["result"], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
