"""pytest plugin loaded by ``tools/reference-suite`` into each run of the reference's tests.

It makes the reference's ``one/tests`` package importable as ``one.tests`` beside whichever
``one`` is first on ``sys.path`` (one-api itself, or the name-mapping shim), puts the test-only
helper packages (``iblutil``, ``requests``) after everything else on ``sys.path``, and records the
outcome of every test as JSON for the runner to compare.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import pytest

ONE_DIR_ENV = "ONESDK_REFSUITE_ONE_DIR"
HELPERS_ENV = "ONESDK_REFSUITE_HELPERS"
REPORT_ENV = "ONESDK_REFSUITE_REPORT"

_RANK = {"passed": 0, "skipped": 1, "failed": 2}
_outcomes: dict[str, dict[str, str]] = {}
_collect_errors: dict[str, str] = {}


def _message(report: pytest.TestReport | pytest.CollectReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = getattr(crash, "message", None)
    if isinstance(text, str):
        return text.splitlines()[0] if text else ""
    if isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        return str(report.longrepr[-1])
    lines = str(report.longrepr).strip().splitlines()
    return lines[-1] if lines else ""


def pytest_configure(config: pytest.Config) -> None:
    for helper in filter(None, os.environ.get(HELPERS_ENV, "").split(os.pathsep)):
        if helper not in sys.path:
            sys.path.append(helper)
    one_dir = os.environ.get(ONE_DIR_ENV)
    if one_dir:
        one = importlib.import_module("one")
        one.__path__.append(one_dir)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _collect_errors[report.nodeid] = _message(report)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # a passed setup or teardown says nothing of the test; any failure does
    outcome = report.outcome if report.when == "call" or report.outcome != "passed" else "passed"
    previous = _outcomes.get(report.nodeid)
    if previous is None or _RANK[outcome] > _RANK[previous["outcome"]]:
        message = _message(report) if outcome != "passed" else ""
        _outcomes[report.nodeid] = {"outcome": outcome, "message": message}


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get(REPORT_ENV)
    if target:
        payload = {"tests": _outcomes, "collect_errors": _collect_errors}
        Path(target).write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
