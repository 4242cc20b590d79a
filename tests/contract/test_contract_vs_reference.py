"""Every operation, parameter and field of our contract exists in the served Alyx 3.6.1 schema
with a compatible type, or is marked as a documented fix (``x-onesdk-fix``)."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from onesdk_tools import schema_diff
from onesdk_tools.gen_models import domain_models

from tests.contract.conftest import CONTRACT_PATH

pytestmark = pytest.mark.shared


def _documented(contract: dict[str, Any]) -> set[str]:
    return set(contract["x-onesdk-fixes"])


def _used_fixes(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        fix = node.get("x-onesdk-fix")
        if isinstance(fix, str):
            found.add(fix)
        for value in node.values():
            found |= _used_fixes(value)
    elif isinstance(node, list):
        for value in node:
            found |= _used_fixes(value)
    return found


def test_every_fix_marker_is_documented_and_every_documented_fix_used(
    contract: dict[str, Any],
) -> None:
    used = _used_fixes(contract)
    assert used, "the contract marks no fix at all"
    assert used <= _documented(contract), f"undocumented fix ids: {used - _documented(contract)}"
    assert _documented(contract) <= used, f"documented but unused: {_documented(contract) - used}"


def test_every_operation_exists_in_the_reference(
    contract: dict[str, Any], reference: dict[str, Any]
) -> None:
    problems = []
    for ours in schema_diff.operations(contract):
        missing = schema_diff.find(reference, ours.path, ours.method) is None
        if missing and not schema_diff.fixes_of(ours.raw, contract):
            problems.append(f"{ours.method.upper()} {ours.path}")
    assert not problems, f"operations missing from the reference without a fix: {problems}"


def test_every_served_path_and_operation_is_in_the_contract(
    contract: dict[str, Any], reference: dict[str, Any]
) -> None:
    served = {(op.path, op.method) for op in schema_diff.operations(reference)}
    ours = {(op.path, op.method) for op in schema_diff.operations(contract)}
    assert len(served) == 181
    assert served - ours == set()


def test_every_parameter_exists_with_a_compatible_type(
    contract: dict[str, Any], reference: dict[str, Any]
) -> None:
    problems = []
    checked = 0
    for ours in schema_diff.operations(contract):
        theirs = schema_diff.find(reference, ours.path, ours.method)
        if theirs is None:
            continue
        their_params = theirs.parameters()
        for key, param in ours.parameters().items():
            fixed = bool(schema_diff.fixes_of(param, contract))
            where = f"{ours.method.upper()} {ours.path} {key}"
            if key not in their_params:
                if not fixed:
                    problems.append(f"{where}: not in the reference")
                continue
            mine = schema_diff.signature(contract, param.get("schema", {}))
            served = schema_diff.signature(reference, their_params[key].get("schema", {}))
            checked += 1
            if not schema_diff.compatible(mine, served) and not fixed:
                problems.append(f"{where}: {mine} vs served {served}")
    assert checked > 50
    assert not problems, "\n".join(problems)


def test_every_response_field_exists_with_a_compatible_type(
    contract: dict[str, Any], reference: dict[str, Any]
) -> None:
    problems = []
    checked = 0
    for ours in schema_diff.operations(contract):
        theirs = schema_diff.find(reference, ours.path, ours.method)
        if theirs is None:
            continue
        served = theirs.response_fields()
        for path, mine in ours.response_fields().items():
            where = f"{ours.method.upper()} {ours.path} {path}"
            if path not in served:
                if not mine.fixes:
                    problems.append(f"{where}: not in the reference")
                continue
            checked += 1
            fits = schema_diff.compatible(mine.signature, served[path].signature)
            if not fits and not mine.fixes:
                problems.append(f"{where}: {mine.signature} vs {served[path].signature}")
    assert checked > 200
    assert not problems, "\n".join(problems)


def test_error_responses_are_documented_fixes(
    contract: dict[str, Any], reference: dict[str, Any]
) -> None:
    problems = []
    for ours in schema_diff.operations(contract):
        theirs = schema_diff.find(reference, ours.path, ours.method)
        for status in ours.raw.get("responses", {}):
            if theirs is not None and theirs.response(status) is not None:
                continue
            raw = ours.raw["responses"][status]
            if not schema_diff.fixes_of(raw, contract) and not schema_diff.fixes_of(
                ours.raw, contract
            ):
                problems.append(f"{ours.method.upper()} {ours.path} {status}")
    assert not problems, f"responses absent from the reference without a fix: {problems}"


def test_domain_fields_read_wire_fields_of_the_contract(contract: dict[str, Any]) -> None:
    components = contract["components"]["schemas"]
    problems = []
    for model, schema in domain_models(contract).items():
        properties = cast(dict[str, dict[str, Any]], schema.get("properties", {}))
        for name, prop in properties.items():
            for source in prop.get("x-onesdk-from", []):
                component, _, field = source.partition(".")
                merged = schema_diff.node(contract, components.get(component, {}))
                if field not in merged.get("properties", {}):
                    problems.append(f"{model}.{name} <- {source}")
    assert not problems, f"x-onesdk-from names unknown wire fields: {problems}"


def test_every_fix_marker_has_a_comment_naming_it() -> None:
    """Next to each `x-onesdk-fix: <id>` a `# Fix (<id>...` comment says what was wrong."""
    lines = CONTRACT_PATH.read_text(encoding="utf-8").splitlines()
    missing = []
    for number, line in enumerate(lines):
        match = re.fullmatch(r"\s*x-onesdk-fix: ([a-z-]+)", line)
        if match is None:
            continue
        before = [text.strip() for text in lines[max(0, number - 10) : number]]
        if not any(text.startswith(f"# Fix ({match.group(1)}") for text in before):
            missing.append(f"line {number + 1}: {match.group(1)}")
    assert not missing, missing
