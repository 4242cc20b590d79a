"""The Alyx contract at run time: the endpoint table and the optional validation of answers.

Both read ``onesdk_gen/alyx_contract.json``, which tools/regenerate writes from
schema/alyx-openapi.yaml beside the TypedDicts of ``onesdk_gen.alyx_types``. The file is read on
first use, never at ``import onesdk``.

:func:`check` walks a JSON value along a contract schema and raises :class:`ContractError`
naming the first field that does not fit (``results[3].subject: expected string, got null``).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, cast

from onesdk.errors import ContractError

__all__ = ["ACTION_ALIASES", "Contract", "Operation", "check", "contract"]

#: spellings the reference also accepts for an action
ACTION_ALIASES: Final = {"partial-update": "partial_update"}

Node = Mapping[str, object]


@dataclass(frozen=True)
class Operation:
    """One endpoint and action of the contract, as ``rest()`` sends it."""

    endpoint: str
    action: str
    method: str
    path: str
    summary: str
    filters: Mapping[str, Node]
    filter_help: Mapping[str, str]
    body: str | None
    answer: Node | None
    item: Node | None
    paginated: bool

    def url_path(self, key: str | None) -> str:
        """The request path, with the record's ``key`` in place of the path parameter."""
        if "{" not in self.path:
            return self.path
        if key is None:
            raise ValueError(f"{self.method} {self.path} needs a key")
        head, _, rest = self.path.partition("{")
        return head + key + rest.partition("}")[2]


@dataclass(frozen=True)
class Contract:
    """Every endpoint and action, and the component schemas of the Alyx contract."""

    version: str
    operations: Mapping[str, Mapping[str, Operation]]
    schemas: Mapping[str, Node]

    @property
    def endpoints(self) -> list[str]:
        return sorted(self.operations)

    def actions(self, endpoint: str) -> list[str]:
        return sorted(self.operations.get(endpoint, {}))


@functools.cache
def contract() -> Contract:
    """The generated contract table (read once)."""
    text = importlib.resources.files("onesdk_gen").joinpath("alyx_contract.json").read_text("utf-8")
    raw = cast(dict[str, object], json.loads(text))
    table = cast(dict[str, dict[str, dict[str, object]]], raw["endpoints"])
    operations = {
        endpoint: {
            action: Operation(
                endpoint=endpoint,
                action=action,
                method=str(entry["method"]),
                path=str(entry["path"]),
                summary=str(entry["summary"]),
                filters=cast(dict[str, Node], entry["filters"]),
                filter_help=cast(dict[str, str], entry["filter_help"]),
                body=cast("str | None", entry["body"]),
                answer=cast("Node | None", entry["answer"]),
                item=cast("Node | None", entry["item"]),
                paginated=bool(entry["paginated"]),
            )
            for action, entry in actions.items()
        }
        for endpoint, actions in table.items()
    }
    return Contract(str(raw["version"]), operations, cast(dict[str, Node], raw["schemas"]))


# ---------------------------------------------------------------------------- validation


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _fits(value: object, kind: str) -> bool:
    found = _kind(value)
    return found == kind or (kind == "number" and found == "integer")


def _nullable(node: Node, schemas: Mapping[str, Node]) -> bool:
    if node.get("nullable") or ("type" not in node and not _structured(node)):
        return True
    enum = node.get("enum")
    if isinstance(enum, list) and None in enum:
        return True
    ref = node.get("$ref")
    if isinstance(ref, str):
        return _nullable(schemas[ref], schemas)
    parts = node.get("oneOf") or node.get("anyOf") or node.get("allOf")
    if isinstance(parts, list):
        return any(_nullable(cast(Node, p), schemas) for p in parts)
    return False


def _structured(node: Node) -> bool:
    return any(k in node for k in ("$ref", "oneOf", "anyOf", "allOf", "enum", "properties"))


def _problem(value: object, node: Node, schemas: Mapping[str, Node], where: str) -> str | None:
    """The first misfit of ``value`` against ``node`` (``where: what``), or None."""
    if value is None:
        return None if _nullable(node, schemas) else f"{where or 'the answer'}: null not allowed"
    ref = node.get("$ref")
    if isinstance(ref, str):
        return _problem(value, schemas[ref], schemas, where)
    for key in ("oneOf", "anyOf"):
        choices = node.get(key)
        if isinstance(choices, list):
            found = [_problem(value, cast(Node, c), schemas, where) for c in choices]
            if all(found):
                return next(p for p in found if p)
            return None
    parts = node.get("allOf")
    if isinstance(parts, list):
        for part in parts:
            problem = _problem(value, cast(Node, part), schemas, where)
            if problem:
                return problem
    enum = node.get("enum")
    if isinstance(enum, list) and value not in enum:
        return f"{where or 'the answer'}: {value!r} is not one of {enum}"
    kind = node.get("type")
    if isinstance(kind, str) and not _fits(value, kind):
        return f"{where or 'the answer'}: expected {kind}, got {_kind(value)}"
    if isinstance(value, list):
        items = node.get("items")
        if isinstance(items, Mapping):
            for index, item in enumerate(value):
                problem = _problem(item, items, schemas, f"{where}[{index}]")
                if problem:
                    return problem
    if isinstance(value, dict):
        return _object_problem(value, node, schemas, where)
    return None


def _object_problem(
    value: Mapping[str, object], node: Node, schemas: Mapping[str, Node], where: str
) -> str | None:
    prefix = f"{where}." if where else ""
    properties = cast(Mapping[str, Node], node.get("properties") or {})
    for name in cast(Sequence[str], node.get("required") or ()):
        if name not in value and not properties.get(name, {}).get("writeOnly"):
            return f"{prefix}{name}: missing"
    extra = node.get("additionalProperties")
    for name, item in value.items():
        sub = properties.get(name)
        if sub is None:
            if extra is False:
                return f"{prefix}{name}: not a field of this record"
            if isinstance(extra, Mapping) and extra:
                sub = extra
            else:
                continue
        problem = _problem(item, sub, schemas, f"{prefix}{name}")
        if problem:
            return problem
    return None


def check(value: object, schema: Node | str, *, shown: str, table: Contract | None = None) -> None:
    """Raise :class:`ContractError` naming the first field of ``value`` outside ``schema``.

    ``schema`` is a contract schema node or a component name; ``shown`` names the request.
    """
    known = table if table is not None else contract()
    node: Node = {"$ref": schema} if isinstance(schema, str) else schema
    problem = _problem(value, node, known.schemas, "")
    if problem:
        raise ContractError(f"{shown}: the answer does not fit the Alyx contract: {problem}")
