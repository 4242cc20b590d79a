"""The reference-named parsers: typed results, as_dict/assert_valid semantics, examples.

Expected values are the ones one-api 3.6.1 documents for the same inputs.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given

from onesdk import alf
from onesdk.errors import ALFInvalid
from tests import strategies as strat


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "_namespace_obj.times_timescale.extra.foo.ext",
            ("namespace", "obj", "times", "timescale", "extra.foo", "ext"),
        ),
        ("spikes.times_ephysClock.npy", (None, "spikes", "times", "ephysClock", None, "npy")),
        (
            "_iblmic_audioSpectrogram.frequencies.npy",
            ("iblmic", "audioSpectrogram", "frequencies", None, None, "npy"),
        ),
        (
            "_spikeglx_ephysData_g0_t0.imec.wiring.json",
            ("spikeglx", "ephysData_g0_t0", "imec", None, "wiring", "json"),
        ),
        (
            "_ibl_trials.goCue_times_bpod.csv",
            ("ibl", "trials", "goCue_times", "bpod", None, "csv"),
        ),
    ],
)
def test_filename_parts_documented_examples(name: str, expected: tuple[str | None, ...]) -> None:
    parts = alf.filename_parts(name)
    assert tuple(parts) == expected
    assert alf.filename_parts(name, as_dict=True) == parts._asdict()
    assert parts.object == expected[1]


def test_filename_parts_invalid_raises_or_gives_empty() -> None:
    with pytest.raises(ALFInvalid, match=r"spike_train\.npy"):
        alf.filename_parts("spike_train.npy")
    empty = alf.filename_parts("spike_train.npy", assert_valid=False)
    assert isinstance(empty, alf.EmptyFilenameParts)
    assert tuple(empty) == (None,) * 6
    assert alf.filename_parts("spike_train.npy", as_dict=True, assert_valid=False) == dict.fromkeys(
        alf.FilenameParts._fields
    )


def test_session_path_parts_finds_the_session_anywhere() -> None:
    parts = alf.session_path_parts("/data/lab/Subjects/subj/2020-01-01/001/alf/x.y.npy")
    assert parts == ("lab", "subj", "2020-01-01", "001")
    assert alf.session_path_parts(Path("subj/2020-01-01/1")).lab is None
    windows = PureWindowsPath("C:/data/subj/2020-01-01/002")
    assert alf.session_path_parts(windows).number == "002"


def test_folder_and_rel_path_parts() -> None:
    folder = alf.folder_parts("lab/Subjects/subject/2020-01-01/001/collection/#revision#")
    assert folder == ("lab", "subject", "2020-01-01", "001", "collection", "revision")
    rel = alf.rel_path_parts("alf/probe00/#2021-01-01#/_ibl_spikes.times.npy")
    assert (rel.collection, rel.revision, rel.namespace) == ("alf/probe00", "2021-01-01", "ibl")


def test_full_path_parts_of_a_file_name_only() -> None:
    parts = alf.full_path_parts("spikes.clusters.npy", as_dict=True)
    assert parts["object"] == "spikes"
    assert parts["subject"] is None
    assert list(parts) == list(alf.FullPathParts._fields)


def test_full_path_parts_rejects_a_folder_not_ending_at_an_alf_part() -> None:
    with pytest.raises(ALFInvalid):
        alf.full_path_parts("subj/2020-01-01/001/alf/probe00")
    assert alf.full_path_parts("subj/2020-01-01/001/alf/#v1#").revision == "v1"


@given(strat.alf_paths())
def test_full_path_parts_agrees_with_alf_path(path: alf.AlfPath) -> None:
    text = str(path)
    last = text.rsplit("/", 1)[-1]
    values = (path.lab, path.subject, path.date, path.number, path.collection)
    nested_folder = (
        path.object is None
        and path.revision is None
        and "/" in (path.collection or "")
        and last not in values
    )
    dotted_folder = path.object is None and text.rsplit("/", 1)[-1].count(".") > 1
    relative = path.subject is None and "/" in text
    if nested_folder or dotted_folder or relative:
        # full_path_parts, like the reference, rejects a nested collection folder, reads a last
        # folder with two periods (#v1.0.0#) as a file name and needs a session before folders
        with pytest.raises(ALFInvalid):
            alf.full_path_parts(text)
        return
    parts = alf.full_path_parts(text)
    assert parts.subject == path.subject
    assert parts.object == path.object
    assert parts.collection == path.collection
    assert (parts.extra or None) == (".".join(path.extra) or None)


def test_uuid_strings() -> None:
    uuid = "a976e418-c8b8-4d24-be47-d05120b18341"
    assert alf.is_uuid_string(uuid)
    assert not alf.is_uuid_string(uuid.upper())
    assert not alf.is_uuid_string(1)
    with_uuid = alf.add_uuid_string("/path/to/trials.intervals.npy", uuid)
    assert with_uuid == Path(f"/path/to/trials.intervals.{uuid}.npy")
    assert alf.remove_uuid_string(with_uuid) == Path("/path/to/trials.intervals.npy")
    pure = PurePosixPath(f"a/b.c.{uuid}.npy")
    assert type(alf.remove_uuid_string(pure)) is PurePosixPath


def test_get_session_path_and_alf_path() -> None:
    assert alf.get_session_path("/mnt/Data/lab/Subjects/subject/2020-01-01/001/alf") == Path(
        "/mnt/Data/lab/Subjects/subject/2020-01-01/001"
    )
    assert alf.get_session_path("C:\\Data\\subject\\2020-01-01\\1\\trials.intervals.npy") == Path(
        "C:/Data/subject/2020-01-01/1"
    )
    assert alf.get_alf_path("etc/etc/subj/2021-01-21/001/collection/file.attr.ext") == (
        "subj/2021-01-21/001/collection/file.attr.ext"
    )
    assert alf.get_alf_path("collection/file.attr.ext") == "collection/file.attr.ext"
    assert alf.get_alf_path("no/alf/here") is None


def test_to_alf_documented_examples() -> None:
    assert alf.to_alf("spikes", "times", "ssv") == "spikes.times.ssv"
    assert alf.to_alf("spikes", "times", "ssv", namespace="ibl") == "_ibl_spikes.times.ssv"
    assert (
        alf.to_alf("spikes", "times", "ssv", namespace="ibl", timescale=("ephys clock", "minutes"))
        == "_ibl_spikes.times_ephysClock_minutes.ssv"
    )
    assert (
        alf.to_alf("wheel", "timestamps", "npy", "ibl", "bpod", ("raw", "v12"))
        == "_ibl_wheel.timestamps_bpod.raw.v12.npy"
    )
    with pytest.raises(ALFInvalid):
        alf.to_alf("spikes", "times.x", "npy")
