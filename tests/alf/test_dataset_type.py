"""onesdk.alf.get_dataset_type: which dataset type a file is, from its name."""

from __future__ import annotations

import dataclasses
import doctest
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import assert_type

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onesdk import alf
from onesdk._models import DatasetType
from onesdk.alf import DatasetTypeLike, _dataset_type
from onesdk.alyx_types import DatasetType as DatasetTypeRecord
from onesdk.errors import ArgumentTypeError, DatasetTypeMismatch
from tests import strategies as strat


class AttrDict(dict[str, object]):
    """A dict also read by attribute, as one-api's ``Bunch`` records are."""

    def __getattr__(self, key: str) -> object:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


@dataclasses.dataclass(frozen=True)
class PlainType:
    name: str
    filename_pattern: str | None


def types() -> list[dict[str, str]]:
    return [
        {"name": "obj.attr", "filename_pattern": ""},
        {"name": "foo.bar", "filename_pattern": "*FOO.b?r*"},
        {"name": "bar.baz", "filename_pattern": ""},
        {"name": "some_file", "filename_pattern": "some_file.*"},
    ]


def matched(filename: str | Path, records: list[dict[str, str]] | None = None) -> str:
    return alf.get_dataset_type(filename, types() if records is None else records)["name"]


# --- filename patterns -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("foo.bar.npy", "foo.bar"),
        ("foo.bir.npy", "foo.bar"),
        ("FOO.BAR.NPY", "foo.bar"),
        ("_ns_Foo.BoR.extra.npy", "foo.bar"),
        ("some_file.ext", "some_file"),
        ("SOME_FILE.EXT", "some_file"),
        ("some_file.", "some_file"),
    ],
)
def test_a_pattern_matches_the_file_name_in_any_case(filename: str, expected: str) -> None:
    assert matched(filename) == expected


def test_a_pattern_is_matched_against_the_whole_name() -> None:
    with pytest.raises(DatasetTypeMismatch):
        matched("xsome_file.ext")
    with pytest.raises(DatasetTypeMismatch):
        matched("foo.bar", [{"name": "foo.bar", "filename_pattern": "foo"}])


def test_case_folding_goes_beyond_lower_case() -> None:
    records = [{"name": "street", "filename_pattern": "STRASSE.*"}]
    assert matched("straße.npy", records) == "street"


@pytest.mark.parametrize(
    "filename",
    [
        "raw/some_file.ext",
        "/data/lab/Subjects/s/2020-01-01/001/raw/some_file.ext",
        "raw\\some_file.ext",
    ],
)
def test_leading_folders_are_not_part_of_the_name(filename: str) -> None:
    assert matched(filename) == "some_file"
    assert matched(Path(filename.replace("\\", "/"))) == "some_file"


def test_a_pattern_with_a_folder_never_matches() -> None:
    with pytest.raises(DatasetTypeMismatch):
        matched("raw/video.mp4", [{"name": "raw.video", "filename_pattern": "raw/*"}])


# --- types without a pattern: object.attribute -------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("_ns_obj.attr_clock.extra.npy", "obj.attr"),
        ("obj.attr.npy", "obj.attr"),
        ("alf/#2020-01-01#/obj.attr.npy", "obj.attr"),
        ("bar.baz.ext", "bar.baz"),
    ],
)
def test_a_type_without_pattern_matches_the_alf_object_and_attribute(
    filename: str, expected: str
) -> None:
    assert matched(filename) == expected


@pytest.mark.parametrize("pattern", ["", "   ", None])
def test_an_empty_blank_or_null_pattern_means_object_attribute(pattern: str | None) -> None:
    records = [PlainType("trials.intervals", pattern), PlainType("wheel.position", "wheel.*")]
    assert alf.get_dataset_type("_ibl_trials.intervals.npy", records).name == "trials.intervals"


