"""Differential: ``onesdk.util.filter_datasets`` on onesdk's datasets frames selects the rows
one-api 3.6.1's ``one.util.filter_datasets`` selects on its own frames of the same cache (the
recorded corpus), raises the same errors, and logs where one-api warns, in the same cases.

Each side lists the frame its own way (``list_datasets(eid, details=True)``, or the whole table)
and filters it with many combinations of file name, collection, revision, QC and flags. The
documented differences are checked against the reference too: a list of file names matches
what its names match one by one, and revisions are chosen per session of a several-session
frame; what one-api warns of (an unknown default revision, mixed revisions), onesdk logs at
INFO, as its loads do (docs/differences.md).
"""

from __future__ import annotations

import itertools
import json
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

import pandas as pd
import pytest

from onesdk import One
from onesdk.converters import datasets2records, ses2records
from onesdk.util import filter_datasets
from tests.contract._corpus import exchanges, records, template_of
from tests.reference import run_reference

pytestmark = [pytest.mark.reference, pytest.mark.shared]

Case = dict[str, object]

#: (shell wildcards, regular expression) spellings of each file name filter
FILENAMES: list[tuple[object, object]] = [
    (None, None),
    ("*trials*", ".*trials.*"),
    ("_ibl_trials.table.pqt", r"_ibl_trials\.table\.pqt"),
    ("*.times.npy", r".*\.times\.npy"),
    ("spikes.*", r"spikes\..*"),
    ({"object": "trials"}, {"object": "trials"}),
    ({"object": "spikes", "attribute": "times"}, {"object": "spikes", "attribute": "times"}),
    (
        {"object": ["wheel", "trials"], "attribute": ["position", "table"]},
        {"object": ["wheel", "trials"], "attribute": ["position", "table"]},
    ),
    ({"namespace": "ibl", "object": "tr*"}, {"namespace": "ibl", "object": "tr.*"}),
    ({"timescale": "bpod"}, {"timescale": "bpod"}),
]
COLLECTIONS: list[tuple[object, object]] = [
    (None, None),
    ("alf", "alf"),
    ("", ""),
    ("alf/probe0?", "alf/probe0."),
    ("raw_*", "raw_.*"),
    (["alf", "alf/probe00"], ["alf", "alf/probe00"]),
]
#: revisions to resolve (revision_last_before=True) or to match
REVISIONS: list[tuple[object, object]] = [
    (None, None),
    ("", ""),
    ("2024-01-01", "2024-01-01"),
    ("2023-12-31", "2023-12-31"),
    ("2024-06-01", "2024-06-01"),
    ("2025-01-01", "2025-01-01"),
]
#: revision patterns, only matched (revision_last_before=False)
REVISION_PATTERNS: list[tuple[object, object]] = [
    ("2024-*", "2024-.*"),
    (["2023-04-01", "2024-06-01"], ["2023-04-01", "2024-06-01"]),
]
QCS: list[tuple[object, bool]] = [
    ("FAIL", False),
    ("PASS", True),
    ("CRITICAL", False),
    (30, False),
    ("NOT_SET", False),
]
FLAGS = list(itertools.product((True, False), repeat=3))  # revision_last_before, unique, glob

SCRIPT = r"""
import json, sys, warnings
import pandas as pd
from one.api import One
from one.converters import datasets2records, ses2records
from one.util import filter_datasets

def kind(message):
    text = str(message)
    for prefix in ("No default revision", "Multiple revisions"):
        if text.startswith(prefix):
            return prefix
    return "other"

def label(key):
    if isinstance(key, tuple):
        return "/".join(str(k) for k in key)
    return str(key)

p = json.load(sys.stdin)
one = None

def build(key):
    global one
    source, _, n = key.partition(":")
    if source == "detail":  # a session's REST detail, as ses2records makes it a frame
        return ses2records(p["details"][int(n)])[1]
    if source == "page":  # a page of REST dataset records (several sessions)
        return datasets2records(p["pages"][int(n)])
    if one is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            one = One(cache_dir=p["cache_dir"], mode="local")
    eid, _, variant = key.partition("|")
    frame = one.list_datasets(eid or None, details=True)
    if variant:  # every row flagged default, or none
        frame["default_revision"] = variant == "all"
    return frame

frames = {}
out = []
for case in p["cases"]:
    key = case["eid"]
    if key not in frames:
        frames[key] = build(key)
    frame = frames[key]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            found = filter_datasets(frame.copy(), **case["kwargs"])
            result = {
                "rows": sorted(label(k) for k in found.index),
                "revision_column": "revision" in found.columns,
            }
        except Exception as exc:
            result = {"error": type(exc).__name__}
    alf = [w for w in caught if w.category.__name__ == "ALFWarning"]
    result["warnings"] = sorted({kind(w.message) for w in alf})
    out.append(result)
print(json.dumps(out))
"""


