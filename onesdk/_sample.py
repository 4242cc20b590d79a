"""A small, realistic, deterministic ALF data set: the embedded sample behind ``onesdk demo``.

The sample mimics a behaviour + electrophysiology project: three labs, four subjects, six
sessions (``lab/Subjects/subject/yyyy-mm-dd/NNN``), each with a ``trials`` object (a simulated
two-alternative visual decision task), a ``wheel`` object whose movements follow the choices, and,
for the ephys sessions, ``spikes``/``clusters``/``channels`` objects on ``alf/probe00`` and
``alf/probe01`` with stimulus-responsive units. ``_ibl_trials.stimOn_times`` exists unrevisioned
(the original extraction), in ``#2024-01-01#`` (the default, with the screen delay corrected) and
in ``#2024-06-01#`` (a newer candidate that is *not* the default). Dataset QC values cover every
level.

Everything is computed from one seed with numpy, so two calls with the same seed write
byte-identical files. Every file is written to a temporary name, then atomically renamed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from onesdk._atomic import atomic_write, atomic_write_bytes
from onesdk.alf._path import split_revision
from onesdk.errors import ArgumentError

__all__ = [
    "DEFAULT_REVISION",
    "REVISIONS",
    "Sample",
    "SampleSession",
    "alf_name",
    "write_sample",
]

#: The revision folders of ``_ibl_trials.stimOn_times``; the first is flagged as the default.
REVISIONS = ("2024-01-01", "2024-06-01")
DEFAULT_REVISION = REVISIONS[0]

_SCREEN_DELAY = 0.016  # s: the stimulus appears one frame after the command (fixed in 2024-01-01)
_WHEEL_RATE = 50.0  # Hz
_CONTRASTS = (1.0, 0.25, 0.125, 0.0625, 0.0)
_N_CLUSTERS = 24


@dataclass(frozen=True)
class SampleSession:
    """One session of the sample, as it is laid out on disk."""

    lab: str
    subject: str
    date: datetime.date
    number: int
    task_protocol: str
    projects: tuple[str, ...]
    probes: tuple[str, ...]
    n_trials: int

    @property
    def rel_path(self) -> str:
        """``lab/Subjects/subject/yyyy-mm-dd/NNN``, posix."""
        return f"{self.lab}/Subjects/{self.subject}/{self.date.isoformat()}/{self.number:03d}"


@dataclass(frozen=True)
class Sample:
    """What :func:`write_sample` wrote: the root folder, its sessions and per-dataset QC."""

    root: Path
    sessions: tuple[SampleSession, ...]
    #: dataset path relative to ``root`` -> QC name (``'PASS'``...); absent means ``NOT_SET``
    qc: dict[str, str] = field(default_factory=dict)

    def session_path(self, session: SampleSession) -> Path:
        return self.root / session.rel_path


_BEHAVIOUR = "_iblrig_tasks_trainingChoiceWorld6.4.2"
_EPHYS = "_iblrig_tasks_ephysChoiceWorld6.4.2"
_BRAINWIDE = "ibl_neuropixel_brainwide_01"

# lab, subject, date, number, protocol, projects, probes
_SESSIONS: tuple[tuple[str, str, str, int, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("cortexlab", "KS051", "2024-03-04", 1, _BEHAVIOUR, ("ibl_behaviour_pilot",), ()),
    ("cortexlab", "KS051", "2024-03-05", 1, _EPHYS, (_BRAINWIDE,), ("probe00", "probe01")),
    ("cortexlab", "KS052", "2024-03-05", 2, _EPHYS, (_BRAINWIDE,), ("probe00",)),
    ("hoferlab", "SWC_061", "2024-04-10", 1, _BEHAVIOUR, ("hofer_visual_cortex",), ()),
    (
        "hoferlab",
        "SWC_061",
        "2024-04-11",
        1,
        _EPHYS,
        ("hofer_visual_cortex", _BRAINWIDE),
        ("probe00", "probe01"),
    ),
    ("mainenlab", "ZM_3001", "2024-05-20", 1, _BEHAVIOUR, (), ()),
)

Array = npt.NDArray[np.float64]


def alf_name(
    obj: str,
    attribute: str,
    extension: str,
    *,
    namespace: str | None = None,
    timescale: str | None = None,
) -> str:
    """An ALF file name built by :func:`onesdk.alf.to_alf`, checked by the ALF grammar."""
    from onesdk import alf

    name = alf.to_alf(obj, attribute, extension, namespace=namespace, timescale=timescale)
    if not alf.is_valid(name):
        raise ArgumentError("obj", name, "parts that form a valid ALF file name")
    return name


def _save_npy(path: Path, array: npt.NDArray[np.generic]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda stream: np.save(stream, array, allow_pickle=False))


def _save_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, text.encode("utf-8"))


def _save_parquet(path: Path, columns: dict[str, npt.NDArray[np.generic]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({k: pa.array(v) for k, v in columns.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda stream: pq.write_table(table, stream))


@dataclass(frozen=True)
class _Trials:
    intervals: Array
    stim_on: Array
    go_cue: Array
    response: Array
    feedback: Array
    choice: npt.NDArray[np.int64]
    feedback_type: npt.NDArray[np.int64]
    contrast_left: Array
    contrast_right: Array
    probability_left: Array
    reward_volume: Array


def _block_probabilities(rng: np.random.Generator, n: int) -> Array:
    """An unbiased first block of 90 trials, then alternating 0.2/0.8 blocks of 20-100 trials."""
    prob = np.full(n, 0.5)
    start, current = 90, float(rng.choice([0.2, 0.8]))
    while start < n:
        length = int(np.clip(rng.exponential(60), 20, 100))
        prob[start : start + length] = current
        start, current = start + length, 1.0 - current
    return prob


def _simulate_trials(rng: np.random.Generator, n: int, skill: float) -> _Trials:
    prob_left = _block_probabilities(rng, n)
    stim_left = rng.random(n) < prob_left
    contrast = rng.choice(_CONTRASTS, size=n)
    signed = np.where(stim_left, -contrast, contrast)  # rightward stimuli are positive
    bias = (prob_left - 0.5) * -0.3  # the prior pulls choices towards the likely side
    lapse = 0.08
    z = (signed + bias) * skill * 8.0
    p_right = lapse + (1 - 2 * lapse) / (1 + np.exp(-z))
    went_right = rng.random(n) < p_right
    # IBL convention: choice -1 = counter-clockwise (reports a right stimulus), 0 = no-go
    choice = np.where(went_right, -1, 1).astype(np.int64)
    choice[rng.random(n) < 0.01] = 0
    correct = ((choice == -1) & ~stim_left) | ((choice == 1) & stim_left)
    correct &= contrast > 0
    correct |= (contrast == 0) & (choice != 0) & (rng.random(n) < 0.5)
    feedback_type = np.where(correct, 1, -1).astype(np.int64)

    reaction = np.exp(rng.normal(np.log(0.45), 0.5, n)) + 0.15 * (contrast < 0.1)
    reaction[choice == 0] = 60.0  # no-go trials time out after a minute
    iti = rng.uniform(0.5, 1.0, n)
    starts = np.empty(n)
    stim_on = np.empty(n)
    ends = np.empty(n)
    t = 2.0
    for i in range(n):
        starts[i] = t
        stim_on[i] = t + rng.uniform(0.4, 0.7)
        feedback_end = stim_on[i] + reaction[i] + (1.0 if correct[i] else 2.0)
        ends[i] = feedback_end + iti[i]
        t = ends[i] + 0.05
    go_cue = stim_on + 0.001
    response = stim_on + reaction
    feedback = response + 0.0005
    return _Trials(
        intervals=np.column_stack([starts, ends]),
        stim_on=stim_on,
        go_cue=go_cue,
        response=response,
        feedback=feedback,
        choice=choice,
        feedback_type=feedback_type,
        contrast_left=np.where(stim_left, contrast, np.nan),
        contrast_right=np.where(stim_left, np.nan, contrast),
        probability_left=prob_left,
        reward_volume=np.where(correct, 1.5, 0.0),
    )


def _simulate_wheel(rng: np.random.Generator, trials: _Trials) -> tuple[Array, Array]:
    """Wheel position (radians) at 50 Hz: a turn of 0.35 rad towards the choice before each
    response, plus small jitter; counter-clockwise (choice -1) is positive."""
    end = float(trials.intervals[-1, 1]) + 1.0
    timestamps = np.arange(0.0, end, 1.0 / _WHEEL_RATE)
    velocity = rng.normal(0.0, 0.01, timestamps.size)
    for onset, response, choice in zip(trials.stim_on, trials.response, trials.choice, strict=True):
        if choice == 0:
            continue
        start = max(onset + 0.1, response - 0.35)
        moving = (timestamps >= start) & (timestamps < response)
        steps = int(moving.sum())
        if steps:
            velocity[moving] += -float(choice) * 0.35 / steps
    return np.cumsum(velocity), timestamps


@dataclass(frozen=True)
class _Probe:
    spike_times: Array
    spike_clusters: npt.NDArray[np.int64]
    spike_amps: Array
    spike_depths: Array
    cluster_depths: Array
    cluster_channels: npt.NDArray[np.int64]
    cluster_rates: Array
    cluster_labels: Array
    channel_coordinates: Array
    channel_raw_ind: npt.NDArray[np.int64]


def _simulate_probe(rng: np.random.Generator, trials: _Trials) -> _Probe:
    duration = float(trials.intervals[-1, 1]) + 1.0
    n_channels = 384
    coordinates = np.column_stack(
        [np.tile([43.0, 11.0, 59.0, 27.0], n_channels // 4), np.repeat(np.arange(192) * 20.0, 2)]
    )
    channels = np.sort(rng.choice(n_channels, size=_N_CLUSTERS, replace=False)).astype(np.int64)
    depths = coordinates[channels, 1]
    rates = np.exp(rng.normal(np.log(4.0), 0.7, _N_CLUSTERS))
    responsive = rng.random(_N_CLUSTERS) < 0.4
    contrast = np.nan_to_num(trials.contrast_left) + np.nan_to_num(trials.contrast_right)
    times: list[Array] = []
    clusters: list[npt.NDArray[np.int64]] = []
    for cluster in range(_N_CLUSTERS):
        spikes = rng.uniform(0.0, duration, rng.poisson(rates[cluster] * duration))
        if responsive[cluster]:
            counts = rng.poisson(1.0 + 6.0 * contrast)  # evoked spikes, more with contrast
            onsets = np.repeat(trials.stim_on, counts)
            evoked = onsets + rng.gamma(4.0, 0.02, onsets.size) + 0.03
            spikes = np.concatenate([spikes, evoked])
        times.append(spikes)
        clusters.append(np.full(spikes.size, cluster, dtype=np.int64))
    all_times = np.concatenate(times)
    order = np.argsort(all_times, kind="stable")
    spike_clusters = np.concatenate(clusters)[order]
    amps = np.exp(rng.normal(np.log(80e-6), 0.3, _N_CLUSTERS))
    spike_amps = amps[spike_clusters] * rng.lognormal(0.0, 0.1, spike_clusters.size)
    spike_depths = depths[spike_clusters] + rng.normal(0.0, 5.0, spike_clusters.size)
    return _Probe(
        spike_times=all_times[order],
        spike_clusters=spike_clusters,
        spike_amps=spike_amps,
        spike_depths=spike_depths,
        cluster_depths=depths,
        cluster_channels=channels,
        cluster_rates=rates,
        cluster_labels=np.round(rng.uniform(0.0, 1.0, _N_CLUSTERS) * 3) / 3,
        channel_coordinates=coordinates,
        channel_raw_ind=np.arange(n_channels, dtype=np.int64),
    )


def _trial_files(trials: _Trials) -> Iterator[tuple[str, npt.NDArray[np.generic]]]:
    yield "intervals", trials.intervals
    yield "goCue_times", trials.go_cue
    yield "response_times", trials.response
    yield "feedback_times", trials.feedback
    yield "choice", trials.choice
    yield "feedbackType", trials.feedback_type
    yield "contrastLeft", trials.contrast_left
    yield "contrastRight", trials.contrast_right
    yield "probabilityLeft", trials.probability_left
    yield "rewardVolume", trials.reward_volume


class _Writer:
    """Writes one session's files and remembers each dataset's QC."""

    def __init__(self, root: Path, session: SampleSession, qc: dict[str, str]) -> None:
        self.root = root
        self.session = session
        self.qc = qc

    def path(self, collection: str, name: str, revision: str = "") -> Path:
        rel = self.session.rel_path
        for part in (collection, f"#{revision}#" if revision else ""):
            rel = f"{rel}/{part}" if part else rel
        return self.root / rel / name

    def npy(
        self,
        collection: str,
        name: str,
        array: npt.NDArray[np.generic],
        *,
        revision: str = "",
        qc: str = "",
    ) -> None:
        path = self.path(collection, name, revision)
        _save_npy(path, array)
        if qc:
            self.qc[path.relative_to(self.root).as_posix()] = qc


def _write_session(writer: _Writer, rng: np.random.Generator, index: int) -> None:
    session = writer.session
    trials = _simulate_trials(rng, session.n_trials, skill=0.6 + 0.1 * index)
    # trials QC: mostly PASS, one session flagged WARNING for its unusual no-go rate
    trials_qc = "WARNING" if index == 3 else "PASS"
    for attribute, array in _trial_files(trials):
        writer.npy(
            "alf", alf_name("trials", attribute, "npy", namespace="ibl"), array, qc=trials_qc
        )
    # stimOn_times: original (no screen delay), default revision (corrected), newer candidate
    stim_name = alf_name("trials", "stimOn_times", "npy", namespace="ibl")
    writer.npy("alf", stim_name, trials.stim_on - _SCREEN_DELAY, qc="FAIL")
    writer.npy("alf", stim_name, trials.stim_on, revision=REVISIONS[0], qc=trials_qc)
    candidate = trials.stim_on + rng.normal(0.0, 0.002, trials.stim_on.size)
    writer.npy("alf", stim_name, candidate, revision=REVISIONS[1], qc="NOT_SET")

    position, timestamps = _simulate_wheel(rng, trials)
    wheel_qc = "CRITICAL" if index == 5 else "PASS"
    writer.npy("alf", alf_name("wheel", "position", "npy", namespace="ibl"), position, qc=wheel_qc)
    writer.npy("alf", alf_name("wheel", "timestamps", "npy", namespace="ibl"), timestamps)

    for number, probe in enumerate(session.probes):
        data = _simulate_probe(rng, trials)
        collection = f"alf/{probe}"
        probe_qc = "FAIL" if (index, number) == (4, 1) else "PASS"
        spikes: dict[str, npt.NDArray[np.generic]] = {
            "times": data.spike_times,
            "clusters": data.spike_clusters,
            "amps": data.spike_amps,
            "depths": data.spike_depths,
        }
        for attribute, array in spikes.items():
            writer.npy(collection, alf_name("spikes", attribute, "npy"), array, qc=probe_qc)
        writer.npy(collection, alf_name("clusters", "depths", "npy"), data.cluster_depths)
        writer.npy(collection, alf_name("clusters", "channels", "npy"), data.cluster_channels)
        metrics = writer.path(collection, alf_name("clusters", "metrics", "pqt"))
        _save_parquet(
            metrics,
            {
                "cluster_id": np.arange(_N_CLUSTERS, dtype=np.int64),
                "firing_rate": data.cluster_rates,
                "label": data.cluster_labels,
            },
        )
        coords = alf_name("channels", "localCoordinates", "npy")
        writer.npy(collection, coords, data.channel_coordinates)
        writer.npy(collection, alf_name("channels", "rawInd", "npy"), data.channel_raw_ind)

    description = {
        "version": "1.0.0",
        "procedures": ["Behavior training/tasks"] + (["Ephys recording"] if session.probes else []),
        "projects": list(session.projects),
        "devices": {"neuropixel": {p: {"model": "3B2"} for p in session.probes}},
        "tasks": [{session.task_protocol: {"collection": "raw_behavior_data"}}],
    }
    _save_text(
        writer.path("", alf_name("experiment", "description", "yaml", namespace="ibl")),
        json.dumps(description, indent=2, sort_keys=True) + "\n",  # JSON is valid YAML
    )
    settings = {
        "PYBPOD_PROTOCOL": session.task_protocol,
        "SUBJECT_NAME": session.subject,
        "SESSION_DATE": session.date.isoformat(),
        "SESSION_NUMBER": f"{session.number:03d}",
    }
    _save_text(
        writer.path(
            "raw_behavior_data", alf_name("taskSettings", "raw", "json", namespace="iblrig")
        ),
        json.dumps(settings, indent=2, sort_keys=True) + "\n",
    )


def write_sample(root: Path | str, *, seed: int = 0, n_trials: int = 150) -> Sample:
    """Write the sample's ALF files below ``root`` (created if needed) and describe them.

    ``seed`` fixes every random draw; ``n_trials`` is the trial count of the first session (the
    others vary around it). Existing files of a previous sample are overwritten in place.
    """
    if n_trials < 20:
        raise ArgumentError("n_trials", n_trials, "an integer >= 20")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    sessions: list[SampleSession] = []
    qc: dict[str, str] = {}
    for index, (lab, subject, date, number, protocol, projects, probes) in enumerate(_SESSIONS):
        session = SampleSession(
            lab=lab,
            subject=subject,
            date=datetime.date.fromisoformat(date),
            number=number,
            task_protocol=protocol,
            projects=projects,
            probes=probes,
            n_trials=n_trials + int(rng.integers(-10, 30)),
        )
        session_rng = np.random.default_rng([seed, index])
        _write_session(_Writer(root, session, qc), session_rng, index)
        sessions.append(session)
    return Sample(root=root, sessions=tuple(sessions), qc=qc)


def make_sample(root: Path | str, *, seed: int = 0, n_trials: int = 150) -> Sample:
    """Write the sample below ``root`` and build its cache tables there (``sessions.pqt``,
    ``datasets.pqt``, ``cache_info.json``), ready for ``One(cache_dir=root, mode='local')``.

    The tables come from indexing the files; then the facts a file tree cannot tell are filled
    in, as Alyx would: each session's task protocol and projects, each dataset's QC, and which
    revision of ``_ibl_trials.stimOn_times`` is the default.
    """
    from onesdk._cache import make_cache

    sample = write_sample(root, seed=seed, n_trials=n_trials)
    make_cache(sample.root)
    _annotate_tables(sample)
    return sample


def _annotate_tables(sample: Sample) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    from onesdk._cache import read_tables, write_tables
    from onesdk._cache._schema import qc_code

    tables = read_tables(sample.root)
    sessions = tables.sessions
    by_key = {(s.lab, s.subject, s.date, s.number): s for s in sample.sessions}
    session_path: dict[str, str] = {}
    protocols: list[str] = []
    projects: list[str] = []
    for row in sessions.select(["id", "lab", "subject", "date", "number"]).to_pylist():
        session = by_key[(row["lab"], row["subject"], row["date"], row["number"])]
        session_path[str(row["id"])] = session.rel_path
        protocols.append(session.task_protocol)
        projects.append(",".join(session.projects))
    for name, values in (("task_protocol", protocols), ("projects", projects)):
        index = sessions.column_names.index(name)
        sessions = sessions.set_column(index, name, pa.array(values, pa.string()))

    datasets = tables.datasets
    eids = [str(e) for e in pc.cast(datasets.column("eid"), pa.string()).to_pylist()]
    rel_paths = [str(r) for r in pc.cast(datasets.column("rel_path"), pa.string()).to_pylist()]
    revised = {
        (eid, _without_revision(rel))
        for eid, rel in zip(eids, rel_paths, strict=True)
        if _revision_of(rel) is not None
    }
    qc: list[int] = []
    default: list[bool] = []
    for eid, rel in zip(eids, rel_paths, strict=True):
        qc.append(qc_code(sample.qc.get(f"{session_path[eid]}/{rel}", "NOT_SET")))
        revision = _revision_of(rel)
        if revision is None:
            default.append((eid, rel) not in revised)
        else:
            default.append(revision == DEFAULT_REVISION)
    datasets = datasets.set_column(datasets.column_names.index("qc"), "qc", pa.array(qc, pa.int8()))
    datasets = datasets.set_column(
        datasets.column_names.index("default_revision"),
        "default_revision",
        pa.array(default, pa.bool_()),
    )
    write_tables(
        type(tables)(sessions, datasets, tables.metadata, tables.info),
        sample.root,
        origin="onesdk sample",
    )


def _without_revision(rel_path: str) -> str:
    return split_revision(rel_path)[1]


def _revision_of(rel_path: str) -> str | None:
    """The revision of a dataset path relative to its session, None when unrevisioned.

    (An unrevisioned dataset that also exists in a revision is the original extraction,
    superseded by the default revision, so it is not the default.)
    """
    return split_revision(rel_path)[0]
