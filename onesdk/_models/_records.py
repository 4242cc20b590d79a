"""Domain models from cache-table rows and from Alyx REST records (JSON).

* ``*_from_cache`` build a model from one row of the parquet cache tables
  (``sessions.pqt`` / ``datasets.pqt``), given as a mapping of column -> value;
* ``*_from_rest`` build a model from one JSON record of the Alyx REST API;
* ``session_to_cache`` / ``dataset_to_cache`` go back to cache-table rows.

REST converters undo the server's wire quirks (QC names, ``"True"``/``"False"`` strings, ``''``
for "no revision", URLs instead of UUIDs). With ``strict=True`` a record field the converter does
not know raises :class:`~onesdk.errors.ContractError` instead of being ignored. ``build``,
``date_of``, ``rest_dataset`` and ``session_dataset`` hold the rules the wire converters of
:mod:`onesdk._models._wire` share.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import urllib.parse
import uuid
from collections.abc import Collection, Mapping
from typing import TypeVar

from onesdk_gen.models import (
    CACHE_COLUMNS,
    CACHE_TABLES,
    QC,
    DataRepository,
    Dataset,
    DatasetType,
    FileRecord,
    Insertion,
    Lab,
    Revision,
    Session,
    SessionDetails,
    Subject,
    Tag,
)
from pydantic import BaseModel, ValidationError

from onesdk.alf._path import split_revision, split_session_path, without_uuid_in_name
from onesdk.alf._spec import is_uuid_text
from onesdk.errors import ContractError

__all__ = [
    "CACHE_COLUMNS",
    "CACHE_TABLES",
    "QC",
    "DataRepository",
    "Dataset",
    "DatasetType",
    "FileRecord",
    "Insertion",
    "Lab",
    "Record",
    "Revision",
    "Session",
    "SessionDetails",
    "Subject",
    "Tag",
    "data_repository_from_rest",
    "dataset_from_cache",
    "dataset_from_rest",
    "dataset_from_session_record",
    "dataset_to_cache",
    "dataset_type_from_rest",
    "insertion_from_rest",
    "lab_from_rest",
    "revision_from_rest",
    "session_details_from_rest",
    "session_from_cache",
    "session_from_rest",
    "session_to_cache",
    "subject_from_rest",
    "tag_from_rest",
]

_log = logging.getLogger("onesdk.models")

Record = Mapping[str, object]
"""One JSON object of an Alyx response (or one cache-table row), field name -> value."""

_M = TypeVar("_M", bound=BaseModel)

# the UUID Alyx inserts before the extension of a served file name: name.<uuid>.ext
# lab/Subjects/subject/yyyy-mm-dd/NNN/ inside a file URL path (lab part optional)


# ---------------------------------------------------------------------------- small helpers


def _missing(value: object) -> bool:
    """True for None and the pandas/numpy missing-value markers (NaN, NA, NaT)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in {"NAType", "NaTType"}


def _opt(value: object) -> object:
    return None if _missing(value) else value


