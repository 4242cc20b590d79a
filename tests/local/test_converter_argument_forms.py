"""Argument forms of the converters that one-api 3.6.1 takes and lab scripts pass: a datasets
frame (or one of its rows) to ``record2path`` and ``record2url``, a list of paths to
``path2record``, and ``None`` to ``get_details`` (bad input, a ``ValueError`` as in one-api).
Also the documented differences of these forms (docs/differences.md): unknown paths and refs,
upper-case UUIDs, ``dict2ref`` inputs, a ``datetime`` bound of ``search(date_range=...)``."""

from __future__ import annotations

import datetime
from pathlib import Path, PurePath

import pytest

from onesdk import Dataset, One, Session
from onesdk.errors import ALFObjectNotFound, ArgumentError
from tests.trees import one_on_files

SESSION = "lab1/Subjects/SUB1/2024-01-02/001"
FILES = ["alf/_ibl_trials.choice.npy", "alf/probe00/spikes.times.npy"]


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> One:
    return one_on_files(tmp_path_factory.mktemp("alf"), [f"{SESSION}/{rel}" for rel in FILES])


@pytest.fixture(scope="module")
def eid(one: One) -> str:
    (found,) = one.search(subject="SUB1")
    return str(found)


def test_record2path_of_a_datasets_frame_gives_one_path_per_row(one: One, eid: str) -> None:
    frame = one.list_datasets(eid, details=True, keep_eid_index=True)
    paths = one.record2path(frame)
    session = one.cache_dir / SESSION
    assert paths == [session / rel for rel in frame["rel_path"]]
    assert sorted(p.relative_to(session).as_posix() for p in paths if p) == sorted(FILES)


def test_record2path_of_a_frame_row_is_the_path_of_that_dataset(one: One, eid: str) -> None:
    frame = one.list_datasets(eid, details=True, keep_eid_index=True)
    row = frame.iloc[1]
    assert one.record2path(row) == one.cache_dir / SESSION / row["rel_path"]


def test_record2path_of_a_row_of_an_unknown_session_is_none(one: One, eid: str) -> None:
    frame = one.list_datasets(eid, details=True, keep_eid_index=True)
    row = frame.iloc[0].copy()
    _, dataset_id = frame.index[0]
    row.name = ("00000000-0000-4000-8000-000000000000", dataset_id)
    assert one.record2path(row) is None


def test_record2path_of_a_row_without_its_eid_names_keep_eid_index(one: One, eid: str) -> None:
    row = one.list_datasets(eid, details=True).iloc[0]  # indexed by id only
    with pytest.raises(ArgumentError, match="keep_eid_index=True") as caught:
        one.record2path(row)
    assert caught.value.argument == "dataset"


def test_record2path_of_a_session_record_is_an_argument_error(one: One, eid: str) -> None:
    with pytest.raises(ArgumentError, match="a Dataset record"):
        one.record2path(one.get_details(eid))  # type: ignore[call-overload]


def test_path2record_of_a_list_gives_the_records_in_order(one: One, eid: str) -> None:
    session = one.cache_dir / SESSION
    missing = session / "alf" / "nothing.here.npy"
    paths: list[str | PurePath] = [session / FILES[1], str(session), missing]
    records = one.path2record(paths)
    assert len(records) == 3
    dataset, details, none = records
    assert isinstance(dataset, Dataset)
    assert dataset.rel_path == FILES[1]
    assert isinstance(details, Session)
    assert str(details.id) == eid
    assert none is None


def test_get_details_of_none_is_an_argument_error_naming_eid(one: One) -> None:
    with pytest.raises(ArgumentError) as caught:
        one.get_details(None)  # type: ignore[call-overload]
    assert caught.value.argument == "eid"
    assert isinstance(caught.value, ValueError)  # one-api raises ValueError


def test_record2path_of_a_dataset_record_still_works(one: One, eid: str) -> None:
    record = one.path2record(Path(one.cache_dir) / SESSION / FILES[0])
    assert isinstance(record, Dataset)
    assert one.record2path(record) == one.cache_dir / SESSION / FILES[0]


SERVER = "https://files.example.org/data"


def test_record2url_of_a_frame_gives_one_url_per_row(one: One, eid: str) -> None:
    remote = One(cache_dir=one.cache_dir, http_data_server=SERVER)
    frame = remote.list_datasets(eid, details=True, keep_eid_index=True)
    urls = remote.record2url(frame)
    expected = []
    for (_, did), rel_path in zip(frame.index, frame["rel_path"], strict=True):
        stem, ext = rel_path.rsplit(".", 1)
        expected.append(f"{SERVER}/{SESSION}/{stem}.{did}.{ext}")
    assert urls == expected
    assert remote.record2url(frame.iloc[0]) == expected[0]


def test_record2url_of_a_row_without_its_eid_names_keep_eid_index(one: One, eid: str) -> None:
    remote = One(cache_dir=one.cache_dir, http_data_server=SERVER)
    row = remote.list_datasets(eid, details=True).iloc[0]
    with pytest.raises(ArgumentError, match="keep_eid_index=True") as caught:
        remote.record2url(row)
    assert caught.value.argument == "record"


def test_get_details_of_a_path_or_ref_not_in_the_cache_is_alf_object_not_found(
    one: One,
) -> None:
    missing_path = one.cache_dir / "lab1/Subjects/NOBODY/2020-01-01/001"
    for missing in (missing_path, "2020-01-01_1_NOBODY"):
        with pytest.raises(ALFObjectNotFound, match="NOBODY"):
            one.get_details(missing)


def test_upper_case_uuid_strings_name_the_same_session(one: One, eid: str) -> None:
    upper = eid.upper()
    assert upper != eid
    assert str(one.to_eid(upper)) == eid
    assert str(one.get_details(upper).id) == eid
    assert one.eid2ref(upper, as_dict=False) == one.eid2ref(eid, as_dict=False)


def test_dict2ref_takes_date_and_sequence_as_text_or_parsed_in_any_mix(one: One) -> None:
    expected = "2024-01-02_1_SUB1"
    for date in ("2024-01-02", datetime.date(2024, 1, 2)):
        for sequence in (1, "1"):
            ref = {"subject": "SUB1", "date": date, "sequence": sequence}
            assert one.dict2ref(ref) == expected, ref


def test_a_datetime_date_range_bound_counts_as_its_whole_day(one: One, eid: str) -> None:
    day = datetime.date(2024, 1, 2)  # the date of SESSION
    noon = datetime.datetime(2024, 1, 2, 12, 0)
    assert [str(e) for e in one.search(date_range=[noon, noon])] == [eid]
    assert [str(e) for e in one.search(date_range=[noon, None])] == [eid]
    assert one.search(date_range=[day + datetime.timedelta(days=1), None]) == []
