"""ALFPath: a pathlib.Path of this system with the reference's ALF properties and replacers."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from onesdk.alf import ALFPath, ensure_alf_path
from onesdk.errors import ALFInvalid, ArgumentError

FULL = "/data/lab/Subjects/KS005/2020-01-01/1/alf/#2021-01-01#/_ibl_trials.goCue_times_bpod.x.npy"


def test_alfpath_is_a_path_of_this_system_and_stays_one() -> None:
    path = ALFPath(FULL)
    assert isinstance(path, Path)
    assert isinstance(path, type(Path()))
    assert type(path.parent) is ALFPath
    assert type(path / "x") is ALFPath
    assert type(path.with_name("a.b.npy")) is ALFPath
    assert pickle.loads(pickle.dumps(path)) == path


def test_alfpath_properties_read_every_part() -> None:
    path = ALFPath(FULL)
    assert path.session_parts == ("lab", "KS005", "2020-01-01", "1")
    assert (path.collection, path.revision) == ("alf", "2021-01-01")
    assert path.dataset_name_parts == ("ibl", "trials", "goCue_times", "bpod", "x", "npy")
    assert (path.lab, path.subject, path.date, path.sequence) == (
        "lab",
        "KS005",
        "2020-01-01",
        "1",
    )
    assert (path.namespace, path.object, path.attribute) == ("ibl", "trials", "goCue_times")
    assert (path.timescale, path.extra, path.extension) == ("bpod", "x", "npy")


def test_alfpath_parts_it_does_not_have_read_as_empty_text() -> None:
    path = ALFPath("KS005/2020-01-01/001")
    assert (path.lab, path.collection, path.revision, path.object) == ("", "", "", "")
    assert ALFPath("spikes.times.npy").subject == ""


def test_session_path_and_relative_parts() -> None:
    path = ALFPath(FULL)
    assert path.session_path() == ALFPath("/data/lab/Subjects/KS005/2020-01-01/1")
    assert path.relative_to_session().as_posix() == (
        "alf/#2021-01-01#/_ibl_trials.goCue_times_bpod.x.npy"
    )
    assert path.relative_to_lab().as_posix().startswith("KS005/2020-01-01/1/")
    assert path.without_lab().as_posix().startswith("/data/KS005/2020-01-01/1/")
    assert ALFPath("x/y").without_lab() == ALFPath("x/y")
    with pytest.raises(ALFInvalid):
        ALFPath("x/y").relative_to_session()
    with pytest.raises(ALFInvalid):
        ALFPath("x/y").relative_to_lab()


def test_session_path_short_without_lab_has_no_leading_slash() -> None:
    path = ALFPath("/data/KS005/2020-01-01/001/alf/spikes.times.npy")
    assert path.session_path_short() == "KS005/2020-01-01/001"
    assert path.session_path_short(include_lab=True) == "KS005/2020-01-01/001"
    assert ALFPath(FULL).session_path_short(include_lab=True) == "lab/KS005/2020-01-01/1"
    assert ALFPath("a/b").session_path_short() is None


def test_parse_alf_path_and_name_are_dicts_by_default() -> None:
    path = ALFPath(FULL)
    assert path.parse_alf_path()["revision"] == "2021-01-01"
    assert path.parse_alf_path(as_dict=False).number == "1"
    assert path.parse_alf_name()["timescale"] == "bpod"
    assert ALFPath("x/y").parse_alf_name(as_dict=False).object is None


def test_session_part_replacers() -> None:
    path = ALFPath(FULL)
    assert path.with_lab("other").lab == "other"
    assert ALFPath("s/2020-01-01/001").with_lab("L") == ALFPath("L/Subjects/s/2020-01-01/001")
    with pytest.raises(ALFInvalid):
        ALFPath("s/2020-01-01/001").with_lab("L", strict=True)
    assert path.with_subject("S2").subject == "S2"
    import datetime

    assert path.with_date(datetime.date(2021, 3, 4)).date == "2021-03-04"
    assert path.with_sequence("2").sequence == "002"
    assert path.with_padded_sequence().sequence == "001"


def test_file_name_replacers_keep_what_they_do_not_replace() -> None:
    path = ALFPath(FULL)
    assert path.with_object("wheel").name == "_ibl_wheel.goCue_times_bpod.x.npy"
    assert path.with_namespace(None).name == "trials.goCue_times_bpod.x.npy"
    assert path.with_attribute("stimOn_times").name == "_ibl_trials.stimOn_times_bpod.x.npy"
    assert path.with_extra("a.b").name == "_ibl_trials.goCue_times_bpod.a.b.npy"
    assert path.with_extra(["c"], append=True).name == "_ibl_trials.goCue_times_bpod.x.c.npy"
    assert path.with_extra(None).name == "_ibl_trials.goCue_times_bpod.npy"
    assert path.with_extension("pqt").name == "_ibl_trials.goCue_times_bpod.x.pqt"


def test_with_timescale_keeps_a_times_attribute() -> None:
    # one-api 3.6.1 gives trials.goCue_bpod.npy: the "_times" of the attribute is lost
    path = ALFPath("s/2020-01-01/001/alf/trials.goCue_times.npy")
    assert path.with_timescale("bpod").name == "trials.goCue_times_bpod.npy"
    assert path.with_timescale("bpod").with_timescale(None) == path


def test_with_attribute_of_a_times_attribute_adds_no_timescale() -> None:
    # one-api 3.6.1 gives trials.stimOn_times_times.npy
    path = ALFPath("s/2020-01-01/001/alf/trials.goCue_times.npy")
    assert path.with_attribute("stimOn_times").name == "trials.stimOn_times.npy"


def test_replacers_refuse_values_that_break_the_grammar() -> None:
    path = ALFPath(FULL)
    calls: list[tuple[Callable[[], ALFPath], str]] = [
        (lambda: path.with_object("a.b"), "obj"),
        (lambda: path.with_subject("a/b"), "subject"),
        (lambda: path.with_extension(".npy"), "ext"),
        (lambda: path.with_collection("a b"), "collection"),
        (lambda: path.with_sequence("x"), "number"),
    ]
    for call, argument in calls:
        with pytest.raises(ArgumentError, match=argument):
            call()
    with pytest.raises(ALFInvalid):
        path.with_revision("#v1#")


def test_file_name_replacers_refuse_a_folder() -> None:
    with pytest.raises(ALFInvalid):
        ALFPath("s/2020-01-01/001/alf").with_object("x")
    with pytest.raises(ALFInvalid):
        ALFPath("s/2020-01-01/001").with_uuid("a976e418-c8b8-4d24-be47-d05120b18341")


def test_folder_replacers() -> None:
    path = ALFPath(FULL)
    assert path.with_collection("raw/probe00").collection == "raw/probe00"
    assert path.with_collection("raw").revision == "2021-01-01"
    session = ALFPath("s/2020-01-01/001")
    assert session.with_collection("alf") == ALFPath("s/2020-01-01/001/alf")
    assert path.with_revision("v2").revision == "v2"
    assert path.without_revision().revision == ""
    assert ALFPath("s/2020-01-01/001/alf/#v1#").without_revision() == ALFPath(
        "s/2020-01-01/001/alf"
    )
    assert ALFPath("s/2020-01-01/001/alf").with_revision("v1").name == "#v1#"


def test_with_collection_refuses_a_file_below_folders_that_are_not_alf() -> None:
    with pytest.raises(ALFInvalid):
        ALFPath("s/2020-01-01/001/a b/#v1#/spikes.times.npy").with_collection("alf")


def test_with_uuid_and_without_uuid() -> None:
    uuid = "a976e418-c8b8-4d24-be47-d05120b18341"
    path = ALFPath("s/2020-01-01/001/spikes.times.npy")
    assert path.with_uuid(uuid).extra == uuid
    assert path.with_uuid(uuid).without_uuid() == path
    assert ALFPath("s/2020-01-01/001").without_uuid() == ALFPath("s/2020-01-01/001")


def test_disk_aware_checks(tmp_path: Path) -> None:
    session = ALFPath(tmp_path / "s" / "2020-01-01" / "001")
    folder_named_like_a_file = session / "alf" / "spikes.times.npy"
    folder_named_like_a_file.mkdir(parents=True)
    (session / "alf" / "clusters.depths.npy").write_bytes(b"")
    (session / "alf" / "notes.txt").write_bytes(b"")
    assert session.is_session_path()
    assert session.is_valid_alf()
    assert not folder_named_like_a_file.is_dataset()
    assert not folder_named_like_a_file.is_valid_alf()
    assert (session / "alf" / "clusters.depths.npy").is_dataset()
    found = list((session / "alf").iter_datasets())
    assert found == [session / "alf" / "clusters.depths.npy"]
    assert all(type(p) is ALFPath for p in found)
    assert list(session.iter_datasets(recursive=True)) == found


def test_ensure_alf_path() -> None:
    assert type(ensure_alf_path("a/b")) is ALFPath
    assert ensure_alf_path(Path("a/b")) == ALFPath("a/b")
    assert ensure_alf_path(["a", Path("b")]) == [ALFPath("a"), ALFPath("b")]


def test_is_valid_alf_and_is_session_path_work_called_on_the_class() -> None:
    check: Callable[[object], bool] = ALFPath.is_valid_alf  # type: ignore[assignment]
    assert check("_ibl_wheel.timestamps.npy")
    assert not check("foo.bar")
    session_check: Callable[[object], bool] = ALFPath.is_session_path  # type: ignore[assignment]
    assert session_check("lab/Subjects/foo/2020-01-01/001")
    assert not session_check("foo/bar")
