"""tools/schema-diff: the reference against itself is quiet; each planted change is found."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from onesdk_tools import schema_diff

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.shared


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _mutated(reference: dict[str, Any]) -> dict[str, Any]:
    """The reference with one change of every kind planted."""
    doc = copy.deepcopy(reference)
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    del paths["/tags/{name}"]  # removed path
    paths["/laboratories"] = paths.pop("/labs")  # renamed path (same operationId)
    del schemas["SessionList"]["properties"]["subject"]  # removed field
    schemas["Dataset"]["properties"]["file_size"] = {"type": "string"}  # type change
    schemas["Revision"]["properties"]["description"]["nullable"] = True  # may now be null
    schemas["Tag"]["properties"]["colour"] = {"type": "string"}  # added field
    paths["/datasets"]["get"]["parameters"].append(
        {"in": "query", "name": "project", "required": True, "schema": {"type": "string"}}
    )  # new required parameter
    schemas["AuthToken"]["required"].append("otp")  # new required body field
    schemas["AuthToken"]["properties"]["otp"] = {"type": "string", "writeOnly": True}
    for param in paths["/insertions"]["get"]["parameters"]:
        if param["name"] == "model":
            param["schema"] = {"type": "integer"}  # parameter type change
    paths["/sessions"]["get"]["parameters"] = [
        p for p in paths["/sessions"]["get"]["parameters"] if p["name"] != "date_range"
    ]  # removed parameter
    return doc


def test_reference_against_itself_is_empty(
    contract: dict[str, Any], reference: dict[str, Any]
) -> None:
    assert schema_diff.diff(contract, reference, copy.deepcopy(reference)) == []


def test_served_yaml_and_json_agree(contract: dict[str, Any], shared_alyx: Path) -> None:
    old = schema_diff.load(shared_alyx / "openapi-3.6.1.json")
    new = schema_diff.load(shared_alyx / "openapi-3.6.1.yaml")
    assert schema_diff.diff(contract, old, new) == []


def test_every_planted_change_is_found(contract: dict[str, Any], reference: dict[str, Any]) -> None:
    changes = schema_diff.diff(contract, reference, _mutated(reference))
    found = {(c.kind, c.where, c.breaking) for c in changes}
    expected = {
        ("removed path", "GET /tags/{name}", True),
        ("renamed path", "GET /labs", True),
        ("removed field", "GET /sessions field results[].subject", True),
        ("removed field", "GET /insertions/{id} field session_info.subject", True),
        ("type change", "GET /datasets field results[].file_size", True),
        ("type change", "GET /datasets/{id} field file_size", True),
        ("type change", "GET /revisions/{name} field description", True),
        ("added field", "GET /tags field results[].colour", False),
        ("new required parameter", "GET /datasets query parameter project", True),
        ("type change", "GET /insertions query parameter model", True),
        ("removed parameter", "GET /sessions query parameter date_range", True),
        ("new required field", "POST /auth-token body field otp", True),
    }
    assert expected <= found, f"missed: {expected - found}"
    renamed = next(c for c in changes if c.kind == "renamed path")
    assert renamed.new == "/laboratories"


def test_only_nullability_of_a_nullable_field_is_not_breaking(
    contract: dict[str, Any], reference: dict[str, Any]
) -> None:
    doc = copy.deepcopy(reference)
    # our contract already declares SessionDetail.end_time nullable: dropping null is harmless
    doc["components"]["schemas"]["SessionDetail"]["properties"]["end_time"].pop("nullable")
    changes = schema_diff.diff(contract, reference, doc)
    assert changes
    assert not any(c.breaking for c in changes)


def test_changes_beyond_the_endpoints_one_calls_are_found_too(
    contract: dict[str, Any], reference: dict[str, Any]
) -> None:
    """The contract covers every served endpoint, so a change to any of them is reported."""
    doc = copy.deepcopy(reference)
    del doc["paths"]["/water-type"]
    del doc["components"]["schemas"]["WeighingDetail"]["properties"]["weight"]
    found = {(c.kind, c.where, c.breaking) for c in schema_diff.diff(contract, reference, doc)}
    assert ("removed path", "GET /water-type", True) in found
    assert ("removed path", "POST /water-type", True) in found
    assert ("removed field", "GET /weighings field results[].weight", True) in found
    assert ("removed field", "GET /weighings/{id} field weight", True) in found


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "tools" / "schema-diff"), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def test_command_exit_status_table_and_json(reference_path: Path, tmp_path: Path) -> None:
    same = _run(str(reference_path), str(reference_path))
    assert same.returncode == 0, same.stderr
    assert "no changes" in same.stdout
    reference = schema_diff.load(reference_path)
    mutated = _write(tmp_path / "new.json", _mutated(reference))
    table = _run(str(reference_path), str(mutated))
    assert table.returncode == 1
    assert "removed path" in table.stdout
    assert "breaking" in table.stdout
    as_json = _run("--json", str(reference_path), str(mutated))
    assert as_json.returncode == 1
    rows = json.loads(as_json.stdout)
    assert {"kind", "where", "old", "new", "breaking"} <= set(rows[0])
    assert any(r["kind"] == "added field" and not r["breaking"] for r in rows)


def test_additive_change_exits_zero(reference_path: Path, tmp_path: Path) -> None:
    doc = schema_diff.load(reference_path)
    doc["components"]["schemas"]["Tag"]["properties"]["colour"] = {"type": "string"}
    result = _run(str(reference_path), str(_write(tmp_path / "new.json", doc)))
    assert result.returncode == 0, result.stdout
    assert "added field" in result.stdout


def test_new_schema_can_be_fetched_from_a_server(reference_path: Path) -> None:
    """NEW given as an Alyx URL is fetched over HTTP (here a loopback server)."""
    body = reference_path.read_bytes()
    requests: list[str] = []

    class Schema(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            del format, args

        def do_GET(self) -> None:
            requests.append(self.path)
            ok = self.path.startswith("/api/schema")
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/vnd.oai.openapi+json")
            self.send_header("Content-Length", str(len(body) if ok else 0))
            self.end_headers()
            if ok:
                self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Schema)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/api/schema"
        result = _run(str(reference_path), url)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no changes" in result.stdout
    assert requests == ["/api/schema?format=json"]


def test_a_server_that_starts_sending_what_we_read_is_not_breaking(
    contract: dict[str, Any], reference: dict[str, Any]
) -> None:
    """Alyx fixing a defect our contract already works around is reported, not breaking."""
    doc = copy.deepcopy(reference)
    doc["components"]["schemas"]["Dataset"]["properties"]["experiment_number"] = {
        "type": "integer",
        "nullable": True,
        "readOnly": True,
    }
    changes = schema_diff.diff(contract, reference, doc)
    assert {(c.kind, c.old, c.new, c.breaking) for c in changes} == {
        ("type change", "string", "integer?", False)
    }
