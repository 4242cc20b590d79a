"""A reader of the cache tables sees the old pair or the new pair, never one of each.

One process saves two different pairs of tables into a cache dir, alternately, as fast as it
can; this process reads the tables meanwhile. Every read must be one of the two pairs (each
dataset's session in the sessions table, the row counts of one save), and both pairs must be
seen, so the reads really did interleave with the saves.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from onesdk._cache import make_cache, read_tables
from onesdk._cache._tables import PAIR_KEY
from tests.reliability._workers import alternate_saves
from tests.reliability.conftest import build_cache

#: the most seconds the saver runs; the reader stops it once it has seen each pair 3 times
SECONDS = 60.0


def _small_cache(root: Path) -> Path:
    for rel in (
        "lab/Subjects/S1/2022-02-02/001/alf/a.times.npy",
        "lab/Subjects/S2/2022-02-03/001/b.x.npy",
    ):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, np.arange(3.0))
    make_cache(root)
    return root


def test_a_reader_sees_one_save_of_the_two_tables_never_a_mix(tmp_path: Path) -> None:
    first = build_cache(tmp_path / "first").root
    second = _small_cache(tmp_path / "second")
    shapes = {}
    for source in (first, second):
        tables = read_tables(source)
        shapes[(len(tables.sessions), len(tables.datasets))] = 0
    root = tmp_path / "shared"
    root.mkdir()
    context = multiprocessing.get_context("spawn")
    stop = tmp_path / "stop"
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        saving = pool.submit(
            alternate_saves, str(root), str(first), str(second), SECONDS, str(stop)
        )
        while not (root / "datasets.pqt").exists() and not saving.done():
            time.sleep(0.01)
        while not saving.done():
            if min(shapes.values()) >= 3:
                stop.touch()
            tables = read_tables(root)
            shape = (len(tables.sessions), len(tables.datasets))
            assert shape in shapes, f"a mixed pair: {shape} is neither save {sorted(shapes)}"
            sessions = set(tables.sessions.column("id").to_pylist())
            assert set(tables.datasets.column("eid").to_pylist()) <= sessions
            stamps = {tables.metadata[n][PAIR_KEY] for n in ("sessions", "datasets")}
            assert len(stamps) == 1
            shapes[shape] += 1
        assert saving.result() >= 2  # also raises what the saver raised
    assert all(count > 0 for count in shapes.values()), shapes