def test_object_and_attribute_are_compared_in_their_case() -> None:
    with pytest.raises(DatasetTypeMismatch):
        matched("OBJ.ATTR.npy")
    with pytest.raises(DatasetTypeMismatch):
        matched("obj.attr.npy", [{"name": "Obj.Attr", "filename_pattern": ""}])


def test_a_name_that_is_not_alf_is_compared_without_its_extension() -> None:
    assert matched("README.md", [{"name": "README", "filename_pattern": ""}]) == "README"
    # 'obj.attr' has no extension, so it is no ALF name: its stem is 'obj'
    assert matched("obj.attr", [{"name": "obj", "filename_pattern": ""}]) == "obj"
    with pytest.raises(DatasetTypeMismatch):
        matched("obj.attr")


# --- no match, several matches -----------------------------------------------------------------


def test_no_match_is_a_value_error_naming_the_filename_argument() -> None:
    with pytest.raises(ValueError, match="no dataset type matches") as caught:
        matched("data/no_match")
    error = caught.value
    assert isinstance(error, DatasetTypeMismatch)
    assert error.argument == "filename"
    assert error.filename == "no_match"
    assert error.matches == ()
    assert "filename='no_match'" in str(error)
    assert "4 dataset types" in str(error)


def test_several_matches_are_an_error_naming_each_candidate() -> None:
    records = [*types(), {"name": "foo.bor", "filename_pattern": "foo.bor*"}]
    with pytest.raises(ValueError, match="2 dataset types match") as caught:
        alf.get_dataset_type("foo.bor", records)
    error = caught.value
    assert isinstance(error, DatasetTypeMismatch)
    assert error.argument == "filename"
    assert error.matches == ("foo.bar", "foo.bor")
    assert "'foo.bar' (filename_pattern '*FOO.b?r*')" in str(error)
    assert "'foo.bor' (filename_pattern 'foo.bor*')" in str(error)


def test_a_pattern_and_an_object_attribute_matching_together_are_ambiguous() -> None:
    records = [*types(), {"name": "objects", "filename_pattern": "obj.*"}]
    with pytest.raises(DatasetTypeMismatch) as caught:
        alf.get_dataset_type("obj.attr.npy", records)
    assert caught.value.matches == ("obj.attr", "objects")
    assert "'obj.attr' (object.attribute)" in str(caught.value)


def test_two_records_of_one_name_are_still_two_matches() -> None:
    records = [{"name": "a.b", "filename_pattern": ""}, {"name": "a.b", "filename_pattern": ""}]
    with pytest.raises(DatasetTypeMismatch) as caught:
        alf.get_dataset_type("a.b.npy", records)
    assert caught.value.matches == ("a.b", "a.b")


def test_no_types_at_all_is_no_match() -> None:
    with pytest.raises(DatasetTypeMismatch, match="0 dataset types"):
        alf.get_dataset_type("obj.attr.npy", [])


# --- what it returns, what it accepts ----------------------------------------------------------


def test_returns_the_very_record_it_was_given() -> None:
    plain = {"name": "obj.attr", "filename_pattern": ""}
    bunch = AttrDict(name="foo.bar", filename_pattern="foo.*")
    model = DatasetType(id=uuid.uuid4(), name="some_file", filename_pattern="some_file.*")
    obj = PlainType("bar.baz", None)
    rest: DatasetTypeRecord = {"id": str(uuid.uuid4()), "name": "x.y", "filename_pattern": None}
    records: list[DatasetTypeLike | Mapping[str, object]] = [plain, bunch, model, obj, rest]
    assert alf.get_dataset_type("obj.attr.npy", records) is plain
    assert alf.get_dataset_type("foo.bar.npy", records) is bunch
    assert alf.get_dataset_type("some_file.ext", records) is model
    assert alf.get_dataset_type("bar.baz.npy", records) is obj
    assert alf.get_dataset_type("x.y.json", records) is rest


