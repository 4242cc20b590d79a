"""Tables built by ``One.setup`` (``make_cache``): a file that was not hashed has a null hash,
read as missing in frames and records, and ``hash_files=True`` fills in the md5."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from onesdk import Dataset, One

REL = "lab1/Subjects/SUB1/2024-01-02/001/alf/_ibl_trials.choice.npy"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / REL
    path.parent.mkdir(parents=True)
    path.write_bytes(b"choice")
    return tmp_path


def test_a_file_not_hashed_has_a_null_hash(root: Path) -> None:
    one = One.setup(root, silent=True)
    frame = one.list_datasets(details=True)
    assert frame["hash"].isna().all()
    record = one.path2record(root / REL)
    assert isinstance(record, Dataset)
    assert record.hash is None


def test_hash_files_fills_in_the_md5(root: Path) -> None:
    one = One.setup(root, silent=True, hash_files=True)
    frame = one.list_datasets(details=True)
    assert frame["hash"].tolist() == [hashlib.md5(b"choice").hexdigest()]
