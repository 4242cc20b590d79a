"""ALF helpers: experiment references, UUID handling, regex building, path helpers, surface."""

from __future__ import annotations

import datetime
import subprocess
import sys
import uuid
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onesdk import alf
from onesdk.errors import ALFInvalid, ALFMissingExtension, ArgumentError
from tests import strategies as strat

UUID = "a976e418-c8b8-4d24-be47-d05120b18341"


# --- experiment references ---------------------------------------------------------------------


@given(
    st.dates(datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)),
    st.integers(0, 999),
    strat.subjects,
)
def test_exp_ref_round_trips(date: datetime.date, sequence: int, subject: str) -> None:
    ref = alf.ExpRef(date, sequence, subject)
    assert alf.ExpRef.parse(str(ref)) == ref
    padded = f"{date.isoformat()}_{sequence:03d}_{subject}"
    assert alf.ExpRef.parse(padded) == ref
    assert alf.ExpRef.from_path(f"/data/lab/Subjects/{ref.session_path()}") == ref


@pytest.mark.parametrize(
    "text", ["", "2020-01-01_1", "2020-02-30_1_subj", "2020-01-01_1000_subj", "20200101_1_subj"]
)
def test_exp_ref_rejects_malformed_text(text: str) -> None:
    with pytest.raises(ALFInvalid) as info:
        alf.ExpRef.parse(text)
    assert repr(text) in str(info.value)


def test_exp_ref_rejects_bad_fields() -> None:
    with pytest.raises(ALFInvalid, match="sequence"):
        alf.ExpRef(datetime.date(2020, 1, 1), True, "subj")
    with pytest.raises(ALFInvalid, match="subject"):
        alf.ExpRef(datetime.date(2020, 1, 1), 1, "a/b")
    with pytest.raises(ALFInvalid, match="date"):
        alf.ExpRef(datetime.datetime(2020, 1, 1), 1, "subj")


def test_exp_ref_session_path() -> None:
    ref = alf.ExpRef.parse("2018-07-13_1_flowers")
    assert ref.session_path() == "flowers/2018-07-13/001"
    assert ref.session_path("zadorlab") == "zadorlab/Subjects/flowers/2018-07-13/001"


# --- UUIDs -------------------------------------------------------------------------------------


@given(st.uuids(version=4), strat.file_names())
def test_add_then_remove_uuid(value: uuid.UUID, name: str) -> None:
    with_uuid = alf.add_uuid_string(PurePosixPath("a/b") / name, value)
    assert str(value) in with_uuid.name
    assert alf.is_valid(with_uuid.name)
    cleaned = alf.remove_uuid_string(with_uuid)
    assert str(value) not in cleaned.name
    assert alf.add_uuid_string(cleaned, value) == with_uuid


def test_add_uuid_string_replaces_or_refuses_a_different_uuid() -> None:
    other = str(uuid.UUID(int=1, version=4))
    path = PurePosixPath(f"x/obj.attr.{other}.npy")
    assert alf.add_uuid_string(path, UUID) == PurePosixPath(f"x/obj.attr.{UUID}.npy")
    with pytest.raises(ArgumentError, match="uuid"):
        alf.add_uuid_string(path, UUID, strict=True)
    assert alf.add_uuid_string(PurePosixPath(f"x/obj.attr.{UUID}.npy"), UUID, strict=True) == (
        PurePosixPath(f"x/obj.attr.{UUID}.npy")
    )
    with pytest.raises(ArgumentError, match="uuid"):
        alf.add_uuid_string(path, UUID.upper())


def test_uuid_predicates() -> None:
    assert alf.is_uuid(uuid.uuid4())
    assert alf.is_uuid(UUID)
    assert not alf.is_uuid(uuid.uuid1())
    assert alf.is_uuid(uuid.uuid1(), versions=(1,))
    assert alf.is_uuid(uuid.UUID(UUID).int)
    assert alf.is_uuid(uuid.UUID(UUID).bytes)
    assert not alf.is_uuid(True)
    assert not alf.is_uuid("not-a-uuid")
    assert not alf.is_uuid_string(UUID.replace("-", ""))
    assert not alf.is_uuid_string(uuid.UUID(UUID))


# --- regex and building ------------------------------------------------------------------------


def test_regex_replaces_part_patterns() -> None:
    pattern = alf.regex(alf.FILE_SPEC, object="trials")
    assert pattern.match("_ibl_trials.intervals.npy")
    assert not pattern.match("_ibl_wheel.position.npy")
    assert alf.regex(alf.FILE_SPEC, object=None).match("_ibl_wheel.position.npy")
    with pytest.raises(ArgumentError, match="objekt"):
        alf.regex(alf.FILE_SPEC, objekt="trials")
    with pytest.raises(ArgumentError, match="spec"):
        alf.regex("{unknown}")


