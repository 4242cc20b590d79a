"""``onesdk.util``: the frame filter answers as onesdk's listings and loads on the same rows,
its arguments are checked, and the small helpers keep one-api's meaning."""

from __future__ import annotations

import doctest
import itertools
import logging
import uuid
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import onesdk.util
from onesdk import One
from onesdk.errors import (
    ALFMultipleCollectionsFound,
    ALFMultipleObjectsFound,
    ALFMultipleRevisionsFound,
    ArgumentError,
    UnknownTermError,
)
from onesdk.util import (
    autocomplete,
    filter_datasets,
    filter_revision_last_before,
    index_last_before,
    parse_id,
    validate_date_range,
)
from tests.local._corpus import build_cache_dir

EID = "01234567-89ab-cdef-0123-456789abcdef"


def _frame(rel_paths: list[str], defaults: list[bool] | None = None) -> pd.DataFrame:
    """A one-session datasets frame indexed by ``id`` (``d0``, ``d1``, ...)."""
    data: dict[str, object] = {"rel_path": rel_paths, "qc": ["NOT_SET"] * len(rel_paths)}
    if defaults is not None:
        data["default_revision"] = defaults
    return pd.DataFrame(data, index=pd.Index([f"d{i}" for i in range(len(rel_paths))], name="id"))


REVISED = [
    "alf/spikes.times.npy",
    "alf/#2023-04-01#/spikes.times.npy",
    "alf/#2024-01-01#/spikes.times.npy",
    "alf/#2024-06-01#/spikes.times.npy",
    "alf/probe00/spikes.times.npy",
]


# ---------------------------------------------------------------------------- the corpus


@pytest.fixture(scope="module")
def corpus_one(shared_alyx: Path, tmp_path_factory: pytest.TempPathFactory) -> One:
    cache_dir = build_cache_dir(shared_alyx, "local", tmp_path_factory.mktemp("util-one"))
    return One(cache_dir=cache_dir, mode="local")


LISTING_FILTERS: list[dict[str, object]] = [
    {},
    {"filename": "*trials*"},
    {"filename": ["*trials.table*", "*wheel*"]},
    {"filename": {"object": "spikes", "attribute": ["times", "clusters"]}},
    {"filename": {"namespace": "ibl", "object": "tr*"}, "collection": "alf"},
    {"collection": ""},
    {"collection": ["alf/probe0?", "raw_*"]},
    {"revision": "2024-*"},
    {"revision": ""},
    {"collection": "alf", "revision": ["2023-04-01", "2024-06-01"]},
    {"qc": "PASS"},
    {"qc": 30, "ignore_qc_not_set": True},
    {"filename": "*.npy", "qc": "WARNING", "ignore_qc_not_set": True},
]


@pytest.mark.shared
@pytest.mark.parametrize("filters", LISTING_FILTERS, ids=str)
def test_filter_datasets_on_list_datasets_details_lists_what_list_datasets_lists(
    corpus_one: One, filters: dict[str, object]
) -> None:
    eids = corpus_one.search()
    sessions = [eids[0], eids[1], eids[-1]]
    for eid in [*sessions, None]:
        frame = corpus_one.list_datasets(eid, details=True)
        found = filter_datasets(
            frame,
            revision_last_before=False,
            assert_unique=False,
            wildcards=corpus_one.wildcards,
            **filters,  # type: ignore[arg-type]
        )
        listed = corpus_one.list_datasets(eid, **filters)  # type: ignore[call-overload]
        names = found["rel_path"].tolist()  # of every session: listed each once
        assert sorted(names if eid else set(names)) == sorted(listed), (eid, filters)
        details = corpus_one.list_datasets(eid, details=True, **filters)  # type: ignore[call-overload]
        assert found.index.equals(details.index)
        assert list(found.columns) == list(details.columns)  # no column added


@pytest.mark.shared
def test_filter_datasets_with_revision_last_before_picks_the_file_a_load_reads(
    corpus_one: One,
) -> None:
    table = corpus_one.list_datasets(details=True)
    with_revisions = table[table["rel_path"].str.contains("#")]
    revised = sorted({str(eid) for eid in with_revisions.index.get_level_values("eid")})
    checked = 0
    for eid, (name, collection), revision in itertools.product(
        revised[:6],
        [
            ("_ibl_trials.table.pqt", "alf"),
            ("spikes.times.npy", "alf/probe00"),
            ("_ibl_wheel.position.npy", "alf"),
            ("_ibl_trials.intervals_bpod.npy", "alf"),
        ],
        [None, "2023-12-31", "2024-01-01", "2024-07-01", ""],
    ):
        frame = corpus_one.list_datasets(eid, details=True)
        found = filter_datasets(frame, name, collection, revision, wildcards=True)
        try:
            path = corpus_one.load_dataset(
                eid, name, collection, revision=revision, download_only=True
            )
        except Exception:
            assert found.empty, (eid, name, revision)
            continue
        assert len(found) == 1
        assert path.as_posix().endswith("/" + found["rel_path"].iloc[0])
        checked += 1
    assert checked > 10


