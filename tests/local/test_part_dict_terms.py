"""A dict of ALF parts with a misspelt part name fails with ``UnknownTermError`` naming the
closest part, in listings and loads alike (docs/differences.md)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from onesdk import One
from onesdk.errors import UnknownTermError

SESSION = "lab1/Subjects/SUB1/2024-01-02/001"
PARTS = {"objekt": "spikes", "attribute": "times"}

CALLS: dict[str, Callable[[One, str], object]] = {
    "list_datasets": lambda one, eid: one.list_datasets(eid, filename=PARTS),
    "list_collections": lambda one, eid: one.list_collections(eid, filename=PARTS),
    "load_dataset": lambda one, eid: one.load_dataset(eid, PARTS),
    "load_datasets": lambda one, eid: one.load_datasets(eid, [PARTS]),
}


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> One:
    root = tmp_path_factory.mktemp("alf")
    path = root / SESSION / "alf/probe00/spikes.times.npy"
    path.parent.mkdir(parents=True)
    np.save(path, np.arange(3.0))
    return One.setup(root, silent=True)


@pytest.mark.parametrize("method", sorted(CALLS))
def test_a_misspelt_part_name_is_an_unknown_term_naming_the_closest(one: One, method: str) -> None:
    (eid,) = one.search()
    with pytest.raises(UnknownTermError, match="did you mean 'object'") as caught:
        CALLS[method](one, str(eid))
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, TypeError)
