"""Compare two Alyx OpenAPI schemas on the operations and fields our contract uses.

``tools/schema-diff OLD NEW`` reads two schemas (files, JSON or YAML, or an Alyx URL such as
``http://host/api/schema``) and reports, for every operation of ``schema/alyx-openapi.yaml``:
removed or renamed paths, removed parameters, new required parameters, removed and added
response fields, and type changes. It exits 1 when a change breaks our contract, so it can gate
a regeneration when Alyx changes (see docs/regenerating.md).

The schema walking here (``flatten``, ``signature``) is also what tests/contract/ uses to check
our contract against the served reference schema.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "schema" / "alyx-openapi.yaml"
METHODS = ("get", "put", "post", "patch", "delete")
MAX_DEPTH = 8

JSON = dict[str, Any]


# ---------------------------------------------------------------------------- loading


def load(source: str | Path) -> JSON:
    """A schema from a file (JSON or YAML) or from a URL (an Alyx ``/api/schema``)."""
    text = str(source)
    if text.startswith(("http://", "https://")):
        import httpx

        response = httpx.get(
            text,
            params={"format": "json"},
            headers={"Accept": "application/vnd.oai.openapi+json, application/json"},
            follow_redirects=True,
            timeout=60.0,
        )
        response.raise_for_status()
        body = response.text
    else:
        body = Path(text).read_text(encoding="utf-8")
    if body.lstrip().startswith("{"):
        loaded = json.loads(body)
    else:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loaded = yaml.load(body, Loader=loader)
    if not isinstance(loaded, dict) or "paths" not in loaded:
        raise ValueError(f"{source}: not an OpenAPI document (no paths)")
    return cast(JSON, loaded)


# ---------------------------------------------------------------------------- walking


def resolve(doc: JSON, node: object) -> JSON:
    """Follow local ``$ref`` (several hops) to the referenced node; other nodes unchanged."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported, got {ref}")
        target: object = doc
        for part in ref[2:].split("/"):
            if not isinstance(target, dict) or part not in target:
                raise KeyError(f"dangling reference {ref}")
            target = target[part]
        node = target
        seen += 1
        if seen > 20:
            raise ValueError(f"reference loop at {ref}")
    return cast(JSON, node) if isinstance(node, dict) else {}


def _merged(doc: JSON, schema: JSON) -> JSON:
    """``allOf`` members merged into one object schema (properties and required united)."""
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    merged: JSON = {k: v for k, v in schema.items() if k != "allOf"}
    properties: JSON = dict(merged.get("properties", {}))
    required: list[str] = list(merged.get("required", []))
    for part in parts:
        member = _merged(doc, resolve(doc, part))
        for key, value in member.items():
            if key == "properties":
                properties.update(value)
            elif key == "required":
                required += [r for r in value if r not in required]
            else:
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged


def node(doc: JSON, schema: object) -> JSON:
    """A schema node with references followed and ``allOf`` merged."""
    return _merged(doc, resolve(doc, schema))


def fixes_of(raw: object, doc: JSON) -> set[str]:
    """The ``x-onesdk-fix`` ids on a node, its reference target and its ``allOf`` members."""
    found: set[str] = set()
    current: object = raw
    for _ in range(20):
        if not isinstance(current, dict):
            break
        fix = current.get("x-onesdk-fix")
        if isinstance(fix, str):
            found.add(fix)
        elif isinstance(fix, list):
            found |= {str(f) for f in fix}
        for part in current.get("allOf", []) if isinstance(current.get("allOf"), list) else []:
            found |= fixes_of(part, doc)
        if "$ref" not in current:
            break
        current = resolve(doc, {"$ref": current["$ref"]})
    return found


_FORMATS = {"uuid", "date", "date-time", "binary"}


