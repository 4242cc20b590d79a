"""tools/reliability-report renders the suite's JSON figures; check it on a small JSON."""

from __future__ import annotations

import json
from pathlib import Path

from onesdk_tools.reliability_report import main, render

from tests.reliability._report import Record, write


def _data(failed: int) -> dict[str, object]:
    record = Record()
    record.case("fuzz", "One.search", "ok", 3)
    record.case("fuzz", "One.search", "ArgumentError", 2)
    record.case("corrupt", "truncated npy", "LoadError")
    record.case("concurrency", "processes sharing one cache dir", "consistent", 4)
    record.note("concurrent saves", "24")
    data = record.to_json()
    data["tests"] = {"passed": 7, "failed": failed, "seconds": 1.5}
    return data


def test_the_report_lists_cases_and_outcomes_per_function() -> None:
    text = render(_data(failed=0), "ci")
    assert "| `One.search` | 5 | ArgumentError 2, ok 3 |" in text
    assert "| `processes sharing one cache dir` | 4 | consistent 4 |" in text
    assert "**PASS**" in text
    assert "concurrent saves: 24" in text


def test_a_run_with_failures_is_reported_as_failing(tmp_path: Path) -> None:
    source = tmp_path / "r.json"
    record = Record()
    record.case("fuzz", "alf.parse", "bug")
    write(record, source, failed=1, passed=0, seconds=0.1)
    out = tmp_path / "report.md"
    assert main(["--json", str(source), "--out", str(out)]) == 1
    assert "**FAIL**" in out.read_text(encoding="utf-8")
    assert json.loads(source.read_text(encoding="utf-8"))["tests"]["failed"] == 1
    assert "**FAIL**" in render(_data(failed=2), "nightly")


def test_the_report_states_each_bound_with_what_the_run_observed() -> None:
    record = Record()
    record.case("hostile", "a gzip bomb stops at the body bound", "passed")
    record.bound("decoded size of one Alyx answer", "64 MiB", "a 65 KiB bomb stopped")
    data = record.to_json()
    data["tests"] = {"passed": 1, "failed": 0, "seconds": 0.1}
    text = render(data, "ci")
    assert "## Hostile servers and disks" in text
    assert "| decoded size of one Alyx answer | 64 MiB | a 65 KiB bomb stopped |" in text
