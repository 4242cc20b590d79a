"""Run one remote benchmark operation in a fresh interpreter against a replay server.

Executed as a script by onesdk's interpreter and by the one-api reference interpreter, so it
imports only the standard library and the client under test. The spec names the client, the
operation, the server's URLs and password, where the client may write (its home and cache
dir), and the time budget; the result (samples, a digest of the answer) is written as JSON.

Usage: ``python -I _remote_child.py SPEC.json``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any


def summarise(value: Any) -> str:
    """A short, client-independent digest of an answer, to check both clients agree."""
    if isinstance(value, (list, tuple)):
        digest = hashlib.md5("\n".join(sorted(map(str, value))).encode()).hexdigest()[:8]
        return f"list[{len(value)}]:{digest}"
    if isinstance(value, dict):
        return f"dict[{len(value)}]"
    return type(value).__name__


def connect(spec: dict[str, Any]) -> Any:
    """The client's instance on the replay server (REST cache off: every call is a request)."""
    kwargs: dict[str, Any] = {
        "base_url": spec["alyx_url"],
        "username": "root",
        "password": spec["password"],
        "silent": True,
        "cache_dir": spec["cache_dir"],
        "cache_rest": None,
    }
    if spec["client"] == "onesdk":
        import onesdk

        if spec.get("tables_dir"):  # a loaded cache below the server's answers
            kwargs.update(tables_dir=spec["tables_dir"], mode="auto")
        else:
            kwargs.update(mode="remote")
        return onesdk.ONE(http_data_server=spec["files_url"], **kwargs)
    module = importlib.import_module("one.api")
    return module.ONE(mode="remote", **kwargs)


def operations(one: Any, spec: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    eid = spec["eid"]
    return {
        "remote_search": lambda: one.search(subject=spec["subject"]),
        "remote_list_datasets": lambda: one.list_datasets(eid),
        "remote_get_details": lambda: one.get_details(eid, full=True),
    }


def repeat(fn: Callable[[], Any], spec: dict[str, Any]) -> tuple[list[float], Any]:
    budget = float(spec["budget_s"])
    samples: list[float] = []
    result: Any = None
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
        done = time.perf_counter() - start >= budget and len(samples) >= int(spec["min_repeats"])
        if done or len(samples) >= int(spec["max_repeats"]):
            return samples, result


def scale(spec: dict[str, Any]) -> dict[str, Any]:
    """One fetch with a small cache loaded and with a large one, calls interleaved in one
    process so that both see the same machine."""
    small = connect(
        {**spec, "tables_dir": spec["small_tables"], "cache_dir": spec["cache_dir"] + "-s"}
    )
    large = connect(
        {**spec, "tables_dir": spec["large_tables"], "cache_dir": spec["cache_dir"] + "-l"}
    )
    fetches = [operations(one, spec)["remote_list_datasets"] for one in (small, large)]
    for fetch in fetches:
        fetch()
    samples: tuple[list[float], list[float]] = ([], [])
    start = time.perf_counter()
    while time.perf_counter() - start < 2 * float(spec["budget_s"]) or len(samples[0]) < 10:
        for fetch, out in zip(fetches, samples, strict=True):
            t0 = time.perf_counter()
            fetch()
            out.append(time.perf_counter() - t0)
        if len(samples[0]) >= int(spec["max_repeats"]):
            break
    return {"samples": samples[0], "large_samples": samples[1], "summary": "", "rss_mb": 0.0}


def run(spec: dict[str, Any]) -> dict[str, Any]:
    home = spec["home"]
    os.makedirs(home, exist_ok=True)
    os.environ.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"), ONESDK_KEYRING="0")
    for name in ("ONE_ALYX_USERNAME", "ONE_ALYX_PASSWORD"):
        os.environ.pop(name, None)
    sys.path[:0] = spec.get("sys_path", [])
    if spec["op"] == "remote_scale":
        return scale(spec)
    one = connect(spec)
    fn = operations(one, spec)[spec["op"]]
    fn()  # the first call logs in and warms the connection: steady state is measured
    samples, result = repeat(fn, spec)
    return {"samples": samples, "summary": summarise(result), "rss_mb": 0.0}


def main() -> int:
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    try:
        out = run(spec)
    except Exception as exc:  # reported as the operation's error, never a crash of the run
        out = {"error": f"{type(exc).__name__}: {str(exc)[:500]}"}
    with open(spec["result"], "w") as f:
        json.dump(out, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
