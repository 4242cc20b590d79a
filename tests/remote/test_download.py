"""Downloads over real sockets: verification, resume, retries, locks, hostile paths, faults."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from onesdk._store._download import (
    Downloader,
    DownloadTask,
    RetryPolicy,
    add_uuid_to_name,
    remove_uuid_from_name,
    safe_target,
    url_for,
)
from onesdk.errors import ArgumentError, ChecksumError, DownloadError, UnsafePathError
from tests.replay import faults as f
from tests.replay.server import ReplayServer

SESSION = "cortexlab/Subjects/KS051/2023-01-10/003"
REL = "alf/_ibl_trials.table.pqt"
UUID = "089602de-918a-4d4f-85ae-e05146f439fa"
SERVED = f"{SESSION}/alf/_ibl_trials.table.{UUID}.pqt"
BIG = (
    "aggregates/Subjects/cortexlab/KS051/#2024-01-01#/"
    "_ibl_subjectTrials.table.25758500-80e6-459c-b1a7-aaa240c22ac1.pqt"
)
FAST = RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05, max_retry_after=2.0, timeout=5.0)


def _task(replay: ReplayServer, shared: Path, root: Path, served: str = SERVED) -> DownloadTask:
    data = (shared / "files" / served).read_bytes()
    return DownloadTask(
        url=replay.file_url(served),
        target=root / remove_uuid_from_name(served),
        size=len(data),
        md5=hashlib.md5(data).hexdigest(),
    )


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _gets(replay: ReplayServer, served: str = SERVED) -> list[int]:
    return [s.status for s in replay.requests_to("/" + served, host="files")]


# names and paths ----------------------------------------------------------------------------
def test_uuid_is_inserted_before_the_extension_and_removed_again() -> None:
    served = add_uuid_to_name(f"{SESSION}/{REL}", UUID)
    assert served == SERVED
    assert add_uuid_to_name(served, UUID) == served
    assert remove_uuid_from_name(served) == f"{SESSION}/{REL}"
    assert url_for("http://h/", "a/#2023-04-01#/x.y.npy", UUID).startswith("http://h/a/%232023")


@pytest.mark.parametrize(
    ("session", "rel"),
    [
        (SESSION, "/etc/passwd"),
        (SESSION, "../../../../x.npy"),
        (SESSION, "alf/../../x.npy"),
        (SESSION, "alf/x\x00.npy"),
        (SESSION, "alf\\..\\x.npy"),
        (SESSION, "C:/x.npy"),
        ("/abs/session", "alf/x.npy"),
        ("lab/../..", "alf/x.npy"),
        (SESSION, ""),
    ],
)
def test_hostile_paths_are_rejected(tmp_path: Path, session: str, rel: str) -> None:
    with pytest.raises(UnsafePathError):
        safe_target(tmp_path, session, rel)


def test_symlink_escaping_the_session_is_rejected(tmp_path: Path) -> None:
    session = tmp_path / SESSION
    session.mkdir(parents=True)
    (session / "alf").symlink_to(tmp_path.parent)
    with pytest.raises(UnsafePathError, match="escapes"):
        safe_target(tmp_path, SESSION, REL)


def test_safe_target_is_below_the_session(tmp_path: Path) -> None:
    assert safe_target(tmp_path, SESSION, REL) == tmp_path / SESSION / REL


def test_bad_task_arguments_name_the_argument(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="md5"):
        DownloadTask("http://x/y", tmp_path / "y", 1, "nothex")
    with pytest.raises(ArgumentError, match="url"):
        DownloadTask("file:///etc/passwd", tmp_path / "y")


# downloads ----------------------------------------------------------------------------------
def test_download_is_verified_and_leaves_no_part(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    task = _task(replay, shared_alyx, tmp_path)
    with Downloader(policy=FAST, silent=True) as dl:
        path = dl.fetch(task)
        assert dl.fetch(task) == path  # present and verified: not fetched again
    assert _md5(path) == task.md5
    assert _gets(replay) == [200]
    assert not path.with_name(path.name + ".part").exists()


def test_a_file_without_a_checksum_is_checked_by_size_and_not_read_again(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onesdk import _hashing
    from onesdk._store import _download as download

    read_again: list[Path] = []
    real = _hashing.md5_and_size

    def counting(path: Path, **kwargs: int) -> tuple[str, int]:
        read_again.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(download, "md5_and_size", counting, raising=True)
    full = _task(replay, shared_alyx, tmp_path / "with_md5")
    sized = DownloadTask(url=full.url, target=tmp_path / "size_only" / "t.pqt", size=full.size)
    with Downloader(policy=FAST, silent=True) as dl:
        assert _md5(dl.fetch(sized)) == full.md5
        assert read_again == []
        dl.fetch(full)
    assert len(read_again) == 1  # a checksum to compare: the file is hashed


def test_many_files_in_parallel(replay: ReplayServer, shared_alyx: Path, tmp_path: Path) -> None:
    served = sorted(
        str(p.relative_to(shared_alyx / "files"))
        for p in (shared_alyx / "files" / SESSION).rglob("*.*")
        if p.is_file()
    )
    tasks = [_task(replay, shared_alyx, tmp_path, s) for s in served]
    assert len(tasks) > 5
    with Downloader(policy=FAST, silent=True, n_threads=4) as dl:
        paths = dl.fetch_all(tasks)
    assert [_md5(p) for p in paths] == [t.md5 for t in tasks]


def test_500_then_200_is_retried(replay: ReplayServer, shared_alyx: Path, tmp_path: Path) -> None:
    replay.faults.add("/" + SERVED, f.Status(500), times=2)
    task = _task(replay, shared_alyx, tmp_path)
    with Downloader(policy=FAST, silent=True) as dl:
        assert _md5(dl.fetch(task)) == task.md5
    assert _gets(replay) == [500, 500, 200]


def test_429_waits_for_retry_after(replay: ReplayServer, shared_alyx: Path, tmp_path: Path) -> None:
    replay.faults.add("/" + SERVED, f.Status(429, (("Retry-After", "1"),)))
    waits: list[float] = []
    task = _task(replay, shared_alyx, tmp_path)
    with Downloader(policy=FAST, silent=True, sleep=waits.append) as dl:
        dl.fetch(task)
    assert waits == [1.0]
    assert _gets(replay) == [429, 200]


def test_retry_after_is_capped(replay: ReplayServer, shared_alyx: Path, tmp_path: Path) -> None:
    replay.faults.add("/" + SERVED, f.Status(429, (("Retry-After", "3600"),)))
    waits: list[float] = []
    with Downloader(policy=FAST, silent=True, sleep=waits.append) as dl:
        dl.fetch(_task(replay, shared_alyx, tmp_path))
    assert waits == [FAST.max_retry_after]


def test_persistent_5xx_gives_up_after_bounded_attempts(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    replay.faults.add("/" + SERVED, f.Status(503), times=100)
    task = _task(replay, shared_alyx, tmp_path)
    with Downloader(policy=FAST, silent=True) as dl, pytest.raises(DownloadError, match="4 att"):
        dl.fetch(task)
    assert len(_gets(replay)) == FAST.attempts
    assert not task.target.exists()


def test_404_is_not_retried(replay: ReplayServer, shared_alyx: Path, tmp_path: Path) -> None:
    replay.faults.add("/" + SERVED, f.Status(404))
    with Downloader(policy=FAST, silent=True) as dl, pytest.raises(DownloadError, match="404"):
        dl.fetch(_task(replay, shared_alyx, tmp_path))
    assert _gets(replay) == [404]


def test_dropped_connection_resumes_with_range(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    replay.faults.add("/" + SERVED, f.DropAfter(4000))
    task = _task(replay, shared_alyx, tmp_path)
    with Downloader(policy=FAST, silent=True) as dl:
        assert _md5(dl.fetch(task)) == task.md5
    seen = replay.requests_to("/" + SERVED, host="files")
    assert [s.status for s in seen] == [200, 206]
    assert seen[1].header("range") == "bytes=4000-"


def test_server_ignoring_range_restarts_the_file(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    replay.faults.add("/" + SERVED, f.DropAfter(3000))
    replay.faults.add("/" + SERVED, f.IgnoreRange())
    task = _task(replay, shared_alyx, tmp_path)
    with Downloader(policy=FAST, silent=True) as dl:
        assert _md5(dl.fetch(task)) == task.md5
    assert _gets(replay) == [200, 200]


def test_wrong_md5_is_downloaded_again_once(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    replay.faults.add("/" + SERVED, f.Corrupt(100))
    task = _task(replay, shared_alyx, tmp_path)
    with Downloader(policy=FAST, silent=True) as dl:
        assert _md5(dl.fetch(task)) == task.md5
    assert _gets(replay) == [200, 200]


def test_wrong_md5_twice_is_a_checksum_error_and_nothing_is_kept(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    replay.faults.add("/" + SERVED, f.Corrupt(100), times=2)
    task = _task(replay, shared_alyx, tmp_path)
    with Downloader(policy=FAST, silent=True) as dl, pytest.raises(ChecksumError, match="md5"):
        dl.fetch(task)
    assert not task.target.exists()
    assert list(task.target.parent.glob("*.part")) == []


def test_truncated_body_is_caught_by_the_size_check(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    replay.faults.add("/" + SERVED, f.Truncate(500))
    task = _task(replay, shared_alyx, tmp_path)
    with Downloader(policy=FAST, silent=True) as dl:
        assert _md5(dl.fetch(task)) == task.md5


def test_slow_response_beyond_the_timeout_is_retried(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    replay.faults.add("/" + SERVED, f.Delay(1.5))
    policy = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.05, timeout=0.5)
    task = _task(replay, shared_alyx, tmp_path)
    started = time.monotonic()
    with Downloader(policy=policy, silent=True) as dl:
        assert _md5(dl.fetch(task)) == task.md5
    assert time.monotonic() - started < 5
    assert [fault for _, _, fault in replay.faults.fired] == [f.Delay(1.5)]
    assert 200 in _gets(replay)


def test_an_existing_good_file_is_never_replaced_by_a_bad_download(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    task = _task(replay, shared_alyx, tmp_path)
    task.target.parent.mkdir(parents=True)
    task.target.write_bytes(b"stale but complete")
    replay.faults.add("/" + SERVED, f.Corrupt(0), times=2)
    with Downloader(policy=FAST, silent=True) as dl, pytest.raises(ChecksumError):
        dl.fetch(task)
    assert task.target.read_bytes() == b"stale but complete"


# processes ----------------------------------------------------------------------------------
_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from onesdk._store._download import Downloader, DownloadTask, RetryPolicy
    url, target, size, md5 = sys.argv[1:5]
    task = DownloadTask(url, Path(target), int(size), md5)
    with Downloader(policy=RetryPolicy(attempts=2, timeout=30), silent=True) as dl:
        dl.fetch(task)
    print("done", flush=True)
    """
)


