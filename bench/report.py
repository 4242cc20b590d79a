"""Turn measurements into a terminal table, a JSON document, targets, growth fits and a plot."""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench import verdict
from bench.harness import BASELINES, CLIENTS, LAZY, LAZY_CLIENT, OPERATIONS, PHASES, SizeResult

ROW_ORDER: tuple[str, ...] = PHASES + OPERATIONS


def machine() -> dict[str, Any]:
    mem_kib = 0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024**2, 1),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }


def size_to_json(result: SizeResult) -> dict[str, Any]:
    ops: dict[str, Any] = {}
    for op in [o for o in ROW_ORDER if o in result.ops]:
        pair = result.ops[op]
        entry: dict[str, Any] = {c: pair[c].to_json() for c in CLIENTS if c in pair}
        comparison = result.comparison(op)
        if comparison is not None:
            entry["ratio"] = comparison.ratio
            entry["slower"] = comparison.slower
        cand, ref = pair.get(verdict.CANDIDATE), pair.get(verdict.REFERENCE)
        if cand and ref and cand.rss_mb and ref.rss_mb:
            entry["rss_ratio"] = max(cand.rss_mb) / max(ref.rss_mb)
        if cand and ref and cand.summary and ref.summary:
            entry["same_result"] = cand.summary == ref.summary
        ops[op] = entry
    return {
        "cache": result.cache.to_json(),
        "ops": ops,
        "baselines": {k: v.to_json() for k, v in result.baselines.items()},
        "lazy": {k: v.to_json() for k, v in result.lazy.items()},
        "targets": targets(result),
        "failures": result.failures(),
    }


def _median(result: SizeResult, client: str, op: str) -> float | None:
    m = result.ops.get(op, {}).get(client)
    return verdict.median(m.samples) if m and m.samples else None


def targets(result: SizeResult) -> list[dict[str, Any]]:
    """The performance targets of the issue, evaluated on this cache."""
    sdk = verdict.CANDIDATE
    out: list[dict[str, Any]] = []

    def add(name: str, value: float | None, limit: float | None, unit: str) -> None:
        met = None if value is None or limit is None else value <= limit
        out.append({"target": name, "value": value, "limit": limit, "unit": unit, "met": met})

    def base(op: str) -> float | None:
        m = result.baselines.get(op)
        return verdict.median(m.samples) if m and m.samples else None

    add(
        "cache load / pyarrow read_table (fresh process)",
        _ratio(_median(result, sdk, "load"), base("pyarrow_read_cold")),
        1.5,
        "x",
    )
    add(
        "cache load / pyarrow read_table (repeated)",
        _ratio(_median(result, sdk, "load_warm"), base("pyarrow_read")),
        1.5,
        "x",
    )
    add(
        "unsorted cache load / pyarrow read_table (repeated)",
        _ratio(_median(result, sdk, "load_unsorted"), base("pyarrow_read_unsorted")),
        1.5,
        "x",
    )
    load_m = result.ops.get("load", {}).get(sdk)
    add("cache load peak RSS", max(load_m.rss_mb) if load_m and load_m.rss_mb else None, 1200, "MB")
    add(
        "list_datasets(filename=) all sessions",
        _median(result, sdk, "list_datasets_filename"),
        0.3,
        "s",
    )
    add("search(datasets=[...])", _median(result, sdk, "search_datasets"), 0.5, "s")
    add("search(subject=)", _median(result, sdk, "search_subject"), 0.001, "s")
    add("list_datasets(eid)", _median(result, sdk, "list_datasets_eid"), 0.001, "s")
    add(
        "load_object check_hash / (read + md5)",
        _ratio(_median(result, sdk, "load_object_hash"), base("read_md5")),
        1.3,
        "x",
    )
    add("import onesdk", _median(result, sdk, "import"), 0.3, "s")
    comparisons = result.comparisons()
    slower = sum(c.slower for c in comparisons) + len(result.candidate_errors())
    add("operations slower than one-api (or failing)", float(slower), 0.0, "count")
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return a / b


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def table(result: SizeResult) -> str:
    spec = result.cache.spec
    lines = [
        f"size {spec.n_sessions} sessions x {spec.n_datasets} datasets "
        f"({result.cache.n_datasets_total:,} dataset rows)",
        f"{'operation':28} {'onesdk':>10} {'one-api':>10} {'ratio':>7} "
        f"{'RSS MB':>7} {'ref MB':>7} {'RSS x':>6}  {'n':>9}  verdict",
    ]
    for op in [o for o in ROW_ORDER if o in result.ops]:
        pair = result.ops[op]
        cand, ref = pair.get(verdict.CANDIDATE), pair.get(verdict.REFERENCE)
        c = result.comparison(op)
        if cand and cand.error:
            mark = "ERROR " + cand.error.splitlines()[0][:60]
        elif c is None:
            mark = "-"
        else:
            mark = "SLOWER" if c.slower else "faster"
            if cand and ref and cand.summary and ref.summary and cand.summary != ref.summary:
                mark += " (result differs)"
        rss_c = max(cand.rss_mb) if cand and cand.rss_mb else None
        rss_r = max(ref.rss_mb) if ref and ref.rss_mb else None
        ns = f"{len(cand.samples) if cand else 0}/{len(ref.samples) if ref else 0}"
        lines.append(
            f"{op:28} {fmt_time(_median(result, verdict.CANDIDATE, op)):>10} "
            f"{fmt_time(_median(result, verdict.REFERENCE, op)):>10} "
            f"{_fmt(c.ratio if c else None, 3):>7} {_fmt(rss_c, 0):>7} {_fmt(rss_r, 0):>7} "
            f"{_fmt(_ratio(rss_c, rss_r), 2):>6}  {ns:>9}  {mark}"
        )
    for label, group in (("baseline", result.baselines), ("lazy", result.lazy)):
        for op, m in group.items():
            t = verdict.median(m.samples) if m.samples else None
            rss = _fmt(max(m.rss_mb), 0) if m.rss_mb else "-"
            state = f"ERROR {m.error.splitlines()[0][:60]}" if m.error else (m.summary or "")
            name = op if label == "lazy" else f"{label} {op}"
            lines.append(f"{name:28} {fmt_time(t):>10} {'':>10} {'':>7} {rss:>7}  {state}")
    lines.append(
        "targets:" if _is_target_size(result) else "targets (stated for L; for reference):"
    )
    for row in targets(result):
        state = {True: "met", False: "NOT met", None: "-"}[row["met"]]
        value = "-" if row["value"] is None else f"{row['value']:.4g}"
        lines.append(
            f"  {row['target']:45} {value:>10} <= {row['limit']:g} {row['unit']:6} {state}"
        )
    return "\n".join(lines)


