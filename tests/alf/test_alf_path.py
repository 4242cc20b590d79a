"""Properties of the typed AlfPath: build -> parse -> equal, replacers, rejection of bad parts."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onesdk import alf
from onesdk.alf import AlfPath
from onesdk.errors import ALFInvalid, ArgumentError
from tests import strategies as strat

PARTS = [f.name for f in dataclasses.fields(AlfPath)]


@given(strat.alf_paths())
def test_build_then_parse_gives_the_same_parts(path: AlfPath) -> None:
    assert AlfPath.parse(str(path)) == path


@given(strat.alf_paths())
def test_parse_then_print_gives_the_same_text(path: AlfPath) -> None:
    text = str(path)
    assert str(AlfPath.parse(text)) == text
    assert AlfPath.parse(text).is_valid()


@given(strat.alf_paths())
def test_pathlib_objects_parse_like_their_text(path: AlfPath) -> None:
    text = str(path)
    assert AlfPath.parse(PurePosixPath(text)) == AlfPath.parse(text)


@given(strat.alf_paths())
def test_windows_separators_read_as_slashes(path: AlfPath) -> None:
    text = str(path)
    assert AlfPath.parse(text.replace("/", "\\")) == path
    if not text.startswith("/"):
        assert AlfPath.parse(PureWindowsPath(text.replace("/", "\\"))) == path


@given(strat.file_parts(), st.data())
def test_with_file_part_changes_only_that_part(path: AlfPath, data: st.DataObject) -> None:
    file_parts = ["namespace", "object", "attribute", "timescale", "extension"]
    part = data.draw(st.sampled_from(file_parts))
    value = data.draw(strat.PART_STRATEGIES[part])
    new = getattr(path, f"with_{part}")(value)
    assert getattr(new, part) == value
    for other in PARTS:
        if other != part:
            assert getattr(new, other) == getattr(path, other), other
    assert AlfPath.parse(str(new)) == new


@given(strat.session_parts(), st.data())
def test_with_session_part_changes_only_that_part(path: AlfPath, data: st.DataObject) -> None:
    part = data.draw(st.sampled_from(["lab", "subject", "date", "number", "collection"]))
    value = data.draw(strat.PART_STRATEGIES[part])
    new = getattr(path, f"with_{part}")(value)
    assert getattr(new, part) == value
    for other in PARTS:
        if other != part:
            assert getattr(new, other) == getattr(path, other), other


@given(strat.alf_paths(), strat.extras)
def test_with_extra_keeps_the_rest(path: AlfPath, extra: tuple[str, ...]) -> None:
    if path.object is None:
        return
    new = path.with_extra(extra)
    assert new.extra == extra
    assert dataclasses.replace(new, extra=path.extra) == path
    assert new.with_extra(".".join(extra) or None) == new


@given(strat.alf_paths(), st.data())
def test_invalid_characters_rejected_in_every_part(path: AlfPath, data: st.DataObject) -> None:
    part = data.draw(st.sampled_from(list(strat.PART_STRATEGIES)))
    value = data.draw(strat.PART_STRATEGIES[part])
    bad_char = data.draw(st.sampled_from(strat.FORBIDDEN))
    at = data.draw(st.integers(0, len(value)))
    bad = value[:at] + bad_char + value[at:]
    with pytest.raises(ALFInvalid) as info:
        getattr(path, f"with_{part}")(bad)
    assert repr(bad) in str(info.value)
    assert part in str(info.value)


@given(strat.file_names(), st.data())
def test_invalid_character_makes_a_file_name_unparsable(name: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(name)))
    bad = name[:at] + data.draw(st.sampled_from(strat.FORBIDDEN)) + name[at:]
    with pytest.raises(ALFInvalid):
        AlfPath.parse(bad)


def test_parse_examples_from_the_reference_documentation() -> None:
    # Examples given in one-api's documentation of full_path_parts
    p = AlfPath.parse(
        "lab/Subjects/subject/2020-01-01/001/collection/#revision#/"
        "_namespace_obj.times_timescale.extra.foo.ext"
    )
    assert (p.lab, p.subject, p.date, p.number) == ("lab", "subject", "2020-01-01", "001")
    assert (p.collection, p.revision, p.namespace) == ("collection", "revision", "namespace")
    assert (p.object, p.attribute, p.timescale) == ("obj", "times", "timescale")
    assert (p.extra, p.extension) == (("extra", "foo"), "ext")


def test_removing_a_required_part_is_rejected() -> None:
    p = AlfPath.parse("subj/2020-01-01/001/alf/spikes.times.npy")
    with pytest.raises(ALFInvalid, match="object"):
        p.with_object(None)
    assert p.with_collection(None) == AlfPath.parse("subj/2020-01-01/001/spikes.times.npy")
    assert p.with_revision("v1") == AlfPath.parse("subj/2020-01-01/001/alf/#v1#/spikes.times.npy")


def test_root_without_session_is_not_valid() -> None:
    assert not AlfPath(root="/data/", object="a", attribute="b", extension="npy").is_valid()
    with pytest.raises(ALFInvalid):
        AlfPath(root="/data/", object="a", attribute="b", extension="npy").checked()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "foo",
        "spike_train.npy",
        "alf/",
        "subj/2020-01-01",
        "a/b/c/x.y",
        "subj/2020-01-01/001/a b",
    ],
)
def test_not_alf_paths_raise(text: str) -> None:
    with pytest.raises(ALFInvalid) as info:
        AlfPath.parse(text)
    assert repr(text) in str(info.value)


@given(strat.near_valid())
def test_near_valid_text_parses_canonically_or_raises(text: str) -> None:
    try:
        path = AlfPath.parse(text)
    except ALFInvalid:
        with pytest.raises(ALFInvalid) as info:
            AlfPath.parse(text)
        assert info.value.value == text  # the error quotes the input as given
        return
    assert path.is_valid()
    assert AlfPath.parse(str(path)) == path
    if path.name is not None:
        assert alf.filename_parts(path.name).object == path.object


@given(strat.alf_paths())
def test_properties_agree_with_the_parts(path: AlfPath) -> None:
    text = str(path)
    if path.subject is not None:
        assert path.session is not None
        assert path.session in text
        assert alf.session_path_parts(text).subject == path.subject
    if path.is_dataset:
        assert path.rel_path is not None
        assert text.endswith(path.rel_path)
        assert alf.rel_path_parts(path.rel_path).object == path.object
    assert alf.parse(path.as_path()) == path


@given(strat.alf_trees())
def test_alf_tree_datasets_parse_below_their_session(tree: strat.AlfTree) -> None:
    for dataset in tree.datasets:
        path = AlfPath.parse(dataset)
        assert path.session in tree.sessions
        assert path.is_dataset


def test_write_alf_tree_creates_the_files(tmp_path: Path) -> None:
    tree = strat.AlfTree(
        sessions=("lab/Subjects/s/2020-01-01/001",),
        datasets=("lab/Subjects/s/2020-01-01/001/alf/trials.intervals.npy",),
    )
    files = strat.write_alf_tree(tmp_path, tree, b"x")
    assert files == [tmp_path / tree.datasets[0]]
    assert files[0].read_bytes() == b"x"


@given(strat.alf_paths(), st.uuids(version=4))
def test_with_uuid_and_without_uuid(path: AlfPath, value: uuid.UUID) -> None:
    if not path.is_dataset:
        with pytest.raises(ALFInvalid):
            path.with_uuid(value)
        return
    tagged = path.with_uuid(value)
    assert tagged.extra[-1] == str(value)
    assert tagged.with_uuid(str(value), strict=True) == tagged
    assert tagged.without_uuid() == path.without_uuid()
    assert str(tagged) == str(alf.add_uuid_string(PurePosixPath(str(path)), value))
    assert str(tagged.without_uuid()) == str(alf.remove_uuid_string(PurePosixPath(str(tagged))))


def test_exp_ref_of_a_path() -> None:
    path = AlfPath.parse("lab/Subjects/KS005/2020-01-01/002/alf/trials.intervals.npy")
    assert str(path.exp_ref) == "2020-01-01_2_KS005"
    assert AlfPath.parse("trials.intervals.npy").exp_ref is None


@pytest.mark.parametrize("text", ["licks.0...csv", "a.b..c.npy", "subj/2020-01-01/001/a.b.c..npy"])
def test_empty_extra_parts_are_rejected(text: str) -> None:
    with pytest.raises(ALFInvalid, match="extra"):
        AlfPath.parse(text)


def test_alf_path_called_with_text_parses_it() -> None:
    text = "lab/Subjects/KS005/2020-01-01/001/alf/_ibl_trials.intervals.npy"
    assert AlfPath(text) == AlfPath.parse(text)
    assert AlfPath(PurePosixPath(text)).subject == "KS005"
    assert AlfPath(text).root == ""


def test_alf_path_called_with_text_that_is_not_alf_is_refused() -> None:
    with pytest.raises(ALFInvalid):
        AlfPath("not an alf path")


def test_alf_path_with_text_and_parts_is_refused() -> None:
    with pytest.raises(ArgumentError, match="text"):
        AlfPath("subj/2020-01-01/001", subject="other")


def test_alf_path_pickles_and_hashes_as_a_value() -> None:
    import pickle

    path = AlfPath.parse("subj/2020-01-01/001/alf/spikes.times.npy")
    assert pickle.loads(pickle.dumps(path)) == path
    assert len({path, AlfPath.parse(str(path))}) == 1
