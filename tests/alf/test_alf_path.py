"""Properties of the typed AlfPath: build -> parse -> equal, replacers, rejection of bad parts."""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onesdk.alf import AlfPath
from onesdk.errors import ALFInvalid
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