# ---------------------------------------------------------------------------- revisions


def test_the_default_revision_is_kept_not_the_latest() -> None:
    frame = _frame(REVISED, defaults=[False, False, True, False, True])
    found = filter_datasets(frame, collection="alf", wildcards=True)
    assert found["rel_path"].tolist() == ["alf/#2024-01-01#/spikes.times.npy"]
    assert found["revision"].tolist() == ["2024-01-01"]


def test_a_revision_keeps_the_last_one_at_or_before_it() -> None:
    frame = _frame(REVISED, defaults=[False, False, True, False, True])
    found = filter_datasets(frame, collection="alf", revision="2024-05-31", wildcards=True)
    assert found["revision"].tolist() == ["2024-01-01"]
    # no revision ('') comes before every revision
    early = filter_datasets(frame, collection="alf", revision="2000-01-01", wildcards=True)
    assert early["rel_path"].tolist() == ["alf/spikes.times.npy"]
    revised_only = frame[frame["rel_path"].str.contains("#")]
    assert filter_datasets(revised_only, revision="2000-01-01", wildcards=True).empty
    unrevised = filter_datasets(frame, collection="alf", revision="", wildcards=True)
    assert unrevised["rel_path"].tolist() == ["alf/spikes.times.npy"]


def test_no_default_revision_is_logged_and_the_latest_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    frame = _frame(REVISED, defaults=[False] * 5)
    with caplog.at_level(logging.INFO, logger="onesdk.util"):
        found = filter_datasets(frame, collection="alf", wildcards=True)
    assert found["revision"].tolist() == ["2024-06-01"]
    assert "No default revision for dataset alf/spikes.times.npy" in caplog.text


def test_several_default_revisions_raise_when_unique_is_asserted() -> None:
    frame = _frame(REVISED, defaults=[True] * 5)
    with pytest.raises(ALFMultipleRevisionsFound):
        filter_datasets(frame, collection="alf", wildcards=True)
    found = filter_datasets(frame, collection="alf", wildcards=True, assert_unique=False)
    assert found["revision"].tolist() == ["2024-06-01"]


def test_uniqueness_errors_name_what_to_pass() -> None:
    frame = _frame(REVISED, defaults=[False, False, True, False, True])
    with pytest.raises(ALFMultipleCollectionsFound, match="pass collection="):
        filter_datasets(frame, "spikes.times.npy")
    with pytest.raises(ALFMultipleRevisionsFound, match="pass revision="):
        filter_datasets(frame, "spikes.times.npy", "alf", revision_last_before=False)
    two = _frame(["alf/a.times.npy", "alf/b.times.npy"], defaults=[True, True])
    with pytest.raises(ALFMultipleObjectsFound, match=r"alf/a\.times\.npy"):
        filter_datasets(two, ".*times.*")


def test_revisions_are_chosen_per_session_of_an_eid_index() -> None:
    other = "fedcba98-7654-3210-fedc-ba9876543210"
    rel_paths = ["alf/#2024-01-01#/x.y.npy", "alf/#2024-06-01#/x.y.npy"] * 2
    frame = pd.DataFrame(
        {"rel_path": rel_paths, "qc": "PASS", "default_revision": [True, False, False, True]},
        index=pd.MultiIndex.from_tuples(
            [(EID, "a"), (EID, "b"), (other, "c"), (other, "d")], names=["eid", "id"]
        ),
    )
    found = filter_datasets(frame, assert_unique=False)
    assert [i for _, i in found.index] == ["a", "d"]


def test_the_input_frame_is_left_as_it_is_and_rows_keep_its_order() -> None:
    frame = _frame(list(reversed(REVISED)), defaults=[True, False, True, False, False])
    before = frame.copy()
    found = filter_revision_last_before(frame, assert_unique=True)
    pd.testing.assert_frame_equal(frame, before)
    assert found["rel_path"].tolist() == [REVISED[4], REVISED[2]]
    assert found["revision"].tolist() == ["", "2024-01-01"]


def test_mixed_revisions_are_logged_or_raise_when_consistency_is_asserted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    frame = _frame([*REVISED[1:3], "alf/#2023-04-01#/spikes.amps.npy"])
    with caplog.at_level(logging.INFO, logger="onesdk.util"):
        filter_revision_last_before(frame, revision="2024-02-01", assert_unique=False)
    assert 'Multiple revisions: "2024-01-01", "2023-04-01"' in caplog.text
    with pytest.raises(ALFMultipleRevisionsFound):
        filter_revision_last_before(frame, revision="2024-02-01", assert_consistent=True)