def test_the_typed_model_with_a_null_pattern_matches_by_object_attribute() -> None:
    records = [
        DatasetType(id=uuid.uuid4(), name="spikes.times", filename_pattern=None),
        DatasetType(id=uuid.uuid4(), name="spikes.amps", filename_pattern="*spikes.amps*.npy"),
    ]
    found = alf.get_dataset_type("alf/probe00/spikes.times.npy", records)
    assert found is records[0]
    assert alf.get_dataset_type("spikes.amps.npy", records) is records[1]


def test_dtypes_may_be_any_iterable_read_once() -> None:
    def generate() -> Iterator[dict[str, str]]:
        yield from types()

    assert alf.get_dataset_type("foo.bar.npy", generate())["name"] == "foo.bar"


def test_the_return_type_is_the_type_of_the_records() -> None:
    models = [DatasetType(id=uuid.uuid4(), name="a.b", filename_pattern=None)]
    dicts = [{"name": "a.b", "filename_pattern": ""}]
    rest: list[DatasetTypeRecord] = [{"id": "1", "name": "a.b", "filename_pattern": None}]
    plain = [PlainType("a.b", "")]
    assert_type(alf.get_dataset_type("a.b.npy", models), DatasetType)
    assert_type(alf.get_dataset_type("a.b.npy", dicts), dict[str, str])
    assert_type(alf.get_dataset_type("a.b.npy", rest), DatasetTypeRecord)
    assert_type(alf.get_dataset_type(Path("a.b.npy"), plain), PlainType)
    assert isinstance(alf.get_dataset_type("a.b.npy", plain), PlainType)


@pytest.mark.parametrize(
    "dtypes",
    [
        {"name": "obj.attr", "filename_pattern": ""},  # one record, not a list of them
        "obj.attr",
        None,
    ],
)
def test_dtypes_that_are_not_a_list_of_records_are_refused(dtypes: object) -> None:
    with pytest.raises(ArgumentTypeError) as caught:
        alf.get_dataset_type("obj.attr.npy", dtypes)  # type: ignore[arg-type]
    assert caught.value.argument == "dtypes"
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize(
    "record",
    [
        {"name": "obj.attr"},  # no filename_pattern: a misspelt key must not match everything
        {"name": "obj.attr", "filename_patern": ""},
        {"filename_pattern": "obj.*"},
        {"name": 3, "filename_pattern": ""},
        {"name": "obj.attr", "filename_pattern": 0},
        PurePosixPath("obj.attr"),
    ],
)
def test_a_record_without_name_and_pattern_is_refused(record: object) -> None:
    with pytest.raises(ArgumentTypeError, match="filename_pattern") as caught:
        alf.get_dataset_type("obj.attr.npy", [record])  # type: ignore[type-var]
    assert caught.value.argument == "dtypes"


def test_a_filename_that_is_no_path_is_refused() -> None:
    with pytest.raises(ArgumentTypeError) as caught:
        alf.get_dataset_type(3, types())  # type: ignore[arg-type]
    assert caught.value.argument == "filename"


# --- properties --------------------------------------------------------------------------------


@given(strat.file_names(), st.one_of(st.just(""), strat.collections.map(lambda c: c + "/")))
def test_every_alf_name_is_its_object_attribute_type(name: str, folder: str) -> None:
    parts = alf.filename_parts(name)
    own = {"name": f"{parts.object}.{parts.attribute}", "filename_pattern": ""}
    other = {"name": f"{parts.object}.{parts.attribute}x", "filename_pattern": ""}
    assert alf.get_dataset_type(folder + name, [other, own]) is own


@given(strat.file_names(), st.data())
def test_a_name_matches_itself_as_a_pattern_in_any_case(name: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    pattern = "".join(c.swapcase() if flip else c for c, flip in zip(name, flips, strict=True))
    record = {"name": "exact", "filename_pattern": pattern}
    assert alf.get_dataset_type(name, [record]) is record
    with pytest.raises(DatasetTypeMismatch):
        alf.get_dataset_type("x" + name, [record])


def test_docstring_examples() -> None:
    result = doctest.testmod(_dataset_type, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3
    assert result.failed == 0
