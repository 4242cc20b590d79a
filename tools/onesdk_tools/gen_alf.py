"""Generate ``onesdk_gen/alf.py`` from ``schema/alf-spec.yaml``.

The spec holds the ALF grammar as data (part patterns, templates, QC levels, loader extensions,
object vocabulary); this generator turns it into stdlib-only Python: compiled regexes, the ``QC``
enum and the named results of the parsers. It emits data and code shapes only: the logic over
them (``AlfPath``, ``ALFPath``) is hand-written in ``onesdk.alf``. Output depends on nothing but
the spec text, so regeneration is byte-for-byte reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

GENERATOR_VERSION = "2"
SPEC_FILE = "alf-spec.yaml"
OUTPUT = Path("onesdk_gen") / "alf.py"

# Order of the parts in every parser result (the reference's order).
PART_ORDER = (
    "lab",
    "subject",
    "date",
    "number",
    "collection",
    "revision",
    "namespace",
    "object",
    "attribute",
    "timescale",
    "extra",
    "extension",
)
BUILDING_BLOCKS = ("session", "collection", "filename")
COMPOSED = ("rel_path", "folder", "full_path", "exp_ref")
# public templates that end with a file name: anchored at the end ("a.b.npy (copy)" is no name)
ANCHORED = frozenset({"filename", "rel_path", "full_path"})
# parser result name -> template it parses
RESULT_KINDS = {
    "Session": "session",
    "Folder": "folder",
    "Filename": "filename",
    "RelPath": "rel_path",
    "FullPath": "full_path",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_INSERT = re.compile(r"<(\w+)>")


class SpecError(ValueError):
    """The spec file itself is malformed (names the key at fault)."""


@dataclass(frozen=True)
class Part:
    name: str
    pattern: str
    alone: str
    rule: str
    description: str
    example: str


@dataclass(frozen=True)
class Spec:
    version: int
    parts: dict[str, Part]
    templates: dict[str, str]
    qc: list[tuple[str, int, str]]
    loaders: dict[str, tuple[str, str]]
    objects: dict[str, tuple[str, tuple[str, ...]]]


def _str(mapping: Mapping[str, object], key: str, where: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise SpecError(f"{where}.{key}: expected a string, got {value!r}")
    return str(value)


def _mapping(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise SpecError(f"{where}: expected a mapping with string keys")
    return {str(k): v for k, v in value.items()}


def load_spec(path: Path) -> Spec:
    """Read and check the spec: every part, template and QC level the generator needs."""
    raw = _mapping(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    version = raw.get("version")
    if not isinstance(version, int):
        raise SpecError("version: expected an integer")
    parts: dict[str, Part] = {}
    raw_parts = _mapping(raw.get("parts"), "parts")
    for name in PART_ORDER:
        entry = _mapping(raw_parts.get(name), f"parts.{name}")
        pattern = _str(entry, "pattern", f"parts.{name}")
        alone = _str(entry, "alone", f"parts.{name}") if "alone" in entry else pattern
        for text in (pattern, alone):
            try:
                re.compile(text)
            except re.error as exc:
                raise SpecError(f"parts.{name}: bad pattern {text!r}: {exc}") from exc
        parts[name] = Part(
            name,
            pattern,
            alone,
            _str(entry, "rule", f"parts.{name}"),
            _str(entry, "description", f"parts.{name}"),
            _str(entry, "example", f"parts.{name}"),
        )
    if unknown := sorted(set(raw_parts) - set(PART_ORDER)):
        raise SpecError(f"parts: unknown part(s) {unknown}")
    raw_templates = _mapping(raw.get("templates"), "templates")
    templates = {key: _str(raw_templates, key, "templates") for key in BUILDING_BLOCKS + COMPOSED}
    qc = []
    for name, qc_entry in _mapping(raw.get("qc"), "qc").items():
        fields = _mapping(qc_entry, f"qc.{name}")
        value = fields.get("value")
        if not isinstance(value, int) or not name.isidentifier() or not name.isupper():
            raise SpecError(f"qc.{name}: expected an UPPER_CASE name with an integer value")
        qc.append((name, value, _str(fields, "description", f"qc.{name}")))
    loaders = {}
    for ext, loader_entry in _mapping(raw.get("loaders"), "loaders").items():
        fields = _mapping(loader_entry, f"loaders.{ext}")
        loaders[ext] = (
            _str(fields, "format", f"loaders.{ext}"),
            _str(fields, "description", f"loaders.{ext}"),
        )
    objects = {}
    for obj, object_entry in _mapping(raw.get("objects"), "objects").items():
        fields = _mapping(object_entry, f"objects.{obj}")
        attributes = fields.get("attributes", [])
        if not isinstance(attributes, list) or not all(isinstance(a, str) for a in attributes):
            raise SpecError(f"objects.{obj}.attributes: expected a list of strings")
        objects[obj] = (_str(fields, "description", f"objects.{obj}"), tuple(attributes))
    return Spec(version, parts, templates, qc, loaders, objects)


def expand(spec: Spec, key: str) -> str:
    """A template with every ``<name>`` insertion replaced by that template's text."""
    text = spec.templates[key]
    for _ in range(10):
        if not _INSERT.search(text):
            return text
        text = _INSERT.sub(lambda m: spec.templates[m.group(1)], text)
    raise SpecError(f"templates.{key}: insertions nest too deep")


