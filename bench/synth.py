"""Deterministic synthetic ONE caches in the format Alyx writes and one-api reads.

A cache is ``sessions.pqt`` (index ``id``), ``datasets.pqt`` (index ``eid, id``) and
``cache_info.json``, with the column order, arrow types, pandas metadata and ``one_metadata``
of a cache produced by Alyx's ``one_cache`` command. Everything is built column-wise with numpy
and pyarrow (no per-row Python), so the 5 million-row L cache takes seconds.

One session (the *load session*) also gets real ALF files on disk, with their true sizes and
md5 hashes in the table, so ``load_object`` / ``load_dataset`` with ``check_hash=True`` work.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import shutil
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bench._synth_templates import variants
from onesdk._atomic import atomic_write_bytes, staged
from onesdk._cache._schema import QC_NAMES

# Bump when the generated content changes, so caches on disk are rebuilt.
GENERATOR_VERSION: Final = 3

SIZES: Final[dict[str, tuple[int, int]]] = {
    "S": (1_000, 50),
    "M": (10_000, 100),
    "L": (50_000, 100),
}

QC_WEIGHTS: Final = (0.40, 0.30, 0.15, 0.10, 0.05)

# lab -> subject nickname pattern (formatted with an integer)
LABS: Final[dict[str, str]] = {
    "angelakilab": "NYU-{:02d}",
    "churchlandlab": "CSHL{:03d}",
    "churchlandlab_ucla": "UCLA{:03d}",
    "cortexlab": "KS{:03d}",
    "danlab": "DY_{:03d}",
    "hausserlab": "PL{:03d}",
    "hoferlab": "SWC_{:03d}",
    "mainenlab": "ZM_{:04d}",
    "mrsicflogellab": "SWC_{:03d}",
    "steinmetzlab": "NR_{:04d}",
    "wittenlab": "ibl_witten_{:02d}",
    "zadorlab": "CSH_ZAD_{:03d}",
}
# offsets keep nicknames of labs sharing a pattern apart
_SUBJECT_OFFSET: Final = {"mrsicflogellab": 500}

TASKS: Final = (
    "_iblrig_tasks_trainingChoiceWorld6.4.2",
    "_iblrig_tasks_biasedChoiceWorld6.4.2",
    "_iblrig_tasks_ephysChoiceWorld6.4.2",
    "_iblrig_tasks_passiveChoiceWorld6.4.2",
    "_iblrig_tasks_habituationChoiceWorld6.4.2",
)


@dataclass(frozen=True)
class CacheSpec:
    """What to generate: number of sessions, datasets per session, RNG seed."""

    n_sessions: int
    n_datasets: int
    seed: int = 0

    @property
    def key(self) -> str:
        return f"{self.n_sessions}x{self.n_datasets}-seed{self.seed}-v{GENERATOR_VERSION}"


@dataclass(frozen=True)
class Targets:
    """Real identifiers inside a generated cache that operations query."""

    load_eid: str  # the session with real ALF files on disk (an ephys session)
    subject: str  # a subject nickname with many sessions
    date_range: tuple[str, str]  # a one-month window inside the cache's dates
    datasets: tuple[str, ...]  # dataset names a search must find together in a session
    qc_dataset: str  # dataset name for the dataset_qc_lte search
    filename: str  # a wildcard matched against every dataset name
    object: str  # ALF object loaded by load_object
    dataset: str  # dataset loaded by load_dataset
    collection: str


@dataclass(frozen=True)
class Cache:
    """A generated cache on disk and the identifiers to query it with."""

    spec: CacheSpec
    path: Path
    targets: Targets
    n_datasets_total: int

    def to_json(self) -> dict[str, object]:
        return {
            "spec": asdict(self.spec),
            "path": str(self.path),
            "targets": asdict(self.targets),
            "n_datasets_total": self.n_datasets_total,
        }


#: sizes made by replicating a generated one (name -> (base size, copies)): 10x L is 50
#: million rows, which the in-memory generator would need ~15 GB to build and sort
SCALED: Final[dict[str, tuple[str, int]]] = {"XL": ("L", 10)}


def spec_for(size: str, seed: int = 0) -> CacheSpec:
    """The cache spec of a named size (S, M or L)."""
    try:
        n_sessions, n_datasets = SIZES[size]
    except KeyError:
        raise ValueError(f"size: expected one of {sorted(SIZES)}, got {size!r}") from None
    return CacheSpec(n_sessions, n_datasets, seed)


# ---------------------------------------------------------------------------------------------
# vectorised string columns

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex_strings(raw: npt.NDArray[np.uint8], dashes: bool) -> pa.Array[Any]:
    """Hex-format rows of 16 random bytes (as UUIDs when ``dashes``) without per-row Python."""
    n = raw.shape[0]
    nibbles = np.empty((n, 32), dtype=np.uint8)
    nibbles[:, 0::2] = raw >> 4
    nibbles[:, 1::2] = raw & 15
    chars = _HEX[nibbles]
    if dashes:
        width = 36
        out = np.full((n, width), ord("-"), dtype=np.uint8)
        cols = [i for i in range(width) if i not in (8, 13, 18, 23)]
        out[:, cols] = chars
    else:
        width = 32
        out = chars
    offsets = np.arange(n + 1, dtype=np.int64) * width
    strings = pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(np.ascontiguousarray(out).tobytes())
    )
    return strings.cast(pa.string())


def _uuids(rng: np.random.Generator, n: int) -> pa.Array[Any]:
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    return _hex_strings(raw, dashes=True)


def _take_strings(values: list[str], indices: npt.NDArray[np.int32]) -> pa.Array[Any]:
    dictionary = pa.array(values, type=pa.string())
    return pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.string())


# ---------------------------------------------------------------------------------------------
# tables


def _sessions(spec: CacheSpec, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, int]]:
    n = spec.n_sessions
    per_subject = 40
    n_subjects = max(1, -(-n // per_subject))
    labs = list(LABS)
    subject_lab = np.arange(n_subjects) % len(labs)
    names = []
    for i, lab_i in enumerate(subject_lab):
        lab = labs[lab_i]
        names.append(LABS[lab].format(i // len(labs) + 1 + _SUBJECT_OFFSET.get(lab, 0)))
    # sessions per subject: a multinomial split of n, every subject at least one
    counts = 1 + rng.multinomial(n - n_subjects, np.full(n_subjects, 1 / n_subjects))
    subject = np.repeat(np.arange(n_subjects), counts)
    start = np.datetime64("2019-01-07") + rng.integers(0, 5 * 365, size=n_subjects)
    # days since the subject's previous session: 0 = same day (a higher session number)
    gap = rng.choice([0, 1, 1, 1, 2, 3], size=n)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    gap[first] = 0
    day = np.cumsum(gap)
    day -= np.repeat(day[first], counts)
    date = np.repeat(start, counts) + day
    # number: 1 + position within (subject, date) runs
    new_run = np.r_[True, (subject[1:] != subject[:-1]) | (date[1:] != date[:-1])]
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(n), 0))
    number = (np.arange(n) - run_start + 1).astype(np.uint16)
    ephys = rng.random(n) < 0.3
    task = np.where(ephys, 2, rng.choice([0, 1, 3, 4], size=n, p=[0.5, 0.35, 0.1, 0.05]))
    projects = np.where(
        ephys,
        0,
        rng.choice([1, 2, 3], size=n, p=[0.8, 0.1, 0.1]),
    )
    project_names = [
        "ibl_neuropixel_brainwide_01",
        "ibl_behaviour_pilot",
        "ibl_behaviour_pilot,ibl_training",
        "",
    ]
    frame = pd.DataFrame(
        {
            "lab": np.array(labs, dtype=object)[subject_lab[subject]],
            "subject": np.array(names, dtype=object)[subject],
            "date": pd.to_datetime(date).date,
            "number": number,
            "task_protocol": np.array(TASKS, dtype=object)[task],
            "projects": np.array(project_names, dtype=object)[projects],
            "_ephys": ephys,
        }
    )
    busiest = int(np.argmax(counts))
    return frame, {"subject_index": busiest}


def generate(spec: CacheSpec, out_dir: Path) -> Cache:
    """Write a cache for ``spec`` into ``out_dir`` (created) and return where things are."""
    rng = np.random.default_rng([spec.seed, spec.n_sessions, spec.n_datasets])
    out_dir.mkdir(parents=True, exist_ok=True)
    sessions, info = _sessions(spec, rng)
    n = spec.n_sessions
    eids = _uuids(rng, n)
    ephys = sessions.pop("_ephys").to_numpy()
    variant = ephys.astype(np.int8) + 2 * (rng.random(n) < 0.25)
    layouts = variants(spec.n_datasets)
    # all rel paths of the four layouts in one dictionary; layout v, slot j -> code[v, j]
    paths = sorted({rel for rows in layouts for rel, _, _ in rows})
    code = {p: i for i, p in enumerate(paths)}
    k = spec.n_datasets
    codes = np.array([[code[rel] for rel, _, _ in rows] for rows in layouts], dtype=np.int32)
    defaults = np.array([[d for _, d, _ in rows] for rows in layouts], dtype=bool)
    sizes = np.array([[s for _, _, s in rows] for rows in layouts], dtype=np.float64)
    total = n * k
    ds_codes = codes[variant].reshape(-1)
    file_size = (sizes[variant].reshape(-1) * rng.lognormal(0.0, 0.3, total)).astype(np.uint64)
    qc = rng.choice(len(QC_NAMES), size=total, p=QC_WEIGHTS).astype(np.int8)
    exists = rng.random(total) >= 0.01
    hashes_raw = rng.integers(0, 256, size=(total, 16), dtype=np.uint8)
    ids = _uuids(rng, total)
    eid_index = np.repeat(np.arange(n), k)

    # the load session: the middle ephys session without revisions
    candidates = np.flatnonzero(variant == 1)
    load_i = int(candidates[len(candidates) // 2])
    session_dir = _session_path(out_dir, sessions.iloc[load_i])
    real = _write_alf_files(session_dir, [paths[c] for c in codes[1]], rng)
    for j, c in enumerate(codes[1]):
        if paths[c] in real:
            size, digest = real[paths[c]]
            file_size[load_i * k + j] = size
            hashes_raw[load_i * k + j] = np.frombuffer(bytes.fromhex(digest), dtype=np.uint8)
    exists[load_i * k : (load_i + 1) * k] = True
    hashes = _hex_strings(hashes_raw, dashes=False)

    datasets = pa.table(
        {
            "file_size": pa.array(file_size, type=pa.uint64()),
            "hash": hashes,
            "default_revision": pa.array(defaults[variant].reshape(-1)),
            "qc": pa.DictionaryArray.from_arrays(qc, pa.array(QC_NAMES, type=pa.string())),
            "exists": pa.array(exists),
            "rel_path": _take_strings(paths, ds_codes),
            "eid": eids.take(eid_index),
            "id": ids,
        }
    )
    # Alyx writes datasets sorted by (eid, id) and sessions newest first
    datasets = datasets.sort_by([("eid", "ascending"), ("id", "ascending")])
    created = "2026-01-01 00:00"
    meta = {"date_created": created, "origin": "alyx", "min_api_version": "2.10"}
    ses_table = _sessions_table(sessions, eids)
    ses_table = ses_table.sort_by([("date", "descending"), ("subject", "ascending")])
    _write(out_dir / "sessions.pqt", ses_table, _SESSIONS_TEMPLATE, meta)
    _write(out_dir / "datasets.pqt", datasets, _DATASETS_TEMPLATE, meta)
    info_json = {
        **meta,
        "tables": {
            name: {
                "nrecs": pq.ParquetFile(out_dir / f"{name}.pqt").metadata.num_rows,
                "size": pq.ParquetFile(out_dir / f"{name}.pqt").metadata.serialized_size,
            }
            for name in ("sessions", "datasets")
        },
    }
    atomic_write_bytes(out_dir / "cache_info.json", json.dumps(info_json, indent=1).encode())

    subject = str(sessions["subject"].iloc[_first_of_subject(sessions, info["subject_index"])])
    dates = pd.to_datetime(sessions["date"])
    mid = dates.sort_values().iloc[n // 2]
    targets = Targets(
        load_eid=str(eids[load_i]),
        subject=subject,
        date_range=(str(mid.date()), str((mid + pd.Timedelta(days=30)).date())),
        datasets=("_ibl_trials.table.pqt", "spikes.times.npy"),
        qc_dataset="_ibl_wheel.position.npy",
        filename="*spikes*",
        object="wheel",
        dataset="_ibl_trials.goCue_times.npy",
        collection="alf",
    )
    cache = Cache(spec, out_dir, targets, total)
    atomic_write_bytes(out_dir / "bench_cache.json", json.dumps(cache.to_json(), indent=1).encode())
    return cache


def _first_of_subject(sessions: pd.DataFrame, subject_index: int) -> int:
    names = sessions["subject"].to_numpy()
    uniq = list(dict.fromkeys(names))
    return int(np.flatnonzero(names == uniq[subject_index])[0])


def _sessions_table(sessions: pd.DataFrame, eids: pa.Array[Any]) -> pa.Table:
    return pa.table(
        {
            "lab": pa.array(sessions["lab"].to_numpy(), type=pa.string()),
            "subject": pa.array(sessions["subject"].to_numpy(), type=pa.string()),
            "date": pa.array(sessions["date"].to_numpy(), type=pa.date32()),
            "number": pa.array(sessions["number"].to_numpy(), type=pa.uint16()),
            "task_protocol": pa.array(sessions["task_protocol"].to_numpy(), type=pa.string()),
            "projects": pa.array(sessions["projects"].to_numpy(), type=pa.string()),
            "id": eids,
        }
    )


def _pandas_schema(frame: pd.DataFrame) -> pa.Schema:
    """The arrow schema (with pandas metadata) pandas gives a frame of these dtypes.

    pandas 3 records the column index as ``str``; Alyx's tables (pandas 2) say ``object``.
    """
    schema = pa.Schema.from_pandas(frame, preserve_index=True)
    meta = json.loads((schema.metadata or {})[b"pandas"])
    for level in meta["column_indexes"]:
        level["numpy_type"] = "object"
    return schema.with_metadata({b"pandas": json.dumps(meta).encode()})


def _template_frames() -> tuple[pa.Schema, pa.Schema]:
    ses = pd.DataFrame(
        {
            "lab": pd.Series(["a"], dtype=object),
            "subject": pd.Series(["a"], dtype=object),
            "date": [datetime.date(2024, 1, 1)],
            "number": np.array([1], dtype=np.uint16),
            "task_protocol": pd.Series(["a"], dtype=object),
            "projects": pd.Series(["a"], dtype=object),
            "id": pd.Series(["a"], dtype=object),
        }
    ).set_index("id")
    ds = pd.DataFrame(
        {
            "file_size": pd.array([1], dtype="UInt64"),
            "hash": pd.Series(["a"], dtype=object),
            "default_revision": [True],
            "qc": pd.Categorical(["PASS"], categories=list(QC_NAMES), ordered=True),
            "exists": [True],
            "rel_path": pd.Series(["a"], dtype=object),
            "eid": pd.Series(["a"], dtype=object),
            "id": pd.Series(["a"], dtype=object),
        }
    ).set_index(["eid", "id"])
    return _pandas_schema(ses), _pandas_schema(ds)


_SESSIONS_TEMPLATE, _DATASETS_TEMPLATE = _template_frames()


def _write(path: Path, table: pa.Table, template: pa.Schema, meta: dict[str, str]) -> None:
    table = table.select(template.names).cast(template.remove_metadata())
    metadata = {b"one_metadata": json.dumps(meta).encode(), **(template.metadata or {})}
    table = table.replace_schema_metadata(metadata)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    atomic_write_bytes(path, buffer.getvalue())


# ---------------------------------------------------------------------------------------------
# real ALF files for the load session


def _session_path(root: Path, session: pd.Series) -> Path:
    return root.joinpath(
        str(session["lab"]),
        "Subjects",
        str(session["subject"]),
        str(session["date"]),
        f"{int(session['number']):03d}",
    )


def _write_alf_files(
    session_dir: Path, rel_paths: list[str], rng: np.random.Generator
) -> dict[str, tuple[int, str]]:
    """Write the session's trials and wheel files; return rel_path -> (size, md5)."""
    n_trials = 800
    n_wheel = 1_000_000
    written: dict[str, tuple[int, str]] = {}
    for rel in rel_paths:
        coll, _, name = rel.rpartition("/")
        if coll != "alf" or not name.startswith(("_ibl_trials.", "_ibl_wheel.")):
            continue
        parts = name.split(".")
        if parts[-1] == "npy":
            length = n_wheel if parts[0] == "_ibl_wheel" else n_trials
            shape: tuple[int, ...] = (length, 2) if "intervals" in parts[1] else (length,)
            buffer = io.BytesIO()
            np.save(buffer, rng.random(shape))
            data = buffer.getvalue()
        elif parts[-1] == "pqt":
            frame = pd.DataFrame(
                {a: rng.random(n_trials) for a in ("goCue_times", "choice", "feedbackType")}
            )
            buffer = io.BytesIO()
            frame.to_parquet(buffer)
            data = buffer.getvalue()
        else:
            continue
        path = session_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
        written[rel] = (len(data), hashlib.md5(data).hexdigest())
    return written


