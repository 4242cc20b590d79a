"""The query model shared by every backend: what a search or a dataset listing asks for.

A :class:`SessionQuery` or :class:`DatasetQuery` holds validated, normalised filters; a backend
only translates it (Arrow compute on the local cache, REST filters on Alyx). Matching rules:

* session text fields (``subject``, ``lab``, ``task_protocol``, ``projects``): partial match;
  with ``regex=True`` every value is a regular expression searched anywhere in the field,
  otherwise a plain substring; several values are alternatives (OR);
* ``datasets``: every name must be matched in full (as a regular expression) by the file name of
  an existing dataset of the session whose QC is at most ``dataset_qc_lte`` (AND over names);
* dataset paths (``filename``, ``collection``, ``revision``): shell wildcards when
  ``wildcards=True``, else regular expressions, matched against the ALF relative path.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from onesdk._cache._schema import QC_NAMES, qc_code
from onesdk._validate import date_value
from onesdk.alf import PART_ALONE_PATTERNS, PART_PATTERNS
from onesdk.alf._path import split_revision
from onesdk.errors import ArgumentError

__all__ = [
    "FILENAME_PARTS",
    "DatasetQuery",
    "FilenameFilter",
    "SessionQuery",
    "as_date_range",
    "compile_rel_path_pattern",
    "split_rel_path",
]

#: the ALF filename parts a ``filename`` dict may constrain
FILENAME_PARTS = ("namespace", "object", "attribute", "timescale", "extra", "extension")

#: the fragment each part of a rel path matches by default, from the ALF grammar: the in-name
#: fragments, but the lone ones for the namespace and the attribute, whose in-name fragments
#: look around them. The pattern runs on RE2 (no lookaround) when it holds user regexes
#: (wildcards off); the spec below writes their context instead: a namespace follows a leading
#: '_', an attribute is always followed by '_' or '.'.
_DEFAULT_PART = {
    **{part: PART_PATTERNS[part] for part in ("collection", "revision", *FILENAME_PARTS)},
    **{part: PART_ALONE_PATTERNS[part] for part in ("namespace", "attribute")},
}

PartValue = str | Sequence[str] | None
FilenameFilter = str | Sequence[str] | Mapping[str, PartValue] | None


def _values(value: PartValue) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def split_rel_path(rel_path: str) -> tuple[str, str, str]:
    """``collection/#revision#/name`` -> (collection, revision, name); absent parts are ''."""
    revision, rest = split_revision(rel_path)  # the ALF grammar's revision folder
    collection, _, name = rest.rpartition("/")
    return collection, revision or "", name


# --------------------------------------------------------------------------------------------
# revisions


def choose_revisions(
    groups: Sequence[Sequence[int]],
    revisions: Sequence[str],
    defaults: Sequence[bool | None],
    revision: str | None,
    *,
    assert_unique: bool = False,
    labels: Sequence[str] | None = None,
) -> tuple[list[int], list[str]]:
    """The one member of each group to read (positions), and notes for the log.

    Each group holds the revisions of one dataset (``revisions[i]``, '' for none). With
    ``revision`` given: the last revision at or before it (none when all are later). Without:
    the member flagged default, else the only member, else the last revision (with a note);
    several flagged members raise :class:`ALFMultipleRevisionsFound` when ``assert_unique``.
    This is the one rule for loads, listings of aggregates and ``ONE_REVISION_LAST_BEFORE``.
    """
    from onesdk.errors import ALFMultipleRevisionsFound

    has_default = any(d is not None for d in defaults)
    keep: list[int] = []
    notes: list[str] = []
    for members in groups:
        label = labels[members[0]] if labels is not None else str(members[0])
        chosen: int | None
        if revision is None:
            flagged = [i for i in members if defaults[i]]
            if has_default and len(flagged) > 1 and assert_unique:
                names = ", ".join(f'"{revisions[i]}"' for i in flagged)
                raise ALFMultipleRevisionsFound(f"{label}: several default revisions ({names})")
            if has_default and len(flagged) == 1:
                chosen = flagged[0]
            elif len(members) == 1:
                chosen = members[0]
            else:
                notes.append(f"no default revision for {label}; using the last")
                chosen = max(members, key=lambda i: revisions[i])
        else:
            before = [i for i in members if revisions[i] <= revision]
            chosen = max(before, key=lambda i: revisions[i]) if before else None
        if chosen is not None:
            keep.append(chosen)
    keep.sort()
    return keep, notes