def to_regex(spec: Spec, template: str) -> str:
    """A template with each ``{part}`` replaced by the part pattern as a named group."""
    return _PLACEHOLDER.sub(
        lambda m: f"(?P<{m.group(1)}>{spec.parts[m.group(1)].pattern})", template
    )


def readable(template: str) -> str:
    """A template for people: optional pieces in [brackets], repeatable ones marked '...'.

    ``_?{namespace}?_?{object}`` reads ``[_namespace_]object``.
    """
    text = template.replace("(?:", "(").replace("\\", "")
    text = re.sub(r"\{(\w+)\}\?", r"[\1]", text)
    text = re.sub(r"(?<![\w)])_\?", "[_]", text)
    out: list[str] = []
    opened: list[int] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "(":
            opened.append(len(out))
            out.append("(")
        elif char == ")":
            start = opened.pop()
            mark = text[i + 1 : i + 2]
            if mark in ("?", "*"):
                out[start] = "["
                out.append("...]" if mark == "*" else "]")
                i += 1
            else:
                out.append(")")
        else:
            out.append(char)
        i += 1
    text = "".join(out).replace("{", "").replace("}", "")
    return re.sub(r"\[_\]\[(\w+)\]\[_\]", r"[_\1_]", text)


def placeholders(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)


def optional_parts(template: str) -> set[str]:
    """Placeholders that may be absent: inside a group quantified by ? or *, or followed by ?."""
    optional: set[str] = set()
    stack: list[list[str]] = [[]]
    i = 0
    while i < len(template):
        char = template[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            stack.append([])
        elif char == ")":
            inner = stack.pop()
            if template[i + 1 : i + 2] in ("?", "*"):
                optional.update(inner)
            stack[-1].extend(inner)
        elif char == "{" and (m := _PLACEHOLDER.match(template, i)):
            name = m.group(1)
            if template[m.end() : m.end() + 1] in ("?", "*"):
                optional.add(name)
            stack[-1].append(name)
            i = m.end()
            continue
        i += 1
    return optional


def _lit(value: object) -> str:
    return repr(value)


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        self.lines.extend(text.split("\n") if text else [""])

    def block(self, lines: Sequence[str]) -> None:
        self.lines.extend(lines)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines).rstrip("\n") + "\n"


def _mapping_literal(name: str, value_type: str, items: Sequence[tuple[str, str]]) -> list[str]:
    out = [f"{name}: Final[Mapping[str, {value_type}]] = MappingProxyType({{"]
    out += [f"    {_lit(k)}: {v}," for k, v in items]
    out.append("})")
    return out


