"""``onesdk demo``: build the embedded sample, then search, list, load and plot it."""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np
import numpy.typing as npt

from onesdk._atomic import atomic_write
from onesdk._cli._output import Cell, print_json, print_table

if TYPE_CHECKING:
    from onesdk import One, Session

__all__ = ["DemoResult", "run_demo"]

FloatArray = npt.NDArray[np.float64]
PLOT_NAME = "demo.png"


@dataclass(frozen=True)
class SessionSummary:
    eid: str
    session: str
    n_trials: int
    performance: float
    probes: tuple[str, ...]
    n_spikes: int


@dataclass(frozen=True)
class DemoResult:
    cache_dir: Path
    sessions: tuple[SessionSummary, ...]
    plot: Path | None
    plot_skipped: str | None


def performance(feedback_type: npt.NDArray[np.generic] | FloatArray) -> float:
    """Fraction of trials rewarded (feedbackType == 1)."""
    values = np.asarray(feedback_type, dtype=np.float64)
    return float(np.mean(values == 1)) if values.size else float("nan")


def wheel_around(
    position: FloatArray, timestamps: FloatArray, events: FloatArray, window: FloatArray
) -> FloatArray:
    """Wheel position interpolated at ``events[i] + window``, zeroed at each event."""
    samples = np.interp(events[:, None] + window[None, :], timestamps, position)
    at_event = np.interp(events, timestamps, position)
    result: FloatArray = samples - at_event[:, None]
    return result


def _as_float(value: object) -> FloatArray:
    return np.asarray(value, dtype=np.float64)


class _Log:
    """Writes the tour: numbered steps and the Python calls they make."""

    def __init__(self, out: TextIO, quiet: bool) -> None:
        self.out = out
        self.quiet = quiet
        self.step = 0

    def title(self, text: str) -> None:
        if not self.quiet:
            self.step += 1
            self.out.write(f"\n{self.step}. {text}\n")

    def code(self, text: str) -> None:
        if not self.quiet:
            self.out.write(f"   >>> {text}\n")

    def say(self, text: str) -> None:
        if not self.quiet:
            self.out.write(f"   {text}\n")


def run_demo(
    out_dir: Path, *, seed: int, plot: bool, out: TextIO, err: TextIO, as_json: bool
) -> int:
    """The whole tour; returns the exit code."""
    from onesdk._sample import make_sample

    log = _Log(out, quiet=as_json)
    cache_dir = out_dir / "sample"
    started = time.perf_counter()
    log.title(f"Writing the embedded sample into {cache_dir}")
    sample = make_sample(cache_dir, seed=seed)
    n_files = sum(1 for p in cache_dir.rglob("*") if p.is_file() and p.suffix in (".npy", ".pqt"))
    log.say(
        f"{len(sample.sessions)} sessions in {len({s.lab for s in sample.sessions})} labs, "
        f"{n_files} data files, cache tables built ({time.perf_counter() - started:.1f} s)"
    )
    result = _tour(cache_dir, sample.sessions[1].rel_path, log, plot=plot, out_dir=out_dir)
    if as_json:
        print_json(result, out)
        return 0
    out.write("\nSummary\n")
    rows: list[list[Cell]] = [
        [s.session, s.n_trials, f"{s.performance:.0%}", ",".join(s.probes) or "-", s.n_spikes]
        for s in result.sessions
    ]
    print_table(("session", "trials", "correct", "probes", "spikes"), rows, out)
    if result.plot is not None:
        out.write(f"\nPlot written to {result.plot}\n")
    else:
        out.write(f"\nPlot skipped: {result.plot_skipped}\n")
    prog = _program()
    out.write(
        f"\nTry the command line on it:\n  {prog} --cache-dir {cache_dir} search --details\n"
        f"  {prog} --cache-dir {cache_dir} ls {sample.sessions[1].rel_path} --revisions\n"
    )
    del err
    return 0


def _program() -> str:
    """How to run ``onesdk`` from here: the bare name when it is on PATH, else its path."""
    if shutil.which("onesdk"):
        return "onesdk"
    script = Path(sys.argv[0])
    if script.name == "onesdk" and script.is_file():
        with contextlib.suppress(ValueError):
            return str(script.resolve().relative_to(Path.cwd().resolve()))
        return str(script)
    return "python -m onesdk"


