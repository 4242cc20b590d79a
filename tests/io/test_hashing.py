"""Streaming md5 and size checks agree with hashlib and never hold the whole file."""

from __future__ import annotations

import gc
import hashlib
import os
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onesdk._hashing import CHUNK_SIZE, check_file, file_md5, files_md5
from onesdk.errors import ArgumentError


def _write(tmp_path: Path, data: bytes, name: str = "data.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "size",
    [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE - 7],
)
def test_md5_equals_hashlib_around_chunk_boundary(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = _write(tmp_path, data)
    assert file_md5(path) == hashlib.md5(data).hexdigest()


@given(data=st.binary(max_size=5000), chunk_size=st.integers(min_value=1, max_value=1024))
def test_md5_equals_hashlib_for_any_chunk_size(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, chunk_size: int
) -> None:
    path = _write(tmp_path_factory.mktemp("md5"), data)
    assert file_md5(path, chunk_size=chunk_size) == hashlib.md5(data).hexdigest()


def test_check_file_compares_size_and_md5(tmp_path: Path) -> None:
    data = os.urandom(CHUNK_SIZE + 123)
    path = _write(tmp_path, data)
    digest = hashlib.md5(data).hexdigest()
    assert check_file(path)
    assert check_file(path, size=len(data))
    assert check_file(path, md5=digest)
    assert check_file(path, md5=digest.upper())
    assert check_file(path, size=len(data), md5=digest)
    assert not check_file(path, size=len(data) - 1)
    assert not check_file(path, size=len(data), md5=hashlib.md5(data[:-1]).hexdigest())


def test_check_file_with_wrong_size_does_not_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, b"abc")
    import onesdk._hashing as hashing

    def fail(*_: object, **__: object) -> str:
        raise AssertionError("hashed although the size already differs")

    monkeypatch.setattr(hashing, "file_md5", fail)
    assert not hashing.check_file(path, size=4, md5="0" * 32)


def test_missing_file_raises_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "spikes.times.npy"
    with pytest.raises(FileNotFoundError, match=r"spikes\.times\.npy"):
        file_md5(missing)
    with pytest.raises(FileNotFoundError, match=r"spikes\.times\.npy"):
        check_file(missing, size=1)
    with pytest.raises(FileNotFoundError, match="directory"):
        check_file(tmp_path)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [({"size": -1}, "size"), ({"md5": "xyz"}, "md5"), ({"md5": "g" * 32}, "md5")],
)
def test_bad_expectations_raise_naming_the_argument(
    tmp_path: Path, kwargs: dict[str, object], argument: str
) -> None:
    path = _write(tmp_path, b"abc")
    with pytest.raises(ArgumentError, match=argument):
        check_file(path, **kwargs)  # type: ignore[arg-type]


def test_bad_chunk_size_raises(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="chunk_size"):
        file_md5(_write(tmp_path, b"abc"), chunk_size=0)


def test_hashing_does_not_read_the_whole_file_into_memory(tmp_path: Path) -> None:
    size = 64 * 1024 * 1024
    path = tmp_path / "big.bin"
    block = os.urandom(CHUNK_SIZE)
    expected = hashlib.md5(usedforsecurity=False)
    with open(path, "wb") as stream:
        for i in range(size // CHUNK_SIZE):
            chunk = block[i % 251 :] + block[: i % 251]
            stream.write(chunk)
            expected.update(chunk)
    del block, chunk
    gc.collect()
    tracemalloc.start()
    try:
        digest = check_file(path, size=size, md5=expected.hexdigest())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest
    assert peak < 4 * CHUNK_SIZE, f"peak {peak} bytes while hashing a {size}-byte file"


@pytest.mark.parametrize("workers", [None, 1, 3])
def test_files_md5_keeps_order(tmp_path: Path, workers: int | None) -> None:
    blobs = [os.urandom(n) for n in (0, 10, CHUNK_SIZE + 5, 3, 77)]
    paths = [_write(tmp_path, b, f"f{i}.bin") for i, b in enumerate(blobs)]
    assert files_md5(paths, max_workers=workers) == [hashlib.md5(b).hexdigest() for b in blobs]
    with pytest.raises(FileNotFoundError):
        files_md5([*paths, tmp_path / "missing.bin"], max_workers=workers)
    with pytest.raises(ArgumentError, match="max_workers"):
        files_md5(paths, max_workers=0)