@given(
    revisions=st.lists(st.sampled_from(["", "2023-04-01", "2024-01-01", "2024-06-01"])),
    revision=st.one_of(st.none(), st.sampled_from(["", "2023-12-31", "2024-01-01", "2025"])),
)
def test_index_last_before_is_the_first_position_of_the_latest_revision_not_after(
    revisions: list[str], revision: str | None
) -> None:
    candidates = [r for r in revisions if revision is None or r <= revision]
    expected = revisions.index(max(candidates)) if candidates else None
    assert index_last_before(revisions, revision) == expected


_OTHER = "fedcba98-7654-3210-fedc-ba9876543210"


@st.composite
def _revised_frames(draw: st.DrawFn) -> pd.DataFrame:
    """Frames of two sessions whose datasets share names, collections and revisions."""
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from([EID, _OTHER]),
                st.sampled_from(["", "alf/", "alf/probe00/"]),
                st.sampled_from(["", "#2023-04-01#/", "#2024-01-01#/", "#2024-06-01#/"]),
                st.sampled_from(["spikes.times.npy", "_ibl_trials.table.pqt"]),
                st.booleans(),
            ),
            max_size=25,
            unique_by=lambda r: (r[0], r[1], r[2], r[3]),
        )
    )
    return pd.DataFrame(
        {
            "rel_path": [c + r + n for _, c, r, n, _ in rows],
            "qc": "PASS",
            "default_revision": [d for *_, d in rows],
        },
        index=pd.MultiIndex.from_tuples(
            [(e, f"d{i}") for i, (e, *_) in enumerate(rows)], names=["eid", "id"]
        ),
    )


def _expected_revisions(frame: pd.DataFrame, revision: str | None) -> set[str]:
    """The ids the revision rule keeps, from its definition, one dataset at a time."""
    groups: dict[tuple[str, str], list[tuple[str, str, bool]]] = {}
    for (eid, id_), rel, default in zip(
        frame.index, frame["rel_path"], frame["default_revision"], strict=True
    ):
        rev = rel.split("#")[1] if "#" in rel else ""
        dataset = rel.replace(f"#{rev}#/", "") if rev else rel
        groups.setdefault((eid, dataset), []).append((id_, rev, bool(default)))
    kept = set()
    for members in groups.values():
        if revision is not None:
            before = [m for m in members if m[1] <= revision]
            if before:
                kept.add(max(before, key=lambda m: m[1])[0])
            continue
        flagged = [m for m in members if m[2]]
        if len(flagged) == 1:
            kept.add(flagged[0][0])
        else:
            kept.add(max(members, key=lambda m: m[1])[0])
    return kept


@given(
    frame=_revised_frames(),
    revision=st.sampled_from([None, "", "2023-12-31", "2024-01-01", "2030-01-01"]),
)
def test_one_revision_per_dataset_of_each_session_is_kept_by_the_rule(
    frame: pd.DataFrame, revision: str | None
) -> None:
    found = filter_datasets(frame, revision=revision, assert_unique=False)
    assert {id_ for _, id_ in found.index} == _expected_revisions(frame, revision)
    assert list(found.index) == [k for k in frame.index if k in set(found.index)]  # frame order
    again = filter_revision_last_before(frame, revision, assert_unique=False)
    assert again.index.equals(found.index)


# ---------------------------------------------------------------------------- QC and paths


def test_qc_bounds_the_levels_kept() -> None:
    levels = ["NOT_SET", "PASS", "WARNING", "FAIL", "CRITICAL"]
    frame = pd.DataFrame(
        {"rel_path": [f"alf/o.a{i}.npy" for i in range(5)], "qc": levels},
        index=pd.Index(list("abcde"), name="id"),
    )
    frame["qc"] = frame["qc"].astype(pd.CategoricalDtype(levels, ordered=True))
    kept = {
        str(qc): filter_datasets(frame, qc=qc, assert_unique=False)["qc"].tolist()
        for qc in ("PASS", 30, "CRITICAL", onesdk.QC.FAIL)
    }
    assert kept["PASS"] == levels[:2]
    assert kept["30"] == levels[:3]
    assert kept["CRITICAL"] == levels
    assert kept[str(onesdk.QC.FAIL)] == levels[:4]
    found = filter_datasets(frame, qc="WARNING", ignore_qc_not_set=True, assert_unique=False)
    assert found["qc"].tolist() == ["PASS", "WARNING"]


