"""The remote rows: onesdk against one-api on a loopback replay of the recorded Alyx exchanges.

Both clients talk to the same replay server (``tests/replay/server.py``: recorded answers of
Alyx 3.6.1 on 127.0.0.1), with the REST cache off so every call is a request. Each operation is
measured without and with a delay added to every Alyx answer (a distant server), each client in
its own fresh process; the rule is the local one: no onesdk median slower than one-api's.

The scale rows measure one fetch (``list_datasets(eid)`` of a session the loaded tables do not
hold) by onesdk with a small cache loaded and with a large one: the server's answer lands in an
overlay above the loaded tables, so the large cache may cost at most twice the small one.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import verdict
from bench.harness import Measured, Runner, Settings, run_child

REMOTE_CHILD = Path(__file__).with_name("_remote_child.py")
REMOTE_OPS: tuple[str, ...] = ("remote_search", "remote_list_datasets", "remote_get_details")
LATENCY_S = 0.02  # added to every Alyx answer in the '+20ms' rows
SCALE_OP = "remote_list_datasets"
SCALE_LIMIT = 2.0  # a fetch with the large cache loaded / the same fetch with the small one
EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"  # a session whose recorded detail is in the corpus
SUBJECT = "KS051"


@dataclasses.dataclass
class RemoteResult:
    """Every remote row: per row and client the samples, plus onesdk's scale rows."""

    rows: dict[str, dict[str, Measured]] = dataclasses.field(default_factory=dict)
    scale: dict[str, Measured] = dataclasses.field(default_factory=dict)
    large_rows: int = 0
    unmatched: list[str] = dataclasses.field(default_factory=list)

    def comparisons(self) -> list[verdict.Comparison]:
        out = []
        for row, pair in self.rows.items():
            cand, ref = pair.get(verdict.CANDIDATE), pair.get(verdict.REFERENCE)
            if cand and ref and cand.samples and ref.samples:
                out.append(verdict.compare(row, cand.samples, ref.samples))
        return out

    def scale_ratio(self) -> float | None:
        small, large = self.scale.get("small"), self.scale.get("large")
        if not (small and large and small.samples and large.samples):
            return None
        return verdict.median(large.samples) / verdict.median(small.samples)

    def failures(self) -> list[str]:
        errors = {
            row: pair[verdict.CANDIDATE].error or "no measurement"
            for row, pair in self.rows.items()
            if verdict.CANDIDATE in pair
            and (pair[verdict.CANDIDATE].error or not pair[verdict.CANDIDATE].samples)
        }
        errors.update({f"scale_{k}": m.error for k, m in self.scale.items() if m.error is not None})
        out = verdict.failures(self.comparisons(), errors)
        ratio = self.scale_ratio()
        if ratio is not None and ratio > SCALE_LIMIT:
            out.append(
                f"{SCALE_OP} with {self.large_rows} loaded rows costs {ratio:.2f}x the same "
                f"fetch with a small cache (limit {SCALE_LIMIT}x)"
            )
        if self.unmatched:
            out.append(f"requests with no recording: {', '.join(self.unmatched[:5])}")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": {r: {c: m.to_json() for c, m in p.items()} for r, p in self.rows.items()},
            "scale": {k: m.to_json() for k, m in self.scale.items()},
            "scale_ratio": self.scale_ratio(),
            "large_rows": self.large_rows,
            "unmatched": self.unmatched,
            "failures": self.failures(),
        }


