"""``one.uuid_filenames``: one-api's flag for caches whose files carry the dataset id in their
names. onesdk keeps files under their ALF names, so the flag reads False and only False can be
assigned; True is refused where it is written instead of being silently ignored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from onesdk import One
from onesdk.errors import ArgumentError


@pytest.fixture
def one(tmp_path: Path) -> One:
    path = tmp_path / "lab1/Subjects/SUB1/2024-01-02/001/alf/_ibl_trials.choice.npy"
    path.parent.mkdir(parents=True)
    np.save(path, np.arange(3.0))
    return One.setup(tmp_path, silent=True)


def test_uuid_filenames_reads_false_and_takes_false(one: One) -> None:
    assert one.uuid_filenames is False
    one.uuid_filenames = False
    assert one.uuid_filenames is False


def test_uuid_filenames_true_is_refused_naming_the_attribute(one: One) -> None:
    with pytest.raises(ArgumentError, match="ALF names") as caught:
        one.uuid_filenames = True
    assert caught.value.argument == "uuid_filenames"
    assert one.uuid_filenames is False