def test_path_pattern_names_every_part() -> None:
    pattern = alf.path_pattern()
    for part in ("lab", "subject", "date", "number", "collection", "revision", "extension"):
        assert part in pattern
    assert "{" not in pattern


@given(strat.file_parts())
def test_to_alf_builds_what_filename_parts_reads(path: alf.AlfPath) -> None:
    assert path.object is not None
    assert path.attribute is not None
    assert path.extension is not None
    if "_" in path.object or path.object[:1].isupper():
        return  # to_alf camel-cases objects; these would be rewritten
    # to_alf camel-cases the attribute and timescale words; the other parts pass unchanged
    name = alf.to_alf(
        path.object,
        path.attribute,
        path.extension,
        namespace=path.namespace,
        timescale=path.timescale,
        extra=path.extra,
    )
    parts = alf.filename_parts(name)
    assert (parts.namespace, parts.object) == (path.namespace, path.object)
    assert parts.extension == path.extension
    assert parts.extra == (".".join(path.extra) or None)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sparseNoise", "sparse noise"),
        ("someROIDataset", "some ROI dataset"),
        ("trials", "trials"),
    ],
)
def test_readable_alf_documented_examples(name: str, expected: str) -> None:
    assert alf.readable_alf(name) == expected
    assert alf.readable_alf(name, capitalize=True) == expected[0].upper() + expected[1:]


# --- path helpers ------------------------------------------------------------------------------


def test_padded_sequence() -> None:
    path = "/iblrigdata/subject/2023-01-01/1/_ibl_experiment.description.yaml"
    assert alf.padded_sequence(path) == Path(
        "/iblrigdata/subject/2023-01-01/001/_ibl_experiment.description.yaml"
    )
    padded = PurePosixPath("subject/2023-01-01/001")
    assert alf.padded_sequence(padded) == padded
    with pytest.raises(ALFInvalid):
        alf.padded_sequence("no/session/here")


def test_without_revision() -> None:
    path = PurePosixPath("/lab/Subjects/subject/2023-01-01/001/collection/#revision#/obj.attr.ext")
    assert alf.without_revision(path) == PurePosixPath(
        "/lab/Subjects/subject/2023-01-01/001/collection/obj.attr.ext"
    )


@given(strat.session_parts(), strat.collections, strat.file_names())
def test_get_session_path_from_any_depth(session: alf.AlfPath, collection: str, name: str) -> None:
    expected = PurePosixPath(str(session))
    for below in ("", collection, f"{collection}/{name}"):
        path = expected / below if below else expected
        assert alf.get_session_path(path) == expected
        assert alf.is_session_path(path) == (below == "")
    windows = PureWindowsPath(str(expected).replace("/", "\\"))
    assert alf.get_session_path(windows) == windows


def test_arguments_of_the_wrong_type_raise_argument_error() -> None:
    with pytest.raises(ArgumentError, match="filename"):
        alf.filename_parts(42)  # type: ignore[call-overload]
    with pytest.raises(ArgumentError, match="session_path"):
        alf.session_path_parts(b"subj/2020-01-01/001")  # type: ignore[call-overload]


# --- public surface ----------------------------------------------------------------------------


def test_all_is_pinned_and_resolvable() -> None:
    expected = {
        "AlfPath",
        "ExpRef",
        "QC",
        "add_uuid_string",
        "filename_parts",
        "folder_parts",
        "full_path_parts",
        "get_alf_path",
        "get_session_path",
        "is_session_path",
        "is_uuid",
        "is_uuid_string",
        "is_valid",
        "parse",
        "rel_path_parts",
        "remove_uuid_string",
        "session_path_parts",
        "to_alf",
    }
    assert expected <= set(alf.__all__)
    assert len(alf.__all__) == len(set(alf.__all__))
    for name in alf.__all__:
        assert getattr(alf, name) is not None


def test_importing_onesdk_alf_stays_light() -> None:
    code = (
        "import sys, onesdk.alf; "
        "print(sorted({'pandas','pyarrow','httpx','numpy','pydantic'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("spec", ["FILE_SPEC", "REL_PATH_SPEC", "FULL_SPEC"])
def test_templates_ending_in_a_file_name_are_anchored(spec: str) -> None:
    template = getattr(alf, spec)
    prefix = "subj/2020-01-01/001/" if spec == "FULL_SPEC" else ""
    pattern = alf.regex(template)
    assert pattern.match(prefix + "spikes.times.npy")
    assert pattern.match(prefix + "spikes.times.npy (copy)") is None
    assert pattern.match(prefix + "spikes.times.npy\n") is None


@pytest.mark.parametrize("extension", ["", "."])
def test_to_alf_without_an_extension_is_also_a_type_error(extension: str) -> None:
    with pytest.raises(TypeError) as caught:
        alf.to_alf("spikes", "times", extension)
    assert isinstance(caught.value, ALFMissingExtension)
    assert isinstance(caught.value, ALFInvalid)  # so also a ValueError
    assert "extension" in str(caught.value)
