"""``python -m bench.cluster``: a many-session download-and-load job against a distant file server.

Every session's trials object (a few ``.npy`` files) is downloaded from a loopback file server
that waits ``--delay`` seconds before each file (a server far away), md5-verified, loaded, and
reduced to one number. The same job runs, each time into a fresh cache dir:

* ``serial``: one onesdk instance, a plain loop over the sessions;
* ``dask-N``: :func:`onesdk.dask.map_sessions` on a LocalCluster of N worker processes (one
  thread each); the cluster is started before the clock starts;
* ``one-api joblib-N``: one-api 3.6.1 in a ``joblib.Parallel`` loop of N processes (one
  instance per process), in the reference venv.

Each run checks that every file was requested once and that the results equal the serial
run's; the ratios are measured in the same invocation. Not part of ``--quick``/``make test``.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).with_name("_cluster_child.py")
DEFAULT_REFERENCE = ROOT / ".venvs" / "one-api-3.6.1" / "bin" / "python"
ATTRIBUTES: Final = ("choice", "feedbackType", "contrastLeft", "goCue_times")
#: the server stops by itself after this many seconds
SERVER_LIFETIME: Final = 1800.0
TOKEN: Final = "bench-token"


# ---------------------------------------------------------------------------------------------
# the data: sessions with a trials object each, served by a slow file server


def make_files(root: Path, n_sessions: int, n_trials: int = 2_000) -> Path:
    """``n_sessions`` sessions of trials files below ``root/server``; tables in ``root/tables``."""
    from onesdk._cache import make_cache

    server = root / "server"
    rng = np.random.default_rng(0)
    for i in range(n_sessions):
        session = server / "benchlab" / "Subjects" / f"SUBJ{i % 8:02d}"
        folder = session / f"2025-01-{1 + i // 8:02d}" / "001" / "alf"
        folder.mkdir(parents=True, exist_ok=True)
        for name in ATTRIBUTES:
            np.save(folder / f"_ibl_trials.{name}.npy", rng.random(n_trials))
    tables = root / "tables"
    tables.mkdir()
    make_cache(server, tables, hash_files=True)
    return tables


@dataclass
class Served:
    """What the file server saw (per path) and how long it waits per file."""

    delay: float
    requests: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(root: Path, served: Served) -> type[BaseHTTPRequestHandler]:
    from onesdk._store._download import remove_uuid_from_name

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the record is ``served.requests``."""

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_POST(self) -> None:  # one-api logs in before anything else
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            if self.path.rstrip("/") == "/auth-token":
                self._send(200, json.dumps({"token": TOKEN}).encode(), "application/json")
            else:
                self._send(404, b"{}", "application/json")

        def do_GET(self) -> None:
            if self.path == "/_requests":  # what the bench asks the server: its request log
                with served.lock:
                    log = json.dumps(dict(served.requests)).encode()
                self._send(200, log, "application/json")
                return
            rel = remove_uuid_from_name(self.path.split("?")[0].lstrip("/"))
            target = (root / rel).resolve()
            if root not in target.parents or not target.is_file():
                self._send(404, b'{"detail": "not found"}', "application/json")
                return
            with served.lock:
                served.requests[rel] += 1
            time.sleep(served.delay)
            self._send(200, target.read_bytes(), "application/octet-stream")

    return Handler


def _serve(root: str, delay: float, conn: Connection) -> None:
    """The file server's process: serves until told to stop, or SERVER_LIFETIME at most."""
    served = Served(delay)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Path(root).resolve(), served))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    conn.send(server.server_address[1])
    conn.poll(SERVER_LIFETIME)
    server.shutdown()
    server.server_close()


@contextmanager
def file_server(root: Path, delay: float) -> Iterator[str]:
    """A threaded loopback server of ``root`` on a random port, in a process of its own (as a
    distant server is: it never competes with the Dask scheduler for this process's GIL)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(str(root), delay, theirs), daemon=True)
    process.start()
    try:
        if not ours.poll(60):
            raise RuntimeError("the file server did not start")
        yield f"http://127.0.0.1:{ours.recv()}"
    finally:
        ours.send("stop")
        process.join(10)
        if process.is_alive():
            process.kill()


def _requests(url: str) -> Counter[str]:
    """The file server's request count per file so far."""
    import urllib.request

    with urllib.request.urlopen(f"{url}/_requests", timeout=30) as response:
        return Counter(json.loads(response.read()))


# ---------------------------------------------------------------------------------------------
# the job


def job(one: Any, eid: str) -> float:
    """Download and load a session's trials object; one number from it."""
    trials = one.load_object(eid, "trials", query_type="local")
    return float(sum(float(np.mean(trials[name])) for name in ATTRIBUTES))


def _instance(url: str, cache: Path) -> Any:
    from onesdk._facade._one_alyx import OneAlyx

    return OneAlyx(
        base_url=url,
        username="bench",
        password="bench",
        cache_dir=cache,
        http_data_server=url,
        mode="auto",
        silent=True,
        cache_rest=None,
    )


def _fresh_cache(tables: Path, work: Path, name: str) -> Path:
    cache = work / "runs" / name
    cache.mkdir(parents=True)
    for table in ("sessions.pqt", "datasets.pqt"):
        shutil.copyfile(tables / table, cache / table)
    return cache


@dataclass
class Run:
    name: str
    workers: int
    seconds: float
    files_requested: int
    max_requests_per_file: int
    same_as_serial: bool
    startup_s: float = 0.0
    error: str | None = None

    def sessions_per_s(self, n: int) -> float:
        return n / self.seconds if self.seconds > 0 else 0.0


