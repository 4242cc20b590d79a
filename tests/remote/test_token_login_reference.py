"""``token=`` against one-api 3.6.1: for the same token and server, both send the same requests
(``GET /me``, then the caller's request, each carrying the token) and log in as the same user,
or both refuse. Each side runs with a throw-away HOME on its own :class:`TokenServer`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onesdk import OneAlyx
from onesdk.webclient import AlyxClient
from tests.reference import run_reference
from tests.remote._token_server import MeAnswer, TokenServer, token_server

pytestmark = pytest.mark.reference

TOKEN = "0123456789abcdef0123456789abcdef01234567"

# Runs in the reference venv: log in with the token (through ONE, or an AlyxClient made
# directly), then one plain GET.
REFERENCE = r"""
import json, sys
from one.api import ONE
from one.webclient import AlyxClient

call = json.load(sys.stdin)
try:
    if call["client"]:
        alyx = AlyxClient(base_url=call["url"], token=call["token"], username=call["username"],
                          cache_dir=call["cache"], silent=True)
    else:
        alyx = ONE(base_url=call["url"], token=call["token"], username=call["username"],
                   cache_dir=call["cache"], mode="remote", silent=True).alyx
    alyx.get("/subjects")
    print(json.dumps({"user": alyx.user}))
except Exception as exc:
    print(json.dumps({"refused": type(exc).__name__}))
"""


def _requests(server: TokenServer, token: str) -> list[tuple[str, str, bool]]:
    return [(r.method, r.path, r.authorization == f"Token {token}") for r in server.seen]


def _theirs(
    reference_python: Path, monkeypatch: pytest.MonkeyPatch, home: Path, call: dict[str, Any]
) -> Any:
    home.mkdir()
    with monkeypatch.context() as patch:
        patch.setenv("HOME", str(home))
        return run_reference(reference_python, REFERENCE, call, cwd=home, timeout=120)


def _ours(call: dict[str, Any]) -> dict[str, str]:
    keywords = {"token": call["token"], "username": call["username"], "silent": True}
    try:
        if call["client"]:
            alyx = AlyxClient(call["url"], cache_dir=call["cache"], **keywords)
        else:
            alyx = OneAlyx(base_url=call["url"], cache_dir=call["cache"], **keywords).alyx
    except Exception as exc:
        return {"refused": type(exc).__name__}
    try:
        alyx.get("/subjects")
        return {"user": str(alyx.user)}
    finally:
        alyx.close()


@pytest.mark.parametrize(
    ("me", "username", "token", "outcome"),
    [
        ("json", None, TOKEN, "alice"),
        ("404", "carol", TOKEN, "carol"),
        ("html", "carol", TOKEN, "carol"),
        ("json", "alice", "9" * 40, "refused"),
        ("404", None, TOKEN, "refused"),
    ],
    ids=["me-names-owner", "no-me-with-username", "me-web-page", "rejected", "no-user-known"],
)
@pytest.mark.parametrize("client", [False, True], ids=["ONE", "AlyxClient"])
def test_token_login_sends_what_one_api_sends(
    client: bool,
    reference_python: Path,
    config_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    me: MeAnswer,
    username: str | None,
    token: str,
    outcome: str,
) -> None:
    sent: list[list[tuple[str, str, bool]]] = []
    results: list[Any] = []
    for side in ("theirs", "ours"):
        with token_server({TOKEN: "alice"}, me=me) as server:
            call = {
                "url": server.url,
                "token": token,
                "username": username,
                "cache": str(tmp_path / side / "cache"),
                "client": client,
            }
            if side == "theirs":
                results.append(_theirs(reference_python, monkeypatch, tmp_path / side, call))
            else:
                results.append(_ours(call))
            sent.append(_requests(server, token))
    theirs, ours = results
    assert sent[0] == sent[1]
    assert sent[1][0] == ("GET", "/me", True)
    if outcome == "refused":
        assert "refused" in theirs
        assert "refused" in ours
    else:
        assert theirs == ours == {"user": outcome}
