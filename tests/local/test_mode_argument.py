"""The ``mode`` of a local ``One``: 'local' (and 'auto', read as local) at construction; the
setter takes 'local' only. Another mode is refused naming ``mode``, where one-api keeps an
offline ``One`` whose ``mode`` reads 'remote' (or any text given to the setter)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from onesdk import One
from onesdk.errors import ArgumentError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "lab1/Subjects/SUB1/2024-01-02/001/alf/_ibl_trials.choice.npy"
    path.parent.mkdir(parents=True)
    np.save(path, np.arange(3.0))
    One.setup(tmp_path, silent=True)
    return tmp_path


@pytest.mark.parametrize("mode", ["local", "auto"])
def test_one_takes_local_and_auto_as_local(root: Path, mode: str) -> None:
    one = One(cache_dir=root, mode=mode)
    assert one.mode == "local"
    assert one.offline


@pytest.mark.parametrize("mode", ["remote", "refresh", "xyz"])
def test_one_refuses_a_mode_it_cannot_honour(root: Path, mode: str) -> None:
    with pytest.raises(ArgumentError, match=r"ONE\(base_url=\.\.\.\)") as caught:
        One(cache_dir=root, mode=mode)
    assert caught.value.argument == "mode"


@pytest.mark.parametrize("mode", ["remote", "auto", "xyz"])
def test_the_mode_setter_of_a_one_keeps_local(root: Path, mode: str) -> None:
    one = One(cache_dir=root)
    with pytest.raises(ArgumentError) as caught:
        one.mode = mode
    assert caught.value.argument == "mode"
    assert one.mode == "local"
    one.mode = "local"
    assert one.mode == "local"
