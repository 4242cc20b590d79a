"""Differential: ``one.alyx``'s raw verbs and JSON-field helpers send what one-api sends.

Both clients run the same calls against the replay server, whose record store starts from the
same record each time; the requests each sent (method, path, query, JSON body) and the values
each call returned are compared. The REST cache is off on both sides for that comparison; with
it on, one-api merges a second ``json_field_update`` into its cached copy of the field and loses
the first update, which onesdk does not (see docs/differences.md).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from onesdk import OneAlyx
from tests.reference import run_reference
from tests.replay.fixtures import open_one_alyx, replay
from tests.replay.server import ReplayServer

__all__ = ["replay"]

pytestmark = [pytest.mark.reference, pytest.mark.shared]

EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
SESSION = f"/sessions/{EID}"
RECORD = {"id": EID, "extended_qc": {"a": 1, "b": 2}, "json": None, "narrative": "text"}
SUBJECTS = [{"id": f"s{i}", "nickname": f"n{i}"} for i in range(7)]

#: (method, positional arguments) run by both clients, in order
CALLS: list[tuple[str, list[Any]]] = [
    ("json_field_update", ["sessions", EID, "extended_qc", {"b": 3, "c": "x"}]),
    ("json_field_remove_key", ["sessions", EID, "extended_qc", "a"]),
    ("json_field_remove_key", ["sessions", EID, "extended_qc", "absent"]),
    ("json_field_remove_key", ["sessions", EID, "json", "k"]),
    ("json_field_write", ["sessions", EID, "json", {"w": 1}]),
    ("json_field_update", ["sessions", EID, "json", {"u": [1, 2]}]),
    ("json_field_delete", ["sessions", EID, "json"]),
    ("get", [SESSION]),
    ("get", ["/subjects?alive=True"]),
    ("put", [SESSION, {"narrative": "new", "json": None}]),
    ("patch", [SESSION, {"narrative": "newer"}]),
    ("post", ["/tags", {"name": "tmp_tag", "description": "temporary"}]),
    ("patch", ["/tags/tmp_tag", {"description": "patched"}]),
    ("delete", ["/tags/tmp_tag"]),
]

SCRIPT = """
import json, sys, warnings
warnings.simplefilter("ignore")
from one.webclient import AlyxClient
payload = json.load(sys.stdin)
alyx = AlyxClient(base_url=payload["url"], username="root", password=payload["password"],
                  cache_dir=payload["cache"], silent=True, cache_rest=payload["cache_rest"])
out = []
for method, args in payload["calls"]:
    value = getattr(alyx, method)(*args)
    out.append(list(value) if method == "get" and not isinstance(value, (dict, list)) else value)
print(json.dumps(out, default=str))
"""


def _reset(replay: ReplayServer) -> None:
    replay.records.put(SESSION, RECORD)
    replay.records.put_list("/subjects", SUBJECTS, page_size=3)


def _requests(replay: ReplayServer, since: int) -> list[tuple[str, str, object, object]]:
    return [
        (s.method, s.path, dict(s.query), json.loads(s.body) if s.body else None)
        for s in replay.seen[since:]
        if s.path not in ("/auth-token", "/api/schema")
    ]


def _ours(one: OneAlyx) -> list[Any]:
    alyx = one.alyx
    methods: dict[str, Callable[..., Any]] = {
        name: getattr(alyx, name) for name in {method for method, _ in CALLS}
    }
    return [methods[method](*args) for method, args in CALLS]


def _theirs(
    replay: ReplayServer, reference_python: Path, home: Path, cache_rest: str | None
) -> Any:
    payload = {
        "url": replay.alyx_url,
        "password": replay.password,
        "cache": str(home / "cache"),
        "cache_rest": cache_rest,
        "calls": CALLS,
    }
    return run_reference(reference_python, SCRIPT, payload, cwd=home, timeout=300)


def test_verbs_and_json_field_helpers_send_and_return_what_one_api_does(
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    reference_python: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # one-api keeps its token in ~/.one: a home of its own, outside the checked tmp_path
    with tempfile.TemporaryDirectory(prefix="one-api-home-") as home:
        monkeypatch.setenv("HOME", home)
        _reset(replay)
        theirs = _theirs(replay, reference_python, Path(home), None)
        their_requests = _requests(replay, 0)
    _reset(replay)
    one = open_one_alyx(replay, tmp_path / "cache", cache_rest=None)
    try:
        start = len(replay.seen)
        ours = _ours(one)
    finally:
        one.close()
    assert _requests(replay, start) == their_requests
    assert json.loads(json.dumps(ours)) == theirs
    assert [r[0] for r in their_requests].count("PATCH") == 7  # the helpers did write


def test_with_the_rest_cache_on_a_second_update_keeps_the_first(
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    reference_python: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    twice = [
        ("json_field_update", ["sessions", EID, "extended_qc", {"x": 1}]),
        ("json_field_update", ["sessions", EID, "extended_qc", {"y": 2}]),
    ]
    monkeypatch.setattr(f"{__name__}.CALLS", twice)
    with tempfile.TemporaryDirectory(prefix="one-api-home-") as home:
        monkeypatch.setenv("HOME", home)
        _reset(replay)
        theirs = _theirs(replay, reference_python, Path(home), "GET")
    assert theirs[1] == {"a": 1, "b": 2, "y": 2}  # one-api merged into its cached copy
    _reset(replay)
    one = open_one_alyx(replay, tmp_path / "cache")
    try:
        assert one.alyx.cache_mode == "GET"
        assert _ours(one)[1] == {"a": 1, "b": 2, "x": 1, "y": 2}
    finally:
        one.close()