def run_remote(
    pythons: dict[str, str],
    settings: Settings,
    corpus: Path,
    large_tables: Path | None,
    large_rows: int = 0,
    *,
    sys_path: list[str] | None = None,
    progress: Callable[[str], None] = lambda _: None,
    runner: Runner | None = None,
) -> RemoteResult:
    """Measure every remote row on a replay server of ``corpus`` started here."""
    from tests.replay import faults
    from tests.replay.server import ReplayServer

    run = runner or (lambda python, spec: run_child(python, spec, settings.timeout_s, REMOTE_CHILD))
    result = RemoteResult(large_rows=large_rows)
    with (
        ReplayServer(corpus, lifetime=settings.timeout_s) as server,
        tempfile.TemporaryDirectory(prefix="onesdk-bench-remote-") as tmp,
    ):

        def spec(client: str, op: str, tables: Path | None = None) -> dict[str, Any]:
            work = Path(tempfile.mkdtemp(dir=tmp))
            return {
                "client": client,
                "op": op,
                "alyx_url": server.alyx_url,
                "files_url": server.files_url,
                "password": server.password,
                "eid": EID,
                "subject": SUBJECT,
                "home": str(work / "home"),
                "cache_dir": str(work / "cache"),
                "tables_dir": str(tables) if tables else "",
                "sys_path": sys_path or [] if client == verdict.CANDIDATE else [],
                "budget_s": settings.budget_s,
                "min_repeats": settings.min_repeats,
                "max_repeats": settings.max_repeats,
            }

        for latency in (0.0, LATENCY_S):
            server.faults.clear()
            if latency:
                server.faults.add(lambda _: True, faults.Delay(latency), times=10**9, host="alyx")
            for i, op in enumerate(REMOTE_OPS):
                row = op if not latency else f"{op}+{round(latency * 1000)}ms"
                progress(f"remote {row}")
                order = verdict.CANDIDATE, verdict.REFERENCE
                for client in order if i % 2 == 0 else order[::-1]:
                    if client not in pythons:
                        continue
                    raw = run(pythons[client], spec(client, op))
                    _record(result.rows.setdefault(row, {}).setdefault(client, Measured()), raw)
        server.faults.clear()
        if large_tables is not None and verdict.CANDIDATE in pythons:
            progress(f"remote scale: {SCALE_OP} with {large_rows} rows loaded")
            scale_spec = {
                **spec(verdict.CANDIDATE, "remote_scale"),
                "small_tables": str(corpus / "cache"),
                "large_tables": str(large_tables),
            }
            raw = run(pythons[verdict.CANDIDATE], scale_spec)
            _record(result.scale.setdefault("small", Measured()), raw)
            large = {**raw, "samples": raw.get("large_samples", [])}
            _record(result.scale.setdefault("large", Measured()), large)
        result.unmatched = list(server.unmatched)
    return result


def _record(target: Measured, raw: dict[str, Any]) -> None:
    target.processes += 1
    if "error" in raw:
        target.error = str(raw["error"])
        return
    target.samples += [float(s) for s in raw["samples"]]
    target.rss_mb.append(float(raw.get("rss_mb", 0.0)))
    target.summary = raw.get("summary")


def table(result: RemoteResult) -> str:
    """The remote rows as text: medians of both clients and their ratio."""
    lines = [f"{'remote operation':<34} {'onesdk':>10} {'one-api':>10} {'ratio':>7}"]
    for row, pair in result.rows.items():
        cells = []
        for client in (verdict.CANDIDATE, verdict.REFERENCE):
            m = pair.get(client)
            cells.append(
                f"{verdict.median(m.samples) * 1e3:8.2f}ms" if m and m.samples else "     error"
            )
        cand, ref = pair.get(verdict.CANDIDATE), pair.get(verdict.REFERENCE)
        ratio = (
            f"{verdict.median(cand.samples) / verdict.median(ref.samples):7.3f}"
            if cand and ref and cand.samples and ref.samples
            else "      -"
        )
        lines.append(f"{row:<34} {cells[0]:>10} {cells[1]:>10} {ratio}")
    scale = result.scale_ratio()
    if scale is not None:
        small = verdict.median(result.scale["small"].samples) * 1e3
        large = verdict.median(result.scale["large"].samples) * 1e3
        lines.append(
            f"{SCALE_OP}: {small:.2f} ms with the small cache, {large:.2f} ms with "
            f"{result.large_rows} rows loaded (x{scale:.2f}, limit x{SCALE_LIMIT})"
        )
    for name, m in result.scale.items():
        if m.error:
            lines.append(f"scale {name}: {m.error}")
    for row, pair in result.rows.items():
        for client, m in pair.items():
            if m.error:
                lines.append(f"{row} {client}: {m.error}")
    return "\n".join(lines) + "\n"


def corpus_dir() -> Path | None:
    """The recorded corpus (``ONESDK_SHARED_ALYX`` or ../shared/alyx), or None if absent."""
    import os

    root = Path(__file__).resolve().parents[1]
    path = Path(os.environ.get("ONESDK_SHARED_ALYX", root.parent / "shared" / "alyx"))
    return path if (path / "exchanges" / "index.json").is_file() else None


if __name__ == "__main__":  # pragma: no cover - a manual entry point
    sys.exit("run python -m bench")
