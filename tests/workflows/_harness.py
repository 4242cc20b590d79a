"""Run every workflow snippet under one-api 3.6.1 (one subprocess) and under onesdk.

Both sides get the same cache layout (a fresh local cache dir each, built from symlinks into the
corpus) and talk to the same replay server for remote calls. Each outcome is either the
normalised ``result`` of the snippet or the name of the exception it raised.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path
from typing import Any

from tests.local._corpus import build_cache_dir
from tests.reference import run_reference
from tests.replay.server import ALYX_HOST, FILES_HOST, ReplayServer
from tests.workflows import _normalise
from tests.workflows.snippets import IDENTITIES, PRELUDES, Snippet

Outcome = dict[str, Any]

# Runs in the one-api venv. The normaliser's source arrives in the payload, so both sides
# normalise with the same code.
REFERENCE_SCRIPT = r"""
import contextlib, io, json, logging, sys, tempfile, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)
payload = json.load(sys.stdin)
helpers = {"__name__": "workflow_normalise"}
exec(payload["normalise"], helpers)
base = {"__name__": "workflow"}
exec(payload["prelude"], base)
ONE = base["ONE"]
instances = {}

def instance(mode):
    if mode not in instances:
        if mode == "local":
            instances[mode] = ONE(mode="local", cache_dir=payload["local"])
        else:
            one = ONE(base_url=payload["alyx_url"], username="root", password=payload["password"],
                      silent=True, cache_dir=payload["remote"], mode="remote")
            one.alyx._par = one.alyx._par.set("HTTP_DATA_SERVER", payload["files_url"])
            instances[mode] = one
    return instances[mode]

out = []
for snippet in payload["snippets"]:
    mode = snippet["mode"]
    root = payload["local"] if mode == "local" else payload["remote"]
    start = time.perf_counter()
    try:
        one = instance(mode)
        with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
            ns = dict(base, **payload["identities"], one=one, root=Path(root), tmp=Path(tmp))
            exec(snippet["code"], ns)
            value = helpers["norm"](ns["result"], root, payload["hosts"])
        out.append({"value": value})
    except Exception as exc:
        out.append({"error": type(exc).__name__, "message": str(exc)[:300]})
    out[-1]["seconds"] = time.perf_counter() - start
print(json.dumps(out))
"""


def _hosts(replay: ReplayServer) -> dict[str, str]:
    return {replay.alyx_url: ALYX_HOST, replay.files_url: FILES_HOST}


def run_one_api(
    python: Path, snippets: list[Snippet], corpus: Path, replay: ReplayServer, work: Path
) -> list[Outcome]:
    """Every snippet under one-api, in one subprocess."""
    local = build_cache_dir(corpus, "local", work / "one-api" / "local")
    payload = {
        "normalise": Path(_normalise.__file__).read_text(encoding="utf-8"),
        "prelude": PRELUDES["one-api"],
        "identities": IDENTITIES,
        "local": local.as_posix(),
        "remote": (work / "one-api" / "remote").as_posix(),
        "alyx_url": replay.alyx_url,
        "files_url": replay.files_url,
        "password": replay.password,
        "hosts": _hosts(replay),
        "snippets": [{"mode": s.mode, "code": s.code} for s in snippets],
    }
    result: list[Outcome] = run_reference(python, REFERENCE_SCRIPT, payload, cwd=work, timeout=300)
    return result


class _Onesdk:
    """onesdk instances for each mode, built on first use."""

    def __init__(self, corpus: Path, replay: ReplayServer, work: Path) -> None:
        self.corpus = corpus
        self.replay = replay
        self.roots = {"local": work / "onesdk" / "local", "remote": work / "onesdk" / "remote"}
        self.instances: dict[str, Any] = {}
        self.base: dict[str, Any] = {"__name__": "workflow"}
        exec(PRELUDES["onesdk"], self.base)

    def instance(self, mode: str) -> Any:
        if mode not in self.instances:
            one_factory = self.base["ONE"]
            if mode == "local":
                build_cache_dir(self.corpus, "local", self.roots["local"])
                self.instances[mode] = one_factory(mode="local", cache_dir=self.roots["local"])
            else:
                self.instances[mode] = one_factory(
                    base_url=self.replay.alyx_url,
                    username="root",
                    password=self.replay.password,
                    silent=True,
                    cache_dir=self.roots["remote"],
                    mode="remote",
                    http_data_server=self.replay.files_url,
                )
        return self.instances[mode]

    def run(self, snippet: Snippet) -> Outcome:
        root = self.roots[snippet.mode]
        before = len(self.replay.unmatched)
        try:
            one = self.instance(snippet.mode)
            with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ns = dict(self.base, **IDENTITIES, one=one, root=root, tmp=Path(tmp))
                exec(snippet.code, ns)
                value = _normalise.norm(ns["result"], root.as_posix(), _hosts(self.replay))
            outcome: Outcome = {"value": value}
        except Exception as exc:  # an outcome to compare with the reference's
            outcome = {"error": type(exc).__name__, "message": str(exc)[:300]}
        unmatched = self.replay.unmatched[before:]
        if unmatched:
            outcome["unrecorded"] = unmatched
        return outcome

    def close(self) -> None:
        for one in self.instances.values():
            close = getattr(one, "close", None)
            if close is not None:
                close()


def run_onesdk(
    snippets: list[Snippet], corpus: Path, replay: ReplayServer, work: Path
) -> list[Outcome]:
    """Every snippet under onesdk, in this process."""
    runner = _Onesdk(corpus, replay, work)
    logging.getLogger("onesdk").setLevel(logging.ERROR)
    try:
        return [runner.run(s) for s in snippets]
    finally:
        runner.close()
