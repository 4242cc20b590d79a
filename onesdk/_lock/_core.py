"""``onesdk.Lock``: the datasets an analysis reads, pinned in a small text file.

A lock records, per dataset, the session, dataset id, relative path (with its revision), size,
md5 and QC that a load would read at the time of locking; plus the request that selected them,
the server, the cache tag and creation time, and the onesdk version. The file is JSON: fixed
top-level keys, one session or dataset per line, sorted, so a change reads as a one-line diff.

Loading is strict: the schema version, every UUID, every path (an ALF relative path inside its
session, a session path that cannot leave the cache dir) and every md5 is checked, and a SHA-256
digest over the canonical content refuses a file edited by hand or damaged in transit. Only
whitespace may change without changing the lock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

from onesdk._atomic import atomic_write_bytes
from onesdk._cache._schema import QC_NAMES
from onesdk.alf import rel_path_parts, session_path_parts
from onesdk.errors import ALFInvalid, ArgumentError, LockError, LockFileError

if TYPE_CHECKING:
    from onesdk._facade._one import One
    from onesdk._lock._diff import LockChange

__all__ = ["FORMAT", "SCHEMA_VERSION", "Lock", "LockRequest", "PinnedDataset", "PinnedSession"]

FORMAT: Final = "onesdk-lock"
SCHEMA_VERSION: Final = 1
_TOP_KEYS: Final = (
    "format",
    "version",
    "onesdk",
    "server",
    "data_server",
    "cache_tag",
    "cache_created",
    "request",
    "sessions",
    "datasets",
)
_REQUEST_KEYS: Final = ("collection", "datasets", "revision")
_SESSION_KEYS: Final = ("eid", "path")
_DATASET_KEYS: Final = ("eid", "id", "md5", "qc", "rel_path", "size")
_MD5: Final = re.compile(r"[0-9a-f]{32}")
_DIGEST: Final = re.compile(r"sha256:[0-9a-f]{64}")
_UNSAFE_CHARS: Final = ("\\", "\0", ":")


class _Invalid(Exception):
    """A field that fails validation: where it is, its value and what was expected (a file's
    field becomes a LockFileError, an argument's an ArgumentError)."""

    def __init__(self, entry: str, value: object, expected: str, problem: str = "") -> None:
        from onesdk.errors import describe_value

        self.entry = entry
        self.value = value
        self.expected = expected
        self.problem = problem or f"{describe_value(value)} is not {expected}"
        super().__init__(self.problem)


def _validated(check: Callable[[], None]) -> None:
    """Run ``check``; a value built in Python code (not read from a file) that fails it is an
    :class:`onesdk.errors.ArgumentError` naming the field."""
    try:
        check()
    except _Invalid as exc:
        raise ArgumentError(exc.entry, exc.value, exc.expected) from None


def _uuid(value: object, entry: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            parsed = None
        if parsed is not None and str(parsed) == value:
            return parsed
    raise _Invalid(entry, value, "a UUID in canonical form (lower case, hyphens)")


def _optional_text(value: object, entry: str) -> str | None:
    if value is None or (isinstance(value, str) and value and value == value.strip()):
        return value
    raise _Invalid(entry, value, "null or a non-empty string without outer spaces")


def _optional_part(value: object, entry: str) -> str | None:
    """A collection or revision of a request: None (any), '' (none) or a name or pattern."""
    if value is None or (isinstance(value, str) and value == value.strip()):
        return value
    raise _Invalid(entry, value, "null or a string without outer spaces")


def _safe_segments(path: str, entry: str, what: str) -> None:
    parts = path.split("/")
    if (
        not path
        or any(c in path for c in _UNSAFE_CHARS)
        or any(p in ("", ".", "..") or p != p.strip() for p in parts)
    ):
        raise _Invalid(entry, path, f"a {what} (no empty, '.' or '..' parts, '/' only)")


def check_session_path(value: object, entry: str) -> str:
    """A session path ``[lab/Subjects/]subject/yyyy-mm-dd/NNN`` that stays below the cache."""
    expected = "a session path [lab/Subjects/]subject/yyyy-mm-dd/NNN"
    if not isinstance(value, str):
        raise _Invalid(entry, value, expected)
    _safe_segments(value, entry, "session path")
    try:
        lab, subject, date, number = session_path_parts(value)
    except ALFInvalid:
        raise _Invalid(entry, value, expected) from None
    rebuilt = f"{subject}/{date}/{int(number or 0):03d}"
    if (f"{lab}/Subjects/{rebuilt}" if lab else rebuilt) != value:
        raise _Invalid(entry, value, expected)
    try:
        dt.date.fromisoformat(str(date))
    except ValueError:
        raise _Invalid(entry, value, f"{expected} with a real date") from None
    return value


def check_rel_path(value: object, entry: str) -> str:
    """An ALF dataset path ``[collection/][#revision#/]name`` inside its session folder."""
    if not isinstance(value, str):
        raise _Invalid(entry, value, "a dataset path")
    _safe_segments(value, entry, "dataset path inside its session")
    try:
        parts = rel_path_parts(value)
    except ALFInvalid:
        raise _Invalid(entry, value, "an ALF dataset path") from None
    folder = [parts.collection or "", f"#{parts.revision}#" if parts.revision else ""]
    name = value.rsplit("/", 1)[-1]
    if "/".join([p for p in folder if p] + [name]) != value:
        raise _Invalid(entry, value, "an ALF dataset path [collection/][#revision#/]name")
    return value


def _check_size(value: object, entry: str) -> int | None:
    if value is None or (type(value) is int and value >= 0):
        return value
    raise _Invalid(entry, value, "null or a byte count")


def _check_md5(value: object, entry: str) -> str | None:
    if value is None or (isinstance(value, str) and _MD5.fullmatch(value)):
        return value
    raise _Invalid(entry, value, "null or 32 lower-case hex digits")


def _check_qc(value: object, entry: str) -> str:
    if isinstance(value, str) and value in QC_NAMES:
        return value
    raise _Invalid(entry, value, f"one of {', '.join(QC_NAMES)}")


def _check_names(value: object, entry: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, tuple | list) and value and all(isinstance(n, str) and n for n in value):
        return tuple(value)
    raise _Invalid(entry, value, "null or a non-empty list of names")


@dataclasses.dataclass(frozen=True)
class PinnedSession:
    """A locked session: its eid and its folder below the cache dir."""

    eid: uuid.UUID
    path: str

    def __post_init__(self) -> None:
        _validated(lambda: self._check("session"))

    def _check(self, entry: str) -> None:
        _uuid(self.eid, f"{entry}.eid")
        check_session_path(self.path, f"{entry}.path")


@dataclasses.dataclass(frozen=True)
class PinnedDataset:
    """A locked dataset: which file of which session, and what it must contain (``size``
    and ``md5`` are None only where the cache did not know them)."""

    eid: uuid.UUID
    id: uuid.UUID
    rel_path: str
    size: int | None
    md5: str | None
    qc: str

    def __post_init__(self) -> None:
        _validated(lambda: self._check("dataset"))

    def _check(self, entry: str) -> None:
        _uuid(self.eid, f"{entry}.eid")
        _uuid(self.id, f"{entry}.id")
        check_rel_path(self.rel_path, f"{entry}.rel_path")
        _check_size(self.size, f"{entry}.size")
        _check_md5(self.md5, f"{entry}.md5")
        _check_qc(self.qc, f"{entry}.qc")

    @property
    def identity(self) -> tuple[uuid.UUID, str]:
        """The session and the revision-free path: what stays the same across revisions."""
        return self.eid, without_revision(self.rel_path)


def without_revision(rel_path: str) -> str:
    """``rel_path`` without its ``#revision#`` folder."""
    return "/".join(p for p in rel_path.split("/") if not (p.startswith("#") and p.endswith("#")))


@dataclasses.dataclass(frozen=True)
class LockRequest:
    """What was asked for: dataset names (None: every dataset), collection and revision."""

    datasets: tuple[str, ...] | None = None
    collection: str | None = None
    revision: str | None = None

    def __post_init__(self) -> None:
        _validated(self._check)

    def _check(self) -> None:
        _check_names(self.datasets, "request.datasets")
        _optional_part(self.collection, "request.collection")
        _optional_part(self.revision, "request.revision")


@dataclasses.dataclass(frozen=True, repr=False)
class Lock:
    """The datasets an analysis reads, pinned: make one with ``one.lock(...)``.

    ``lock.save(path)`` / ``Lock.load(path)`` write and read the lock file; ``lock.diff(one)``
    lists what changed in ``one``'s cache since; ``with one.locked(lock):`` makes every load
    read the pinned datasets; ``one.sync(lock)`` downloads and verifies exactly these files.
    Sessions are kept sorted by eid, datasets by (eid, rel_path).
    """

    sessions: tuple[PinnedSession, ...]
    datasets: tuple[PinnedDataset, ...]
    request: LockRequest = LockRequest()
    server: str | None = None
    data_server: str | None = None
    cache_tag: str | None = None
    cache_created: str | None = None
    onesdk_version: str = ""

    def __post_init__(self) -> None:
        _validated(self._check)
        object.__setattr__(self, "sessions", tuple(sorted(self.sessions, key=_session_key)))
        object.__setattr__(self, "datasets", tuple(sorted(self.datasets, key=_dataset_key)))

    def _check(self) -> None:
        for name, cls in (("sessions", PinnedSession), ("datasets", PinnedDataset)):
            items = getattr(self, name)
            if not isinstance(items, tuple) or not all(isinstance(i, cls) for i in items):
                raise _Invalid(name, items, f"a tuple of {cls.__name__}")
        if not isinstance(self.request, LockRequest):
            raise _Invalid("request", self.request, "a LockRequest")
        for name in ("server", "data_server", "cache_tag", "cache_created"):
            _optional_text(getattr(self, name), name)
        if not isinstance(self.onesdk_version, str):
            raise _Invalid("onesdk", self.onesdk_version, "a version string")
        _check_members(self.sessions, self.datasets)

    def __repr__(self) -> str:
        asked = self.request.datasets
        what = f"{len(asked)} name(s)" if asked is not None else "every dataset"
        return (
            f"Lock({len(self.sessions)} session(s), {len(self.datasets)} dataset(s), "
            f"{what}, server={self.server!r})"
        )

    # ---------------------------------------------------------------- views

    @property
    def eids(self) -> list[uuid.UUID]:
        """The locked sessions, sorted."""
        return [s.eid for s in self.sessions]

    def session_path(self, eid: uuid.UUID | str) -> str:
        """The folder of a locked session below the cache dir."""
        from onesdk.errors import NotLockedError

        key = uuid.UUID(str(eid))
        for session in self.sessions:
            if session.eid == key:
                return session.path
        raise NotLockedError(f"session {key} is not in this lock")

    def datasets_of(self, eid: uuid.UUID | str) -> list[PinnedDataset]:
        """The pinned datasets of one session."""
        key = uuid.UUID(str(eid))
        return [d for d in self.datasets if d.eid == key]

    # ---------------------------------------------------------------- files

    def dumps(self) -> str:
        """The lock file text (what :meth:`save` writes)."""
        content = _content(self)
        lines = ["{"]
        for key in _TOP_KEYS:
            value = content[key]
            if key in ("sessions", "datasets"):
                items = cast("list[object]", value)
                body = ",\n".join(f"    {_compact(item)}" for item in items)
                lines.append(f'  "{key}": [\n{body}\n  ],' if items else f'  "{key}": [],')
            else:
                lines.append(f'  "{key}": {_compact(value)},')
        lines.append(f'  "digest": {_compact(_digest(content))}')
        lines.append("}")
        return "\n".join(lines) + "\n"

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the lock file atomically (a temporary file renamed into place)."""
        from onesdk._validate import path_like

        path_like(path, "path")
        target = Path(path)
        if not target.parent.is_dir():
            raise ArgumentError("path", str(path), "a file in an existing folder")
        try:
            atomic_write_bytes(target, self.dumps().encode("ascii"))
        except OSError as exc:  # a read-only or full disk
            raise LockError(f"{target}: cannot write the lock file ({exc.strerror})") from None
        return target

    @classmethod
    def loads(cls, text: str | bytes, *, source: str = "<lock>") -> Lock:
        """Parse and strictly validate lock file text (see :meth:`load`)."""
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise LockFileError(source, "", f"not UTF-8 text ({exc.reason})") from None
        try:
            raw = json.loads(text, object_pairs_hook=_no_duplicates)
        except (ValueError, RecursionError) as exc:
            raise LockFileError(source, "", f"not an onesdk lock file: {exc}") from None
        try:
            return _from_content(raw)
        except _Invalid as exc:
            raise LockFileError(source, exc.entry, exc.problem) from None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Lock:
        """Read a lock file; raise :class:`onesdk.errors.LockFileError` naming the entry at
        fault if it is not an onesdk lock, of another schema version, edited (the digest no
        longer matches), or names an unsafe path, a bad UUID or a bad md5."""
        from onesdk._validate import path_like

        path_like(path, "path")
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise LockFileError(str(path), "", f"cannot be read: {exc.strerror}") from None
        return cls.loads(data, source=str(path))

    # ---------------------------------------------------------------- drift

    def diff(self, one: One) -> list[LockChange]:
        """What changed in ``one``'s cache for the locked request (empty: nothing).

        Each change is typed: ``RevisionMoved`` (a load would now read another revision),
        ``DatasetRemoved``, ``ContentChanged`` (size or md5), ``QcChanged`` and
        ``DatasetAdded`` (a new dataset matching the locked request).
        """
        from onesdk._lock._diff import diff

        return diff(self, one)


def _session_key(session: PinnedSession) -> uuid.UUID:
    return session.eid


def _dataset_key(dataset: PinnedDataset) -> tuple[uuid.UUID, str]:
    return dataset.eid, dataset.rel_path


def _check_members(sessions: Sequence[PinnedSession], datasets: Sequence[PinnedDataset]) -> None:
    """Each session once, each dataset once and in a listed session."""
    eids = [s.eid for s in sessions]
    if len(set(eids)) != len(eids):
        raise _Invalid("sessions", eids, "sessions listed once each", "a session is listed twice")
    if len({s.path for s in sessions}) != len(sessions):
        raise _Invalid("sessions", eids, "one folder per session", "two sessions share one folder")
    known = set(eids)
    ids: set[uuid.UUID] = set()
    paths: set[tuple[uuid.UUID, str]] = set()
    for i, dataset in enumerate(datasets):
        if dataset.eid not in known:
            raise _Invalid(f"datasets[{i}].eid", str(dataset.eid), "the eid of a listed session")
        if dataset.id in ids or (dataset.eid, dataset.rel_path) in paths:
            raise _Invalid(
                f"datasets[{i}]", dataset.rel_path, "a dataset listed once", "listed twice"
            )
        ids.add(dataset.id)
        paths.add((dataset.eid, dataset.rel_path))


# -------------------------------------------------------------------- serialisation


def _compact(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(", ", ": "))


def _content(lock: Lock) -> dict[str, object]:
    request = lock.request
    return {
        "format": FORMAT,
        "version": SCHEMA_VERSION,
        "onesdk": lock.onesdk_version,
        "server": lock.server,
        "data_server": lock.data_server,
        "cache_tag": lock.cache_tag,
        "cache_created": lock.cache_created,
        "request": {
            "collection": request.collection,
            "datasets": list(request.datasets) if request.datasets is not None else None,
            "revision": request.revision,
        },
        "sessions": [{"eid": str(s.eid), "path": s.path} for s in lock.sessions],
        "datasets": [
            {
                "eid": str(d.eid),
                "id": str(d.id),
                "md5": d.md5,
                "qc": d.qc,
                "rel_path": d.rel_path,
                "size": d.size,
            }
            for d in lock.datasets
        ],
    }


def _digest(content: Mapping[str, object]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice")
        out[key] = value
    return out


def _object(value: object, keys: Sequence[str], entry: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _Invalid(entry, value, "a JSON object")
    found = cast("dict[str, object]", value)
    missing = [k for k in keys if k not in found]
    extra = sorted(set(found) - set(keys))
    if missing or extra:
        problem = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(extra)}" if extra else "",
            )
            if part
        )
        raise _Invalid(
            entry, sorted(found), "the keys of the lock schema", f"keys differ ({problem})"
        )
    return found


def _list(value: object, entry: str) -> list[object]:
    if not isinstance(value, list):
        raise _Invalid(entry, value, "a JSON list")
    return cast("list[object]", value)


def _session(value: object, entry: str) -> PinnedSession:
    fields = _object(value, _SESSION_KEYS, entry)
    eid = _uuid(fields["eid"], f"{entry}.eid")
    return PinnedSession(eid, check_session_path(fields["path"], f"{entry}.path"))


def _dataset(value: object, entry: str) -> PinnedDataset:
    fields = _object(value, _DATASET_KEYS, entry)
    return PinnedDataset(
        eid=_uuid(fields["eid"], f"{entry}.eid"),
        id=_uuid(fields["id"], f"{entry}.id"),
        rel_path=check_rel_path(fields["rel_path"], f"{entry}.rel_path"),
        size=_check_size(fields["size"], f"{entry}.size"),
        md5=_check_md5(fields["md5"], f"{entry}.md5"),
        qc=_check_qc(fields["qc"], f"{entry}.qc"),
    )


def _from_content(raw: object) -> Lock:
    """A Lock from parsed JSON, every field checked first (errors name the entry)."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _Invalid("format", None, FORMAT, f'not an onesdk lock file (no "format": "{FORMAT}")')
    version = raw.get("version")
    if type(version) is not int or version != SCHEMA_VERSION:
        raise _Invalid("version", version, f"schema version {SCHEMA_VERSION}")
    top = _object(raw, (*_TOP_KEYS, "digest"), "lock")
    digest = top.pop("digest")
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise _Invalid("digest", digest, "sha256:<64 hex digits>")
    if digest != _digest(top):
        raise _Invalid(
            "digest",
            digest,
            "the digest of the content",
            "the content does not match its digest: the file was edited",
        )
    fields = _object(top["request"], _REQUEST_KEYS, "request")
    request = LockRequest(
        datasets=_check_names(fields["datasets"], "request.datasets"),
        collection=_optional_part(fields["collection"], "request.collection"),
        revision=_optional_part(fields["revision"], "request.revision"),
    )
    sessions = [
        _session(v, f"sessions[{i}]") for i, v in enumerate(_list(top["sessions"], "sessions"))
    ]
    datasets = [
        _dataset(v, f"datasets[{i}]") for i, v in enumerate(_list(top["datasets"], "datasets"))
    ]
    _check_members(sessions, datasets)
    version_text = top["onesdk"]
    if not isinstance(version_text, str):
        raise _Invalid("onesdk", version_text, "a version string")
    return Lock(
        sessions=tuple(sessions),
        datasets=tuple(datasets),
        request=request,
        server=_optional_text(top["server"], "server"),
        data_server=_optional_text(top["data_server"], "data_server"),
        cache_tag=_optional_text(top["cache_tag"], "cache_tag"),
        cache_created=_optional_text(top["cache_created"], "cache_created"),
        onesdk_version=version_text,
    )