def signature(doc: JSON, schema: object) -> str:
    """A short type name: ``string``, ``string:uuid``, ``integer``, ``array<...>``, ``object``,
    ``any``; ``?`` at the end when nullable. Enums and string patterns are ignored."""
    raw = schema if isinstance(schema, dict) else {}
    nullable = bool(raw.get("nullable"))
    current = node(doc, raw)
    nullable = nullable or bool(current.get("nullable"))
    choices = current.get("oneOf") or current.get("anyOf")
    if isinstance(choices, list) and choices:
        members = {signature(doc, member).rstrip("?") for member in choices}
        nullable = nullable or any(signature(doc, m).endswith("?") for m in choices)
        # Django's blank=True: oneOf [a string, an empty string] is a string
        base = "string" if all(m.startswith("string") for m in members) else "oneOf"
        if base == "string" and len(members) == 1:
            base = members.pop()
    else:
        kind = current.get("type")
        if kind == "string":
            fmt = current.get("format")
            base = f"string:{fmt}" if fmt in _FORMATS else "string"
        elif kind == "array":
            base = f"array<{signature(doc, current.get('items', {})).rstrip('?')}>"
        elif kind == "object" or "properties" in current:
            base = "object"
        elif isinstance(kind, str):
            base = kind
        elif isinstance(current.get("enum"), list) and current["enum"]:
            # an enum without a type (drf-spectacular's BlankEnum): typed by its values
            kinds = {type(v).__name__ for v in current["enum"] if v is not None}
            base = {"str": "string", "int": "integer", "bool": "boolean"}.get(
                kinds.pop() if len(kinds) == 1 else "", "any"
            )
            nullable = nullable or None in current["enum"]
        else:
            base = "any"
    return base + ("?" if nullable else "")


def compatible(ours: str, reference: str) -> bool:
    """Whether a field typed ``ours`` in our contract fits what the reference declares.

    Equal types fit; ours may be narrower: a format the reference leaves open, a concrete type
    where the reference says ``any``, non-nullable where the reference allows null.
    """
    ours_null, ref_null = ours.endswith("?"), reference.endswith("?")
    ours_base, ref_base = ours.rstrip("?"), reference.rstrip("?")
    if ours_null and not ref_null:
        return False
    if ours_base == ref_base or ref_base == "any":
        return True
    if ref_base == "string" and ours_base.startswith("string:"):
        return True
    if ours_base.startswith("array<") and ref_base.startswith("array<"):
        return compatible(ours_base[6:-1], ref_base[6:-1])
    return False


@dataclass(frozen=True)
class Field:
    """One field of a response or request body, at a dotted path (``results[].id``)."""

    path: str
    signature: str
    fixes: frozenset[str]


def flatten(doc: JSON, schema: object, prefix: str = "") -> dict[str, Field]:
    """Every field below ``schema``, by path; arrays add ``[]``, nested objects a ``.``."""
    out: dict[str, Field] = {}

    def walk(raw: object, path: str, depth: int, inherited: frozenset[str]) -> None:
        if depth > MAX_DEPTH:
            return
        fixes = inherited | fixes_of(raw, doc)
        current = node(doc, raw)
        if path:
            out[path] = Field(path, signature(doc, raw), frozenset(fixes))
        if current.get("type") == "array" or "items" in current:
            walk(current.get("items", {}), f"{path}[]", depth + 1, frozenset(fixes))
            return
        for name, prop in (current.get("properties") or {}).items():
            walk(prop, f"{path}.{name}" if path else name, depth + 1, frozenset(fixes))

    walk(schema, prefix, 0, frozenset())
    return out


