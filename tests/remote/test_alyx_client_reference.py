"""Differential: ``AlyxClient(...)`` built with the same arguments by one-api and by onesdk, on
the replay server, logs in the same way and answers the same ``rest()`` calls alike."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from onesdk.errors import AuthenticationError, OneSdkError
from onesdk.webclient import AlyxClient
from tests.reference import run_reference
from tests.remote.test_alyx_rest_reference import _calls
from tests.replay.fixtures import replay
from tests.replay.server import ReplayServer

__all__ = ["replay"]

pytestmark = [pytest.mark.reference, pytest.mark.shared]

SCRIPT = """
import json, sys, warnings
warnings.simplefilter("ignore")
from one.webclient import AlyxClient
payload = json.load(sys.stdin)
out = {}
try:
    AlyxClient(base_url=payload["url"], username="root", password="wrong-" + payload["password"],
               cache_dir=payload["cache"], silent=True)
    out["wrong_password"] = None
except Exception as exc:
    out["wrong_password"] = type(exc).__name__
alyx = AlyxClient(base_url=payload["url"], username="root", password=payload["password"],
                  cache_dir=payload["cache"], silent=True)
out["made"] = {"base_url": alyx.base_url, "user": alyx.user, "logged_in": alyx.is_logged_in,
               "cache_dir": str(alyx.cache_dir), "rest_cache_dir": str(alyx.rest_cache_dir),
               "cache_mode": alyx.cache_mode}
out["calls"] = []
for endpoint, action, kwargs in payload["calls"]:
    try:
        out["calls"].append({"value": alyx.rest(endpoint, action, **kwargs)})
    except Exception as exc:
        out["calls"].append({"error": type(exc).__name__})
print(json.dumps(out, default=str))
"""


def test_alyx_client_is_made_and_answers_rest_as_the_reference(
    replay: ReplayServer,
    shared_alyx: Path,
    reference_python: Path,
    config_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _calls(shared_alyx)[:15]
    assert len(calls) == 15
    cache = tmp_path / "cache"
    # one-api keeps its token in ~/.one: a home of its own, outside the checked tmp_path, and
    # its cache dir there too (each side's REST cache apart)
    with tempfile.TemporaryDirectory(prefix="one-api-home-") as home:
        payload = {
            "url": replay.alyx_url,
            "password": replay.password,
            "cache": str(Path(home) / "cache"),
            "calls": calls,
        }
        with monkeypatch.context() as patched:
            patched.setenv("HOME", home)
            theirs = run_reference(reference_python, SCRIPT, payload, cwd=Path(home), timeout=300)
        for key in ("cache_dir", "rest_cache_dir"):  # the same place below each side's folder
            theirs["made"][key] = theirs["made"][key].replace(payload["cache"], str(cache))
    assert theirs["wrong_password"] is not None  # both refuse it at construction
    with pytest.raises(AuthenticationError):
        AlyxClient(replay.alyx_url, "root", "wrong-" + replay.password, cache, silent=True)
    alyx = AlyxClient(
        base_url=replay.alyx_url,
        username="root",
        password=replay.password,
        cache_dir=cache,
        silent=True,
    )
    made = {
        "base_url": alyx.base_url,
        "user": alyx.user,
        "logged_in": alyx.is_logged_in,
        "cache_dir": str(alyx.cache_dir),
        "rest_cache_dir": str(alyx.rest_cache_dir),
        "cache_mode": alyx.cache_mode,
    }
    assert made == theirs["made"]
    compared = 0
    for (endpoint, action, kwargs), reference in zip(calls, theirs["calls"], strict=True):
        where = f"rest({endpoint!r}, {action!r}, **{kwargs})"
        if "error" in reference:
            with pytest.raises(OneSdkError):
                alyx.rest(endpoint, action, **kwargs)  # type: ignore[call-overload]
            continue
        ours = alyx.rest(endpoint, action, **kwargs)  # type: ignore[call-overload]
        assert json.loads(json.dumps(ours, default=str)) == reference["value"], where
        compared += 1
    alyx.close()
    assert compared > 10
