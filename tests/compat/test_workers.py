"""An instance passed to worker processes answers there as in the parent (migration guide)."""

from __future__ import annotations

import multiprocessing
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from onesdk import One

SESSIONS = ("lab1/Subjects/SUB1/2024-01-02/001", "lab1/Subjects/SUB2/2024-01-03/001")


def _n_trials(one: One, eid: uuid.UUID) -> int:
    return len(one.load_array(eid, "trials.choice"))


@pytest.fixture
def one(tmp_path: Path) -> One:
    for n, session in enumerate(SESSIONS, start=2):
        alf = tmp_path / session / "alf"
        alf.mkdir(parents=True)
        np.save(alf / "_ibl_trials.choice.npy", np.ones(n))
    return One.setup(tmp_path, silent=True)


def test_workers_receive_a_working_instance(one: One) -> None:
    eids = one.search()
    expected = [_n_trials(one, eid) for eid in eids]
    context = multiprocessing.get_context("spawn")  # nothing inherited: only the pickle
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        assert list(pool.map(_n_trials, [one] * len(eids), eids)) == expected
    assert sorted(expected) == [2, 3]
