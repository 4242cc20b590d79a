"""``one.alyx.download_file`` takes one-api's keywords (``clobber``, ``return_md5``,
``headers``, ``silent``), over the replay server's file host."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import onesdk
from onesdk.errors import ArgumentError
from tests.replay.fixtures import one_on_replay, replay
from tests.replay.server import ReplayServer

__all__ = ["one_on_replay", "replay"]

TABLE = (
    "aggregates/Subjects/hoferlab/SWC_062/"
    "_ibl_subjectTraining.table.0b88e081-3be8-44f8-9677-339049986a7c.csv"
)


def _fetches(replay: ReplayServer) -> int:
    return len(replay.requests_to("/" + TABLE, host="files"))


def test_an_existing_file_is_kept_without_a_request_unless_clobber(
    one: onesdk.OneAlyx, replay: ReplayServer, tmp_path: Path
) -> None:
    path = one.alyx.download_file(TABLE, target_dir=tmp_path)
    served = path.read_bytes()
    assert _fetches(replay) == 1
    path.write_bytes(b"edited here")
    assert one.alyx.download_file(TABLE, target_dir=tmp_path) == path
    assert path.read_bytes() == b"edited here"
    assert _fetches(replay) == 1
    assert one.alyx.download_file(TABLE, target_dir=tmp_path, clobber=True) == path
    assert path.read_bytes() == served
    assert _fetches(replay) == 2


def test_return_md5_gives_the_md5_of_each_file(
    one: onesdk.OneAlyx, replay: ReplayServer, tmp_path: Path
) -> None:
    path, md5 = one.alyx.download_file(TABLE, target_dir=tmp_path / "one", return_md5=True)
    assert md5 == hashlib.md5(path.read_bytes()).hexdigest()
    paths, md5s = one.alyx.download_file(
        [replay.file_url(TABLE)], target_dir=tmp_path / "list", return_md5=True
    )
    assert paths == [tmp_path / "list" / path.name]
    assert md5s == [md5]


def test_several_urls_from_a_generator_give_a_list_in_order(
    one: onesdk.OneAlyx, tmp_path: Path
) -> None:
    paths = one.alyx.download_file(iter([TABLE]), target_dir=tmp_path)  # type: ignore[call-overload]
    assert paths == [tmp_path / TABLE.rsplit("/", 1)[1]]
    assert paths[0].stat().st_size > 0


def test_extra_headers_reach_the_file_server(
    one: onesdk.OneAlyx, replay: ReplayServer, tmp_path: Path
) -> None:
    one.alyx.download_file(TABLE, target_dir=tmp_path, headers={"X-Lab": "mainenlab"})
    (seen,) = replay.requests_to("/" + TABLE, host="files")
    assert ("x-lab", "mainenlab") in [(k.lower(), v) for k, v in seen.headers]


def test_the_default_folder_is_the_cache_dir(one: onesdk.OneAlyx) -> None:
    path = one.alyx.download_file(TABLE)
    assert path.parent == one.alyx.cache_dir


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        ({"url": TABLE, "chunks": (0, 10)}, "chunks"),
        ({"url": 7}, "url"),
        ({"url": [TABLE, 7]}, "url"),
        ({"url": "https://elsewhere.example.org/x.npy"}, "url"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(
    one: onesdk.OneAlyx,
    replay: ReplayServer,
    tmp_path: Path,
    call: dict[str, object],
    argument: str,
) -> None:
    with pytest.raises(ArgumentError) as raised:
        one.alyx.download_file(target_dir=tmp_path / "out", **call)  # type: ignore[call-overload]
    assert raised.value.argument == argument
    assert _fetches(replay) == 0
    assert not (tmp_path / "out").exists()
