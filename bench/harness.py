"""Run every operation in fresh processes for both clients and collect the measurements."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import verdict
from bench.synth import Cache
from bench.unsorted import ensure_unsorted

log = logging.getLogger("bench")

CHILD = Path(__file__).with_name("_child.py")

# Operations run after loading the cache, in this order. import / import_one / load are
# measured in every one of those processes, before the operation.
OPERATIONS: tuple[str, ...] = (
    "load_warm",
    "load_unsorted",
    "search_subject",
    "search_date_range",
    "search_datasets",
    "search_dataset_qc",
    "list_datasets_eid",
    "list_datasets_filename",
    "list_datasets_details",
    "list_collections",
    "list_revisions",
    "load_object_hash",
    "load_object_nohash",
    "load_dataset_hash",
    "load_dataset_nohash",
    "get_details_full",
    "save_cache",
)
PHASES: tuple[str, ...] = ("import", "import_one", "load")
# A phase gets one sample per process, an operation hundreds: a phase under suspicion is
# measured again in this many fresh processes per client and confirmation round.
PHASE_CONFIRM_PROCESSES = 4
# pyarrow_read is the steady state of repeated reads in one process (the floor of load_warm);
# pyarrow_read_cold is the first read of a fresh process, sampled as often as the clients'
# first load (the floor of load): like is compared with like.
BASELINES: tuple[str, ...] = ("pyarrow_read", "pyarrow_read_cold", "read_md5")
COLD_BASELINE = "pyarrow_read_cold"
# A cache whose datasets rows are not in (eid, id) order (bench/unsorted.py): loaded by both
# clients (load_unsorted) and read bare (its floor), only when load_unsorted is measured.
UNSORTED_OP = "load_unsorted"
UNSORTED_BASELINE = "pyarrow_read_unsorted"
# The partitioned datasets path: not compared with one-api, reported for scale.
LAZY: tuple[str, ...] = (
    "lazy_load",
    "lazy_list_datasets_eid",
    "lazy_list_datasets_filename",
    "lazy_search_datasets",
)
LAZY_CLIENT = "onesdk-lazy"
CLIENTS: tuple[str, str] = (verdict.CANDIDATE, verdict.REFERENCE)


def families(ops: Sequence[str]) -> list[list[str]]:
    """Operations grouped by what they exercise: search, list, load, the rest."""
    groups: dict[str, list[str]] = {}
    for op in ops:
        head = op.split("_")[0]
        groups.setdefault(head if head in ("search", "list", "load") else "other", []).append(op)
    return list(groups.values())


@dataclass(frozen=True)
class Settings:
    """How hard to measure: per-process time budget and repeat bounds, re-measure rounds."""

    budget_s: float = 2.0
    min_repeats: int = 5
    max_repeats: int = 500
    confirm_rounds: int = 2
    timeout_s: float = 3600.0
    # fresh processes sampling the cold pyarrow read, spread over the run
    cold_samples: int = 5
    # share one process per operation family (quick mode); re-measures stay one per process
    group: bool = False


@dataclass
class Measured:
    """Pooled samples of one (client, operation) over every process that measured it."""

    samples: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    summary: str | None = None
    error: str | None = None
    processes: int = 0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "processes": self.processes,
            "n": len(self.samples),
            "rss_mb": max(self.rss_mb) if self.rss_mb else None,
            "summary": self.summary,
            "error": self.error,
            "samples": self.samples,
        }
        if self.samples:
            out["median_s"] = verdict.median(self.samples)
            out["min_s"] = min(self.samples)
        return out


@dataclass
class SizeResult:
    """Everything measured on one cache."""

    cache: Cache
    ops: dict[str, dict[str, Measured]] = field(default_factory=dict)
    baselines: dict[str, Measured] = field(default_factory=dict)
    lazy: dict[str, Measured] = field(default_factory=dict)

    def measured(self, client: str, op: str) -> Measured:
        return self.ops.setdefault(op, {}).setdefault(client, Measured())

    def comparison(self, op: str) -> verdict.Comparison | None:
        pair = self.ops.get(op, {})
        cand, ref = pair.get(verdict.CANDIDATE), pair.get(verdict.REFERENCE)
        if cand is None or ref is None or not cand.samples or not ref.samples:
            return None
        return verdict.compare(op, cand.samples, ref.samples)

    def comparisons(self) -> list[verdict.Comparison]:
        return [c for op in self.ops if (c := self.comparison(op)) is not None]

    def candidate_errors(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for op, pair in self.ops.items():
            cand = pair.get(verdict.CANDIDATE)
            if cand is not None and (cand.error or not cand.samples):
                out[op] = cand.error or "no measurement"
        return out

    def failures(self) -> list[str]:
        return verdict.failures(self.comparisons(), self.candidate_errors())


Runner = Callable[[str, dict[str, Any]], dict[str, Any]]


def run_child(
    python: str, spec: dict[str, Any], timeout_s: float, script: Path = CHILD
) -> dict[str, Any]:
    """Run the child ``script`` in a fresh ``python`` process; return its JSON result."""
    with tempfile.TemporaryDirectory(prefix="onesdk-bench-") as tmp:
        spec = {**spec, "result": str(Path(tmp, "result.json")), "scratch": str(Path(tmp, "s"))}
        Path(spec["scratch"]).mkdir()
        spec_path = Path(tmp, "spec.json")
        spec_path.write_text(json.dumps(spec))
        try:
            proc = subprocess.run(
                [python, "-I", str(script), str(spec_path)],
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout_s:.0f} s"}
        result_path = Path(spec["result"])
        if proc.returncode != 0 or not result_path.is_file():
            return {"error": f"exit {proc.returncode}: {proc.stderr[-2000:]}"}
        result: dict[str, Any] = json.loads(result_path.read_text())
        return result


class Harness:
    """Measures one cache with both clients, alternating which goes first."""

    def __init__(
        self,
        pythons: dict[str, str],
        settings: Settings,
        runner: Runner | None = None,
        progress: Callable[[str], None] = lambda _: None,
        sys_path: Sequence[str] = (),
        lazy: bool = True,
        baselines: Sequence[str] = BASELINES,
    ) -> None:
        self.lazy = lazy
        self.baselines = tuple(baselines)
        self.pythons = pythons
        self.sys_path = list(sys_path)
        self.settings = settings
        self.progress = progress
        self._files: dict[str, list[str]] = {}
        self._unsorted: dict[str, str] = {}
        self._runner: Runner = runner or (
            lambda python, spec: run_child(python, spec, settings.timeout_s)
        )

    def _spec(self, cache: Cache, client: str, op: str) -> dict[str, Any]:
        t = cache.targets
        return {
            "client": client,
            "op": op,
            "cache_dir": str(cache.path),
            "unsorted_dir": self._unsorted.get(str(cache.path), ""),
            "targets": {
                "load_eid": t.load_eid,
                "subject": t.subject,
                "date_range": list(t.date_range),
                "datasets": list(t.datasets),
                "qc_dataset": t.qc_dataset,
                "filename": t.filename,
                "object": t.object,
                "dataset": t.dataset,
                "collection": t.collection,
            },
            "object_files": self._object_files(cache),
            "sys_path": self.sys_path if client in (verdict.CANDIDATE, LAZY_CLIENT) else [],
            "budget_s": self.settings.budget_s,
            "min_repeats": self.settings.min_repeats,
            "max_repeats": self.settings.max_repeats,
        }

    def _object_files(self, cache: Cache) -> list[str]:
        key = str(cache.path)
        if key not in self._files:
            self._files[key] = [str(p) for p in object_files(cache)]
        return self._files[key]

    def versions(self) -> dict[str, dict[str, str]]:
        out = {}
        for client, python in self.pythons.items():
            raw = self._runner(python, {"client": client, "op": "versions"})
            out[client] = raw.get("versions", {"error": raw.get("error", "?")})
        return out

    def _measure_op(self, result: SizeResult, op: str, order: Sequence[str]) -> None:
        for client in order:
            if client not in self.pythons:
                continue
            raw = self._runner(self.pythons[client], self._spec(result.cache, client, op))
            self._record(result, client, op, raw)

    def _measure_phase(self, result: SizeResult, phase: str, order: Sequence[str]) -> None:
        """Fresh processes that stop after ``phase``: samples of it (and of the phases before
        it) only, so the phase is confirmed by as many processes as it was first measured in."""
        for client in order:
            if client not in self.pythons:
                continue
            raw = self._runner(self.pythons[client], self._spec(result.cache, client, phase))
            if "error" in raw:
                measured = result.measured(client, phase)
                measured.processes += 1
                measured.error = str(raw["error"])
                continue
            self._record_phases(result, client, raw)

    def _measure_group(self, result: SizeResult, ops: Sequence[str], order: Sequence[str]) -> None:
        for client in order:
            if client not in self.pythons:
                continue
            spec = {**self._spec(result.cache, client, "group"), "group": list(ops)}
            raw = self._runner(self.pythons[client], spec)
            per_op = raw.pop("ops", None)
            if per_op is None:  # the process failed before any operation ran
                for op in ops:
                    self._record(result, client, op, raw)
                continue
            self._record(result, client, ops[0], {**raw, **per_op[ops[0]]})
            for op in ops[1:]:
                _record_plain(result.measured(client, op), per_op[op])

    @staticmethod
    def _record(result: SizeResult, client: str, op: str, raw: dict[str, Any]) -> None:
        target = result.measured(client, op)
        if "error" in raw:
            target.processes += 1
            target.error = str(raw["error"])
            return
        _record_plain(target, raw)
        Harness._record_phases(result, client, raw)

    @staticmethod
    def _record_phases(result: SizeResult, client: str, raw: dict[str, Any]) -> None:
        # every process is fresh: its import and load times are samples of those phases
        for phase, key, rss_key in (
            ("import", "import_s", None),
            ("import_one", "import_one_s", None),
            ("load", "load_s", "load_rss_mb"),
        ):
            if key in raw:
                m = result.measured(client, phase)
                m.processes += 1
                m.samples.append(float(raw[key]))
                if rss_key is not None:
                    m.rss_mb.append(float(raw[rss_key]))

    def _cold_baseline(self, result: SizeResult) -> None:
        """One more fresh-process sample of the cold read, until there are enough."""
        if COLD_BASELINE not in self.baselines:
            return
        measured = result.baselines.setdefault(COLD_BASELINE, Measured())
        if measured.processes < self.settings.cold_samples:
            raw = self._runner(sys.executable, self._spec(result.cache, "baseline", COLD_BASELINE))
            _record_plain(measured, raw)

    def _unsorted_baseline(self, result: SizeResult) -> None:
        """Make the reordered cache and its sorted copy (a one-off, like the partitioned
        copy), then read it bare: the floor of load_unsorted."""
        cache = result.cache
        self.progress(f"{cache.spec.key} unsorted datasets table")
        path = ensure_unsorted(cache)
        ensure_sorted_copy(path)
        self._unsorted[str(cache.path)] = str(path)
        raw = self._runner(sys.executable, self._spec(cache, "baseline", UNSORTED_BASELINE))
        _record_plain(result.baselines.setdefault(UNSORTED_BASELINE, Measured()), raw)

    def run(self, cache: Cache, ops: Sequence[str] = OPERATIONS) -> SizeResult:
        result = SizeResult(cache)
        if UNSORTED_OP in ops:
            self._unsorted_baseline(result)
        for op in self.baselines:
            if op == COLD_BASELINE:
                self._cold_baseline(result)
                continue
            raw = self._runner(sys.executable, self._spec(cache, "baseline", op))
            _record_plain(result.baselines.setdefault(op, Measured()), raw)
        if self.lazy:
            self.progress(f"{cache.spec.key} partitioned datasets path")
            ensure_partitioned(cache)
            for op in LAZY:
                raw = self._runner(sys.executable, self._spec(cache, LAZY_CLIENT, op))
                _record_plain(result.lazy.setdefault(op, Measured()), raw)
        if self.settings.group:
            for i, group in enumerate(families(ops)):
                self.progress(f"{cache.spec.key} {', '.join(group)}")
                self._measure_group(result, group, CLIENTS if i % 2 == 0 else CLIENTS[::-1])
                self._cold_baseline(result)
        else:
            for i, op in enumerate(ops):
                self.progress(f"{cache.spec.key} {op}")
                self._measure_op(result, op, CLIENTS if i % 2 == 0 else CLIENTS[::-1])
                self._cold_baseline(result)
        for _ in range(self.settings.cold_samples):  # fewer operations than samples
            self._cold_baseline(result)
        # a slower median may be noise from a busy machine: measure again, pool, then judge
        for round_ in range(self.settings.confirm_rounds):
            suspects = [
                op
                for op in verdict.needs_confirmation(result.comparisons())
                if op in ops or op in PHASES
            ]
            if not suspects:
                break
            self.progress(f"{cache.spec.key} re-measuring {', '.join(suspects)}")
            for op in suspects:
                if op not in PHASES:
                    self._measure_op(result, op, CLIENTS if round_ % 2 else CLIENTS[::-1])
                    continue
                for i in range(PHASE_CONFIRM_PROCESSES):
                    self._measure_phase(result, op, CLIENTS if (round_ + i) % 2 else CLIENTS[::-1])
        return result


def _record_plain(target: Measured, raw: dict[str, Any]) -> None:
    target.processes += 1
    if "error" in raw:
        target.error = str(raw["error"])
        return
    target.samples += [float(s) for s in raw["samples"]]
    target.rss_mb.append(float(raw["rss_mb"]))
    target.summary = raw.get("summary")


def ensure_partitioned(cache: Cache) -> Path:
    """Build the partitioned datasets copy ``One(lazy=True)`` reads, if it is missing or
    stale, so the lazy operations measure queries and reopening, not the one-off build."""
    import time

    from onesdk._cache._lazy import open_partitioned

    t0 = time.perf_counter()
    parts = open_partitioned(cache.path)
    log.info("partitioned datasets copy ready in %.1f s: %s", time.perf_counter() - t0, parts.root)
    return parts.root


def ensure_sorted_copy(tables_dir: Path) -> None:
    """Load ``tables_dir`` once with onesdk, so that the sorted copy of its datasets table is
    there and load_unsorted measures loads, not the one-off sort."""
    import time

    from onesdk._cache import read_tables

    t0 = time.perf_counter()
    read_tables(tables_dir)
    log.info("sorted datasets copy ready in %.1f s: %s", time.perf_counter() - t0, tables_dir)


def object_files(cache: Cache) -> list[Path]:
    """The files load_object reads in the load session (for the read+md5 baseline)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    t = cache.targets
    table = pq.read_table(
        cache.path / "datasets.pqt",
        columns=["eid", "rel_path"],
        filters=pc.field("eid") == t.load_eid,
    )
    sessions = pq.read_table(cache.path / "sessions.pqt").to_pandas()
    ses = sessions.loc[t.load_eid]
    root = cache.path.joinpath(
        str(ses["lab"]), "Subjects", str(ses["subject"]), str(ses["date"]), f"{ses['number']:03d}"
    )
    prefix = f"{t.collection}/"
    out = []
    for rel in map(str, table.column("rel_path").to_pylist()):
        rest = rel[len(prefix) :] if rel.startswith(prefix) else ""
        first = rest.split(".")[0]
        name = first.split("_")[-1] if first.startswith("_") else first
        if rest and "/" not in rest and name == t.object:
            out.append(root / rel)
    return sorted(out)
