"""Full disks: writes that fail end in a typed error (or a good answer), and lose no good file.

A child process runs with ``RLIMIT_FSIZE`` (every write past the limit fails with EFBIG, as on
a full disk, also for root): saving the cache tables, caching a REST answer, downloading.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from onesdk import One
from tests.reliability._hostile import Answer, hostile_server, json_answer
from tests.reliability.conftest import ROOT_DIR, build_cache

LIMIT = 4096


def _run(case: str, root: Path, url: str = "", limit: int = LIMIT) -> str:
    code = (
        "from tests.reliability._workers import full_disk;"
        f"print(full_disk({case!r}, {str(root)!r}, {url!r}, {limit}))"
    )
    child = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT_DIR, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr[-2000:]
    return child.stdout.strip().splitlines()[-1]


def test_a_save_on_a_full_disk_is_a_cache_error_and_keeps_the_tables(tmp_path: Path) -> None:
    root = build_cache(tmp_path / "cache").root
    before = {n: (root / n).read_bytes() for n in ("sessions.pqt", "datasets.pqt")}
    expected = One(root).search()
    assert _run("save_cache", root) == "CacheError"
    assert {n: (root / n).read_bytes() for n in before} == before
    assert One(root).search() == expected


def test_a_good_answer_stays_good_when_the_rest_cache_cannot_be_written(tmp_path: Path) -> None:
    records = [{"id": str(i), "name": "x" * 2000} for i in range(4)]
    page = json.dumps({"count": 4, "next": None, "previous": None, "results": records})
    with hostile_server(lambda seen: json_answer(page)) as server:
        assert _run("rest_cache", tmp_path, server.url) == "answer 4"


@pytest.mark.parametrize("length", [1 << 20])
def test_a_download_on_a_full_disk_is_a_download_error_and_leaves_no_file(
    tmp_path: Path, length: int
) -> None:
    with hostile_server(lambda seen: Answer(200, (), b"\0" * length)) as server:
        assert _run("download", tmp_path, server.url) == "DownloadError"
    assert not (tmp_path / "big.bin").exists()


def test_a_cache_archive_on_a_full_disk_is_a_cache_error_and_keeps_the_tables(
    tmp_path: Path,
) -> None:
    import zipfile

    server = build_cache(tmp_path / "server").root
    archive = tmp_path / "cache.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for name in ("sessions.pqt", "datasets.pqt"):
            out.write(server / name, name)
    root = build_cache(tmp_path / "local").root
    before = {n: (root / n).read_bytes() for n in ("sessions.pqt", "datasets.pqt")}
    largest = max(len(b) for b in before.values())
    assert _run("cache_zip", root, str(archive), limit=largest // 2) == "CacheError"
    assert {n: (root / n).read_bytes() for n in before} == before
    assert not list(root.glob(".cache-zip-*"))


def test_saving_loaded_ids_on_a_full_disk_is_a_cache_error(tmp_path: Path) -> None:
    root = build_cache(tmp_path / "cache").root
    assert _run("save_loaded_ids", root, limit=1) == "CacheError"
    assert not list(root.glob("*loaded*"))
    assert not list(root.glob(".*loaded*"))
