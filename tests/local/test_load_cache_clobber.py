"""One.load_cache(clobber=False) asks for the tables to be merged, which One never does: it is
refused naming the argument (one-api refuses it too) instead of silently replacing them."""

from __future__ import annotations

import numpy as np
import pytest

from onesdk import One
from onesdk.errors import ArgumentError


def test_load_cache_without_clobber_is_refused_and_keeps_the_tables(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("alf")
    path = root / "lab/Subjects/SUB1/2024-01-02/001/alf/spikes.times.npy"
    path.parent.mkdir(parents=True)
    np.save(path, np.arange(3.0))
    one = One.setup(root, silent=True)
    before = one.list_datasets()
    with pytest.raises(ArgumentError, match="clobber"):
        one.load_cache(clobber=False)
    assert one.list_datasets() == before == ["alf/spikes.times.npy"]
    assert one.load_cache(clobber=True) is not None