@dataclass(frozen=True)
class Operation:
    """One operation of a schema, reduced to what the comparisons need."""

    path: str
    method: str
    raw: JSON
    doc: JSON = field(repr=False)

    @property
    def operation_id(self) -> str:
        return str(self.raw.get("operationId", ""))

    def parameters(self) -> dict[tuple[str, str], JSON]:
        """(location, name) -> parameter, path-level parameters included."""
        found: dict[tuple[str, str], JSON] = {}
        path_item = cast(JSON, self.doc["paths"][self.path])
        for raw in [*path_item.get("parameters", []), *self.raw.get("parameters", [])]:
            param = resolve(self.doc, raw)
            found[(str(param.get("in")), str(param.get("name")))] = param
        return found

    def response(self, status: str) -> JSON | None:
        responses = cast(JSON, self.raw.get("responses", {}))
        if status not in responses:
            return None
        return resolve(self.doc, responses[status])

    def response_schema(self, status: str = "200") -> JSON | None:
        response = self.response(status)
        if response is None:
            return None
        for media, content in (response.get("content") or {}).items():
            if "json" in media:
                return cast(JSON, content.get("schema", {}))
        return None

    def body_schema(self) -> JSON | None:
        body = resolve(self.doc, self.raw.get("requestBody", {}))
        content = cast(JSON, body.get("content") or {})
        for media in ("application/x-www-form-urlencoded", "application/json"):
            if media in content:
                return cast(JSON, content[media].get("schema", {}))
        return next((cast(JSON, c.get("schema", {})) for c in content.values()), None)

    def response_fields(self) -> dict[str, Field]:
        schema = self.response_schema()
        return {} if schema is None else flatten(self.doc, schema)

    def body_fields(self) -> dict[str, Field]:
        schema = self.body_schema()
        return {} if schema is None else flatten(self.doc, schema)


def operations(doc: JSON) -> Iterator[Operation]:
    """Every operation of a schema, in document order."""
    for path, item in (doc.get("paths") or {}).items():
        for method in METHODS:
            if isinstance(item, dict) and method in item:
                yield Operation(path, method, cast(JSON, item[method]), doc)


def find(doc: JSON, path: str, method: str) -> Operation | None:
    item = (doc.get("paths") or {}).get(path)
    if not isinstance(item, dict) or method not in item:
        return None
    return Operation(path, method, cast(JSON, item[method]), doc)


# ---------------------------------------------------------------------------- diffing


@dataclass(frozen=True)
class Change:
    """One difference between OLD and NEW that concerns our contract."""

    kind: str
    where: str
    old: str
    new: str
    breaking: bool


def _renamed(old_op: Operation, new_doc: JSON) -> Operation | None:
    """The NEW operation that took over ``old_op``: same operationId, or same method and shape."""
    candidates = [op for op in operations(new_doc) if op.method == old_op.method]
    by_id = [op for op in candidates if op.operation_id and op.operation_id == old_op.operation_id]
    if by_id:
        return by_id[0]
    old_fields = set(old_op.response_fields())
    if not old_fields:
        return None
    for op in candidates:
        if find(old_op.doc, op.path, op.method) is None and set(op.response_fields()) == old_fields:
            return op
    return None


def diff(contract: JSON, old_doc: JSON, new_doc: JSON) -> list[Change]:
    """Changes from ``old_doc`` to ``new_doc`` that concern the operations of ``contract``."""
    changes: list[Change] = []
    for ours in operations(contract):
        label = f"{ours.method.upper()} {ours.path}"
        old_op = find(old_doc, ours.path, ours.method)
        if old_op is None:
            continue  # the contract adds it (a documented fix): OLD has nothing to lose
        new_op = find(new_doc, ours.path, ours.method)
        if new_op is None:
            moved = _renamed(old_op, new_doc)
            if moved is None:
                changes.append(Change("removed path", label, ours.path, "", True))
                continue
            changes.append(Change("renamed path", label, ours.path, moved.path, True))
            new_op = moved
        changes += _parameter_changes(label, ours, old_op, new_op)
        changes += _fields_changes(label, "", ours.response_fields(), old_op, new_op, body=False)
        changes += _fields_changes(label, "body ", ours.body_fields(), old_op, new_op, body=True)
    return changes