def render(spec: Spec, spec_name: str = SPEC_FILE) -> str:
    """The complete text of ``onesdk_gen/alf.py``."""
    w = _Writer()
    w(
        f"# Generated by tools/regenerate: do not edit. Input: schema/{spec_name} "
        f"(ALF spec version {spec.version}). Generator: onesdk_tools.gen_alf {GENERATOR_VERSION}."
    )
    w('"""The ALF grammar as data: part patterns, templates, compiled regexes, QC, parser results.')
    w("")
    w("Generated from the ALF spec; stdlib only. Regexes here are the single compiled form of the")
    w("grammar; the logic over them (AlfPath, ALFPath, the parsers) is hand-written in onesdk.alf.")
    w('"""')
    w("")
    w("from __future__ import annotations")
    w("")
    w("import enum")
    w("import re")
    w("from collections.abc import Mapping")
    w("from types import MappingProxyType")
    w("from typing import Final, NamedTuple, TypedDict")
    w("")
    w(f"SPEC_VERSION: Final = {spec.version}")
    w(f"GENERATOR_VERSION: Final = {_lit(GENERATOR_VERSION)}")
    w(f"PARTS: Final[tuple[str, ...]] = {_lit(PART_ORDER)}")
    w('"""Every ALF part, in path order."""')
    w("")
    parts = [spec.parts[name] for name in PART_ORDER]
    w.block(_mapping_literal("PART_PATTERNS", "str", [(p.name, _lit(p.pattern)) for p in parts]))
    w('"""How each part is matched inside a name or path (regex fragment)."""')
    w("")
    w.block(
        _mapping_literal("PART_ALONE_PATTERNS", "str", [(p.name, _lit(p.alone)) for p in parts])
    )
    w('"""How one value of each part is checked on its own (regex fragment)."""')
    w("")
    w.block(_mapping_literal("PART_RULES", "str", [(p.name, _lit(p.rule)) for p in parts]))
    w('"""The character rule of each part, in words (used in error messages)."""')
    w("")
    w.block(
        _mapping_literal("PART_DESCRIPTIONS", "str", [(p.name, _lit(p.description)) for p in parts])
    )
    w("")
    w.block(_mapping_literal("PART_EXAMPLES", "str", [(p.name, _lit(p.example)) for p in parts]))
    w("")
    w("# Templates: {part} placeholders; parentheses and ? mark the optional pieces.")
    spec_names = {
        "session": "SESSION_SPEC",
        "collection": "COLLECTION_SPEC",
        "filename": "FILE_SPEC",
        "rel_path": "REL_PATH_SPEC",
        "folder": "FOLDER_SPEC",
        "full_path": "FULL_SPEC",
        "exp_ref": "EXP_REF_SPEC",
    }
    for key, const in spec_names.items():
        # a template that ends in a file name ends at the end of the text, as the reference's do
        end = r"\Z" if key in ANCHORED else ""
        w(f"{const}: Final = {_lit(expand(spec, key) + end)}")
    w("")
    w("READABLE: Final[Mapping[str, str]] = MappingProxyType({")
    for key in spec_names:
        w(f"    {_lit(key)}: {_lit(readable(expand(spec, key)))},")
    w("})")
    w('"""Each template for people: optional pieces in [brackets], repeatable ones with "..."."""')
    w("")
    w("# Compiled forms. Anchoring is part of the name: *_SEARCH_RE are unanchored (use .search),")
    w("# the others must be used with .match and end at the end of the text.")
    w(f"SESSION_SEARCH_RE: Final = re.compile({_lit(to_regex(spec, expand(spec, 'session')))})")
    w(f"FOLDER_SEARCH_RE: Final = re.compile({_lit(to_regex(spec, expand(spec, 'folder')))})")
    end = r"\Z"
    for const, key in (
        ("FILENAME_RE", "filename"),
        ("REL_PATH_RE", "rel_path"),
        ("COLLECTION_FOLDERS_RE", "collection"),
        ("EXP_REF_RE", "exp_ref"),
    ):
        w(f"{const}: Final = re.compile({_lit(to_regex(spec, expand(spec, key)) + end)})")
    w("# A session path that starts and ends a folder, anywhere in a path (use .search).")
    bounded = r"(?<![^/])" + to_regex(spec, expand(spec, "session")) + r"(?![^/])"
    w(f"SESSION_FOLDERS_RE: Final = re.compile({_lit(bounded)})")
    w("# A folder path: any root ending at a separator, then session, collection and revision.")
    rooted = r"(?P<root>.*?)(?<![^/])" + to_regex(spec, expand(spec, "folder")) + r"\Z"
    w(f"ROOTED_FOLDER_RE: Final = re.compile({_lit(rooted)}, re.DOTALL)")
    w("PART_RE: Final[Mapping[str, re.Pattern[str]]] = MappingProxyType({")
    for p in parts:
        w(f"    {_lit(p.name)}: re.compile({_lit(p.alone)}),")
    w("})")
    w('"""Per-part patterns for one value on its own: use with .fullmatch."""')
    w("")
    _render_error(w)
    _render_qc(w, spec)
    _render_vocabulary(w, spec)
    _render_results(w, spec)
    return w.text()


def _render_error(w: _Writer) -> None:
    w("")
    w("class AlfSpecError(ValueError):")
    w('    """A value breaking the ALF grammar; ``value`` is the input, ``rule`` what it broke."""')
    w("")
    w("    def __init__(self, value: object, rule: str) -> None:")
    w("        self.value = value")
    w("        self.rule = rule")
    w('        super().__init__(f"{value!r} is not a valid ALF {rule}")')
    w("")