def _scalar(value: object) -> object:
    """Unwrap numpy scalars (``.item()``) so pydantic sees plain Python values."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    return value


def _uuid_from_url(value: object, field: str) -> uuid.UUID:
    """The UUID at the end of an Alyx record URL (``http://host/datasets/<uuid>``) or a UUID."""
    text = str(value).rstrip("/")
    tail = text.rsplit("/", 1)[-1][-36:]
    if not is_uuid_text(tail):
        raise ContractError(f"{field}: expected a URL ending in a UUID, got {text!r}")
    return uuid.UUID(tail)


def _bool_text(value: object, field: str) -> bool | None:
    """A boolean served as a boolean, or as Django's "True"/"False" strings."""
    if value is None or isinstance(value, bool):
        return value
    if value in ("True", "False"):
        return value == "True"
    raise ContractError(f"{field}: expected a boolean or 'True'/'False', got {value!r}")


def _check_fields(record: Record, known: Collection[str], what: str, *, strict: bool) -> None:
    unknown = sorted(set(record) - set(known))
    if not unknown:
        return
    if strict:
        raise ContractError(f"{what} record has fields the contract does not know: {unknown}")
    _log.debug("ignoring unknown %s fields %s", what, unknown)


def build(model: type[_M], values: Mapping[str, object], what: str) -> _M:
    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        raise ContractError(f"{what} record does not match the contract: {exc}") from exc


def _rename_json(record: Record) -> dict[str, object]:
    values = dict(record)
    if "json" in values:
        values["json_data"] = values.pop("json")
    return values


def _simple(
    model: type[_M], record: Record, what: str, *, strict: bool, ignore: Collection[str] = ()
) -> _M:
    """Records whose field names are the model's (but ``json``): copy them over."""
    fields = set(model.model_fields)
    known = {"json" if f == "json_data" else f for f in fields} | set(ignore)
    _check_fields(record, known, what, strict=strict)
    values = {k: v for k, v in _rename_json(record).items() if k in fields}
    return build(model, values, what)


# ---------------------------------------------------------------------------- sessions

_SESSION_SUMMARY = ("id", "subject", "lab", "projects", "start_time", "number", "task_protocol")
_SESSION_REST = set(Session.model_fields) - {"date", "json_data"} | {"json"}
_DETAIL_LISTS = (
    "data_dataset_session_related",
    "probe_insertion",
    "wateradmin_session_related",
    "field_of_view",
    "notes",
)


def date_of(value: object, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).date()
        except ValueError:
            pass
    raise ContractError(f"{field}: expected an ISO date or date-time, got {value!r}")


def session_from_cache(eid: object, row: Record) -> Session:
    """A Session from one row of the sessions cache table (``eid`` is the row's index)."""
    projects = _opt(row.get("projects"))
    project_list = [p for p in str(projects).split(",") if p] if projects is not None else []
    values = {
        "id": str(eid),
        "lab": row.get("lab"),
        "subject": row.get("subject"),
        "date": date_of(_scalar(row.get("date")), "sessions.date"),
        "number": _scalar(row.get("number")),
        "task_protocol": _opt(row.get("task_protocol")) or "",
        "projects": project_list,
    }
    return build(Session, values, "sessions cache")


def _session_values(record: Record) -> dict[str, object]:
    values = {k: v for k, v in _rename_json(record).items() if k in Session.model_fields}
    start = record.get("start_time")
    if start is None:
        raise ContractError(f"session {record.get('id')!r}: no start_time to take the date from")
    values["date"] = date_of(start, "start_time")
    # sessions without a number (base sessions) are number 0 in the cache tables
    values["number"] = record.get("number") or 0
    values["task_protocol"] = record.get("task_protocol") or ""
    return values


def session_from_rest(record: Record, *, strict: bool = False) -> Session:
    """A Session from a /sessions item, an insertion's ``session_info`` or a session detail.

    The related lists of a detail record (datasets, insertions, ...) are left out: use
    :func:`session_details_from_rest` to keep them.
    """
    _check_fields(record, _SESSION_REST | set(_DETAIL_LISTS), "session", strict=strict)
    return build(Session, _session_values(record), "session")


def session_details_from_rest(record: Record, *, strict: bool = False) -> SessionDetails:
    """SessionDetails from a /sessions/{id} record, with its datasets and insertions."""
    _check_fields(record, _SESSION_REST | set(_DETAIL_LISTS), "session", strict=strict)
    values = _session_values(record)
    eid = uuid.UUID(str(record["id"]))
    datasets = record.get("data_dataset_session_related") or []
    insertions = record.get("probe_insertion") or []
    if not isinstance(datasets, list) or not isinstance(insertions, list):
        raise ContractError(f"session {eid}: related datasets/insertions are not lists")
    values["data_dataset_session_related"] = [
        dataset_from_session_record(eid, d, strict=strict) for d in datasets
    ]
    values["probe_insertion"] = [insertion_from_rest(i, strict=strict) for i in insertions]
    for name in ("wateradmin_session_related", "field_of_view", "notes"):
        values[name] = record.get(name) or []
    return build(SessionDetails, values, "session detail")


def session_to_cache(session: Session) -> dict[str, object]:
    """The sessions cache-table row of a Session: column -> value (``id`` is the index)."""
    row: dict[str, object] = {
        column: getattr(session, field) for field, column in CACHE_COLUMNS["Session"].items()
    }
    row["id"] = str(session.id)
    row["projects"] = ",".join(session.projects)
    return row


# ---------------------------------------------------------------------------- datasets

_DATASET_REST = {
    "url", "name", "created_by", "created_datetime", "dataset_type", "data_format", "collection",
    "session", "file_size", "hash", "version", "experiment_number", "file_records",
    "auto_datetime", "revision", "default_dataset", "protected", "public", "tags", "qc", "json",
}  # fmt: skip
_SESSION_DATASET_REST = {
    "id", "name", "dataset_type", "data_url", "url", "file_size", "hash", "version",
    "collection", "revision", "default_revision", "qc",
}  # fmt: skip
_INSERTION_DATASET_REST = _SESSION_DATASET_REST - {"revision", "default_revision"}


def rel_path_of(collection: str | None, revision: str | None, name: str) -> str:
    """``collection/#revision#/name`` with the empty parts left out."""
    parts = [collection or "", f"#{revision}#" if revision else "", name]
    return "/".join(p for p in parts if p)


def _rel_path_from_url(data_url: str) -> str:
    """The session-relative path of a served file URL, without the UUID in its name."""
    # `#` starts a revision folder here, not a URL fragment
    path = urllib.parse.unquote(urllib.parse.urlsplit(data_url, allow_fragments=False).path)
    path = without_uuid_in_name(path.strip("/"))
    found = split_session_path(path)
    return found[1] if found else path


def _revision_from_rel_path(rel_path: str) -> str | None:
    return split_revision(rel_path)[0]


def dataset_from_cache(eid: object, did: object, row: Record) -> Dataset:
    """A Dataset from one row of the datasets cache table (``eid, did`` are the row's index)."""
    values = {
        "id": str(did),
        "eid": None if _missing(eid) else str(eid),
        "rel_path": row.get("rel_path"),
        "file_size": _scalar(_opt(row.get("file_size"))),
        "hash": _opt(row.get("hash")),
        "exists": _scalar(row.get("exists", True)),
        "qc": _scalar(_opt(row.get("qc"))) or QC.NOT_SET,
        "default_revision": _scalar(_opt(row.get("default_revision"))),
    }
    rel_path = str(values["rel_path"])
    values["name"] = rel_path.rsplit("/", 1)[-1]
    values["revision"] = _revision_from_rel_path(rel_path)
    return build(Dataset, values, "datasets cache")


def dataset_from_rest(record: Record, *, strict: bool = False) -> Dataset:
    """A Dataset from a /datasets record (list item or detail).

    ``exists`` is true when a file record exists on a repository with an HTTP server, as the
    cache tables count it; ``revision`` is None when unrevisioned (served as ``''``).
    """
    _check_fields(record, _DATASET_REST, "dataset", strict=strict)
    records = record.get("file_records") or []
    if not isinstance(records, list):
        raise ContractError("dataset file_records is not a list")
    file_records = [_simple(FileRecord, fr, "file record", strict=strict) for fr in records]
    values = {k: v for k, v in _rename_json(record).items() if k in Dataset.model_fields}
    return rest_dataset(
        values,
        record["url"],
        record.get("session"),
        str(record["name"]),
        record.get("collection"),
        record.get("revision"),
        record.get("default_dataset"),
        file_records,
    )


def rest_dataset(
    values: dict[str, object],
    url: object,
    session: object,
    name: str,
    collection: object,
    revision: object,
    default_dataset: object,
    file_records: list[FileRecord],
) -> Dataset:
    """The Dataset of a /datasets record's ``values`` (the fields named as the model's) and
    the fields it derives from others."""
    revision = revision or None
    collection = collection or None
    values.update(
        id=_uuid_from_url(url, "dataset url"),
        eid=None if session is None else _uuid_from_url(session, "dataset session"),
        rel_path=rel_path_of(
            None if collection is None else str(collection),
            None if revision is None else str(revision),
            name,
        ),
        exists=any(fr.exists and fr.data_url for fr in file_records),
        default_revision=default_dataset,
        revision=revision,
        collection=collection,
        file_records=file_records,
        protected=_opt(values.get("protected")),
        public=_opt(values.get("public")),
    )
    for flag in ("protected", "public"):
        if values[flag] is not None:
            values[flag] = bool(values[flag])
    return build(Dataset, values, "dataset")


def dataset_from_session_record(eid: object, record: Record, *, strict: bool = False) -> Dataset:
    """A Dataset from one ``data_dataset_session_related`` item of a session detail.

    Those items carry the revision UUID, not its name, and ``default_revision`` as a string: the
    revision name and the relative path are read from ``data_url`` instead.
    """
    _check_fields(record, _SESSION_DATASET_REST, "session dataset", strict=strict)
    values = {k: v for k, v in record.items() if k in Dataset.model_fields and k != "revision"}
    return session_dataset(
        eid,
        values,
        record.get("data_url"),
        str(record["name"]),
        record.get("collection"),
        record.get("default_revision"),
        record.get("qc", QC.NOT_SET.name),
    )


def session_dataset(
    eid: object,
    values: dict[str, object],
    data_url: object,
    name: str,
    collection: object,
    default_revision: object,
    qc: object,
) -> Dataset:
    """The Dataset of a session detail's dataset ``values`` and the fields derived from others."""
    collection = collection or None
    if isinstance(data_url, str) and data_url:
        rel_path = _rel_path_from_url(data_url)
    else:
        rel_path = rel_path_of(None if collection is None else str(collection), None, name)
    values.update(
        eid=str(eid),
        rel_path=rel_path,
        exists=bool(data_url),
        collection=collection,
        revision=_revision_from_rel_path(rel_path),
        default_revision=_bool_text(default_revision, "default_revision"),
        qc=qc,
    )
    return build(Dataset, values, "session dataset")


def dataset_to_cache(dataset: Dataset) -> dict[str, object]:
    """The datasets cache-table row of a Dataset: column -> value (``eid, id`` are the index)."""
    row: dict[str, object] = {
        column: getattr(dataset, field) for field, column in CACHE_COLUMNS["Dataset"].items()
    }
    row["id"] = str(dataset.id)
    row["eid"] = None if dataset.eid is None else str(dataset.eid)
    row["qc"] = dataset.qc.name
    return row


# ---------------------------------------------------------------------------- insertions

_INSERTION_REST = {
    "id", "name", "session", "model", "serial", "json", "session_info", "datasets",
    "chronic_insertion", "auto_datetime",
}  # fmt: skip


def insertion_from_rest(record: Record, *, strict: bool = False) -> Insertion:
    """An Insertion from an /insertions item or detail (``session`` becomes ``eid``).

    ``datasets`` keeps the dataset UUIDs (the detail record's dataset summaries are reduced to
    their ids).
    """
    _check_fields(record, _INSERTION_REST, "insertion", strict=strict)
    values = {k: v for k, v in _rename_json(record).items() if k in Insertion.model_fields}
    values["eid"] = record.get("session")
    info = record.get("session_info")
    if isinstance(info, Mapping):
        values["session_info"] = session_from_rest(info, strict=strict)
    datasets = record.get("datasets") or []
    if not isinstance(datasets, list):
        raise ContractError("insertion datasets is not a list")
    ids: list[object] = []
    for item in datasets:
        if isinstance(item, Mapping):
            _check_fields(item, _INSERTION_DATASET_REST, "insertion dataset", strict=strict)
            ids.append(item.get("id"))
        else:
            ids.append(item)
    values["datasets"] = ids
    return build(Insertion, values, "insertion")


# ---------------------------------------------------------------------------- the others


def revision_from_rest(record: Record, *, strict: bool = False) -> Revision:
    """A Revision from a /revisions record."""
    return _simple(Revision, record, "revision", strict=strict)


def tag_from_rest(record: Record, *, strict: bool = False) -> Tag:
    """A Tag from a /tags record."""
    return _simple(Tag, record, "tag", strict=strict)


def subject_from_rest(record: Record, *, strict: bool = False) -> Subject:
    """A Subject from a /subjects record (a detail's weighings and water are left out)."""
    ignore = ("weighings", "water_administrations")
    return _simple(Subject, record, "subject", strict=strict, ignore=ignore)


def lab_from_rest(record: Record, *, strict: bool = False) -> Lab:
    """A Lab from a /labs record."""
    return _simple(Lab, record, "lab", strict=strict)


def dataset_type_from_rest(record: Record, *, strict: bool = False) -> DatasetType:
    """A DatasetType from a /dataset-types record."""
    return _simple(DatasetType, record, "dataset type", strict=strict)


def data_repository_from_rest(record: Record, *, strict: bool = False) -> DataRepository:
    """A DataRepository from a /data-repository record."""
    return _simple(DataRepository, record, "data repository", strict=strict)
