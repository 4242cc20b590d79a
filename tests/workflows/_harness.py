"""Run every workflow snippet under one-api 3.6.1 (one subprocess) and under onesdk.

Both sides get the same cache layout (a fresh local cache dir each, built from symlinks into the
corpus) and talk to the same replay server for remote calls. Each outcome is either the
normalised ``result`` of the snippet or the name of the exception it raised.
"""

from __future__ import annotations

import concurrent.futures
import logging
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.local._corpus import build_cache_dir
from tests.reference import run_reference
from tests.replay.server import ALYX_HOST, FILES_HOST, ReplayServer
from tests.workflows import _normalise
from tests.workflows.snippets import IDENTITIES, MODES, PRELUDES, Snippet

Outcome = dict[str, Any]

# Runs in the one-api venv. The normaliser's source arrives in the payload, so both sides
# normalise with the same code.
REFERENCE_SCRIPT = r"""
import contextlib, io, json, logging, os, sys, tempfile, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)
payload = json.load(sys.stdin)
os.environ["HOME"] = payload["home"]  # one-api keeps ~/.one/.caches: one home per process
helpers = {"__name__": "workflow_normalise"}
exec(payload["normalise"], helpers)
base = {"__name__": "workflow"}
exec(payload["prelude"], base)
# iblutil hashes every loaded file with a fresh 256 MiB buffer, 0.6 s a file; the same code
# with a 1 MiB buffer gives the same digests
import iblutil.io.hashfile
iblutil.io.hashfile.BUF_SIZE = 1 << 20
ONE = base["ONE"]
instances = {}

def instance(mode, root):
    if mode not in instances:
        if mode == "local":
            instances[mode] = ONE(mode="local", cache_dir=root)
        else:
            one = ONE(base_url=payload["alyx_url"], username="root", password=payload["password"],
                      silent=True, cache_dir=payload["roots"][mode], mode="remote")
            one.alyx._par = one.alyx._par.set("HTTP_DATA_SERVER", payload["files_url"])
            instances[mode] = one
    return instances[mode]

out = []
for snippet in payload["snippets"]:
    mode = snippet["mode"]
    root = payload["roots"][mode]
    start = time.perf_counter()
    saved = {k: os.environ.get(k) for k, _ in snippet["env"]}
    os.environ.update(dict(snippet["env"]))
    if "ONE_REVISION_LAST_BEFORE" in os.environ:  # one-api reads it once, at import
        sys.modules["one.api"].REVISION_LAST_BEFORE = os.environ["ONE_REVISION_LAST_BEFORE"]
    try:
        one = instance(mode, root)
        with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
            ns = dict(base, **payload["identities"], one=one, root=Path(root), tmp=Path(tmp))
            exec(snippet["code"], ns)
            value = helpers["norm"](ns["result"], root, payload["hosts"])
        out.append({"value": value})
    except Exception as exc:
        out.append({"error": type(exc).__name__, "message": str(exc)[:300]})
    out[-1]["seconds"] = time.perf_counter() - start
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    sys.modules["one.api"].REVISION_LAST_BEFORE = os.environ.get("ONE_REVISION_LAST_BEFORE")
print(json.dumps(out))
"""


def _hosts(replay: ReplayServer) -> dict[str, str]:
    return {replay.alyx_url: ALYX_HOST, replay.files_url: FILES_HOST}


def run_one_api(
    python: Path, snippets: list[Snippet], corpus: Path, replay: ReplayServer, work: Path
) -> list[Outcome]:
    """Every snippet under one-api: local snippets in two subprocesses, remote ones in a third,
    run side by side."""
    local = build_cache_dir(corpus, "local", work / "one-api" / "local")
    base = {
        "normalise": Path(_normalise.__file__).read_text(encoding="utf-8"),
        "prelude": PRELUDES["one-api"],
        "identities": IDENTITIES,
        "roots": {m: (local if m == "local" else work / "one-api" / m).as_posix() for m in MODES},
        "alyx_url": replay.alyx_url,
        "files_url": replay.files_url,
        "password": replay.password,
        "hosts": _hosts(replay),
    }
    positions = list(range(len(snippets)))
    local_ones = [i for i in positions if snippets[i].mode == "local"]
    groups = [local_ones[0::2], local_ones[1::2], [i for i in positions if i not in local_ones]]

    def run(group: list[int]) -> list[Outcome]:
        home = work / "one-api" / f"home-{group[0] if group else 0}"
        home.mkdir(parents=True, exist_ok=True)
        payload = dict(base, home=home.as_posix(), snippets=[_wire(snippets[i]) for i in group])
        found: list[Outcome] = run_reference(
            python, REFERENCE_SCRIPT, payload, cwd=work, timeout=300
        )
        return found

    outcomes: dict[int, Outcome] = {}
    with concurrent.futures.ThreadPoolExecutor(len(groups)) as pool:
        for group, found in zip(groups, pool.map(run, groups), strict=True):
            outcomes.update(zip(group, found, strict=True))
    return [outcomes[i] for i in positions]


def _wire(snippet: Snippet) -> dict[str, Any]:
    return {"mode": snippet.mode, "code": snippet.code, "env": snippet.env}


class _Onesdk:
    """onesdk instances for each mode, built on first use."""

    def __init__(self, corpus: Path, replay: ReplayServer, work: Path) -> None:
        self.corpus = corpus
        self.replay = replay
        self.roots = {m: work / "onesdk" / m for m in MODES}
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
                    cache_dir=self.roots[mode],
                    mode="remote",
                    http_data_server=self.replay.files_url,
                )
        return self.instances[mode]

    def run(self, snippet: Snippet) -> Outcome:
        with pytest.MonkeyPatch.context() as mp:
            for key, value in snippet.env:
                mp.setenv(key, value)
            return self._run(snippet)

    def _run(self, snippet: Snippet) -> Outcome:
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
            outcome["mro"] = [cls.__name__ for cls in type(exc).__mro__]
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
    logger = logging.getLogger("onesdk")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return [runner.run(s) for s in snippets]
    finally:
        logger.setLevel(level)  # later tests capture onesdk's logs
        runner.close()
