"""``onesdk.webclient`` against one-api's ``one.webclient`` on the same loopback file server:
the same return shape, the same file in the same place with the same bytes.

One deliberate difference is normalised here (docs/differences.md, row
'`http_download_file_list(..., return_md5=True)`'): one-api returns a list of two tuples,
onesdk a tuple of two lists; both unpack into ``paths, md5s``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onesdk.webclient import http_download_file, http_download_file_list
from tests.reference import run_reference
from tests.reliability._hostile import Answer, HostileServer, Seen, hostile_server

pytestmark = pytest.mark.reference

# Runs in the reference venv: one-api's downloader, then what it returned and where the files are.
REFERENCE = r"""
import json, sys
from pathlib import Path
from one.webclient import http_download_file, http_download_file_list

def shape(value):
    if isinstance(value, Path):
        return {"path": str(value)}
    if isinstance(value, (list, tuple)):
        return [shape(item) for item in value]
    return value

call = json.load(sys.stdin)
kwargs = dict(call["kwargs"], silent=True)
if call["list"]:
    result = http_download_file_list(call["links"], **kwargs)
else:
    result = http_download_file(call["links"][0], **kwargs)
print(json.dumps({"type": type(result).__name__, "value": shape(result)}))
"""


def _shape(value: object) -> object:
    if isinstance(value, Path):
        return {"path": str(value)}
    if isinstance(value, list | tuple):
        return [_shape(item) for item in value]
    return value


def _files(seen: Seen) -> Answer:
    return Answer(200, body=hashlib.sha256(seen.path.encode()).digest() * 500)


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """onesdk's user cache dir (where the download locks live), outside the compared folders."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile_server(_files) as running:
        yield running


def _both(
    reference_python: Path,
    base: Path,
    monkeypatch: pytest.MonkeyPatch,
    links: list[str],
    kwargs: dict[str, Any],
) -> tuple[Any, Any]:
    """(one-api's answer, onesdk's answer) for one link, each run in its own working
    directory, ``base/reference`` and ``base/onesdk``."""
    ref_dir, our_dir = base / "reference", base / "onesdk"
    ref_dir.mkdir(parents=True)
    our_dir.mkdir(parents=True)
    call = {"links": links, "kwargs": kwargs, "list": False}
    theirs = run_reference(reference_python, REFERENCE, call, cwd=ref_dir, timeout=120)
    monkeypatch.chdir(our_dir)
    ours_result = http_download_file(links[0], silent=True, **kwargs)
    ours = {"type": type(ours_result).__name__, "value": _shape(ours_result)}
    return theirs, ours


def _files_below(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("return_md5", [False, True])
def test_one_file_in_a_relative_target_dir_matches_one_api(
    reference_python: Path,
    server: HostileServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    return_md5: bool,
) -> None:
    links = [f"{server.url}/meshes/997.obj"]
    kwargs = {"target_dir": "meshes", "return_md5": return_md5}
    theirs, ours = _both(reference_python, tmp_path, monkeypatch, links, kwargs)
    assert ours == theirs
    assert _files_below(tmp_path / "onesdk") == _files_below(tmp_path / "reference")
    assert list(_files_below(tmp_path / "onesdk")) == ["meshes/997.obj"]


def test_the_default_target_dir_matches_one_api(
    reference_python: Path, server: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # the reference subprocess inherits it
    theirs, ours = _both(
        reference_python, tmp_path / "run", monkeypatch, [f"{server.url}/x.npy"], {}
    )
    assert ours == theirs == {"type": "PosixPath", "value": {"path": f"{tmp_path}/Downloads/x.npy"}}


def test_an_existing_file_is_kept_as_in_one_api(
    reference_python: Path, server: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "x.npy").write_bytes(b"mine")
    kwargs = {"target_dir": str(tmp_path), "return_md5": True}
    theirs, ours = _both(
        reference_python, tmp_path / "run", monkeypatch, [f"{server.url}/x.npy"], kwargs
    )
    assert ours == theirs
    assert (tmp_path / "x.npy").read_bytes() == b"mine"
    assert server.seen == []


@pytest.mark.parametrize("return_md5", [False, True])
def test_a_list_matches_one_api(
    reference_python: Path, server: HostileServer, tmp_path: Path, return_md5: bool
) -> None:
    links = [f"{server.url}/a/{n}.npy" for n in range(3)]
    folders = {"reference": tmp_path / "ref-files", "onesdk": tmp_path / "our-files"}
    theirs = run_reference(
        reference_python,
        REFERENCE,
        {
            "links": links,
            "kwargs": {"target_dir": str(folders["reference"]), "return_md5": return_md5},
            "list": True,
        },
        timeout=120,
    )
    ours_result: object = http_download_file_list(
        links, target_dir=folders["onesdk"], silent=True, return_md5=return_md5
    )
    ours = {"type": type(ours_result).__name__, "value": _shape(ours_result)}
    text = str(folders["onesdk"])
    theirs_here = _relocated(theirs, str(folders["reference"]), text)
    if return_md5:  # one-api: [paths, md5s] as a list of tuples; onesdk: a tuple of lists
        assert theirs_here["type"] == "list"
        assert ours["type"] == "tuple"
        assert ours["value"] == theirs_here["value"]
    else:
        assert ours == theirs_here
    assert _files_below(folders["onesdk"]) == _files_below(folders["reference"])


def _relocated(value: Any, old: str, new: str) -> Any:
    """``value`` with each path below ``old`` moved below ``new`` (the runs use two folders)."""
    if isinstance(value, dict) and "path" in value:
        return {"path": value["path"].replace(old, new, 1)}
    if isinstance(value, dict):
        return {key: _relocated(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [_relocated(item, old, new) for item in value]
    return value