# ---------------------------------------------------------------------------------------------
# on-disk memo


def ensure_cache(spec: CacheSpec, root: Path) -> Cache:
    """Return the cache for ``spec`` under ``root``, generating it only if absent."""
    path = root / spec.key
    marker = path / "bench_cache.json"
    if marker.is_file():
        raw = json.loads(marker.read_text())
        t = raw["targets"]
        targets = Targets(
            load_eid=t["load_eid"],
            subject=t["subject"],
            date_range=(t["date_range"][0], t["date_range"][1]),
            datasets=tuple(t["datasets"]),
            qc_dataset=t["qc_dataset"],
            filename=t["filename"],
            object=t["object"],
            dataset=t["dataset"],
            collection=t["collection"],
        )
        return Cache(spec, path, targets, int(raw["n_datasets_total"]))
    return generate(spec, path)


def ensure_scaled(size: str, root: Path, seed: int = 0) -> Cache:
    """The cache of a scaled size (see SCALED), built from its base size only if absent."""
    base_size, copies = SCALED[size]
    base = ensure_cache(spec_for(base_size, seed), root)
    path = root / f"{base.spec.key}-x{copies}"
    marker = path / "bench_cache.json"
    if marker.is_file():
        raw = json.loads(marker.read_text())
        spec = CacheSpec(**raw["spec"])
        return Cache(
            spec, path, Targets(**_targets_fields(raw["targets"])), raw["n_datasets_total"]
        )
    return scale_up(base, copies, path)