# --------------------------------------------------------------------------------------------
# sessions


def _to_date(value: object, argument: str) -> dt.date | None:
    return None if value is None else date_value(value, argument)


def as_date_range(value: object) -> tuple[dt.date | None, dt.date | None]:
    """A (start, end) pair, both inclusive, ``None`` meaning open; one date means that day."""
    if isinstance(value, str | dt.date):
        day = _to_date(value, "date_range")
        return day, day
    if isinstance(value, Iterable):
        items = list(value)
        if len(items) == 1:
            return _to_date(items[0], "date_range"), None
        if len(items) == 2:
            return _to_date(items[0], "date_range"), _to_date(items[1], "date_range")
    raise ArgumentError(
        "date_range", value, "a date, or a list of one or two dates (None for an open bound)"
    )


def _text_values(name: str, value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if (
        isinstance(items, Mapping)  # a dict iterates over its keys: never a list of patterns
        or not isinstance(items, Iterable)
        or not all(isinstance(v, str) for v in items)
    ):
        raise ArgumentError(name, value, "a string or a list of strings")
    return tuple(str(v) for v in items)


@dataclass(frozen=True)
class SessionQuery:
    """Filters on sessions; every given filter must hold (AND), values within one are ORed."""

    subject: tuple[str, ...] | None = None
    lab: tuple[str, ...] | None = None
    task_protocol: tuple[str, ...] | None = None
    projects: tuple[str, ...] | None = None
    date_range: tuple[dt.date | None, dt.date | None] | None = None
    number: tuple[int, ...] | None = None
    datasets: tuple[str, ...] | None = None
    #: QC code (position in QC_NAMES) the matched datasets must not exceed
    dataset_qc_lte: int | None = None
    #: session text filters are regular expressions (else plain substrings)
    regex: bool = True
    #: filters only a server can apply (``performance_gte``, ``tag``, ``django``...), as given;
    #: a query holding any can only be answered by a server
    server_only: tuple[tuple[str, object], ...] = ()
    #: ``dataset_qc_lte`` as the caller wrote it, for a server to receive verbatim (``40`` stays
    #: ``'40'``, as one-api sends it); the same level either way, so it takes no part in equality
    qc_as_given: str | None = field(default=None, compare=False)

    @classmethod
    def build(cls, *, regex: bool = True, **filters: object) -> SessionQuery:
        """Validate raw filter values (one-api spellings; ``lab`` for ``laboratory``)."""
        values: dict[str, object] = {"regex": regex}
        for name, value in filters.items():
            if value is None:
                continue
            if name in ("subject", "lab", "task_protocol", "projects") or name == "datasets":
                values[name] = _text_values(name, value)
            elif name == "date_range":
                values[name] = as_date_range(value)
            elif name == "number":
                from onesdk._validate import session_numbers

                values[name] = session_numbers(value)
            elif name == "dataset_qc_lte":
                values[name] = qc_code(value, argument="dataset_qc_lte")
            else:
                raise ArgumentError(name, value, "a session filter")
        query = cls(**values)  # type: ignore[arg-type]
        for name in ("subject", "lab", "task_protocol", "projects", "datasets"):
            for pattern in getattr(query, name) or ():
                if regex or name == "datasets":
                    _compile(pattern, name)
        return query

    def text_pattern(self, name: str) -> re.Pattern[str] | None:
        """The compiled matcher of a text filter (``search``-ed anywhere in the field)."""
        values: tuple[str, ...] | None = getattr(self, name)
        if values is None:
            return None
        if self.regex:
            return _compile("|".join(values), name)
        return _compile("|".join(map(re.escape, values)), name)

    def dataset_patterns(self) -> list[re.Pattern[str]]:
        """One full-match pattern per required dataset name."""
        return [_compile(v, "datasets") for v in self.datasets or ()]


def _compile(pattern: str, argument: str) -> re.Pattern[str]:
    """A user pattern on the linear-time engine (see :mod:`onesdk._repo._regex`)."""
    from onesdk._repo._regex import compile_user_pattern

    return compile_user_pattern(pattern, argument)


# --------------------------------------------------------------------------------------------
# datasets


def _glob(pattern: str) -> str:
    """Shell pattern -> regex without the end anchor (the caller anchors)."""
    return re.sub(r"\\[Zz]$", "", fnmatch.translate(pattern))


def _alternatives(values: tuple[str, ...], wildcards: bool) -> str:
    return "|".join(_glob(v) if wildcards else v for v in values)


def _named(name: str, pattern: str) -> str:
    return f"(?P<{name}>{pattern})"


def compile_rel_path_pattern(
    filename: FilenameFilter = None,
    collection: PartValue = None,
    revision: PartValue = None,
    *,
    wildcards: bool = True,
    match_revision: bool = True,
) -> re.Pattern[str]:
    """The regular expression a dataset's relative path must match (from its start).

    ``None`` matches anything (including an absent part); ``''`` matches only an absent
    collection/revision. With ``match_revision=False`` the revision is left free (it is resolved
    afterwards, see :func:`onesdk._repo._parquet.resolve_revisions`).
    """
    parts: dict[str, str] = {}
    spec = ""
    collections = _values(collection)
    if collections is None:
        spec += "(?:{collection}/)?"
    elif collections != ("",):
        spec += "{collection}/"
        parts["collection"] = _alternatives(collections, wildcards)
    revisions = _values(revision) if match_revision else None
    if revisions is None:
        spec += "(?:#{revision}#/)?"
    elif revisions != ("",):
        spec += "#{revision}#/"
        parts["revision"] = _alternatives(revisions, wildcards)
    if filename is None:
        filename = {}  # no name filter: still an ALF file name (no sub-collection)
    if isinstance(filename, Mapping):
        unknown = set(filename) - set(FILENAME_PARTS)
        if unknown:
            raise ArgumentError(
                "filename",
                dict(filename),
                f"a dict with keys among {', '.join(FILENAME_PARTS)}",
            )
        given = {k: _values(v) for k, v in filename.items()}
        # namespace, timescale and extra are optional unless constrained
        namespace = "(?:_{namespace}?)?_?"  # a namespace only after a leading '_'
        if given.get("namespace") is not None:
            namespace = "_?{namespace}_?"
        timescale = "_{timescale}" if given.get("timescale") is not None else "(?:_{timescale})?"
        extra = "\\.{extra}" if given.get("extra") is not None else "(?:\\.{extra})*"
        spec += namespace + "{object}\\.{attribute}" + timescale + extra + "\\.{extension}$"
        for key, values in given.items():
            if values is not None:
                parts[key] = _alternatives(values, wildcards)
    else:
        names = _values(filename) or ()
        if wildcards:
            # a leading '*' must not swallow the collection: it stops at '/'
            alts = [re.sub(r"^(\(\?s:)?\.\*", r"\g<1>[^/]*", fnmatch.translate(v)) for v in names]
        else:
            alts = [v + "$" for v in names]
        spec += "(?:" + "|".join(alts) + ")"
    filled = {key: _named(key, parts.get(key, default)) for key, default in _DEFAULT_PART.items()}
    # each part appears at most once in the spec; str.format ignores unused keys
    pattern = "^" + _format(spec, filled)
    from onesdk._repo._regex import compile_user_pattern

    # globs are translated by fnmatch (safe on Python's engine); raw patterns are the user's
    return compile_user_pattern(pattern, "filename/collection/revision", trusted=wildcards)


def _format(spec: str, parts: Mapping[str, str]) -> str:
    def repl(match: re.Match[str]) -> str:
        return parts[match.group(1)]

    return re.sub(r"\{(\w+)\}", repl, spec)


@dataclass(frozen=True)
class DatasetQuery:
    """Filters on the datasets of zero, one or several sessions."""

    #: session ids (canonical UUID strings); ``None`` means every session
    eids: tuple[str, ...] | None = None
    filename: FilenameFilter = None
    collection: PartValue = None
    revision: PartValue = None
    #: QC code (position in QC_NAMES) not to exceed
    qc: int = QC_NAMES.index("FAIL")
    ignore_qc_not_set: bool = False
    default_revisions_only: bool = False
    wildcards: bool = True
    #: the revision filter is a pattern to match (True), not a date to resolve (False)
    match_revision: bool = True
    extra: Mapping[str, object] = field(default_factory=dict)

    def pattern(self) -> re.Pattern[str]:
        return compile_rel_path_pattern(
            self.filename,
            self.collection,
            self.revision,
            wildcards=self.wildcards,
            match_revision=self.match_revision,
        )