def test_a_leading_wildcard_does_not_reach_into_the_collection() -> None:
    frame = _frame(["raw/x.meta", "raw/probe00/x.meta", "raw/probe01/y.meta"])
    kwargs = {"revision_last_before": False, "assert_unique": False, "wildcards": True}
    found = filter_datasets(frame, "*.meta", "raw", **kwargs)  # type: ignore[arg-type]
    assert found["rel_path"].tolist() == ["raw/x.meta"]
    found = filter_datasets(frame, "*.meta", "raw/probe??", **kwargs)  # type: ignore[arg-type]
    assert len(found) == 2


# ---------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"all_datasets": ["alf/a.b.npy"]}, "all_datasets"),
        ({"all_datasets": pd.DataFrame({"rel_path": ["a.b.npy"]})}, "all_datasets"),
        ({"filename": "(unclosed"}, "filename"),
        ({"filename": {"objekt": "trials"}}, "objekt"),
        ({"collection": 3}, "collection"),
        ({"revision": ["2024-01-01"]}, "revision"),
        ({"revision": "[", "revision_last_before": False}, "revision"),
        ({"qc": "GOOD"}, "qc"),
        ({"wildcards": "yes"}, "wildcards"),
        ({"assert_unique": None}, "assert_unique"),
    ],
)
def test_bad_arguments_raise_an_argument_error_naming_them(
    kwargs: dict[str, object], argument: str
) -> None:
    call: dict[str, object] = {"all_datasets": _frame(REVISED), **kwargs}
    with pytest.raises(ArgumentError) as caught:
        filter_datasets(**call)  # type: ignore[arg-type]
    assert argument in str(caught.value)


def test_an_unknown_qc_value_in_the_frame_is_an_argument_error() -> None:
    frame = _frame(REVISED)
    frame["qc"] = "GOOD"
    with pytest.raises(ArgumentError, match="qc"):
        filter_datasets(frame)


def test_validate_date_range_gives_the_first_and_last_instants() -> None:
    day = (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-01 23:59:59.999"))
    assert validate_date_range("2020-01-01") == day
    assert validate_date_range(pd.Timestamp(2020, 1, 1).date()) == day
    assert validate_date_range(np.datetime64("2020-01-01")) == day
    two = np.array(["2022-01-30", "2022-02-01"], dtype="datetime64[D]")
    assert validate_date_range(two) == (pd.Timestamp("2022-01-30"), pd.Timestamp("2022-02-01"))
    assert validate_date_range(["2020-01-01"]) == (pd.Timestamp("2020-01-01"), pd.Timestamp.max)
    assert validate_date_range([None, "2020-01-01"]) == (
        pd.Timestamp.min,
        pd.Timestamp("2020-01-01"),
    )
    assert validate_date_range(None) is None


@pytest.mark.parametrize(
    "date_range", [[], ["2020-01-01"] * 3, "not a date", [3.5, None], ["2020-13-45"]]
)
def test_validate_date_range_refuses_what_is_no_range(date_range: object) -> None:
    with pytest.raises(ArgumentError, match="date_range"):
        validate_date_range(date_range)  # type: ignore[call-overload]


def test_autocomplete_completes_a_unique_prefix_only() -> None:
    terms = ("subject", "date_range", "dataset", "dataset_type")
    assert autocomplete("Subj", terms) == "subject"
    assert autocomplete("dataset", terms) == "dataset"
    with pytest.raises(UnknownTermError, match="did you mean 'dataset_type'"):
        autocomplete("dataset_typo", terms)
    with pytest.raises(ArgumentError, match="ambiguous"):
        autocomplete("dat", terms)


def test_parse_id_hands_the_method_the_session_uuid(tmp_path: Path) -> None:
    session = tmp_path / "lab" / "Subjects" / "SUB" / "2024-01-02" / "001" / "alf"
    session.mkdir(parents=True)
    np.save(session / "_ibl_trials.choice.npy", np.ones(2))
    one = One.setup(tmp_path, silent=True)

    class Sessions:
        def to_eid(self, id: object) -> uuid.UUID | None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return one.to_eid(id)  # type: ignore[call-overload, no-any-return]

        @parse_id
        def datasets(self, eid: uuid.UUID) -> list[str]:
            return one.list_datasets(eid)

    (eid,) = one.search()
    assert Sessions().datasets("2024-01-02_1_SUB") == ["alf/_ibl_trials.choice.npy"]
    assert Sessions().datasets(str(eid)) == ["alf/_ibl_trials.choice.npy"]
    with pytest.raises(ArgumentError, match="id="):
        Sessions().datasets("2024-01-03_1_SUB")


def test_docstring_examples() -> None:
    result = doctest.testmod(onesdk.util, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