def _tour(cache_dir: Path, ephys_path: str, log: _Log, *, plot: bool, out_dir: Path) -> DemoResult:
    import onesdk

    log.title("Search")
    log.code(f"one = onesdk.ONE(cache_dir={str(cache_dir)!r}, mode='local')")
    one = onesdk.ONE(cache_dir=cache_dir, mode="local")
    eids, sessions = one.search(details=True)
    log.code("eids, sessions = one.search(details=True)")
    first = sessions[0]
    log.say(f"{len(eids)} sessions; each a typed Session record, e.g.")
    log.say(f"  .subject={first.subject!r} .date={first.date!r} .projects={first.projects!r}")
    ephys = one.search(datasets=["spikes.times.npy"], projects="brainwide")
    log.code("one.search(datasets=['spikes.times.npy'], projects='brainwide')")
    log.say(f"{len(ephys)} sessions with spikes in the brain-wide project")

    log.title(f"List what the ephys session {ephys_path} holds")
    log.code(f"one.list_collections({ephys_path!r})")
    log.say(str(sorted(one.list_collections(ephys_path))))
    log.code(f"one.list_revisions({ephys_path!r})")
    log.say(str(sorted(one.list_revisions(ephys_path))))
    spikes_files = one.list_datasets(ephys_path, collection="alf/probe00", filename="spikes.*")
    log.code(f"one.list_datasets({ephys_path!r}, collection='alf/probe00', filename='spikes.*')")
    log.say(str(spikes_files))

    log.title("Load trials and spikes of every session")
    log.code("trials = one.load_object(eid, 'trials', collection='alf')")
    log.code("spikes = one.load_object(eid, 'spikes', collection='alf/probe00')")
    summaries: list[SessionSummary] = []
    for eid, session in sorted(zip(eids, sessions, strict=True), key=lambda p: _ref(p[1])):
        trials = one.load_object(eid, "trials", collection="alf")
        feedback = trials.array("feedbackType")
        probes = tuple(
            sorted(c.rsplit("/", 1)[-1] for c in one.list_collections(eid, collection="alf/probe*"))
        )
        n_spikes = 0
        for probe in probes:
            spikes = one.load_object(eid, "spikes", collection=f"alf/{probe}", attribute=["times"])
            n_spikes += int(spikes.array("times").size)
        summary = SessionSummary(
            eid=str(eid),
            session=_ref(session),
            n_trials=int(feedback.size),
            performance=performance(feedback),
            probes=probes,
            n_spikes=n_spikes,
        )
        summaries.append(summary)

    log.title("Revisions: the default one, and a pinned one")
    name = "_ibl_trials.stimOn_times.npy"
    default = _as_float(one.load_dataset(ephys_path, name, collection="alf"))
    log.code(f"one.load_dataset({ephys_path!r}, {name!r}, collection='alf')")
    newest = _as_float(one.load_dataset(ephys_path, name, collection="alf", revision="2024-06-01"))
    log.code(f"one.load_dataset({ephys_path!r}, {name!r}, collection='alf', revision='2024-06-01')")
    log.say(
        "the default revision is 2024-01-01, not the newest: the 2024-06-01 candidate moves "
        f"stimulus onsets by up to {np.abs(newest - default).max() * 1000:.1f} ms"
    )

    png: Path | None = None
    skipped: str | None = "--no-plot was given"
    if plot:
        log.title("Plot")
        png, skipped = _plot(one, ephys_path, out_dir / PLOT_NAME)
        log.say(f"written to {png}" if png is not None else f"skipped: {skipped}")
    return DemoResult(cache_dir, tuple(summaries), png, skipped)


def _ref(session: Session) -> str:
    return (
        f"{session.lab}/Subjects/{session.subject}/{session.date.isoformat()}/{session.number:03d}"
    )


def _plot(one: One, session: str, target: Path) -> tuple[Path | None, str | None]:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        return None, f"matplotlib is not installed ({exc}); pip install 'onesdk[plot]'"

    trials = one.load_object(session, "trials", collection="alf")
    wheel = one.load_object(session, "wheel", collection="alf")
    spikes = one.load_object(session, "spikes", collection="alf/probe00")
    stim_on = _as_float(trials.array("stimOn_times"))
    choice = _as_float(trials.array("choice"))
    times = _as_float(spikes.array("times"))
    depths = _as_float(spikes.array("depths"))

    figure = Figure(figsize=(13, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    raster, trace, psycho = figure.subplots(1, 3, width_ratios=(1.6, 1, 1))
    start = float(stim_on[10]) - 1.0
    window = (times >= start) & (times < start + 12.0)
    raster.scatter(times[window] - start, depths[window], s=1.5, c="k", linewidths=0)
    for onset in stim_on[(stim_on >= start) & (stim_on < start + 12.0)]:
        raster.axvline(float(onset) - start, color="tab:orange", lw=0.8)
    raster.set(xlabel="time (s)", ylabel="depth (um)", title="probe00 spikes (orange: stimulus on)")

    offsets = np.linspace(-0.2, 1.0, 121)
    aligned = wheel_around(
        _as_float(wheel.array("position")), _as_float(wheel.array("timestamps")), stim_on, offsets
    )
    styles = ((-1.0, "tab:blue", "choice -1 (CCW)"), (1.0, "tab:red", "choice +1 (CW)"))
    for value, colour, label in styles:
        rows = aligned[choice == value]
        for row in rows[:40]:
            trace.plot(offsets, row, color=colour, alpha=0.12, lw=0.7)
        if rows.size:
            trace.plot(offsets, rows.mean(axis=0), color=colour, lw=2.2, label=label)
    trace.axvline(0.0, color="k", lw=0.8)
    trace.set(
        xlabel="time from stimulus on (s)", ylabel="wheel (rad)", title="wheel, trial aligned"
    )
    trace.legend(loc="upper left", fontsize=8)

    signed = np.nan_to_num(_as_float(trials.array("contrastRight"))) - np.nan_to_num(
        _as_float(trials.array("contrastLeft"))
    )
    levels = np.unique(signed)
    rightward = [float(np.mean(choice[signed == c] == -1)) for c in levels]
    psycho.plot(levels * 100, rightward, "o-", color="k")
    psycho.set(
        xlabel="signed contrast (%)",
        ylabel="P(rightward choice)",
        ylim=(-0.05, 1.05),
        title="psychometric curve",
    )
    figure.suptitle(f"onesdk demo: {session}")

    atomic_write(target, lambda stream: figure.savefig(stream, dpi=110, format="png"))
    return target, None
