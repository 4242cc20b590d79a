"""Behaviour of One that the reference does not pin down, or where onesdk differs on purpose."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import numpy as np
import pytest

from onesdk import ONE, One
from onesdk.errors import (
    AlfError,
    ALFMultipleCollectionsFound,
    ALFObjectNotFound,
    ArgumentError,
    UnknownTermError,
)

FILES = {
    "lab1/Subjects/SUB1/2024-01-02/001": [
        "alf/_ibl_trials.choice.npy",
        "alf/_ibl_trials.table.pqt",
        "alf/#2024-03-01#/_ibl_trials.table.pqt",
        "alf/probe00/spikes.times.npy",
        "alf/probe01/spikes.times.npy",
        "_ibl_experiment.description.yaml",
    ],
    "lab1/Subjects/SUB1/2024-02-03/002": ["alf/_ibl_wheel.position.npy"],
    "lab2/Subjects/OTHER/2023-05-06/001": ["alf/_ibl_trials.choice.npy"],
}


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> One:
    root = tmp_path_factory.mktemp("alf")
    for session, files in FILES.items():
        for rel in files:
            path = root / session / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".npy":
                np.save(path, np.arange(3.0))
            else:
                path.write_bytes(b"a: 1\n")
    return One.setup(root, silent=True)


def _subjects(one: One, eids: list[uuid.UUID]) -> list[str]:
    return [one.get_details(e).subject for e in eids]


def test_search_aliases_and_prefixes(one: One) -> None:
    everything = one.search()
    assert len(everything) == 3
    assert one.search(lab="lab2") == one.search(laboratory="lab2") == one.search(labo="lab2")
    assert one.search(date="2024-01-02") == one.search(date_range="2024-01-02")
    assert one.search(dataset="spikes.times.npy") == one.search(datasets="spikes.times.npy")
    assert one.search(subj="SUB") == one.search(subject="SUB")


def test_unknown_search_term_names_the_closest(one: One) -> None:
    with pytest.raises(UnknownTermError, match="did you mean 'subject'") as info:
        one.search(subjct="SUB1")
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, ValueError)
    assert "date_range" in str(info.value)


def test_unknown_filename_part_is_rejected(one: One) -> None:
    (eid,) = one.search(subject="OTHER")
    with pytest.raises(UnknownTermError, match="attribute"):
        one.list_datasets(eid, filename={"atribute": "choice"})
    with pytest.raises(UnknownTermError):
        one.load_object(eid, "trials", atribute="choice")


def test_date_range_bounds(one: One) -> None:
    assert _subjects(one, one.search(date_range=["2024-01-01", None])) == ["SUB1", "SUB1"]
    assert _subjects(one, one.search(date_range=[None, "2023-12-31"])) == ["OTHER"]
    assert _subjects(one, one.search(date_range=["2024-01-02"])) == ["SUB1", "SUB1"]
    assert len(one.search(date_range=[dt.date(2024, 1, 2), dt.date(2024, 1, 2)])) == 1
    with pytest.raises(ArgumentError, match="date_range"):
        one.search(date_range=["2024-01-01", "2024-02-01", "2024-03-01"])


def test_results_are_newest_first(one: One) -> None:
    dates = [one.get_details(e).date for e in one.search()]
    assert dates == sorted(dates, reverse=True)


def test_lists_are_alternatives_and_datasets_are_all_required(one: One) -> None:
    assert len(one.search(subject=["SUB1", "OTHER"])) == 3
    assert len(one.search(number=["1", 2])) == 3
    both = one.search(datasets=["_ibl_trials.choice.npy", "spikes.times.npy"])
    assert _subjects(one, both) == ["SUB1"]
    assert one.search(datasets=["_ibl_trials.choice.npy", "nothing.here.npy"]) == []


def test_dataset_qc_lte_alone_finds_sessions_with_usable_data(one: One) -> None:
    assert len(one.search(dataset_qc_lte="PASS")) == 3


def test_wildcards_switch(one: One, tmp_path: Path) -> None:
    (eid,) = one.search(subject="OTHER")
    assert one.list_datasets(eid, filename="*choice*") == ["alf/_ibl_trials.choice.npy"]
    regex = One(cache_dir=one.cache_dir, wildcards=False)
    assert regex.list_datasets(eid, filename=".*choice.*") == ["alf/_ibl_trials.choice.npy"]
    with pytest.raises(ArgumentError, match="nothing to repeat"):
        regex.list_datasets(eid, filename="*choice*")  # not a regular expression
    assert regex.search(subject="SUB") == one.search(subject="SUB")
    assert regex.search(subject="S.B") == []  # plain substring without wildcards


def test_bad_qc_is_an_argument_error(one: One) -> None:
    with pytest.raises(ArgumentError, match="qc"):
        one.list_datasets(qc="GOOD")
    with pytest.raises(ArgumentError, match="dataset_qc_lte"):
        one.search(dataset_qc_lte=35)


def test_revisions_resolve_to_default_or_last_before(one: One) -> None:
    (eid,) = one.search(subject="SUB1", number=1)
    latest = one.load_dataset(eid, "_ibl_trials.table.pqt", download_only=True)
    assert "#2024-03-01#" in latest.as_posix()
    before = one.load_dataset(
        eid, "_ibl_trials.table.pqt", revision="2024-02-01", download_only=True
    )
    assert "#" not in before.relative_to(one.eid2path(eid) or Path()).as_posix()
    assert one.list_revisions(eid) == ["", "2024-03-01"]


def test_ambiguous_collection_names_the_collections(one: One) -> None:
    (eid,) = one.search(subject="SUB1", number=1)
    with pytest.raises(ALFMultipleCollectionsFound, match=r"alf/probe00.*alf/probe01"):
        one.load_dataset(eid, "spikes.times.npy")
    times = one.load_dataset(eid, "spikes.times.npy", collection="alf/probe01")
    assert isinstance(times, np.ndarray)


def test_object_attribute_short_name_matches_namespaced_files(one: One) -> None:
    (eid,) = one.search(subject="OTHER")
    data = one.load_dataset(eid, "trials.choice")
    assert isinstance(data, np.ndarray)
    with pytest.raises(ALFObjectNotFound, match=r"foo\.bar"):
        one.load_dataset(eid, "foo.bar")


def test_conversions_round_trip(one: One) -> None:
    (eid,) = one.search(subject="OTHER")
    path = one.eid2path(eid)
    assert path is not None
    assert one.path2eid(path) == eid
    assert one.to_eid(path) == eid
    assert one.to_eid(str(eid)) == eid
    assert one.to_eid(f"https://alyx.test/sessions/{eid}") == eid
    ref = one.eid2ref(eid, as_dict=False)
    assert ref == "2023-05-06_1_OTHER"
    assert one.ref2eid(ref) == eid
    assert one.to_eid(ref) == eid
    assert one.ref2path(ref) == path
    assert one.path2ref(path, as_dict=False) == "2023-05-06_001_OTHER"
    assert one.dict2ref(one.ref2dict(ref)) == ref
    assert one.is_exp_ref(ref)
    with pytest.raises(ALFObjectNotFound):
        one.ref2eid("2099-01-01_1_nobody")
    with pytest.raises(ValueError, match="experiment ID"):
        one.to_eid("not-an-eid")


def test_lists_of_eids_give_lists_in_order(one: One) -> None:
    eids = one.search()[:3]
    assert len(eids) == 3
    backwards = [str(e) for e in reversed(eids)]
    assert one.eid2path(backwards) == [one.eid2path(e) for e in reversed(eids)]
    assert one.eid2ref(backwards, as_dict=False) == [
        one.eid2ref(e, as_dict=False) for e in reversed(eids)
    ]
    assert [s.id for s in one.get_details(backwards)] == list(reversed(eids))
    unknown = "00000000-0000-4000-8000-000000000000"
    assert one.eid2path([unknown, str(eids[0])]) == [None, one.eid2path(eids[0])]
    with pytest.raises(ALFObjectNotFound, match=unknown):
        one.get_details([str(eids[0]), unknown])


def test_path2url_needs_a_file_server(one: One) -> None:
    (eid,) = one.search(subject="OTHER")
    file = (one.eid2path(eid) or Path()) / "alf" / "_ibl_trials.choice.npy"
    with pytest.raises(AlfError, match="http_data_server"):
        one.path2url(file)
    served = One(cache_dir=one.cache_dir, http_data_server="http://files.test/")
    record = served.path2record(file)
    assert record is not None
    url = served.path2url(file)
    assert (
        url
        == f"http://files.test/lab2/Subjects/OTHER/2023-05-06/001/alf/_ibl_trials.choice.{record.id}.npy"
    )


def test_factory_modes(one: One) -> None:
    local = ONE(cache_dir=one.cache_dir, mode="local")
    assert type(local) is One
    assert type(ONE(cache_dir=one.cache_dir, mode="auto")) is One
    with pytest.raises(ArgumentError, match="mode"):
        ONE(cache_dir=one.cache_dir, mode="cloud")  # type: ignore[call-overload]


def test_parquet_repository_satisfies_the_protocol(one: One) -> None:
    from onesdk._repo._repository import Repository

    assert isinstance(one.repository, Repository)
    (eid,) = one.search(subject="OTHER")
    assert one.repository.details(str(eid)).subject == "OTHER"
    with pytest.raises(ALFObjectNotFound):
        one.repository.details(str(uuid.uuid4()))


def test_relative_paths_name_exact_datasets(one: One) -> None:
    from onesdk.errors import ALFWarning

    (eid,) = one.search(subject="SUB1", number=1)
    old = one.load_dataset(eid, "alf/_ibl_trials.table.pqt", download_only=True)
    assert old.parent.name == "alf"
    with pytest.raises(ArgumentError, match="collection"):
        one.load_dataset(eid, "alf/_ibl_trials.table.pqt", collection="alf")
    frame = one.list_datasets(eid, collection="alf", filename="*table*", details=True)
    with pytest.warns(ALFWarning, match="not the default revision"):
        paths, records = one.load_datasets(eid, frame, download_only=True)
    assert [r.rel_path for r in records if r is not None] == frame["rel_path"].tolist()
    assert all(isinstance(p, Path) for p in paths)


def test_load_datasets_reports_missing_unless_told_not_to(one: One) -> None:
    (eid,) = one.search(subject="OTHER")
    with pytest.raises(ALFObjectNotFound, match=r"not in the cache: foo\.bar\.npy"):
        one.load_datasets(eid, ["_ibl_trials.choice.npy", "foo.bar.npy"])
    data, records = one.load_datasets(
        eid, ["_ibl_trials.choice.npy", "foo.bar.npy"], assert_present=False
    )
    assert isinstance(data[0], np.ndarray)
    assert data[1] is None
    assert records[1] is None
    with pytest.raises(ArgumentError, match="datasets"):
        one.load_datasets(eid, "_ibl_trials.choice.npy")


def test_no_cache_dir_uses_the_saved_default_server(
    one: One, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onesdk._settings import Settings, save_settings

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    save_settings(
        Settings(
            base_url="http://alyx.test",
            http_data_server="http://files.test",
            cache_dir=one.cache_dir,
        )
    )
    default = One()
    assert default.cache_dir == one.cache_dir
    assert default.http_data_server == "http://files.test"
    assert len(default.search()) == 3
    assert One(cache_dir=one.cache_dir).http_data_server is None


def test_download_only_loads_return_alf_paths(one: One) -> None:
    from onesdk.alf import ALFPath

    (eid,) = one.search(subject="SUB1", number=1)
    path = one.load_dataset(eid, "_ibl_trials.table.pqt", download_only=True)
    assert type(path) is ALFPath
    assert (path.object, path.attribute, path.revision) == ("trials", "table", "2024-03-01")
    files = one.load_object(eid, "trials", collection="alf", download_only=True)
    assert files
    assert all(type(f) is ALFPath for f in files)


def test_converters_take_lists_as_one_api_does(one: One) -> None:
    eids = one.search()
    assert len(eids) >= 2
    paths = [one.eid2path(e) for e in eids]
    assert all(p is not None for p in paths)
    refs = [one.eid2ref(e, as_dict=False) for e in eids]
    assert one.to_eid([str(e) for e in eids]) == eids
    assert one.to_eid(refs) == eids
    assert one.path2eid([p for p in paths if p is not None]) == eids
    assert one.ref2eid(refs) == eids
    assert one.ref2path(refs) == paths
    assert one.is_exp_ref([refs[0], "not a ref"]) == [True, False]
    dicts = one.ref2dict(refs)
    assert [d["subject"] for d in dicts] == [one.ref2dict(r)["subject"] for r in refs]
    assert one.dict2ref(dicts) == refs
    assert one.path2ref([p for p in paths if p is not None], as_dict=False) == [
        one.path2ref(p, as_dict=False) for p in paths if p is not None
    ]


def test_dict2ref_of_an_empty_dict_is_none(one: One) -> None:
    assert one.dict2ref({}) is None


def test_path2ref_of_a_two_digit_zero_padded_number_is_none(one: One) -> None:
    # ALF pads session numbers to three digits: ".../2018-07-13/01" is not a session folder
    assert one.path2ref("/mnt/Subjects/ZM_1085/2018-07-13/01") is None
    assert one.path2ref("/mnt/Subjects/ZM_1085/2018-07-13/001", as_dict=False) == (
        "2018-07-13_001_ZM_1085"
    )
    assert one.path2ref("/mnt/Subjects/ZM_1085/2018-07-13/1", as_dict=False) == (
        "2018-07-13_1_ZM_1085"
    )


def test_path2record_reads_the_dataset_uuid_of_a_served_file_name(one: One) -> None:
    from onesdk.alf import add_uuid_string

    (eid,) = one.search(subject="OTHER")
    frame = one.list_datasets(eid, details=True)
    first = frame.index[0]
    did = str(first[-1] if isinstance(first, tuple) else first)
    rel = str(frame["rel_path"].iloc[0])
    session = one.eid2path(eid)
    assert session is not None
    served = add_uuid_string(f"{session.relative_to(one.cache_dir).as_posix()}/{rel}", did)
    record = one.path2record(f"https://files.example.org/{served.as_posix()}")
    assert record is not None
    assert str(record.id) == did
    assert one.path2record(f"https://files.example.org/x/y.z.{uuid.uuid4()}.npy") is None


def test_load_dataset_from_id_reads_a_legacy_int64_pair(one: One) -> None:
    (eid,) = one.search(subject="OTHER")
    frame = one.list_datasets(eid, details=True)
    first = frame.index[0]
    did = uuid.UUID(str(first[-1] if isinstance(first, tuple) else first))
    pair = np.frombuffer(did.bytes, dtype="<i8").reshape(1, 2)  # the old cache-table layout
    by_pair = one.load_dataset_from_id(pair, download_only=True)  # type: ignore[call-overload]
    assert by_pair == one.load_dataset_from_id(did, download_only=True)
    assert one.load_dataset_from_id(pair[0], download_only=True) == by_pair


def test_a_wildcard_in_a_relative_dataset_path_warns(one: One) -> None:
    from onesdk.errors import ALFWarning

    (eid,) = one.search(subject="SUB1", number=1)
    with pytest.warns(ALFWarning, match="relative dataset path"):
        one.load_dataset(eid, "alf/_ibl_trials.table.*", download_only=True)