def _render_qc(w: _Writer, spec: Spec) -> None:
    w("")
    w("class QC(enum.IntEnum):")
    w('    """Quality-control outcome of a dataset or session; values order by severity."""')
    w("")
    for name, value, description in sorted(spec.qc, key=lambda item: item[1]):
        w(f"    {name} = {value}")
        w(f"    {_lit(description)}")
    names = ", ".join(name for name, _, _ in sorted(spec.qc, key=lambda item: item[1]))
    w("")
    w("    @classmethod")
    w("    def parse(cls, value: int | str | QC) -> QC:")
    w('        """The level for a QC, its integer value, or its name (any case) or digits."""')
    w("        if isinstance(value, cls):")
    w("            return value")
    w("        if isinstance(value, str):")
    w("            if value.isascii() and value.isdigit():")
    w("                return cls._from_int(int(value), value)")
    w("            member = cls.__members__.get(value.upper())")
    w("            if member is None:")
    w(f"                raise AlfSpecError(value, {_lit('QC level: expected one of ' + names)})")
    w("            return member")
    w("        if isinstance(value, bool) or not isinstance(value, int):")
    w(
        "            raise AlfSpecError(value, "
        f"{_lit('QC level: expected a QC, an int or one of ' + names)})"
    )
    w("        return cls._from_int(value, value)")
    w("")
    w("    @classmethod")
    w("    def validate(cls, value: int | str | QC) -> QC:")
    w('        """Alias of :meth:`parse`, the name the reference uses."""')
    w("        return cls.parse(value)")
    w("")
    w("    @classmethod")
    w("    def _from_int(cls, number: int, value: object) -> QC:")
    w("        try:")
    w("            return cls(number)")
    w("        except ValueError:")
    values = ", ".join(str(v) for _, v, _ in sorted(spec.qc, key=lambda item: item[1]))
    rule = _lit("QC level: expected one of the values " + values)
    w(f"            raise AlfSpecError(value, {rule}) from None")
    w("")
    w("")
    w(
        "QC_DESCRIPTIONS: Final[Mapping[QC, str]] = MappingProxyType({"
        + ", ".join(f"QC.{name}: {_lit(d)}" for name, _, d in spec.qc)
        + "})"
    )
    w("")


def _render_vocabulary(w: _Writer, spec: Spec) -> None:
    w.block(
        _mapping_literal(
            "LOADER_FORMATS", "str", [(ext, _lit(fmt)) for ext, (fmt, _) in spec.loaders.items()]
        )
    )
    w('"""File extension (no period) -> the format it is loaded as."""')
    w("")
    w.block(
        _mapping_literal(
            "LOADER_DESCRIPTIONS",
            "str",
            [(ext, _lit(desc)) for ext, (_, desc) in spec.loaders.items()],
        )
    )
    w("")
    w.block(
        _mapping_literal(
            "OBJECTS", "str", [(obj, _lit(desc)) for obj, (desc, _) in spec.objects.items()]
        )
    )
    w('"""Well-known ALF objects and what one row of each stands for."""')
    w("")
    w.block(
        _mapping_literal(
            "OBJECT_ATTRIBUTES",
            "tuple[str, ...]",
            [(obj, _lit(attrs)) for obj, (_, attrs) in spec.objects.items()],
        )
    )
    w('"""Attributes users commonly load for each well-known object."""')
    w("")


def _render_results(w: _Writer, spec: Spec) -> None:
    for kind, key in RESULT_KINDS.items():
        template = expand(spec, key)
        names = [n for n in PART_ORDER if n in placeholders(template)]
        # a full path may be only a file name or only a folder: every part can be absent
        optional = set(names) if key == "full_path" else optional_parts(template)
        shown = template.replace("\\", "")
        w("")
        w(f"class {kind}Parts(NamedTuple):")
        w(f'    """Parts of a parsed {key.replace("_", " ")}: {shown}"""')
        w("")
        for name in names:
            w(f"    {name}: {'str | None' if name in optional else 'str'}")
        w("")
        w("")
        w(f"class {kind}PartsDict(TypedDict):")
        w(f'    """:class:`{kind}Parts` as a dict (``as_dict=True``)."""')
        w("")
        for name in names:
            w(f"    {name}: {'str | None' if name in optional else 'str'}")
        w("")
        if optional == set(names):
            continue
        w("")
        w(f"class Empty{kind}Parts(NamedTuple):")
        w(f'    """What an unparsable {key.replace("_", " ")} gives when not asserted valid."""')
        w("")
        for name in names:
            w(f"    {name}: None = None")
        w("")
        w("")
        w(f"class Empty{kind}PartsDict(TypedDict):")
        w(f'    """:class:`Empty{kind}Parts` as a dict."""')
        w("")
        for name in names:
            w(f"    {name}: None")
        w("")


def generate(schema_dir: Path, out_dir: Path) -> None:
    """Generator entry point for tools/regenerate."""
    spec = load_spec(schema_dir / SPEC_FILE)
    target = out_dir / OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(spec), encoding="utf-8")
