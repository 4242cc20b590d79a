"""load_datasets given one string (or a non-list) raises an error that is a TypeError, as in
one-api, and still an ArgumentError naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

from onesdk import One
from onesdk.errors import ArgumentError, ArgumentTypeError


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> One:
    root = tmp_path_factory.mktemp("alf")
    path = root / "lab/Subjects/SUB1/2024-01-02/001/alf/spikes.times.npy"
    path.parent.mkdir(parents=True)
    np.save(path, np.arange(3.0))
    return One.setup(root, silent=True)


@pytest.mark.parametrize("datasets", ["spikes.times", 42])
def test_a_non_list_of_datasets_is_a_type_error_naming_the_argument(
    one: One, datasets: object
) -> None:
    (eid,) = one.search()
    with pytest.raises(TypeError, match="datasets") as caught:
        one.load_datasets(eid, datasets)  # type: ignore[arg-type]
    assert isinstance(caught.value, ArgumentTypeError)
    assert isinstance(caught.value, ArgumentError)  # so `except ValueError` keeps working
    assert isinstance(caught.value, ValueError)