def _kind(message: str) -> str:
    text = str(message)
    for prefix in ("No default revision", "Multiple revisions"):
        if text.startswith(prefix):
            return prefix
    return "other"


def _label(key: object) -> str:
    if isinstance(key, tuple):
        return "/".join(str(k) for k in key)
    return str(key)


class _Records(logging.Handler):
    """The messages logged while it is installed."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _ours(frames: dict[str, pd.DataFrame], cases: list[Case]) -> list[dict[str, object]]:
    """onesdk's outcome of each case; what one-api warns, onesdk logs (docs/differences.md)."""
    logger = logging.getLogger("onesdk.util")
    level = logger.level
    out: list[dict[str, object]] = []
    for case in cases:
        frame = frames[str(case["eid"])]
        result: dict[str, object]
        records = _Records()
        logger.addHandler(records)
        logger.setLevel(logging.INFO)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # onesdk warns of none of these
                found = filter_datasets(frame, **case["kwargs"])  # type: ignore[arg-type]
            result = {
                "rows": sorted(_label(k) for k in found.index),
                "revision_column": "revision" in found.columns,
            }
        except Exception as exc:  # compared with one-api's outcome
            result = {"error": type(exc).__name__}
        finally:
            logger.removeHandler(records)
            logger.setLevel(level)
        result["warnings"] = sorted({_kind(m) for m in records.messages})
        out.append(result)
    return out


