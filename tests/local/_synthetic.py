"""Hypothesis strategies for synthetic ONE caches, and the calls a differential test makes.

A cache is drawn as sessions (lab, subject, date, number) and, per session, datasets chosen from
a pool of ALF names in a few collections, some in dated revisions, with random QC, existence
and default-revision flags. It is written with onesdk's writer (which one-api reads, see
test_cache_format) so both libraries answer from the same files.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pyarrow as pa
from hypothesis import strategies as st

from onesdk._cache import CacheTables, write_tables
from onesdk._cache._io import sort_datasets

LABS = ("cortexlab", "hoferlab", "mainenlab")
SUBJECTS = ("KS001", "KS002", "SWC_01", "ZM_10")
COLLECTIONS = ("alf", "alf/probe00", "alf/probe01", "raw_behavior_data")
#: the session root holds only this name: one-api's search(datasets=...) cannot see root files
#: of sessions that also have collections (a documented difference), so it is never searched
ROOT_NAME = "_ibl_experiment.description.yaml"
NAMES = (
    "_ibl_trials.table.pqt",
    "_ibl_trials.choice.npy",
    "_ibl_wheel.position.npy",
    "spikes.times.npy",
    "spikes.clusters.npy",
    "_iblrig_taskData.raw.jsonable",
    "_ibl_leftCamera.times.cam1.npy",
)
REVISIONS = ("", "2023-04-01", "2024-01-01", "2024-06-01")
PROTOCOLS = ("_iblrig_tasks_ephysChoiceWorld6.4.2", "trainingChoiceWorld", "")
PROJECTS = ("", "ibl_neuropixel_brainwide_01", "hofer_visual_cortex", "a,b")


@st.composite
def caches(draw: st.DrawFn) -> CacheTables:
    n_sessions = draw(st.integers(1, 6))
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(SUBJECTS),
                st.dates(dt.date(2023, 1, 1), dt.date(2023, 1, 20)),
                st.integers(1, 3),
            ),
            min_size=n_sessions,
            max_size=n_sessions,
            unique=True,
        )
    )
    ses: dict[str, list[object]] = {
        k: [] for k in ("id", "lab", "subject", "date", "number", "task_protocol", "projects")
    }
    ds: dict[str, list[object]] = {
        k: [] for k in ("eid", "id", "rel_path", "file_size", "hash", "qc", "exists")
    }
    defaults: list[bool] = []
    eids = draw(
        st.lists(st.uuids(version=4), min_size=n_sessions, max_size=n_sessions, unique=True)
    )
    # one-api fails on a datasets table without rows, so the first session has datasets
    for k, (subject, date, number) in enumerate(keys):
        eid = str(eids[k])
        ses["id"].append(eid)
        ses["lab"].append(draw(st.sampled_from(LABS)))
        ses["subject"].append(subject)
        ses["date"].append(date)
        ses["number"].append(number)
        ses["task_protocol"].append(draw(st.sampled_from(PROTOCOLS)))
        ses["projects"].append(draw(st.sampled_from(PROJECTS)))
        files = draw(
            st.lists(
                st.tuples(st.sampled_from(COLLECTIONS), st.sampled_from(NAMES)),
                min_size=1 if k == 0 else 0,
                max_size=6,
                unique=True,
            )
        )
        if draw(st.booleans()):
            files.append(("", ROOT_NAME))
        for collection, name in files:
            revisions = draw(
                st.lists(st.sampled_from(REVISIONS), min_size=1, max_size=3, unique=True)
            )
            default_at = draw(st.integers(-1, len(revisions) - 1))
            for i, revision in enumerate(revisions):
                parts = [p for p in (collection, f"#{revision}#" if revision else "", name) if p]
                ds["eid"].append(eid)
                # unique by construction: derived from the session and the path
                ds["id"].append(str(uuid.uuid5(eids[k], "/".join(parts))))
                ds["rel_path"].append("/".join(parts))
                ds["file_size"].append(draw(st.integers(0, 10_000)))
                ds["hash"].append(draw(st.sampled_from(["", "0" * 32, None])))
                ds["qc"].append(draw(st.integers(0, 4)))
                ds["exists"].append(draw(st.booleans()))
                defaults.append(i == default_at)
    sessions = pa.table(
        {
            "id": pa.array(ses["id"], pa.string()),
            "lab": pa.array(ses["lab"], pa.string()),
            "subject": pa.array(ses["subject"], pa.string()),
            "date": pa.array(ses["date"], pa.date32()),
            "number": pa.array(ses["number"], pa.uint16()),
            "task_protocol": pa.array(ses["task_protocol"], pa.string()),
            "projects": pa.array(ses["projects"], pa.string()),
        }
    )
    datasets = pa.table(
        {
            "eid": pa.array(ds["eid"], pa.string()).dictionary_encode(),
            "id": pa.array(ds["id"], pa.string()),
            "file_size": pa.array(ds["file_size"], pa.uint64()),
            "hash": pa.array(ds["hash"], pa.string()),
            "default_revision": pa.array(defaults, pa.bool_()),
            "qc": pa.array(ds["qc"], pa.int8()),
            "exists": pa.array(ds["exists"], pa.bool_()),
            "rel_path": pa.array(ds["rel_path"], pa.string()).dictionary_encode(),
        }
    )
    return CacheTables(sessions, sort_datasets(datasets))


def write_cache(tables: CacheTables, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_tables(tables, folder)
    return folder


def planned_calls(tables: CacheTables) -> list[tuple[str, list[object], dict[str, object]]]:
    """(method, args, kwargs) to run on both libraries; all JSON-serialisable."""
    eids = [str(e) for e in tables.sessions.column("id").to_pylist()]
    subjects = sorted({str(s) for s in tables.sessions.column("subject").to_pylist()})
    dates = sorted({str(d) for d in tables.sessions.column("date").to_pylist()})
    out: list[tuple[str, list[object], dict[str, object]]] = [
        ("search", [], {}),
        ("search", [], {"lab": "cortexlab"}),
        ("search", [], {"lab": ["hoferlab", "mainenlab"]}),
        ("search", [], {"number": 2}),
        ("search", [], {"number": ["1", 3]}),
        ("search", [], {"task_protocol": "ChoiceWorld"}),
        ("search", [], {"projects": "ibl"}),
        ("search", [], {"subject": "KS00"}),
        ("search", [], {"datasets": "_ibl_trials.table.pqt"}),
        ("search", [], {"datasets": ["spikes.times.npy", "_ibl_wheel.position.npy"]}),
        ("search", [], {"datasets": "spikes.times.npy", "dataset_qc_lte": "WARNING"}),
        ("search", [], {"datasets": ["spikes.*"], "dataset_qc_lte": 10}),
        ("list_subjects", [], {}),
        ("list_datasets", [], {}),
        ("list_datasets", [], {"filename": "*spikes*"}),
        ("list_datasets", [], {"collection": "alf*", "qc": "PASS"}),
        ("list_collections", [], {}),
        ("list_revisions", [], {}),
    ]
    for subject in subjects[:2]:
        out.append(("search", [], {"subject": subject}))
    for date in dates[:2]:
        out.append(("search", [], {"date_range": date}))
        out.append(("search", [], {"date_range": [date, None]}))
        out.append(("search", [], {"date_range": [None, date]}))
        out.append(("search", [], {"date_range": [dates[0], date], "subject": "KS"}))
    for eid in eids[:3]:
        out += [
            ("list_datasets", [eid], {}),
            ("list_datasets", [eid], {"collection": "alf"}),
            ("list_datasets", [eid], {"collection": ["alf", "alf/probe01"]}),
            ("list_datasets", [eid], {"collection": ""}),
            ("list_datasets", [eid], {"revision": "2024-01-01"}),
            ("list_datasets", [eid], {"revision": "2024*"}),
            ("list_datasets", [eid], {"filename": "*trials*"}),
            # a list of filenames differs on purpose (docs/differences.md); one name here
            ("list_datasets", [eid], {"filename": ["*.jsonable"]}),
            ("list_datasets", [eid], {"filename": {"object": ["wheel", "spikes"]}}),
            ("list_datasets", [eid], {"filename": {"namespace": "ibl", "extension": "npy"}}),
            ("list_datasets", [eid], {"filename": {"attribute": "times", "extra": "cam1"}}),
            ("list_datasets", [eid], {"qc": "WARNING"}),
            ("list_datasets", [eid], {"qc": "PASS", "ignore_qc_not_set": True}),
            ("list_datasets", [eid], {"qc": 50}),
            ("list_datasets", [eid], {"default_revisions_only": True}),
            ("list_datasets", [eid], {"details": True}),
            ("list_collections", [eid], {}),
            ("list_collections", [eid], {"collection": "alf/*"}),
            ("list_collections", [eid], {"filename": "spikes.times*"}),
            ("list_revisions", [eid], {}),
            ("list_revisions", [eid], {"filename": "_ibl_trials.table.pqt"}),
            ("list_revisions", [eid], {"revision": "2023*"}),
            ("list_revisions", [eid], {"collection": "alf"}),
        ]
    return out


#: the one-api side: run the planned calls on each cache dir, results as JSON
REFERENCE_SCRIPT = """
import json, sys, warnings
warnings.simplefilter('ignore')
import pandas as pd
from one.api import One

def norm(value):
    if isinstance(value, pd.DataFrame):
        return sorted(value['rel_path'].tolist())
    if isinstance(value, (list, tuple)):
        return [norm(v) for v in value]
    if isinstance(value, dict):
        return {str(k): norm(v) for k, v in value.items()}
    return str(value) if not isinstance(value, (int, float, bool, type(None))) else value

out = []
for job in json.load(sys.stdin):
    one = One(cache_dir=job['cache_dir'], mode='local')
    results = []
    for method, args, kwargs in job['calls']:
        try:
            results.append(['ok', norm(getattr(one, method)(*args, **kwargs))])
        except Exception as exc:
            results.append(['error', type(exc).__name__])
    out.append(results)
print(json.dumps(out))
"""
