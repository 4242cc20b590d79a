"""Static types of ``one.alyx.rest()``: checked by mypy --strict, and run against the replay server.

The calls are those of an analysis script (subjects, sessions, insertions, trajectories,
weighings, dataset types, a tag); ``assert_type`` makes mypy fail if any result widens to
``Any``, and a user script is type-checked with every ``Any`` expression forbidden and with a
misspelt endpoint, action, filter and body field, which must be rejected.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import assert_type

import pytest

import onesdk
from onesdk import alyx_types as t
from onesdk.errors import ContractError, UnknownTermError
from tests.conftest import ROOT
from tests.replay.fixtures import one_on_replay, replay

__all__ = ["one_on_replay", "replay"]

EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"


def test_rest_reads_are_typed_records(one: onesdk.OneAlyx) -> None:
    subjects = one.alyx.rest("subjects", "list", lab="cortexlab")
    assert_type(subjects, list[t.SubjectList])
    assert {s["nickname"] for s in subjects} == {"KS051", "KS052", "KS053", "KS054"}
    sessions = one.alyx.rest("sessions", "list", subject="KS052")
    assert_type(sessions, list[t.SessionListItem])
    assert all(s["subject"] == "KS052" for s in sessions)
    session = one.alyx.rest("sessions", "read", id=EID)
    assert_type(session, t.SessionDetail)
    assert session["id"] == EID
    assert_type(session["data_dataset_session_related"][0]["name"], str)
    dataset_type = one.alyx.rest("dataset-types", "read", id="trials.table", validate=True)
    assert_type(dataset_type, t.DatasetType)
    assert dataset_type["name"] == "trials.table"


def test_rest_with_validation_checks_every_record(one: onesdk.OneAlyx) -> None:
    insertions = one.alyx.rest("insertions", "list", subject="KS051", validate=True)
    assert_type(insertions, list[t.InsertionListItem])
    assert insertions
    assert all(i["session_info"]["subject"] == "KS051" for i in insertions)


def test_unknown_endpoint_action_and_filter_are_clear_errors(one: onesdk.OneAlyx) -> None:
    endpoint = r'REST endpoint "subjets" does not exist\. Did you mean "subjects"\?'
    with pytest.raises(UnknownTermError, match=endpoint):
        one.alyx.rest("subjets", "list")  # type: ignore[call-overload]
    action = r'Action "lst" of REST endpoint "subjects" does not exist'
    with pytest.raises(UnknownTermError, match=action):
        one.alyx.rest("subjects", "lst")  # type: ignore[call-overload]
    term = r'Filter "nicknam" of REST endpoint "subjects" does not exist\. Did you mean "nickname"'
    with pytest.raises(UnknownTermError, match=term):
        one.alyx.rest("subjects", "list", nicknam="KS051")  # type: ignore[call-overload]


def test_validation_names_the_field_of_a_body_outside_the_contract(one: onesdk.OneAlyx) -> None:
    bad: dict[str, object] = {"name": "x", "protected": "yes"}
    with pytest.raises(ContractError, match="protected: expected boolean"):
        one.alyx.rest("tags", "create", data=bad, validate=True)  # type: ignore[call-overload]


def analysis_types_only(one: onesdk.OneAlyx) -> None:
    """Checked by mypy only: these endpoints have no recorded answers to replay."""
    assert_type(one.alyx.rest("trajectories", "list", provenance="Histology track"),
                list[t.TrajectoryEstimate])  # fmt: skip
    assert_type(one.alyx.rest("weighings", "list", subject="KS051"), list[t.WeighingDetail])
    assert_type(one.alyx.rest("tags", "create", data={"name": "t1"}), t.Tag)
    assert_type(one.alyx.rest("weighings", "delete", id=EID), None)


USER_SCRIPT = """
import onesdk
from onesdk import alyx_types as t

one = onesdk.ONE(base_url="https://alyx.example.org", mode="remote")
subjects = one.alyx.rest("subjects", "list", lab="cortexlab", alive=True)
names = [s["nickname"] for s in subjects]
weights = [w["weight"] for w in one.alyx.rest("weighings", "list", subject=names[0])]
sessions = one.alyx.rest("sessions", "list", subject=names[0], date_range="2023-01-01,2023-12-31")
detail = one.alyx.rest("sessions", "read", id=sessions[0]["id"])
probes = one.alyx.rest("insertions", "list", session=detail["id"])
tracks = one.alyx.rest("trajectories", "list", probe_insertion=probes[0]["id"])
kind = one.alyx.rest("dataset-types", "read", id="trials.table")
tag = one.alyx.rest("tags", "create", data={"name": "my_tag", "description": "kept"})
print(sum(weights), detail["start_time"], tracks[0]["x"], kind["name"], tag["id"])
"""

MISTAKES = {
    'one.alyx.rest("subjets", "list")': "subjets",
    'one.alyx.rest("subjects", "lst")': "lst",
    'one.alyx.rest("subjects", "list", nicknam="x")': "nicknam",
    'one.alyx.rest("tags", "create", data={"nme": "x"})': "nme",
}


def _mypy(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "analysis.py"
    script.write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "mypy", "--strict", "--disallow-any-expr", "--no-incremental"]
    return subprocess.run(
        [*command, "--cache-dir", str(tmp_path / "cache"), str(script)],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=600,
    )  # fmt: skip


def test_analysis_script_sees_no_any_and_misspellings_are_rejected(tmp_path: Path) -> None:
    mistakes = "\n".join(MISTAKES)
    proc = _mypy(tmp_path, USER_SCRIPT + "\n" + mistakes + "\n")
    lines = USER_SCRIPT.count("\n") + 1
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    clean = [e for e in errors if int(e.split(":")[1]) <= lines]
    assert clean == [], proc.stdout
    flagged = {int(e.split(":")[1]) - lines - 1 for e in errors}
    assert flagged == set(range(len(MISTAKES))), proc.stdout