@pytest.fixture(scope="module")
def corpus_cache(shared_alyx: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache dir of the corpus's tables (symlinks; nothing is copied)."""
    target = tmp_path_factory.mktemp("util-cache")
    for name in ("sessions.pqt", "datasets.pqt", "cache_info.json"):
        (target / name).symlink_to(shared_alyx / "cache" / name)
    return target


def _sessions(cache_dir: Path) -> list[str]:
    """Sessions covering the corpus's revision patterns, probes and plain sessions."""
    table = pd.read_parquet(cache_dir / "datasets.pqt", columns=["rel_path"]).reset_index()
    table["eid"] = table["eid"].astype(str)
    picked: list[str] = []
    for needle in ("_ibl_trials.table", "_ibl_wheel.position", "intervals_bpod", "probe00/#"):
        revised = table[
            table["rel_path"].str.contains("#") & table["rel_path"].str.contains(needle)
        ]
        picked += sorted(set(revised["eid"]) - set(picked))[:1]
    plain = sorted(set(table["eid"]) - set(table.loc[table["rel_path"].str.contains("#"), "eid"]))
    return picked + plain[:1]


def _spelled(pair: tuple[object, object], glob: bool) -> object:
    return pair[0] if glob else pair[1]


def _cases(eids: list[str]) -> Iterator[Case]:
    """Every file name x collection x revision, with flags and QC levels cycled through."""
    combos = itertools.product(FILENAMES, COLLECTIONS, REVISIONS + REVISION_PATTERNS)
    for n, (filename, collection, revision) in enumerate(combos):
        for k in (0, 1, 2):
            last_before, unique, glob = FLAGS[(n * 3 + k) % len(FLAGS)]
            if last_before and revision in REVISION_PATTERNS:
                continue  # a revision to resolve is a name, not a pattern
            qc, ignore_not_set = QCS[(n + k) % len(QCS)]
            yield {
                "eid": eids[(n + k) % len(eids)],
                "kwargs": {
                    "filename": _spelled(filename, glob),
                    "collection": _spelled(collection, glob),
                    "revision": _spelled(revision, glob),
                    "revision_last_before": last_before,
                    "assert_unique": unique,
                    "wildcards": glob,
                    "qc": qc,
                    "ignore_qc_not_set": ignore_not_set,
                },
            }


def _frames(one: One, keys: list[str]) -> dict[str, pd.DataFrame]:
    """The frame of each case's ``eid`` key: ``eid``, ``eid|none`` or ``eid|all`` (no row or
    every row flagged default), and ``''`` for the whole table."""
    frames = {"": one.list_datasets(details=True)}
    for key in keys:
        eid, _, variant = key.partition("|")
        frames[key] = one.list_datasets(eid, details=True)
        if variant:
            frames[key]["default_revision"] = variant == "all"
    return frames


def test_filter_datasets_selects_and_raises_as_one_api_on_session_frames(
    corpus_cache: Path, reference_python: Path
) -> None:
    eids = _sessions(corpus_cache)
    assert len(eids) == 5, eids
    keys = [*eids, f"{eids[0]}|none", f"{eids[3]}|all"]
    cases = list(_cases(keys))
    assert len(cases) > 1000
    theirs = run_reference(
        reference_python, SCRIPT, {"cache_dir": str(corpus_cache), "cases": cases}
    )
    ours = _ours(_frames(One(cache_dir=corpus_cache, mode="local"), keys), cases)
    different = [
        (case, mine, reference)
        for case, mine, reference in zip(cases, ours, theirs, strict=True)
        if mine != reference
    ]
    assert different == [], f"{len(different)} of {len(cases)} differ, first: {different[:3]}"
    # the cases exercise every outcome: rows, no rows, each error, each warning
    outcomes = {json.dumps(sorted(r)) for r in theirs}
    errors = {r.get("error") for r in theirs}
    assert {
        "ALFMultipleCollectionsFound",
        "ALFMultipleObjectsFound",
        "ALFMultipleRevisionsFound",
    } <= errors
    assert any(r.get("rows") == [] for r in theirs)
    assert {"No default revision", "Multiple revisions"} <= {
        w for r in theirs for w in r["warnings"]
    }
    assert len(outcomes) > 1


def test_filter_datasets_matches_as_one_api_on_the_whole_table(
    corpus_cache: Path, reference_python: Path
) -> None:
    """Without revision resolution, several sessions in one frame change nothing."""
    cases = [
        case
        for case in _cases([""])
        if not case["kwargs"]["revision_last_before"]  # type: ignore[index]
    ]
    theirs = run_reference(
        reference_python, SCRIPT, {"cache_dir": str(corpus_cache), "cases": cases}
    )
    ours = _ours(_frames(One(cache_dir=corpus_cache, mode="local"), []), cases)
    assert ours == theirs
    assert any(len(r.get("rows", [])) > 20 for r in theirs)


def test_revisions_are_resolved_per_session_of_a_several_session_frame(
    corpus_cache: Path, reference_python: Path
) -> None:
    """On the whole table, each session's pick is one-api's pick on that session alone."""
    eids = _sessions(corpus_cache)
    kwargs_list: list[dict[str, object]] = [
        {"filename": name, "revision": revision, "assert_unique": False, "wildcards": True}
        for name in (None, "*trials*", "spikes.*", "_ibl_wheel.*")
        for revision in (None, "2024-01-01", "2023-12-31", "")
    ]
    per_session = [{"eid": eid, "kwargs": kw} for kw in kwargs_list for eid in eids]
    theirs = run_reference(
        reference_python, SCRIPT, {"cache_dir": str(corpus_cache), "cases": per_session}
    )
    one = One(cache_dir=corpus_cache, mode="local")
    whole = one.list_datasets(eids, details=True, keep_eid_index=True)
    for i, kwargs in enumerate(kwargs_list):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = filter_datasets(whole, **kwargs)  # type: ignore[arg-type]
        expected = sorted(
            row.split("/")[-1]
            for result in theirs[i * len(eids) : (i + 1) * len(eids)]
            for row in result["rows"]
        )
        assert sorted(str(k[1]) for k in found.index) == expected, kwargs
    assert any(r["rows"] for r in theirs)


def test_a_list_of_file_names_matches_what_its_names_match_one_by_one(
    corpus_cache: Path, reference_python: Path
) -> None:
    """docs/differences.md: one-api matches the names after the first at the session root
    only; onesdk matches each in any collection, as one-api matches each name alone."""
    eids = _sessions(corpus_cache)
    lists = [
        (["*trials.table*", "*wheel*"], True),
        ([r".*trials\.table.*", r"_ibl_wheel\..*"], False),
        (["spikes.times.npy", "*.yaml"], True),
    ]
    single = [
        {
            "eid": eid,
            "kwargs": {
                "filename": name,
                "collection": collection,
                "revision_last_before": False,
                "assert_unique": False,
                "wildcards": glob,
            },
        }
        for names, glob in lists
        for collection in (None, "alf")
        for eid in ["", *eids]
        for name in names
    ]
    theirs = iter(
        run_reference(reference_python, SCRIPT, {"cache_dir": str(corpus_cache), "cases": single})
    )
    frames = _frames(One(cache_dir=corpus_cache, mode="local"), eids)
    matched_any = False
    for names, glob in lists:
        for collection in (None, "alf"):
            for eid in ["", *eids]:
                union = sorted({row for _ in names for row in next(theirs)["rows"]})
                found = filter_datasets(
                    frames[eid],
                    names,
                    collection,
                    revision_last_before=False,
                    assert_unique=False,
                    wildcards=glob,
                )
                assert sorted(_label(k) for k in found.index) == union, (names, eid)
                matched_any |= len(union) > 0
    assert matched_any


def test_filter_datasets_selects_as_one_api_on_frames_of_rest_records(
    shared_alyx: Path, reference_python: Path
) -> None:
    """Frames built from the recorded REST answers (``ses2records`` of a session detail, one
    session; ``datasets2records`` of a ``/datasets`` page, several) filter alike."""
    rest = _rest_records(shared_alyx)
    details = [f"detail:{i}" for i in range(len(rest["details"]))]
    pages = [f"page:{i}" for i in range(len(rest["pages"]))]
    cases = (
        list(_cases(details))[::2]
        + [
            case
            for case in _cases(pages)
            if not case["kwargs"]["revision_last_before"]  # type: ignore[index]
        ][::2]
    )
    theirs = run_reference(reference_python, SCRIPT, {**rest, "cases": cases})
    frames = {
        **{key: ses2records(d)[1] for key, d in zip(details, rest["details"], strict=True)},
        **{key: datasets2records(page) for key, page in zip(pages, rest["pages"], strict=True)},
    }
    ours = _ours(frames, cases)
    different = [
        (case, mine, reference)
        for case, mine, reference in zip(cases, ours, theirs, strict=True)
        if mine != reference
    ]
    assert different == [], f"{len(different)} of {len(cases)} differ, first: {different[:3]}"
    assert sum(len(r.get("rows", [])) for r in theirs) > 100
    assert {r.get("error") for r in theirs} > {None}


class _Rest(TypedDict):
    details: list[dict[str, object]]
    pages: list[list[dict[str, object]]]


def _rest_records(shared_alyx: Path) -> _Rest:
    """The recorded session details with datasets, and ``/datasets`` pages of several
    sessions, as the server sent them (each once)."""
    details: dict[str, dict[str, object]] = {}
    pages: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for exchange in exchanges(shared_alyx):
        if exchange.status != 200 or exchange.method != "GET":
            continue
        if template_of(exchange.path, ["/sessions/{id}"]):
            for d in records(exchange.body):
                if d.get("data_dataset_session_related"):
                    details[str(d["url"])] = d
        elif template_of(exchange.path, ["/datasets"]):
            page = records(exchange.body)
            if len({str(d.get("session")) for d in page}) > 1:
                pages[tuple(str(d["url"]) for d in page)] = page
    return {"details": list(details.values())[:6], "pages": list(pages.values())[:4]}
