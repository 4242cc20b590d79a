"""Helpers of the lazy-engine tests: the calls both engines answer, and their outcomes as
plain values (frames, arrays, records and errors included) so results compare with ``==``."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path, PurePath

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel

from onesdk._facade._one import One

Call = tuple[str, tuple[object, ...], dict[str, object]]


def plain(value: object) -> object:
    """``value`` as nested lists, dicts and scalars (frames keep index, columns and dtypes)."""
    if isinstance(value, pd.DataFrame):
        flat = value.reset_index()
        rows = flat.astype(object).where(flat.notna(), None).to_numpy().tolist()
        return {
            "index": list(value.index.names),
            "columns": list(value.columns),
            "dtypes": [str(t) for t in value.dtypes],
            "rows": rows,
        }
    if isinstance(value, np.ndarray):
        return ["array", value.dtype.str, value.shape, value.tobytes()]
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    return value


def outcome(fn: Callable[[], object]) -> object:
    """("ok", plain result) or ("error", exception type, message); warnings are collected."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: object = ("ok", plain(fn()))
        except Exception as exc:  # the other engine must fail the same way
            result = ("error", type(exc).__name__, str(exc))
    return result, sorted(f"{w.category.__name__}: {w.message}" for w in caught)


def calls_for(one: One, *, loads: bool = True) -> list[Call]:
    """Calls covering every method family, derived from what the cache holds."""
    eids = [str(e) for e in one.search()]
    subjects = one.list_subjects()
    paths = one.list_datasets()
    names = sorted({p.rsplit("/", 1)[-1] for p in paths})
    sessions = one.repository.sessions_table.to_pylist()
    dates = sorted({str(r["date"]) for r in sessions})
    calls: list[Call] = [
        ("search", (), {}),
        ("search", (), {"subject": subjects[0]}),
        ("search", (), {"subject": subjects[:2], "details": True}),
        ("search", (), {"date_range": dates[0]}),
        ("search", (), {"date_range": [dates[0], dates[len(dates) // 2]]}),
        ("search", (), {"number": 1}),
        ("search", (), {"number": ["1", 2]}),
        ("search", (), {"lab": str(sessions[0]["lab"] or "")}),
        ("search", (), {"task_protocol": "ephys"}),
        ("search", (), {"projects": "ibl"}),
        ("search", (), {"datasets": names[:1]}),
        ("search", (), {"datasets": names[1:3]}),
        ("search", (), {"datasets": names[-1], "dataset_qc_lte": "WARNING"}),
        ("search", (), {"datasets": ["nothing.npy"]}),
        ("search", (), {"dataset_qc_lte": "PASS"}),
        ("search", (), {"dataset_qc_lte": 0, "subject": subjects[-1]}),
        ("list_subjects", (), {}),
        ("list_datasets", (), {}),
        ("list_datasets", (), {"filename": "*times*"}),
        ("list_datasets", (), {"filename": ["*.npy", "*.pqt"], "collection": "alf*"}),
        ("list_datasets", (), {"qc": "PASS", "ignore_qc_not_set": True}),
        ("list_datasets", (), {"default_revisions_only": True, "revision": "2*"}),
        ("list_datasets", (), {"details": True, "qc": "CRITICAL"}),
        ("list_collections", (), {}),
        ("list_revisions", (), {}),
        ("list_datasets", (eids[:3],), {}),
        ("list_datasets", (eids[:3],), {"details": True}),
    ]
    for eid in [*eids[:4], eids[-1]]:
        calls += [
            ("list_datasets", (eid,), {}),
            ("list_datasets", (eid,), {"filename": "*trials*"}),
            ("list_datasets", (eid,), {"filename": {"object": ["wheel", "spikes"]}}),
            ("list_datasets", (eid,), {"collection": "alf", "revision": "2024*"}),
            ("list_datasets", (eid,), {"qc": "WARNING"}),
            ("list_datasets", (eid,), {"qc": 50, "ignore_qc_not_set": True}),
            ("list_datasets", (eid,), {"default_revisions_only": True}),
            ("list_datasets", (eid,), {"details": True}),
            ("list_datasets", (eid,), {"details": True, "keep_eid_index": True}),
            ("list_collections", (eid,), {}),
            ("list_collections", (eid,), {"details": True}),
            ("list_revisions", (eid,), {"filename": "*.npy"}),
            ("list_revisions", (eid,), {"details": True}),
            ("get_details", (eid,), {}),
            ("get_details", (eid,), {"full": True}),
            ("eid2path", (eid,), {}),
            ("eid2ref", (eid,), {}),
        ]
    calls.append(("get_details", (eids[:2],), {"full": True}))
    if loads:
        calls += _load_calls(one, eids)
    return calls


def _load_calls(one: One, eids: list[str]) -> list[Call]:
    """Loads of what is on disk (and of one thing that is not), both hash modes."""
    calls: list[Call] = []
    on_disk = [e for e in eids if (path := one.eid2path(e)) is not None and path.is_dir()]
    for eid in on_disk[:3]:
        frame = one.list_datasets(eid, details=True)
        session = one.eid2path(eid)
        assert session is not None
        present = [(session / r).is_file() for r in frame["rel_path"]]
        frame = frame[present][:6]
        for did, rel in zip(frame.index, frame["rel_path"], strict=True):
            name = rel.rsplit("/", 1)[-1]
            collection = rel.rsplit("/", 1)[0] if "/" in rel else None
            obj = name.split(".")[0].split("_")[-1] if name.startswith("_") else name.split(".")[0]
            calls += [
                ("load_dataset", (eid, rel), {"download_only": True}),
                ("load_dataset", (eid, name), {"collection": collection, "check_hash": True}),
                ("load_object", (eid, obj), {"collection": collection, "check_hash": True}),
                ("load_dataset_from_id", (str(did),), {"download_only": True, "details": True}),
                ("path2record", (str(session / rel),), {}),
                ("path2eid", (str(session / rel),), {}),
                ("path2record", (str(session),), {}),
            ]
        calls += [
            ("load_datasets", (eid, list(frame["rel_path"][:3])), {"download_only": True}),
            ("load_dataset", (eid, "nothing.npy"), {}),
        ]
        if frame["rel_path"].str.startswith("alf/").any():
            calls.append(("load_collection", (eid, "alf"), {"download_only": True}))
    return calls


def compare(eager: One, lazy: One, calls: list[Call]) -> set[str]:
    """Assert both engines answer each call alike; returns the methods that answered (not
    raised) at least once, so a test can check the comparison was not only of errors."""
    answered: set[str] = set()
    for method, args, kwargs in calls:
        expected = outcome(partial(getattr(eager, method), *args, **kwargs))
        got = outcome(partial(getattr(lazy, method), *args, **kwargs))
        assert got == expected, (method, args, kwargs)
        if expected[0][0] == "ok":  # type: ignore[index]
            answered.add(method)
    return answered


#: the method families every differential run must see answered
FAMILIES = {
    "search",
    "list_datasets",
    "list_collections",
    "list_revisions",
    "get_details",
    "eid2path",
    "list_subjects",
}
LOADS = {"load_dataset", "load_object", "load_datasets", "load_dataset_from_id", "path2record"}


def link_tables(source: Path, target: Path) -> Path:
    """A tables dir of symlinks to ``source``'s tables (so each gets its own partitioned copy)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("sessions.pqt", "datasets.pqt", "cache_info.json"):
        if (source / name).exists():
            os.symlink((source / name).resolve(), target / name)
    return target


@pytest.fixture
def small_pieces() -> Iterator[None]:
    """Tiny batches, row groups and three-character parts: every join path is exercised."""
    import onesdk._cache._lazy as lazy_io
    import onesdk._repo._lazy_repository as lazy_repo

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lazy_io, "SCAN_BATCH_ROWS", 97)
        mp.setattr(lazy_io, "ROW_GROUP_ROWS", 16)
        mp.setattr(lazy_io, "_prefix_chars", lambda n: 3)
        mp.setattr(lazy_repo, "_FEW_SESSIONS", 0)
        yield


__all__ = ["FAMILIES", "LOADS", "calls_for", "compare", "link_tables", "outcome", "plain"]
