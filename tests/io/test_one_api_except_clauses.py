"""onesdk.alf.io errors are also the built-ins one-api raises, with onesdk's messages.

Lab code written against one-api catches ``NotImplementedError`` or ``AssertionError`` for
these calls; the onesdk error must still be caught there, and still say what is wrong.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from uuid import uuid4

import numpy as np
import pytest

from onesdk.alf import add_uuid_string
from onesdk.alf import io as alfio
from onesdk.errors import (
    ALFDuplicateAttributes,
    AlfError,
    ALFMultipleObjectsFound,
    ArgumentError,
    BunchKeysError,
    SessionNumbersExhausted,
)


def test_append_of_a_bunch_with_other_keys_is_also_a_not_implemented_error() -> None:
    bunch = alfio.AlfBunch({"titi": [0, 1, 3], "toto": ["a", "b", "c"]})
    with pytest.raises(NotImplementedError) as caught:
        bunch.append(alfio.AlfBunch({"foobar": [8, 9, 10]}))
    error = caught.value
    assert isinstance(error, BunchKeysError)
    assert isinstance(error, ArgumentError)
    assert isinstance(error, ValueError)
    assert error.argument == "other"
    assert "['foobar']" in str(error)
    assert "['titi', 'toto']" in str(error)
    assert list(bunch) == ["titi", "toto"]  # the bunch is left as it was


def test_next_num_folder_after_session_999_is_also_an_assertion_error(tmp_path: Path) -> None:
    (tmp_path / "999").mkdir()
    with pytest.raises(AssertionError) as caught:
        alfio.next_num_folder(tmp_path)
    assert isinstance(caught.value, SessionNumbersExhausted)
    assert isinstance(caught.value, AlfError)
    assert "three digits" in str(caught.value)
    assert str(tmp_path) in str(caught.value)


def test_load_object_of_a_folder_without_an_object_asks_for_the_object_name(
    tmp_path: Path,
) -> None:
    np.save(tmp_path / "spikes.times.npy", np.arange(3.0))
    with pytest.raises(ArgumentError) as caught:
        alfio.load_object(tmp_path)
    assert caught.value.argument == "object"
    assert "object name should be provided too" in str(caught.value)


def test_two_files_giving_one_attribute_key_is_also_an_assertion_error(tmp_path: Path) -> None:
    first = tmp_path / "spikes.times.a.npy"
    second = tmp_path / "spikes.times.b.npy"
    np.save(first, np.arange(3.0))
    np.save(second, np.arange(3.0))
    with pytest.raises(AssertionError) as caught:
        alfio.load_object(tmp_path, "spikes", short_keys=True)
    assert isinstance(caught.value, ALFDuplicateAttributes)
    assert isinstance(caught.value, ALFMultipleObjectsFound)
    assert str(first) in str(caught.value)
    assert str(second) in str(caught.value)


def test_save_object_npy_of_unequal_lengths_says_dimensions_are_not_consistent(
    tmp_path: Path,
) -> None:
    arrays = {"riri": np.ones(100), "fifi": np.ones((100, 2)), "loulou": np.ones((5, 2))}
    with pytest.raises(ArgumentError) as caught:
        alfio.save_object_npy(tmp_path, arrays, "neuveux")
    message = str(caught.value)
    assert message.startswith("Dimensions are not consistent")
    assert caught.value.argument == "dico"
    assert "(100)" in message  # the common length
    assert "'loulou': 5" in message  # the attribute off it
    assert "'riri'" not in message.split("off:")[1]
    assert list(tmp_path.iterdir()) == []


def test_argument_error_problem_leads_the_message() -> None:
    plain = ArgumentError("n", 3, "an even number")
    led = ArgumentError("n", 3, "an even number", problem="Odd count")
    assert str(led) == f"Odd count: {plain}"
    assert led.problem == "Odd count"
    assert plain.problem == ""


def test_add_uuid_string_logs_the_replaced_uuid_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    old, new = uuid4(), uuid4()
    with caplog.at_level(logging.DEBUG, logger="onesdk.alf"):
        result = add_uuid_string(f"/titi/tutu.part1.{old}.json", new)
    assert result.name == f"tutu.part1.{new}.json"
    messages = [r.getMessage() for r in caplog.records if r.name == "onesdk.alf"]
    assert any(re.search(f"Replacing {old} with {new}", m) for m in messages), messages


def test_alf_error_built_directly_shows_a_text_as_is_and_quotes_other_values() -> None:
    assert str(AlfError()) == ""
    assert str(AlfError("no such object")) == "no such object"
    assert str(AlfError([0, 1, 2])).startswith('"[0, 1, 2]" ')
    assert str(AlfError(7, terse=True)).strip() == '"7"'


def test_alf_error_explanation_follows_the_value_unless_terse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(AlfError, "explanation", "see the ALF specification")
    assert str(AlfError("bad name")) == "bad name see the ALF specification"
    assert str(AlfError("bad name", terse=True)) == "bad name"
    # subclasses raised by onesdk inherit it, as one-api's do
    assert str(ALFMultipleObjectsFound("two objects")).endswith("see the ALF specification")


def test_alf_error_subclass_messages_are_untouched_by_the_default_explanation() -> None:
    assert AlfError.explanation == ""
    assert str(ALFMultipleObjectsFound("'spikes' matches several objects")) == (
        "'spikes' matches several objects"
    )