def _child(task: DownloadTask) -> subprocess.Popen[str]:
    args = [task.url, str(task.target), str(task.size), str(task.md5)]
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_downloading_one_file_end_with_one_good_file(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    replay.faults.add("/" + BIG, f.Trickle(1024, 0.05), times=2)
    task = _task(replay, shared_alyx, tmp_path, BIG)
    children = [_child(task), _child(task)]
    outputs = [c.communicate(timeout=60) for c in children]
    assert [c.returncode for c in children] == [0, 0], outputs
    assert _md5(task.target) == task.md5
    # the second process waited on the lock and found the file verified
    assert _gets(replay, BIG) == [200]
    assert list(task.target.parent.glob("*.part")) == []


def test_killed_download_resumes_from_its_part_file(
    replay: ReplayServer, shared_alyx: Path, tmp_path: Path
) -> None:
    replay.faults.add("/" + BIG, f.Trickle(512, 0.1))
    task = _task(replay, shared_alyx, tmp_path, BIG)
    assert task.size is not None
    part = task.target.with_name(task.target.name + ".part")
    child = _child(task)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not part.exists() or part.stat().st_size < 2048):
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    have = part.stat().st_size
    assert 0 < have < task.size
    assert not task.target.exists()  # never visible under its final name
    with Downloader(policy=FAST, silent=True) as dl:
        assert _md5(dl.fetch(task)) == task.md5
    last = replay.requests_to("/" + BIG, host="files")[-1]
    assert last.status == 206
    assert last.header("range") == f"bytes={have}-"


def test_progress_bar_stays_silent_without_a_terminal(
    replay: ReplayServer,
    shared_alyx: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with Downloader(policy=FAST, silent=False) as dl:
        dl.fetch(_task(replay, shared_alyx, tmp_path))
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""
