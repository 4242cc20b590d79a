"""The reference's documented workflows give the same answers on onesdk (or a documented one).

Every snippet in ``snippets.py`` runs under one-api 3.6.1 (all in one subprocess) and under
onesdk, on the recorded corpus: local mode on a cache dir of the corpus tables and files,
remote mode against the loopback replay server. A snippet passes when both normalised results
are equal, or, for a row of docs/differences.md, when onesdk shows the documented behaviour.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.replay.server import ReplayServer
from tests.workflows import _normalise
from tests.workflows._harness import Outcome, run_one_api, run_onesdk
from tests.workflows.snippets import MODES, PRELUDES, SAME, SNIPPETS, Documented, Open, Snippet

pytestmark = [pytest.mark.reference, pytest.mark.shared]

Pair = tuple[Outcome, Outcome]  # (one-api, onesdk)


@pytest.fixture(scope="module")
def outcomes(
    shared_alyx: Path, reference_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Pair]:
    work = tmp_path_factory.mktemp("workflows")
    home = work / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp, ReplayServer(shared_alyx, lifetime=300.0) as replay:
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        mp.setenv("ONESDK_KEYRING", "0")
        for name in ("ONE_ALYX_USERNAME", "ONE_ALYX_PASSWORD", "ONE_REVISION_LAST_BEFORE"):
            mp.delenv(name, raising=False)
        replay.allow_unmatched = True  # each side's unrecorded requests are reported per snippet
        theirs = run_one_api(reference_python, SNIPPETS, shared_alyx, replay, work)
        ours = run_onesdk(SNIPPETS, shared_alyx, replay, work)
    return {s.name: (t, o) for s, t, o in zip(SNIPPETS, theirs, ours, strict=True)}


def _shown(outcome: Outcome) -> str:
    if "error" in outcome:
        return f"{outcome['error']}: {outcome.get('message', '')}"
    return repr(outcome["value"])[:1500]


def _plain(outcome: Outcome) -> Any:
    return {"error": outcome["error"]} if "error" in outcome else outcome["value"]


#: errors that say the snippet or the harness is broken, never an answer to compare
HARNESS_ERRORS = {"NameError", "SyntaxError", "ImportError", "JSONDecodeError"}

#: one-api error -> the onesdk error documented in its stead (docs/differences.md: `ref2eid` /
#: `ref2path` of an unknown session; remote `get_details(unknown eid)`)
EQUIVALENT_ERRORS = {
    ("AssertionError", "ALFObjectNotFound"),
    ("AttributeError", "ALFObjectNotFound"),
}


def _agree(theirs: Outcome, ours: Outcome) -> bool:
    """Equal values, or errors of the same kind (onesdk's error derives from the reference's
    class, or is the one documented in its stead)."""
    if "error" in theirs or "error" in ours:
        if "error" not in theirs or "error" not in ours:
            return False
        kind = theirs["error"]
        return kind in ours["mro"] or (kind, ours["error"]) in EQUIVALENT_ERRORS
    return _normalise.same(ours["value"], theirs["value"])


def _params() -> list[Any]:
    params = []
    for snippet in SNIPPETS:
        marks = []
        if isinstance(snippet.verdict, Open):
            marks.append(pytest.mark.xfail(strict=True, reason=snippet.verdict.reason))
        params.append(pytest.param(snippet, id=snippet.name, marks=marks))
    return params


@pytest.mark.parametrize("snippet", _params())
def test_documented_workflow_runs_as_on_one_api(
    snippet: Snippet, outcomes: dict[str, Pair]
) -> None:
    theirs, ours = outcomes[snippet.name]
    where = f"[{snippet.page}] {snippet.code}"
    assert "unrecorded" not in ours, f"{where}\nonesdk sent unrecorded requests: {ours}"
    for side, outcome in (("one-api", theirs), ("onesdk", ours)):
        assert outcome.get("error") not in HARNESS_ERRORS, f"{where}\n{side}: {_shown(outcome)}"
    verdict = snippet.verdict
    if verdict == SAME or isinstance(verdict, Open):
        assert _agree(theirs, ours), f"{where}\none-api: {_shown(theirs)}\nonesdk:  {_shown(ours)}"
        return
    assert isinstance(verdict, Documented)
    assert "error" not in ours, f"{where}\nonesdk: {_shown(ours)}"
    namespace = {"result": ours["value"], "theirs": _plain(theirs)}
    shown = f"one-api: {_shown(theirs)}\nonesdk:  {_shown(ours)}"
    assert eval(verdict.check, namespace), f"{where}\ndocumented as {verdict.row!r}\n{shown}"


def test_every_documented_workflow_difference_has_its_row() -> None:
    table = (ROOT / "docs" / "differences.md").read_text(encoding="utf-8")
    rows = {
        re.sub(r"\s+", " ", line.split("|")[1].strip())
        for line in table.splitlines()
        if line.startswith("|") and line.count("|") > 2
    }
    missing = sorted({s.verdict.row for s in SNIPPETS if isinstance(s.verdict, Documented)} - rows)
    assert not missing, f"rows missing from docs/differences.md: {missing}"


def test_the_workflows_cover_the_documented_calls() -> None:
    helpers = re.findall(r"\w+", PRELUDES["onesdk"].split("import", 2)[2])
    calls: set[str] = set()
    for snippet in SNIPPETS:
        calls |= set(re.findall(r"\.(\w+)\(", snippet.code))
        calls |= {h for h in helpers if re.search(rf"\b{h}\(", snippet.code)}
        calls |= set(re.findall(r"\b(?:path|one\.alyx)\.([a-z]\w+)\b(?!\()", snippet.code))
    calls -= {"astype", "exists", "get_level_values", "items", "keys", "mkdir", "split", "touch"}
    assert len(SNIPPETS) >= 150, len(SNIPPETS)
    assert len(calls) >= 80, sorted(calls)
    assert {s.mode for s in SNIPPETS} == set(MODES)
