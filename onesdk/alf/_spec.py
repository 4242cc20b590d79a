"""Checks and builders over the ALF grammar: validity tests, UUID tests, regex and name building,
and the readable template of a full ALF path with the description of each part."""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

from onesdk_gen import alf as _gen

from onesdk._validate import instance, part_value, text_items
from onesdk.alf._parts import StrPath, posix_text
from onesdk.errors import ALFInvalid, ALFMissingExtension, ArgumentError

# The session grammar, ending at the end of the text (it may start anywhere).
_SESSION_AT_END = re.compile(_gen.SESSION_SEARCH_RE.pattern + r"\Z")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def regex(spec: str = _gen.FULL_SPEC, **patterns: str | None) -> re.Pattern[str]:
    """Compile an ALF template (e.g. ``FILE_SPEC``) with each ``{part}`` as a named group.

    Keyword arguments replace the default pattern of a part, e.g. ``regex(FILE_SPEC,
    object="trials")``; None keeps the default. An unknown part name raises ``ArgumentError``.
    """
    instance(spec, str, "spec", "an ALF template string")
    for name in patterns:
        if name not in _gen.PART_PATTERNS:
            raise ArgumentError(name, patterns[name], f"one of the parts {', '.join(_gen.PARTS)}")
    fields = {**_gen.PART_PATTERNS, **{k: v for k, v in patterns.items() if v is not None}}

    def named(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in fields:
            raise ArgumentError("spec", spec, f"placeholders among {', '.join(_gen.PARTS)}")
        return f"(?P<{name}>{fields[name]})"

    for name, pattern in patterns.items():
        part_value(pattern, name, wildcards=False)
    text = _PLACEHOLDER.sub(named, spec)
    try:
        return re.compile(text)
    except re.error as exc:
        raise ArgumentError("spec", spec, f"a template that compiles ({exc})") from None


def _readable_full_spec() -> tuple[str, dict[str, tuple[int, int]]]:
    """``FULL_SPEC`` without its regex syntax, and where each part's name sits in that text.

    The spans come from the placeholders themselves, not from searching the text, so a part whose
    name is inside another word (``subject`` in ``Subjects``) is still found in its own place.
    """

    def plain(piece: str) -> str:
        return "".join(c for c in piece if c not in "?*\\$")

    spec = _gen.FULL_SPEC.removesuffix("\\Z")
    text = ""
    spans: dict[str, tuple[int, int]] = {}
    end = 0
    for match in _PLACEHOLDER.finditer(spec):
        text += plain(spec[end : match.start()])
        spans[match.group(1)] = (len(text), len(text) + len(match.group(1)))
        text += match.group(1)
        end = match.end()
    return text + plain(spec[end:]), spans


_FULL_PATTERN, _PART_SPANS = _readable_full_spec()


def path_pattern() -> str:
    """The full ALF path template for reading, e.g. in documentation (optional parts bracketed)."""
    return _FULL_PATTERN


class _TextPrinter(Protocol):
    """What IPython's pretty printer offers ``_repr_pretty_`` (only ``text`` is used)."""

    def text(self, obj: str) -> object: ...


class AlfDescription(str):
    """Text that describes ALF parts; at the prompt or in a notebook it shows as the text itself.

    It is a ``str``: print it, log it, save it or put it in a widget. Its ``repr`` is the text,
    so ``describe(...)`` as the last line of a notebook cell reads as the documentation shows.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_pretty_(self, p: _TextPrinter, cycle: bool) -> None:
        p.text(str.__str__(self))


def describe(part: str | None = None, width: int = 99) -> AlfDescription:
    """The full ALF path template and the description of ``part`` (every part when None).

    For one part, a line of carets under the template marks where the part sits. Each
    description starts with the part's name in capitals and is wrapped at ``width`` characters
    (a word longer than ``width`` stays whole). Nothing is printed: the text is returned, and
    shows itself at the prompt and in notebooks, or with ``print``.

    Raises ``ArgumentError`` (a ``ValueError``) for a name that is not an ALF part, listing the
    parts and the closest one, or for a ``width`` that is not a positive int.

    >>> print(describe("number", width=40).splitlines()[3])
    NUMBER
    """
    if part is not None:
        instance(part, str, "part", "the name of an ALF part (str) or None")
        if part not in _PART_SPANS:
            close = difflib.get_close_matches(part, _gen.PARTS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ArgumentError("part", part, f"one of the ALF parts {', '.join(_gen.PARTS)}{hint}")
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ArgumentError("width", width, "a positive int (characters per line)")
    lines = [_FULL_PATTERN]
    if part is not None:
        start, end = _PART_SPANS[part]
        lines.append(" " * start + "^" * (end - start))
    for name in _gen.PARTS if part is None else (part,):
        lines += ["", name.upper(), *_wrapped(_gen.PART_DESCRIPTIONS[name], width)]
    return AlfDescription("\n".join(lines))


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` wrapped at ``width``, each of its own lines apart; words are never split."""
    return [
        line
        for paragraph in text.splitlines()
        for line in textwrap.wrap(paragraph, width, break_long_words=False, break_on_hyphens=False)
        or [""]
    ]


def is_valid(filename: str) -> bool:
    """True when ``filename`` is an ALF file name (``_ns_object.attribute_timescale.extra.ext``)."""
    return isinstance(filename, str) and _gen.FILENAME_RE.match(filename) is not None


def is_session_path(path_object: StrPath) -> bool:
    """True when the path ends with a session path (``[lab/Subjects/]subject/date/number``).

    Only the text is checked; nothing is read from disk. Trailing separators are ignored.
    """
    return _SESSION_AT_END.search(posix_text(path_object, "path_object").strip("/")) is not None


def is_uuid_text(value: object) -> bool:
    """True for a hyphenated 36-character UUID string of any version, in either case."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(UUID(value)) == value.lower()
    except ValueError:
        return False


def is_uuid_string(string: object) -> bool:
    """True for a canonical hyphenated lower-case UUID string of version 3, 4 or 5."""
    return isinstance(string, str) and is_uuid(string, (3, 4, 5)) and str(UUID(string)) == string


def is_uuid(uuid: object, versions: Iterable[int] = (4, 3)) -> bool:
    """True when ``uuid`` (UUID, str, bytes or int) is a UUID of one of ``versions``.

    Alyx makes version 4 UUIDs and cache tables built from files version 3 ones.
    """
    if not isinstance(versions, Iterable) or isinstance(versions, str | bytes):
        raise ArgumentError("versions", versions, "a list of UUID versions (ints)")
    if isinstance(uuid, bool):
        return False
    value: UUID
    if isinstance(uuid, UUID):
        value = uuid
    else:
        try:
            if isinstance(uuid, str):
                value = UUID(uuid)
            elif isinstance(uuid, bytes):
                value = UUID(bytes=uuid)
            elif isinstance(uuid, int):
                value = UUID(int=uuid)
            else:
                return False
        except ValueError:
            return False
    return value.version in tuple(versions)


def _dromedary(text: str) -> str:
    """camelCase from words separated by spaces or underscores; all-capital words stay."""

    def keep_or_capitalize(word: str) -> str:
        return word if re.fullmatch(r"[A-Z]+s?", word) else word.capitalize()

    if not text:
        return text
    first, *rest = re.split(r"[_\s]", text)
    if not rest:
        return first[:1].lower() + first[1:]
    first = first if re.fullmatch(r"[A-Z]+s?", first) else first.lower()
    return "".join([first, *map(keep_or_capitalize, rest)])


def readable_alf(name: str, capitalize: bool = False) -> str:
    """An object or attribute name split into lower-case words: ``sparseNoise`` -> ``sparse noise``.

    Acronyms stay in capitals (``someROIDataset`` -> ``some ROI dataset``).
    """
    instance(name, str, "name", "an object or attribute name (str)")
    words: list[str] = []
    start = 0
    for match in re.finditer(r"[A-Z](?=[a-rt-z0-9])|(?<=[a-z0-9])[A-Z]", name):
        words.append(name[start : match.start()])
        start = match.start()
    words.append(name[start:])
    text = " ".join(w if re.fullmatch(r"[A-Z]+s?", w) else w.lower() for w in words)
    return text[:1].upper() + text[1:] if capitalize else text


def to_alf(
    object: str,
    attribute: str,
    extension: str,
    namespace: str | None = None,
    timescale: str | Iterable[str] | None = None,
    extra: str | Iterable[str] | None = None,
) -> str:
    """Build an ALF file name from its parts, adding the separators.

    Object, attribute and timescale words are joined in camelCase (``wheel_moves`` ->
    ``wheelMoves``; a trailing ``_times``/``_intervals``/``_timestamps`` on the attribute stays).
    Raises ``ALFInvalid`` when a part contains a period or the namespace an underscore, and
    ``ALFMissingExtension`` (also a ``TypeError``, as in one-api) when the extension is empty.

    >>> to_alf("spikes", "times", "npy", namespace="ibl", timescale="ephysClock")
    '_ibl_spikes.times_ephysClock.npy'
    """
    for part, text in (("object", object), ("attribute", attribute), ("extension", extension)):
        instance(text, str, part, "a str")
    instance(namespace, (str, type(None)), "namespace", "a str or None")
    timescale = None if timescale is None else text_items(timescale, "timescale")
    extra = None if extra is None else text_items(extra, "extra")
    if not extension.removeprefix("."):
        raise ALFMissingExtension(extension, "extension: a file extension is required")
    extension = extension.removeprefix(".")
    timescales = [timescale] if isinstance(timescale, str) else list(timescale or ())
    for part, value in (
        ("object", object),
        ("attribute", attribute),
        ("namespace", namespace),
        ("extension", extension),
        *(("timescale", t) for t in timescales),
    ):
        if value is not None and "." in value:
            raise ALFInvalid(value, f"{part}: ALF parts must not contain a period")
    if namespace and "_" in namespace:
        raise ALFInvalid(namespace, "namespace: it must not contain underscores")
    if object.startswith("_"):
        raise ALFInvalid(object, "object: it must not start with '_'; pass namespace= instead")
    timescale_text = "_".join(_dromedary(t) for t in timescales if t)
    suffix = re.search(r"_(times|timestamps|intervals)$", attribute)
    cut = suffix.start() if suffix else len(attribute)
    attribute = _dromedary(attribute[:cut]) + attribute[cut:]
    extras = extra.split(".") if isinstance(extra, str) else list(extra or ())
    head = (f"_{namespace}_" if namespace else "") + _dromedary(object)
    middle = attribute + (f"_{timescale_text}" if timescale_text else "")
    return ".".join([head, middle, *extras, extension])
