"""The one writer of files: a temporary file beside the target, renamed over it when complete."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

import pytest

from onesdk._atomic import atomic_write, atomic_write_bytes, leftovers, staged


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_failed_write_leaves_the_target_as_it_was_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "table.pqt"
    target.write_bytes(b"old")

    def half(stream: BinaryIO) -> None:
        stream.write(b"ne")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(target, half)
    assert target.read_bytes() == b"old"
    assert leftovers(target) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.pqt"]


def test_staged_files_replace_their_targets_only_when_all_are_written(tmp_path: Path) -> None:
    first, second = tmp_path / "sessions.pqt", tmp_path / "datasets.pqt"
    first.write_bytes(b"old sessions")
    second.write_bytes(b"old datasets")

    def save_one_of_two() -> None:
        with staged(first, second) as (temp_first, _):
            temp_first.write_bytes(b"new sessions")
            assert first.read_bytes() == b"old sessions"
            raise RuntimeError("the second table could not be written")

    with pytest.raises(RuntimeError):
        save_one_of_two()
    assert (first.read_bytes(), second.read_bytes()) == (b"old sessions", b"old datasets")
    assert leftovers(first) == leftovers(second) == []
    with staged(first, second) as (temp_first, temp_second):
        temp_first.write_bytes(b"new sessions")
        temp_second.write_bytes(b"new datasets")
        assert leftovers(first) == [temp_first]
    assert (first.read_bytes(), second.read_bytes()) == (b"new sessions", b"new datasets")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datasets.pqt", "sessions.pqt"]


def test_a_private_file_is_never_readable_by_others_while_written(tmp_path: Path) -> None:
    target = tmp_path / "token.json"
    seen: list[int] = []
    atomic_write(target, lambda stream: seen.append(os.fstat(stream.fileno()).st_mode))
    assert _mode(target) & 0o600 == 0o600
    atomic_write(target, lambda stream: seen.append(os.fstat(stream.fileno()).st_mode), mode=0o600)
    assert stat.S_IMODE(seen[-1]) & 0o077 == 0
    assert _mode(target) == 0o600


def test_a_read_only_mode_is_set_after_the_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "copy.parquet"
    with staged(target, mode=0o444) as (temp,):
        temp.write_bytes(b"rows")  # a writer that opens the path itself
    assert target.read_bytes() == b"rows"
    assert _mode(target) == 0o444
    atomic_write_bytes(target, b"newer rows")  # a read-only target is still replaced
    assert target.read_bytes() == b"newer rows"


def test_leftovers_are_the_temporaries_of_that_target_only(tmp_path: Path) -> None:
    target = tmp_path / "datasets.pqt"
    mine = tmp_path / ".datasets.pqt.0123456789ab.part"
    others = [tmp_path / ".sessions.pqt.0123456789ab.part", tmp_path / "datasets.pqt.part"]
    for path in [mine, *others]:
        path.write_bytes(b"")
    assert leftovers(target) == [mine]