#: seconds of the job, seconds of starting the workers, the results in the order of the eids
Timed = tuple[float, float, list[float]]


def run_serial(url: str, cache: Path, eids: list[str]) -> Timed:
    one = _instance(url, cache)
    t0 = time.perf_counter()
    results = [job(one, eid) for eid in eids]
    return time.perf_counter() - t0, 0.0, results


def _import_libraries() -> None:
    import onesdk._facade._one_alyx
    import onesdk.alf.io
    import onesdk.dask  # noqa: F401


def run_dask(url: str, cache: Path, eids: list[str], workers: int) -> Timed:
    import distributed

    from onesdk.dask import map_sessions

    one = _instance(url, cache)
    t0 = time.perf_counter()
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(_import_libraries)  # as the serial run has them imported already
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        results = map_sessions(one, eids, job, client=client)
        seconds = time.perf_counter() - t1
    return seconds, startup, results


def run_reference(python: Path, url: str, cache: Path, eids: list[str], workers: int) -> Timed:
    spec = {
        "url": url,
        "cache": str(cache),
        "eids": eids,
        "workers": workers,
        "attributes": list(ATTRIBUTES),
        "token": TOKEN,
    }
    with tempfile.TemporaryDirectory(prefix="onesdk-cluster-") as tmp:
        spec_path = Path(tmp) / "spec.json"
        spec_path.write_text(json.dumps(spec))
        proc = subprocess.run(
            [str(python), "-I", str(CHILD), str(spec_path)],
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
            env={**os.environ, "HOME": tmp},
        )
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-2000:])
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(out["seconds"]), float(out["startup_s"]), [float(x) for x in out["results"]]


# ---------------------------------------------------------------------------------------------
# the command


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__)
    p.add_argument("--sessions", type=int, default=160)
    p.add_argument("--delay", type=float, default=0.1, help="seconds per file request")
    p.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    p.add_argument("--reference-python", type=Path, default=DEFAULT_REFERENCE)
    p.add_argument("--no-reference", action="store_true", help="skip one-api")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    return p.parse_args(argv)


def _dask_run(url: str, eids: list[str], workers: int, cache: Path) -> Timed:
    return run_dask(url, cache, eids, workers)


def _reference_run(python: Path, url: str, eids: list[str], workers: int, cache: Path) -> Timed:
    return run_reference(python, url, cache, eids, workers)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]
    home = Path(tempfile.mkdtemp(prefix="onesdk-cluster-home-"))
    os.environ.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        ONESDK_KEYRING="0",
    )
    work = Path(tempfile.mkdtemp(prefix="onesdk-cluster-"))
    runs: list[Run] = []
    try:
        tables = make_files(work, args.sessions)
        with file_server(work / "server", args.delay) as url:
            lister = _instance(url, _fresh_cache(tables, work, "list"))
            eids = [str(e) for e in lister.search(query_type="local")]
            n_files = len(lister.list_datasets(query_type="local", details=True))
            serial: list[float] | None = None

            def record(name: str, workers: int, fn: Callable[[Path], Timed]) -> None:
                nonlocal serial
                before = _requests(url)
                try:
                    seconds, startup, results = fn(_fresh_cache(tables, work, name))
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}"
                    runs.append(Run(name, workers, 0.0, 0, 0, False, error=error))
                    print(f"{name}: ERROR {error}", file=sys.stderr, flush=True)
                    return
                mine = _requests(url) - before
                if serial is None:
                    serial = results
                same = bool(np.allclose(results, serial))
                most = max(mine.values(), default=0)
                runs.append(Run(name, workers, seconds, sum(mine.values()), most, same, startup))
                print(
                    f"{name:20} {seconds:7.2f} s  files {sum(mine.values())}/{n_files}", flush=True
                )

            record("serial", 1, lambda cache: run_serial(url, cache, eids))
            for n in counts:
                record(f"dask-{n}", n, functools.partial(_dask_run, url, eids, n))
            if not args.no_reference and args.reference_python.is_file():
                python = args.reference_python
                for n in sorted({1, max(counts)}):
                    run = functools.partial(_reference_run, python, url, eids, n)
                    record(f"one-api-joblib-{n}", n, run)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
    document = {
        "sessions": len(eids),
        "files": n_files,
        "delay_s": args.delay,
        "cpus": os.cpu_count(),
        "runs": [asdict(r) for r in runs],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cluster.json").write_text(json.dumps(document, indent=1))
    print(markdown(document))
    ok = all(r.error is None and r.same_as_serial and r.max_requests_per_file <= 1 for r in runs)
    return 0 if ok else 1


def markdown(document: dict[str, Any]) -> str:
    runs = document["runs"]
    by_name = {r["name"]: r for r in runs}
    base = by_name.get("serial", {}).get("seconds") or 0.0
    one_worker = by_name.get("dask-1", {}).get("seconds") or 0.0
    lines = [
        f"{document['sessions']} sessions, {document['files']} files, "
        f"{document['delay_s'] * 1000:.0f} ms per file request",
        "",
        "| run | workers | time | sessions/s | vs serial | vs dask-1 "
        "| files fetched (max per file) | same results |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        if r["error"]:
            lines.append(f"| {r['name']} | {r['workers']} | error: {r['error'][:60]} | | | | | |")
            continue
        t = r["seconds"]
        lines.append(
            f"| {r['name']} | {r['workers']} | {t:.2f} s | {document['sessions'] / t:.1f} | "
            f"{base / t:.2f}x | {(one_worker / t if one_worker else 0):.2f}x | "
            f"{r['files_requested']} ({r['max_requests_per_file']}) | {r['same_as_serial']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