def _is_target_size(result: SizeResult) -> bool:
    """Whether this is the size the issue's targets are stated for (L)."""
    from bench.synth import SIZES

    spec = result.cache.spec
    return (spec.n_sessions, spec.n_datasets) == SIZES["L"]


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def scaling(all_sizes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Fit time ~ rows**k per (operation, client) over the generated sizes; predict 10x larger.

    Scaled sizes (XL) are not fitted: they are the check of the prediction, and their
    measured time is reported beside it (``measured_10x_s``).
    """
    from bench.synth import SCALED

    sizes = {k: v for k, v in all_sizes.items() if k not in SCALED}
    out: dict[str, Any] = {}
    for op in ROW_ORDER:
        for client in CLIENTS:
            points = []
            for data in sizes.values():
                entry = data["ops"].get(op, {}).get(client)
                if entry and entry.get("median_s"):
                    points.append((float(data["cache"]["n_datasets_total"]), entry["median_s"]))
            if len({n for n, _ in points}) < 2:
                continue
            points.sort()
            out.setdefault(op, {})[client] = _fit(points)
    for op in LAZY:
        points = []
        for data in sizes.values():
            entry = data.get("lazy", {}).get(op)
            if entry and entry.get("median_s"):
                points.append((float(data["cache"]["n_datasets_total"]), entry["median_s"]))
        if len({n for n, _ in points}) >= 2:
            out.setdefault(op, {})[LAZY_CLIENT] = _fit(sorted(points))
    for size in (k for k in all_sizes if k in SCALED):
        _add_measured(out, all_sizes[size])
    return out


def _add_measured(fits: dict[str, Any], data: Mapping[str, Any]) -> None:
    """Put the scaled size's medians beside the fits whose 10x prediction it measures."""
    rows = float(data["cache"]["n_datasets_total"])
    for op, per_client in fits.items():
        for client, fit in per_client.items():
            if not math.isclose(fit["largest_rows"] * 10, rows):
                continue
            group = data.get("lazy", {}) if client == LAZY_CLIENT else data["ops"].get(op, {})
            entry = group.get(op) if client == LAZY_CLIENT else group.get(client)
            if entry and entry.get("median_s"):
                fit["measured_10x_s"] = entry["median_s"]


def _fit(points: list[tuple[float, float]]) -> dict[str, float]:
    k = verdict.growth_exponent([n for n, _ in points], [t for _, t in points])
    n_max, t_max = points[-1]
    return {
        "exponent": k,
        "largest_rows": n_max,
        "largest_s": t_max,
        "predicted_10x_s": t_max * 10**k,
    }


def plot(sizes: Mapping[str, Mapping[str, Any]], path: Path) -> None:
    """Median time against dataset rows, log-log, one panel per operation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ops = [o for o in ROW_ORDER if any(o in d["ops"] for d in sizes.values())]
    cols = 6
    rows = math.ceil(len(ops) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    colours = {verdict.CANDIDATE: "tab:blue", verdict.REFERENCE: "tab:red"}
    ordered = sorted(sizes.values(), key=lambda d: d["cache"]["n_datasets_total"])
    baseline_for = {
        "load": "pyarrow_read_cold",
        "load_warm": "pyarrow_read",
        "load_unsorted": "pyarrow_read_unsorted",
        "load_object_hash": "read_md5",
    }
    lazy_for = {f"{op[len('lazy_') :]}": op for op in LAZY}
    for ax, op in zip(axes.flat, ops, strict=False):
        for client in CLIENTS:
            xs, ys = _series(ordered, op, client)
            if xs:
                ax.plot(xs, ys, "o-", color=colours[client], label=client)
        if op in baseline_for:
            xs, ys = _baseline_series(ordered, baseline_for[op])
            if xs:
                ax.plot(xs, ys, "k+--", lw=1, label=baseline_for[op])
        if op in lazy_for:
            xs, ys = _baseline_series(ordered, lazy_for[op], group="lazy")
            if xs:
                ax.plot(xs, ys, "s:", color="tab:green", label="onesdk lazy")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(op, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(ops) :]:
        ax.axis("off")
    fig.supxlabel("dataset rows in cache")
    fig.supylabel("median wall time (s)")
    fig.suptitle("onesdk vs one-api 3.6.1: median wall time per call, same files, same run")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _series(
    ordered: Sequence[Mapping[str, Any]], op: str, client: str
) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for data in ordered:
        entry = data["ops"].get(op, {}).get(client)
        if entry and entry.get("median_s"):
            xs.append(float(data["cache"]["n_datasets_total"]))
            ys.append(float(entry["median_s"]))
    return xs, ys


def _baseline_series(
    ordered: Sequence[Mapping[str, Any]], op: str, group: str = "baselines"
) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for data in ordered:
        entry = data.get(group, {}).get(op)
        if entry and entry.get("median_s"):
            xs.append(float(data["cache"]["n_datasets_total"]))
            ys.append(float(entry["median_s"]))
    return xs, ys


__all__ = ["BASELINES", "machine", "plot", "scaling", "size_to_json", "table", "targets"]


def markdown(document: Mapping[str, Any]) -> str:
    """The results as Markdown tables: sizes side by side, targets, growth."""
    sizes = sorted(document["sizes"].items(), key=lambda kv: kv[1]["cache"]["n_datasets_total"])
    head = "| operation |" + "".join(f" {s} onesdk | {s} one-api | {s} ratio |" for s, _ in sizes)
    lines = [head, "|---|" + "---:|---:|---:|" * len(sizes)]
    for op in ROW_ORDER:
        cells = []
        for _, data in sizes:
            entry = data["ops"].get(op, {})
            sdk = entry.get(verdict.CANDIDATE, {}).get("median_s")
            ref = entry.get(verdict.REFERENCE, {}).get("median_s")
            ratio = entry.get("ratio")
            cells += [fmt_time(sdk), fmt_time(ref), "-" if ratio is None else f"{ratio:.3f}"]
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| peak RSS (MB) |" + "".join(f" {s} onesdk | {s} one-api | {s} ratio |" for s, _ in sizes),
    ]
    lines.append("|---|" + "---:|---:|---:|" * len(sizes))
    for op in ("load", "search_datasets", "load_object_hash", "save_cache"):
        cells = []
        for _, data in sizes:
            entry = data["ops"].get(op, {})
            sdk = entry.get(verdict.CANDIDATE, {}).get("rss_mb")
            ref = entry.get(verdict.REFERENCE, {}).get("rss_mb")
            cells += [_fmt(sdk, 0), _fmt(ref, 0), _fmt(_ratio(sdk, ref), 2)]
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| baseline / lazy path |" + "".join(f" {s} time | {s} RSS MB |" for s, _ in sizes),
    ]
    lines.append("|---|" + "---:|---:|" * len(sizes))
    for group, ops in (("baselines", BASELINES), ("lazy", LAZY)):
        for op in ops:
            cells = []
            for _, data in sizes:
                entry = data.get(group, {}).get(op, {})
                cells += [fmt_time(entry.get("median_s")), _fmt(entry.get("rss_mb"), 0)]
            lines.append(f"| {op} | " + " | ".join(cells) + " |")
    for size, data in sizes:
        lines += [
            "",
            f"Targets on {size}:" if size == "L" else f"Targets on {size} (stated for L):",
            "",
            "| target | value | limit | met |",
            "|---|---:|---:|---|",
        ]
        for row in data["targets"]:
            value = "-" if row["value"] is None else f"{row['value']:.4g}"
            met = {True: "yes", False: "**no**", None: "-"}[row["met"]]
            lines.append(f"| {row['target']} | {value} | {row['limit']:g} {row['unit']} | {met} |")
    growth = document.get("scaling") or {}
    if growth:
        lines += [
            "",
            "| operation | onesdk exponent | onesdk at 10x (fit) | onesdk at 10x (measured) "
            "| one-api exponent | one-api at 10x (fit) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for op, fits in growth.items():
            sdk = fits.get(verdict.CANDIDATE) or fits.get(LAZY_CLIENT) or {}
            ref = fits.get(verdict.REFERENCE, {})
            lines.append(
                f"| {op} | {_fmt(sdk.get('exponent'), 2)} | {fmt_time(sdk.get('predicted_10x_s'))} "
                f"| {fmt_time(sdk.get('measured_10x_s'))} "
                f"| {_fmt(ref.get('exponent'), 2)} | {fmt_time(ref.get('predicted_10x_s'))} |"
            )
    return "\n".join(lines) + "\n"
