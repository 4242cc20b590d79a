"""``python -m bench``: measure onesdk against one-api 3.6.1 on synthetic caches.

Exit status 0 when no onesdk operation is slower than one-api (median against median, in the
same run), 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import remote, report, synth
from bench.harness import OPERATIONS, UNSORTED_OP, Harness, Settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "bench" / "results"
DEFAULT_REFERENCE = ROOT / ".venvs" / "one-api-3.6.1" / "bin" / "python"

QUICK = Settings(budget_s=0.2, min_repeats=5, max_repeats=300, confirm_rounds=2, group=True)
FULL = Settings(budget_s=2.0, min_repeats=5, max_repeats=1000, confirm_rounds=2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument(
        "--size",
        action="append",
        choices=sorted(synth.SIZES) + sorted(synth.SCALED),
        help="repeatable; XL (10x L) measures onesdk alone (see docs/bench.md)",
    )
    p.add_argument("--quick", action="store_true", help="size S only, short time budgets")
    p.add_argument("--reference-python", type=Path, default=DEFAULT_REFERENCE)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory")
    p.add_argument("--cache-root", type=Path, help="where synthetic caches are kept")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ops", help="comma-separated subset of operations")
    p.add_argument("--budget", type=float, help="seconds of repeats per process")
    p.add_argument(
        "--group",
        action="store_true",
        help="one process per operation family instead of per operation (as --quick does)",
    )
    p.add_argument("--merge", type=Path, nargs="*", default=[], help="earlier results.json")
    p.add_argument("--onesdk-path", type=Path, help="measure this onesdk source checkout instead")
    p.add_argument("--no-check", action="store_true", help="always exit 0")
    p.add_argument(
        "--report-only", action="store_true", help="only re-render --merge results (no runs)"
    )
    p.add_argument(
        "--no-remote",
        action="store_true",
        help="skip the remote rows (replay of the recorded Alyx exchanges)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = ["S"] if args.quick else (args.size or ["S", "M", "L"])
    ops = tuple(args.ops.split(",")) if args.ops else OPERATIONS
    unknown = sorted(set(ops) - set(OPERATIONS))
    if unknown:
        print(f"--ops: unknown operations {unknown}; known: {list(OPERATIONS)}", file=sys.stderr)
        return 2
    reference = args.reference_python
    if not reference.is_file():
        print(f"--reference-python: {reference} not found (run `make reference`)", file=sys.stderr)
        return 2
    settings = QUICK if args.quick else FULL
    if args.budget is not None or args.group:
        settings = Settings(
            budget_s=settings.budget_s if args.budget is None else args.budget,
            min_repeats=settings.min_repeats,
            max_repeats=settings.max_repeats,
            confirm_rounds=settings.confirm_rounds,
            group=settings.group or args.group,
        )
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    cache_root: Path = args.cache_root or out / "caches"
    start = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {message}", file=sys.stderr, flush=True)

    harness = Harness(
        {"onesdk": sys.executable, "one-api": str(reference)},
        settings,
        progress=progress,
        sys_path=_checkout_paths(args.onesdk_path),
        lazy=not args.quick,
    )
    document: dict[str, Any] = {
        "machine": report.machine(),
        "versions": harness.versions(),
        "settings": vars(settings),
        "sizes": {},
    }
    for path in args.merge:
        document["sizes"].update(json.loads(path.read_text())["sizes"])
    failures: list[str] = []
    largest: synth.Cache | None = None
    for size in [] if args.report_only else sizes:
        progress(f"cache {size}")
        if size in synth.SCALED:
            cache = synth.ensure_scaled(size, cache_root, args.seed)
            # one-api and the bare reads do not fit in memory at a scaled size
            result = scaled_harness(harness).run(cache, [o for o in ops if o != UNSORTED_OP])
        else:
            cache = synth.ensure_cache(synth.spec_for(size, args.seed), cache_root)
            result = harness.run(cache, ops)
            if largest is None or cache.n_datasets_total > largest.n_datasets_total:
                largest = cache
        print(table_header(size) + report.table(result), flush=True)
        entry = report.size_to_json(result)
        document["sizes"][size] = entry
        (out / f"results-{size}.json").write_text(
            json.dumps({**document, "sizes": {size: entry}}, indent=1)
        )
        failures += [f"{size}: {f}" for f in entry["failures"]]
    if not (args.report_only or args.no_remote):
        failures += run_remote_rows(harness, largest, document, progress)
    document["scaling"] = report.scaling(document["sizes"])
    document["failures"] = failures or [
        f"{size}: {f}" for size, data in document["sizes"].items() for f in data["failures"]
    ]
    failures = document["failures"]
    failures += [f for f in document.get("remote", {}).get("failures", []) if f not in failures]
    (out / "results.json").write_text(json.dumps(document, indent=1))
    (out / "results.md").write_text(report.markdown(document))
    report.plot(document["sizes"], out / "bench.png")
    print(f"\nresults: {out / 'results.json'}  plot: {out / 'bench.png'}")
    print(f"total {time.perf_counter() - start:.1f} s")
    if failures:
        print("\nFAIL: onesdk is not faster than one-api 3.6.1 on:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        return 0 if args.no_check else 1
    print("OK: every onesdk operation is at least as fast as one-api 3.6.1")
    return 0


def run_remote_rows(
    harness: Harness,
    largest: synth.Cache | None,
    document: dict[str, Any],
    progress: Callable[[str], None],
) -> list[str]:
    """Measure the remote rows (skipped, with a note, when the recorded corpus is absent)."""
    corpus = remote.corpus_dir()
    if corpus is None:
        progress("remote rows skipped: the recorded Alyx corpus (../shared/alyx) is absent")
        return []
    result = remote.run_remote(
        harness.pythons,
        harness.settings,
        corpus,
        largest.path if largest else None,
        largest.n_datasets_total if largest else 0,
        sys_path=harness.sys_path,
        progress=progress,
    )
    print("\n=== remote (replay of the recorded Alyx exchanges) ===\n" + remote.table(result))
    document["remote"] = result.to_json()
    return [f"remote: {f}" for f in result.failures()]


def scaled_harness(harness: Harness) -> Harness:
    """onesdk alone, without the pyarrow read baselines, for a scaled size.

    At 10x L one-api would need about 34 GB (3.4 GB at L, growing linearly) and a bare
    ``read_table`` about 17 GB: more than the machine has, so neither is run.
    """
    return Harness(
        {"onesdk": harness.pythons["onesdk"]},
        harness.settings,
        progress=harness.progress,
        sys_path=harness.sys_path,
        lazy=harness.lazy,
        baselines=("read_md5",),
    )


def _checkout_paths(root: Path | None) -> list[str]:
    if root is None:
        return []
    root = root.resolve()
    return [str(root), str(root / "generated")]


def table_header(size: str) -> str:
    return f"\n=== {size} ===\n"
