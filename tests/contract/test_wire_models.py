"""Every recorded response body of a wire-client operation parses into the generated wire models.

Strict: a body must survive ``from_dict`` then ``to_dict`` unchanged, so no field is dropped,
renamed or retyped on the way. Models whose schema allows extra keys by design are listed in
FREE_FORM, with the reason.
"""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path
from typing import Any, Protocol, cast

import pytest
from onesdk_tools import schema_diff

from tests.contract._corpus import exchanges, template_of

pytestmark = pytest.mark.shared

MODELS = "onesdk_gen.alyx_client.models"


class WireModel(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def _model_class(contract: dict[str, Any], schema: dict[str, Any]) -> Any:
    ref = schema.get("$ref")
    assert isinstance(ref, str), f"response schemas are components, got {schema}"
    name = ref.rsplit("/", 1)[-1]
    return getattr(importlib.import_module(MODELS), name)


def _parse(contract: dict[str, Any], op: schema_diff.Operation, status: int, body: object) -> Any:
    schema = op.response_schema(str(status))
    assert schema is not None, f"{op.path} {status}: no JSON body in the contract"
    return _model_class(contract, schema).from_dict(body)


def test_every_recorded_json_response_round_trips(
    contract: dict[str, Any], shared_alyx: Path
) -> None:
    wire = set(contract["x-onesdk-wire-client"])
    ops = {
        (op.path, op.method): op
        for op in schema_diff.operations(contract)
        if op.raw["operationId"] in wire
    }
    templates = sorted({path for path, _ in ops})
    parsed: Counter[str] = Counter()
    for exchange in exchanges(shared_alyx):
        template = template_of(exchange.path, templates)
        op = ops.get((template or "", exchange.method.lower()))
        if op is None:
            continue
        where = f"{exchange.id} {exchange.method} {exchange.path} -> {exchange.status}"
        declared = op.response(str(exchange.status))
        assert declared is not None, f"{where}: status not in the contract"
        if op.response_schema(str(exchange.status)) is None:
            continue  # declared without a JSON body (e.g. 302)
        model = cast(WireModel, _parse(contract, op, exchange.status, exchange.body))
        assert model.to_dict() == exchange.body, f"{where}: body changed by a round trip"
        parsed[f"{template} {exchange.status}"] += 1
    assert parsed["/sessions 200"] > 50
    assert parsed["/sessions/{id} 200"] > 5
    assert parsed["/datasets 200"] > 10
    assert parsed["/insertions/{id} 200"] > 0
    assert parsed["/cache/info/ 200"] > 0
    assert parsed["/cache/info/{tag}/ 200"] > 0
    assert sum(n for key, n in parsed.items() if not key.endswith(" 200")) > 5, "no error bodies"


# Wire models whose schema takes any extra key, and why.
FREE_FORM = {
    "ValidationErrorBody": "a 400 body maps each offending field name to its messages",
    "CacheInfoTables": "cache_info.json names its tables",
}


def test_generated_models_keep_extra_keys_only_where_the_contract_says(
    contract: dict[str, Any],
) -> None:
    models = importlib.import_module(MODELS)
    schemas = contract["components"]["schemas"]
    for name in models.__all__:
        cls = getattr(models, name)
        if not hasattr(cls, "additional_properties"):
            continue  # enums
        component = schemas.get(name)
        if component is None or name in FREE_FORM:
            continue  # nested free-form objects (json, extended_qc, ...) and the listed ones
        assert component.get("additionalProperties") in (None, False), name
