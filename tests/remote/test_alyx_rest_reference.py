"""Differential: ``one.alyx.rest()`` answers every recorded list and read call as one-api does.

Both clients talk to the replay server of the recorded Alyx 3.6.1 exchanges. The calls are
the recorded GETs of list and read endpoints whose answer fits on one page (a longer list was
recorded only in part, so the reference could not fetch its other pages either), on the paths
the reference builds itself (``/<endpoint>`` and ``/<endpoint>/<id>``).
"""

from __future__ import annotations

import json
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

import onesdk
from onesdk._remote._alyx_contract import contract
from tests.contract._corpus import exchanges, template_of
from tests.reference import run_reference
from tests.replay.fixtures import replay
from tests.replay.server import ReplayServer

__all__ = ["replay"]

pytestmark = [pytest.mark.reference, pytest.mark.shared]

SCRIPT = """
import json, sys, warnings
warnings.simplefilter("ignore")
from one.webclient import AlyxClient
payload = json.load(sys.stdin)
alyx = AlyxClient(base_url=payload["url"], username="root", password=payload["password"],
                  cache_dir=payload["cache"], silent=True, cache_rest=None)
out = []
for endpoint, action, kwargs in payload["calls"]:
    try:
        out.append({"value": alyx.rest(endpoint, action, **kwargs)})
    except Exception as exc:
        out.append({"error": type(exc).__name__})
print(json.dumps(out, default=str))
"""

Call = tuple[str, str, dict[str, str]]


def _calls(shared_alyx: Path) -> list[Call]:
    ops = {
        (op.path, op.method): op
        for actions in contract().operations.values()
        for op in actions.values()
        # the reference builds '/<endpoint>[/<id>]'; other paths (/cache/info/) it cannot reach
        if op.action in ("list", "read")
        and op.path.split("/")[1:2] == [op.endpoint]
        and op.path.count("/") == (1 if op.action == "list" else 2)
    }
    templates = sorted({path for path, _ in ops})
    index = json.loads((shared_alyx / "exchanges" / "index.json").read_text(encoding="utf-8"))
    queries = {str(e["id"]): e["query"] for e in index}
    found: dict[str, Call] = {}
    for exchange in exchanges(shared_alyx):
        op = ops.get((template_of(exchange.path, templates) or "", exchange.method))
        if op is None or exchange.status != 200:
            continue
        query = {k: str(v) for k, v in queries[exchange.id].items()}
        if set(query) - set(op.filters) or {"limit", "offset"} & set(query):
            continue
        body = exchange.body
        if isinstance(body, dict) and "count" in body and body["count"] > len(body["results"]):
            continue
        if op.action == "read":
            key = urllib.parse.unquote(exchange.path.rstrip("/").rsplit("/", 1)[1])
            call: Call = (op.endpoint, "read", {"id": key})
        else:
            call = (op.endpoint, "list", query)
        found[json.dumps(call, sort_keys=True)] = call
    return list(found.values())


@pytest.fixture
def one(
    replay: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[onesdk.OneAlyx]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("ONESDK_KEYRING", "0")
    instance = onesdk.OneAlyx(
        username="root",
        password=replay.password,
        base_url=replay.alyx_url,
        cache_dir=tmp_path / "cache",
        silent=True,
        cache_rest=None,
    )
    yield instance
    instance.close()


def test_rest_answers_every_recorded_list_and_read_call_as_the_reference(
    one: onesdk.OneAlyx,
    replay: ReplayServer,
    shared_alyx: Path,
    reference_python: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _calls(shared_alyx)
    assert len(calls) > 40
    assert {c[0] for c in calls} >= {"sessions", "subjects", "users", "labs", "tags", "files"}
    # one-api keeps its token in ~/.one: a home of its own, outside the checked tmp_path
    with tempfile.TemporaryDirectory(prefix="one-api-home-") as home:
        monkeypatch.setenv("HOME", home)
        payload = {
            "url": replay.alyx_url,
            "password": replay.password,
            "cache": str(Path(home) / "cache"),
            "calls": calls,
        }
        theirs = run_reference(reference_python, SCRIPT, payload, cwd=Path(home), timeout=600)
    compared = 0
    for (endpoint, action, kwargs), reference in zip(calls, theirs, strict=True):
        where = f"rest({endpoint!r}, {action!r}, **{kwargs})"
        if "error" in reference:
            with pytest.raises(onesdk.errors.OneSdkError):
                one.alyx.rest(endpoint, action, **kwargs)  # type: ignore[call-overload]
            continue
        ours = one.alyx.rest(endpoint, action, **kwargs)  # type: ignore[call-overload]
        assert json.loads(json.dumps(ours, default=str)) == reference["value"], where
        compared += 1
    assert compared > 40
