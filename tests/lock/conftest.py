"""A writable copy of the recorded corpus cache, and edits that make a new release of it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from tests.remote.conftest import config_home
from tests.replay.fixtures import replay

__all__ = ["config_home", "corpus_cache", "replay"]

#: session eA of the corpus: trials.table unrevisioned, #2023-04-01#, #2024-01-01# (the
#: default) and #2024-06-01#
EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
SESSION = "mainenlab/Subjects/ZM_3003/2024-09-17/001"
TRIALS = "_ibl_trials.table.pqt"
DEFAULT = "alf/#2024-01-01#/_ibl_trials.table.pqt"
NEWER = "alf/#2024-06-01#/_ibl_trials.table.pqt"
_UUID_IN_NAME = re.compile(r"\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\.)")


@pytest.fixture
def corpus_cache(shared_alyx: Path, tmp_path: Path) -> Path:
    """A cache dir in tmp: copies of the corpus tables and of session eA's files (as ONE
    stores them, without the dataset UUID in the name)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("sessions.pqt", "datasets.pqt", "cache_info.json"):
        shutil.copy(shared_alyx / "cache" / name, cache / name)
    served = shared_alyx / "files" / SESSION
    for path in served.rglob("*"):
        if path.is_file():
            rel = path.relative_to(served)
            target = cache / SESSION / rel.parent / _UUID_IN_NAME.sub("", rel.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    return cache


def edit_datasets(cache: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Rewrite the cache's datasets table through ``edit`` (a new release of the tables)."""
    path = cache / "datasets.pqt"
    edit(pd.read_parquet(path)).to_parquet(path)


def move_default(cache: Path, eid: str, rel_path: str) -> None:
    """Make ``rel_path`` the default revision of its dataset in session ``eid``."""

    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        in_session = frame.index.get_level_values("eid") == eid
        name = rel_path.rsplit("/", 1)[-1]
        same = in_session & frame["rel_path"].str.endswith("/" + name)
        frame.loc[same, "default_revision"] = False
        frame.loc[in_session & (frame["rel_path"] == rel_path), "default_revision"] = True
        return frame

    edit_datasets(cache, edit)