def _targets_fields(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


def _copy_ids(column: Any, copy: int) -> Any:
    """Ids of copy ``copy``: the first hex digit replaced by the copy's number (still UUIDs,
    distinct across copies, and copy after copy in sorted order)."""
    import pyarrow.compute as pc

    rest = pc.utf8_slice_codeunits(pc.cast(column, pa.string()), 1)
    return pc.binary_join_element_wise(pa.scalar(f"{copy:x}"), rest, "")


def scale_up(base: Cache, copies: int, out_dir: Path) -> Cache:
    """Write ``copies`` copies of ``base`` as one cache: ids renumbered, subjects renamed.

    Copy k's session and dataset ids start with the hex digit k, and its subjects (but copy
    0's) get the suffix ``-k``, so sessions, paths and ids stay unique. Copies are written one
    after the other, each sorted by (eid, id): memory stays one copy's, and the file is sorted.
    Copy 0 keeps the base's subjects and its load session's files, so the targets still hold.
    """
    import pyarrow.compute as pc

    if not 1 < copies <= 16:
        raise ValueError(f"copies: expected 2..16, got {copies}")
    out_dir.mkdir(parents=True, exist_ok=True)
    base_ds = pq.ParquetFile(base.path / "datasets.pqt")
    ses_file = pq.ParquetFile(base.path / "sessions.pqt")
    sessions = ses_file.read()
    parts = []
    with (
        staged(out_dir / "datasets.pqt") as (temp,),
        pq.ParquetWriter(temp, base_ds.schema_arrow) as writer,
    ):
        for k in range(copies):
            table = base_ds.read()
            table = table.set_column(
                table.schema.get_field_index("eid"), "eid", _copy_ids(table.column("eid"), k)
            )
            table = table.set_column(
                table.schema.get_field_index("id"), "id", _copy_ids(table.column("id"), k)
            )
            writer.write_table(table.sort_by([("eid", "ascending"), ("id", "ascending")]))
            del table
            copy = sessions.set_column(
                sessions.schema.get_field_index("id"), "id", _copy_ids(sessions.column("id"), k)
            )
            if k:
                names: Any = copy.column("subject")
                subject = pc.binary_join_element_wise(names, pa.scalar(f"-{k}"), "")
                copy = copy.set_column(copy.schema.get_field_index("subject"), "subject", subject)
            parts.append(copy)
    all_sessions = pa.concat_tables(parts).sort_by(
        [("date", "descending"), ("subject", "ascending")]
    )
    buffer = io.BytesIO()
    pq.write_table(all_sessions.replace_schema_metadata(ses_file.schema_arrow.metadata), buffer)
    atomic_write_bytes(out_dir / "sessions.pqt", buffer.getvalue())
    t = base.targets
    load = sessions.filter(pc.field("id") == t.load_eid).to_pandas().iloc[0]
    source = _session_path(base.path, load)
    shutil.copytree(source, _session_path(out_dir, load), dirs_exist_ok=True)
    info = json.loads((base.path / "cache_info.json").read_text())
    for name, rows in (
        ("sessions", len(all_sessions)),
        ("datasets", base.n_datasets_total * copies),
    ):
        info["tables"][name] = {"nrecs": rows, "size": (out_dir / f"{name}.pqt").stat().st_size}
    atomic_write_bytes(out_dir / "cache_info.json", json.dumps(info, indent=1).encode())
    spec = CacheSpec(base.spec.n_sessions * copies, base.spec.n_datasets, base.spec.seed)
    targets = replace(t, load_eid=str(_copy_ids(pa.array([t.load_eid]), 0)[0].as_py()))
    cache = Cache(spec, out_dir, targets, base.n_datasets_total * copies)
    atomic_write_bytes(out_dir / "bench_cache.json", json.dumps(cache.to_json(), indent=1).encode())
    return cache
