"""The generators and the schema walker on small synthetic inputs (no reference corpus needed)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from onesdk_tools import gen_models, schema_diff


def _domain(**models: dict[str, Any]) -> dict[str, Any]:
    return {"x-onesdk-domain": models}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, "str"),
        ({"type": "string", "format": "uuid"}, "uuid.UUID"),
        ({"type": "string", "format": "date"}, "dt.date"),
        ({"type": "string", "format": "date-time"}, "dt.datetime"),
        ({"type": "integer"}, "int"),
        ({"type": "number"}, "float"),
        ({"type": "boolean"}, "bool"),
        ({"type": "array", "items": {"type": "string"}}, "list[str]"),
        ({"type": "object", "additionalProperties": True}, "dict[str, JsonValue]"),
        ({}, "JsonValue"),
        ({"x-onesdk-type": "QC"}, "QCField"),
        ({"$ref": "#/x-onesdk-domain/Session"}, "Session"),
    ],
)
def test_python_types(schema: dict[str, Any], expected: str) -> None:
    assert gen_models.python_type(schema, "here") == expected


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "format": "email"},
        {"type": "array"},
        {"type": "tuple"},
        {"$ref": "#/components/schemas/Session"},
    ],
)
def test_unsupported_schemas_are_refused(schema: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="here"):
        gen_models.python_type(schema, "here")


def test_optional_fields_need_a_default_or_null() -> None:
    spec = _domain(A={"required": [], "properties": {"x": {"type": "string"}}})
    with pytest.raises(ValueError, match=r"A\.x"):
        gen_models.render(spec)


def test_reference_cycles_and_unknown_models_are_refused() -> None:
    cycle = _domain(
        A={"properties": {"b": {"$ref": "#/x-onesdk-domain/B", "nullable": True}}},
        B={"properties": {"a": {"$ref": "#/x-onesdk-domain/A", "nullable": True}}},
    )
    with pytest.raises(ValueError, match="cycle"):
        gen_models.render(cycle)
    unknown = _domain(A={"properties": {"b": {"$ref": "#/x-onesdk-domain/Nope", "nullable": True}}})
    with pytest.raises(ValueError, match="Nope"):
        gen_models.render(unknown)


def test_rendering_orders_dependencies_first_and_required_fields_first() -> None:
    spec = _domain(
        Outer={
            "required": ["name"],
            "properties": {
                "inner": {"$ref": "#/x-onesdk-domain/Inner", "nullable": True},
                "name": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}, "default": []},
            },
        },
        Inner={
            "x-onesdk-cache-table": "inners",
            "required": ["id"],
            "properties": {"id": {"type": "integer", "x-onesdk-cache-column": "id"}},
        },
    )
    source = gen_models.render(spec)
    assert source == gen_models.render(copy.deepcopy(spec))
    assert source.index("class Inner(") < source.index("class Outer(")
    outer = source[source.index("class Outer(") :]
    assert outer.index("name: str") < outer.index("inner: Inner | None = None")
    assert "tags: list[str] = Field(default_factory=list)" in outer
    assert "'Inner': 'inners'" in source
    compiled = compile(source, "models.py", "exec")
    assert compiled is not None


# ---------------------------------------------------------------------------- schema walking

DOC: dict[str, Any] = {
    "paths": {},
    "components": {
        "schemas": {
            "Base": {
                "type": "object",
                "properties": {"id": {"type": "string", "format": "uuid"}},
                "required": ["id"],
            },
            "Blank": {
                "oneOf": [{"type": "string", "pattern": "^x$"}, {"type": "string", "maxLength": 0}]
            },
            "Child": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"type": "object", "properties": {"n": {"type": "integer", "nullable": True}}},
                ]
            },
        }
    },
}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"$ref": "#/components/schemas/Blank"}, "string"),
        ({"$ref": "#/components/schemas/Child"}, "object"),
        ({"type": "integer", "nullable": True}, "integer?"),
        ({"type": "string", "format": "uri"}, "string"),
        ({"type": "array", "items": {"$ref": "#/components/schemas/Base"}}, "array<object>"),
        ({"nullable": True}, "any?"),
        ({"allOf": [{"$ref": "#/components/schemas/Base"}]}, "object"),
    ],
)
def test_signatures(schema: dict[str, Any], expected: str) -> None:
    assert schema_diff.signature(DOC, schema) == expected


def test_flatten_merges_all_of_and_follows_arrays() -> None:
    fields = schema_diff.flatten(
        DOC, {"type": "array", "items": {"$ref": "#/components/schemas/Child"}}
    )
    assert fields["[].id"].signature == "string:uuid"
    assert fields["[].n"].signature == "integer?"


@pytest.mark.parametrize(
    ("ours", "served", "fits"),
    [
        ("string", "string", True),
        ("string:uuid", "string", True),
        ("string", "string:uuid", False),
        ("integer", "string", False),
        ("integer?", "integer", False),
        ("integer", "integer?", True),
        ("object", "any", True),
        ("array<string:uuid>", "array<string>", True),
        ("array<object>", "string", False),
    ],
)
def test_compatibility(ours: str, served: str, fits: bool) -> None:
    assert schema_diff.compatible(ours, served) is fits


def _api(field_type: dict[str, Any], *, extra_param: bool = False) -> dict[str, Any]:
    params: list[dict[str, Any]] = [{"in": "query", "name": "q", "schema": {"type": "string"}}]
    if extra_param:
        params.append({"in": "query", "name": "must", "required": True, "schema": {}})
    return {
        "paths": {
            "/things": {
                "get": {
                    "operationId": "things_list",
                    "parameters": params,
                    "responses": {
                        "200": {
                            "description": "",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "size": field_type,
                                            "name": {"type": "string"},
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            }
        }
    }


def test_diff_on_a_tiny_api() -> None:
    contract = _api({"type": "integer"})
    old = _api({"type": "integer"})
    assert schema_diff.diff(contract, old, copy.deepcopy(old)) == []
    new = _api({"type": "string"}, extra_param=True)
    kinds = {(c.kind, c.breaking) for c in schema_diff.diff(contract, old, new)}
    assert kinds == {("type change", True), ("new required parameter", True)}
    table = schema_diff.render_table(schema_diff.diff(contract, old, new))
    assert "2 change(s), 2 breaking" in table


def test_aliases_become_read_only_properties() -> None:
    spec = _domain(
        A={
            "x-onesdk-aliases": {"session": "eid"},
            "required": ["eid"],
            "properties": {"eid": {"type": "string", "format": "uuid"}},
        }
    )
    source = gen_models.render(spec)
    assert "def session(self) -> uuid.UUID:" in source
    bad = _domain(A={"x-onesdk-aliases": {"x": "nope"}, "properties": {}})
    with pytest.raises(ValueError, match="nope"):
        gen_models.render(bad)


def test_enums_without_a_type_are_typed_by_their_values() -> None:
    assert schema_diff.signature(DOC, {"enum": [""]}) == "string"
    assert schema_diff.signature(DOC, {"enum": [1, 2, None]}) == "integer?"
    both = {"oneOf": [{"type": "string", "enum": ["F", "M"]}, {"enum": [""]}]}
    assert schema_diff.signature(DOC, both) == "string"


def test_optional_qc_fields_must_be_nullable() -> None:
    spec = _domain(A={"required": [], "properties": {"qc": {"x-onesdk-type": "QC"}}})
    with pytest.raises(ValueError, match=r"A\.qc"):
        gen_models.render(spec)
