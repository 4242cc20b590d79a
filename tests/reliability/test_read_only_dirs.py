"""Read-only cache dirs: reads answer, writes end in a typed error, and no good file is lost.

A read-only directory means nothing to root, who may write anywhere: so a child process runs in
a mount namespace of its own where the cache dir is bind-mounted read-only (the kernel refuses
every write there with EROFS, to root too). Where mount namespaces cannot be made (a user
without the privilege), the dir is made read-only with its mode bits instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from onesdk import One
from tests.reliability._hostile import Answer, hostile_server, json_answer
from tests.reliability.conftest import ROOT_DIR, build_cache

_TABLES = ("sessions.pqt", "datasets.pqt")


def _namespaces_work(probe: Path) -> bool:
    """True when this process may bind-mount ``probe`` read-only in a namespace of its own."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        return False
    script = 'mount --bind -o ro "$1" "$1" && ! touch "$1/x" 2>/dev/null'
    done = subprocess.run(
        [unshare, "--mount", "sh", "-c", script, "sh", str(probe)],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return done.returncode == 0


def _run_read_only(case: str, root: Path, url: str = "") -> str:
    """Run the worker's ``case`` on ``root`` while ``root`` is read-only for it."""
    code = (
        "from tests.reliability._workers import disk_case;"
        f"print(disk_case({case!r}, {str(root)!r}, {url!r}))"
    )
    command = [sys.executable, "-c", code]
    chmodded: list[Path] = []
    if _namespaces_work(root.parent):
        script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
        command = ["unshare", "--mount", "sh", "-c", script, "sh", str(root), *command]
    else:
        for folder in sorted({root, *(p for p in root.rglob("*") if p.is_dir())}):
            folder.chmod(0o555)
            chmodded.append(folder)
        if os.access(root, os.W_OK):
            pytest.fail("cannot make a read-only dir here: neither a mount namespace nor modes")
    try:
        child = subprocess.run(
            command, cwd=ROOT_DIR, capture_output=True, text=True, timeout=120, check=False
        )
    finally:
        for folder in chmodded:
            folder.chmod(0o755)
    assert child.returncode == 0, child.stderr[-2000:]
    return child.stdout.strip().splitlines()[-1]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_read_only_cache_dir_answers_searches_lists_and_loads(tmp_path: Path) -> None:
    root = build_cache(tmp_path / "cache").root
    one = One(root, mode="local")
    eids = one.search()
    rows = sum(len(one.list_datasets(e)) for e in eids)
    before = _snapshot(root)
    assert _run_read_only("search", root) == f"answer {len(eids)} {rows} ndarray"
    assert _snapshot(root) == before


def test_a_save_into_a_read_only_cache_dir_is_a_cache_error_and_keeps_the_tables(
    tmp_path: Path,
) -> None:
    root = build_cache(tmp_path / "cache").root
    before = _snapshot(root)
    assert _run_read_only("save_cache", root) == "CacheError"
    assert _snapshot(root) == before
    assert One(root).search()


def test_saving_loaded_ids_into_a_read_only_cache_dir_is_a_cache_error(tmp_path: Path) -> None:
    root = build_cache(tmp_path / "cache").root
    assert _run_read_only("save_loaded_ids", root) == "CacheError"
    assert not list(root.glob("*loaded*"))


def test_a_good_answer_stays_good_when_the_rest_cache_dir_is_read_only(tmp_path: Path) -> None:
    records = [{"id": str(i), "name": "x"} for i in range(3)]
    page = json.dumps({"count": 3, "next": None, "previous": None, "results": records})
    root = tmp_path / "rest"
    root.mkdir()
    with hostile_server(lambda seen: json_answer(page)) as server:
        assert _run_read_only("rest_cache", root, server.url) == "answer 3"
    assert not any(root.iterdir())


def test_a_download_into_a_read_only_dir_is_a_download_error_and_leaves_no_file(
    tmp_path: Path,
) -> None:
    root = tmp_path / "files"
    root.mkdir()
    with hostile_server(lambda seen: Answer(200, (), b"\0" * (1 << 20))) as server:
        assert _run_read_only("download", root, server.url) == "DownloadError"
    assert not any(root.iterdir())


def test_a_cache_archive_into_a_read_only_tables_dir_is_a_cache_error(tmp_path: Path) -> None:
    server = build_cache(tmp_path / "server").root
    archive = tmp_path / "cache.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for name in _TABLES:
            out.write(server / name, name)
    root = build_cache(tmp_path / "local").root
    before = _snapshot(root)
    assert _run_read_only("cache_zip", root, str(archive)) == "CacheError"
    assert _snapshot(root) == before


def test_a_lock_file_saved_into_a_read_only_dir_is_a_lock_error(tmp_path: Path) -> None:
    root = build_cache(tmp_path / "cache").root
    before = _snapshot(root)
    assert _run_read_only("lock_save", root) == "LockError"
    assert _snapshot(root) == before