def _parameter_changes(
    label: str, ours: Operation, old_op: Operation, new_op: Operation
) -> list[Change]:
    changes: list[Change] = []
    old_params, new_params = old_op.parameters(), new_op.parameters()
    for key, param in ours.parameters().items():
        where = f"{label} {key[0]} parameter {key[1]}"
        if key not in old_params:
            continue
        if key not in new_params:
            changes.append(Change("removed parameter", where, key[1], "", True))
            continue
        old_sig = signature(old_op.doc, old_params[key].get("schema", {}))
        new_sig = signature(new_op.doc, new_params[key].get("schema", {}))
        if old_sig != new_sig:
            changes.append(Change("type change", where, old_sig, new_sig, True))
        del param
    for key, param in new_params.items():
        required = bool(param.get("required")) and key[0] != "path"
        was_required = bool(old_params.get(key, {}).get("required"))
        if required and not was_required:
            where = f"{label} {key[0]} parameter {key[1]}"
            changes.append(Change("new required parameter", where, "", key[1], True))
    return changes


def _fields_changes(
    label: str,
    prefix: str,
    ours: Mapping[str, Field],
    old_op: Operation,
    new_op: Operation,
    *,
    body: bool,
) -> list[Change]:
    changes: list[Change] = []
    old = old_op.body_fields() if body else old_op.response_fields()
    new = new_op.body_fields() if body else new_op.response_fields()
    for path in sorted(ours):
        if path not in old:
            continue
        where = f"{label} {prefix}field {path}"
        if path not in new:
            changes.append(Change("removed field", where, path, "", True))
            continue
        old_sig, new_sig, ours_sig = old[path].signature, new[path].signature, ours[path].signature
        if old_sig == new_sig:
            continue
        # breaking when what the server now sends no longer fits what our client reads (a
        # field that may now be null, a new type); a narrower type still fits
        breaking = not compatible(new_sig, ours_sig)
        changes.append(Change("type change", where, old_sig, new_sig, breaking))
    if body:
        old_required = set(_required(old_op.body_schema(), old_op.doc))
        for name in sorted(set(_required(new_op.body_schema(), new_op.doc)) - old_required):
            where = f"{label} {prefix}field {name}"
            changes.append(Change("new required field", where, "", name, True))
    # new fields in the objects our contract reads: harmless, but worth a look
    parents = {p.rsplit(".", 1)[0] if "." in p else "" for p in ours}
    for path in sorted(set(new) - set(old)):
        parent = path.rsplit(".", 1)[0] if "." in path else ""
        if parent in parents and not body:
            where = f"{label} {prefix}field {path}"
            changes.append(Change("added field", where, "", new[path].signature, False))
    return changes


def _required(schema: JSON | None, doc: JSON) -> list[str]:
    if schema is None:
        return []
    current = node(doc, schema)
    read_only = {
        name
        for name, prop in (current.get("properties") or {}).items()
        if node(doc, prop).get("readOnly")
    }
    return [str(r) for r in current.get("required", []) if r not in read_only]


# ---------------------------------------------------------------------------- command line


def render_table(changes: Sequence[Change]) -> str:
    """A plain-text table, one change a row, breaking ones marked."""
    if not changes:
        return "no changes to the operations and fields of the contract\n"
    rows = [("", "change", "where", "old", "new")]
    rows += [("!" if c.breaking else " ", c.kind, c.where, c.old, c.new) for c in changes]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    breaking = sum(c.breaking for c in changes)
    lines.append(f"\n{len(changes)} change(s), {breaking} breaking (marked !)")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/schema-diff", description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="the schema the client was generated against (file or URL)")
    parser.add_argument("new", help="the schema of the new Alyx (file or URL)")
    parser.add_argument("--json", action="store_true", help="print the changes as JSON")
    parser.add_argument(
        "--contract", default=str(CONTRACT), help="our contract (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    changes = diff(load(args.contract), load(args.old), load(args.new))
    if args.json:
        print(json.dumps([asdict(c) for c in changes], indent=2))
    else:
        sys.stdout.write(render_table(changes))
    return 1 if any(c.breaking for c in changes) else 0
