"""``onesdk lock``, ``onesdk lock --check`` and ``onesdk sync`` on the corpus and over replay."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import onesdk
from onesdk import Lock
from onesdk._cli._lock import EXIT_DRIFT
from onesdk.cli import EXIT_CODES, EXIT_USAGE
from tests.cli.conftest import run_cli
from tests.lock.conftest import DEFAULT, EID, NEWER, SESSION, TRIALS, move_default
from tests.replay.server import ReplayServer


def test_lock_prints_the_lock_one_lock_makes(corpus_cache: Path) -> None:
    result = run_cli(["--cache-dir", str(corpus_cache), "lock", EID, "--dataset", TRIALS])
    assert result.code == 0, result.err
    printed = Lock.loads(result.out)
    assert printed == onesdk.ONE(cache_dir=corpus_cache, mode="local").lock(EID, TRIALS)
    assert [d.rel_path for d in printed.datasets] == [DEFAULT]


def test_lock_accepts_several_sessions_and_datasets_by_path(corpus_cache: Path) -> None:
    result = run_cli(
        [
            "lock",
            SESSION,
            "--dataset",
            TRIALS,
            "--dataset",
            "trials.choice",
            "--collection",
            "alf",
            "--cache-dir",
            str(corpus_cache),
        ]
    )
    assert result.code == 0, result.err
    lock = Lock.loads(result.out)
    assert [str(e) for e in lock.eids] == [EID]
    assert [d.rel_path for d in lock.datasets] == [DEFAULT, "alf/_ibl_trials.choice.npy"]


def test_check_exit_code_says_whether_anything_drifted(corpus_cache: Path, tmp_path: Path) -> None:
    lockfile = tmp_path / "analysis.lock"
    made = run_cli(["--cache-dir", str(corpus_cache), "lock", EID, "--dataset", TRIALS])
    lockfile.write_text(made.out)
    check = ["--cache-dir", str(corpus_cache), "lock", "--check", str(lockfile)]

    unchanged = run_cli(check)
    assert (unchanged.code, unchanged.out) == (0, "")

    move_default(corpus_cache, EID, NEWER)
    drifted = run_cli(check)
    assert drifted.code == EXIT_DRIFT
    assert EXIT_DRIFT in EXIT_CODES
    assert DEFAULT in drifted.out
    assert NEWER in drifted.out
    as_json = json.loads(run_cli([*check, "--json"]).out)
    assert [c["kind"] for c in as_json] == ["revision_moved"]


def test_check_refuses_a_tampered_lock(corpus_cache: Path, tmp_path: Path) -> None:
    made = run_cli(["--cache-dir", str(corpus_cache), "lock", EID, "--dataset", TRIALS])
    lockfile = tmp_path / "analysis.lock"
    lockfile.write_text(made.out.replace('"WARNING"', '"PASS"'))
    result = run_cli(["--cache-dir", str(corpus_cache), "lock", "--check", str(lockfile)])
    assert result.code not in (0, EXIT_DRIFT)
    assert "digest" in result.err
    assert result.out == ""


@pytest.mark.parametrize(
    "args",
    [["lock"], ["lock", EID, "--check", "analysis.lock"]],
)
def test_lock_usage_errors(corpus_cache: Path, args: list[str]) -> None:
    result = run_cli(["--cache-dir", str(corpus_cache), *args])
    assert result.code == EXIT_USAGE
    assert result.out == ""


def test_sync_offline_prints_the_verified_paths(corpus_cache: Path, tmp_path: Path) -> None:
    lockfile = tmp_path / "analysis.lock"
    onesdk.ONE(cache_dir=corpus_cache, mode="local").lock(EID).save(lockfile)
    result = run_cli(["--cache-dir", str(corpus_cache), "sync", str(lockfile), "--json"])
    assert result.code == 0, result.err
    paths = [Path(p) for p in json.loads(result.out)]
    assert paths == [corpus_cache / SESSION / d.rel_path for d in Lock.load(lockfile).datasets]


def test_sync_on_a_fresh_cache_dir_through_the_file_server(
    corpus_cache: Path,
    tmp_path: Path,
    replay: ReplayServer,
    config_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lockfile = tmp_path / "analysis.lock"
    onesdk.ONE(cache_dir=corpus_cache, mode="local").lock(EID, collection="alf").save(lockfile)
    monkeypatch.setenv("ONE_ALYX_USERNAME", "root")
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    fresh = tmp_path / "elsewhere" / "cache"
    result = run_cli(
        [
            "--base-url",
            replay.alyx_url,
            "--http-data-server",
            replay.files_url,
            "--cache-dir",
            str(fresh),
            "sync",
            str(lockfile),
        ]
    )
    assert result.code == 0, result.err
    lock = Lock.load(lockfile)
    paths = [Path(p) for p in result.out.splitlines()]
    assert paths == [fresh / SESSION / d.rel_path for d in lock.datasets]
    for path, pinned in zip(paths, lock.datasets, strict=True):
        assert hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest() == pinned.md5
