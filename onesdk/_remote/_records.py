"""Alyx REST records as cache-table rows and frames, with the reference's columns.

A session detail (``GET /sessions/<eid>``) gives the session row and the rows of its datasets
(``data_dataset_session_related``); ``GET /datasets`` records give dataset rows from their
first existing file record with a URL. The dataset's path relative to its session comes from
the file URL: the session part (``[lab/Subjects/]subject/yyyy-mm-dd/NNN``) and the dataset UUID
are removed, exactly as the local files are named.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, TypeAlias, TypedDict
from uuid import UUID

from onesdk._cache._schema import QC_NAMES
from onesdk._json import JsonObject, JsonValue
from onesdk._store._download import remove_uuid_from_name
from onesdk.alf._path import split_session_path as alf_split_session_path
from onesdk.errors import ContractError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from onesdk_gen.alyx_client.models import Dataset as DatasetRecord
    from onesdk_gen.alyx_client.models import (
        SessionDetail,
        SessionInfo,
        SessionListItem,
    )

    from onesdk._cache import CacheTables

__all__ = [
    "DATASET_COLUMNS",
    "QC_ORDER",
    "DatasetRow",
    "SessionRow",
    "dataset_rows",
    "dataset_rows_from_json",
    "datasets_frame",
    "merge_rows",
    "session_dataset_rows",
    "session_dataset_rows_of",
    "session_row",
    "session_row_of",
    "sessions_frame",
    "split_session_path",
]

#: the column order of one-api's remote ``list_datasets(details=True)``
DATASET_COLUMNS: Final = ("file_size", "hash", "exists", "rel_path", "default_revision", "qc")
SESSION_COLUMNS: Final = ("lab", "subject", "date", "number", "task_protocol", "projects")
QC_ORDER: Final = QC_NAMES


#: a session as the generated client parses it (list item, insertion's session, detail)
WireSession: TypeAlias = "SessionListItem | SessionInfo | SessionDetail"


class SessionRow(TypedDict):
    id: str
    lab: str
    subject: str
    date: dt.date
    number: int
    task_protocol: str
    projects: str


class DatasetRow(TypedDict):
    eid: str | None
    id: str
    file_size: int | None
    hash: str | None
    exists: bool
    rel_path: str
    default_revision: bool
    qc: str | None


def _text(record: Mapping[str, object], key: str, source: str) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise ContractError(f"{source}: field {key!r} should be a string, got {value!r}")
    return value


def _uuid_tail(value: JsonValue, source: str) -> str:
    """The UUID at the end of an id or URL field."""
    if not isinstance(value, str) or len(value) < 36:
        raise ContractError(f"{source}: expected a UUID or a URL ending in one, got {value!r}")
    try:
        return str(UUID(value[-36:]))
    except ValueError:
        raise ContractError(f"{source}: {value!r} does not end in a UUID") from None


def split_session_path(path: str) -> tuple[str, str]:
    """``(session_path, rel_path)`` of a path below a file server root, UUIDs removed."""
    # the file server root may itself have path parts: find the session part anywhere
    found = alf_split_session_path(remove_uuid_from_name(path.strip("/")))
    if found is not None:
        return found
    raise ContractError(f"{path!r} holds no session path (lab/Subjects/subject/date/number)")


def _file_size(value: object, source: str) -> object:
    """A record's ``file_size``: a byte count a table can hold, else a ContractError."""
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value < 1 << 63:
        raise ContractError(f"{source}: file_size {value} is not a byte count")
    return value


def _url_path(url: str) -> str:
    # '#' is a literal in revision folders: never split it off as a fragment
    return urllib.parse.unquote(urllib.parse.urlsplit(url, allow_fragments=False).path)


def _session_row(
    eid: str, fields: Mapping[str, object], start: dt.date | None, source: str
) -> SessionRow:
    """The sessions-table row of session ``eid`` from its record's ``fields`` (the rules
    shared by JSON records and wire models)."""
    projects = fields.get("projects") or []
    if not isinstance(projects, list):
        raise ContractError(f"{source} {eid}: projects should be a list")
    number = fields.get("number") or 0
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number < 1 << 16:
        raise ContractError(f"{source} {eid}: number should be an integer from 0 to 65535")
    if start is None:
        raise ContractError(f"{source} {eid}: no start_time to take the date from")
    return SessionRow(
        id=eid,
        lab=_text(fields, "lab", source),
        subject=_text(fields, "subject", source),
        date=start,
        number=number,
        task_protocol=str(fields.get("task_protocol") or ""),
        projects=",".join(str(p) for p in projects),
    )


def session_row(record: Mapping[str, JsonValue]) -> SessionRow:
    """The sessions-table row of a session record (list item or detail) as JSON."""
    source = "session record"
    eid = _uuid_tail(record.get("id") or record.get("url"), source)
    start = _text(record, "start_time", source)
    try:
        date = dt.datetime.fromisoformat(start).date()
    except ValueError:
        raise ContractError(f"{source} {eid}: start_time {start!r} is not a date") from None
    return _session_row(eid, record, date, source)


def session_row_of(session: WireSession) -> SessionRow:
    """The sessions-table row of a session as the generated client parsed it."""
    start = session.start_time
    fields = {
        "lab": session.lab, "subject": session.subject, "number": session.number,
        "task_protocol": session.task_protocol, "projects": session.projects,
    }  # fmt: skip
    date = start.date() if isinstance(start, dt.datetime) else None
    return _session_row(str(session.id), fields, date, "session record")


def _session_dataset_row(
    eid: str, fields: Mapping[str, object], dataset_id: str, data_url: object
) -> DatasetRow | None:
    """The dataset row of one dataset of a session detail (None without a file to load)."""
    if not isinstance(data_url, str) or not data_url.strip():
        return None  # no file on a data server: not loadable, as the cache tables omit it
    size = _file_size(fields.get("file_size"), f"session {eid} dataset")
    digest = fields.get("hash")
    return DatasetRow(
        eid=eid,
        id=dataset_id,
        file_size=size if isinstance(size, int) else None,
        hash=digest if isinstance(digest, str) else None,
        exists=True,
        rel_path=split_session_path(_url_path(data_url))[1],
        # Alyx serves this flag as the strings "True"/"False" here
        default_revision=fields.get("default_revision") in (True, "True"),
        qc=str(fields.get("qc") or "NOT_SET"),
    )


def session_dataset_rows(detail: JsonObject) -> list[DatasetRow]:
    """The dataset rows in a session detail's ``data_dataset_session_related`` (JSON)."""
    eid = _uuid_tail(detail.get("id") or detail.get("url"), "session detail")
    related = detail.get("data_dataset_session_related") or []
    if not isinstance(related, list):
        raise ContractError(f"session {eid}: data_dataset_session_related is not a list")
    rows: list[DatasetRow] = []
    for item in related:
        if not isinstance(item, dict):
            raise ContractError(f"session {eid}: a dataset entry is not an object")
        data_url = item.get("data_url")
        if not isinstance(data_url, str) or not data_url.strip():
            continue
        dataset_id = _uuid_tail(item.get("id"), f"session {eid} dataset")
        row = _session_dataset_row(eid, item, dataset_id, data_url)
        if row is not None:
            rows.append(row)
    return rows


def session_dataset_rows_of(detail: SessionDetail) -> list[DatasetRow]:
    """The dataset rows of a session detail as the generated client parsed it."""
    eid = str(detail.id)
    rows: list[DatasetRow] = []
    for item in detail.data_dataset_session_related:
        fields = {
            "file_size": item.file_size, "hash": item.hash_, "qc": str(item.qc),
            "default_revision": str(item.default_revision),
        }  # fmt: skip
        row = _session_dataset_row(eid, fields, str(item.id), item.data_url)
        if row is not None:
            rows.append(row)
    return rows


def _dataset_row(
    session: JsonValue,
    url: JsonValue,
    size: object,
    digest: object,
    data_url: str,
    default: bool,
    qc: str | None,
) -> DatasetRow:
    """The row of a ``/datasets`` record from its fields and its usable file's URL (the rules
    shared by JSON records and wire models)."""
    source = "dataset record"
    path = _url_path(data_url)
    # aggregates have no session: their path is relative to the file server root
    rel = split_session_path(path)[1] if session else remove_uuid_from_name(path.strip("/"))
    size = _file_size(size, source)
    return DatasetRow(
        eid=_uuid_tail(session, source) if session else None,
        id=_uuid_tail(url, source),
        file_size=size if isinstance(size, int) else None,
        hash=digest if isinstance(digest, str) else None,
        exists=True,
        rel_path=rel,
        default_revision=default,
        qc=qc,
    )


def dataset_rows(records: Iterable[DatasetRecord]) -> list[DatasetRow]:
    """Dataset rows from ``/datasets`` records (as the generated client parsed them) that have
    an existing file with a URL."""
    rows: list[DatasetRow] = []
    for record in records:
        usable = next(
            (f for f in record.file_records if f.exists and f.data_url and f.data_url.strip()),
            None,
        )
        if usable is None or usable.data_url is None:
            continue
        session = record.session if isinstance(record.session, str) else None
        rows.append(
            _dataset_row(
                session,
                record.url,
                record.file_size,
                record.hash_,
                usable.data_url,
                bool(record.default_dataset),
                str(record.qc),
            )
        )
    return rows


def _usable_url(file_record: JsonValue) -> str | None:
    """The URL of a JSON file record's existing file on a server, else None."""
    if not isinstance(file_record, dict):
        raise ContractError(f"dataset record: a file record is not an object: {file_record!r}")
    url = file_record.get("data_url")
    return url if file_record.get("exists") and isinstance(url, str) and url.strip() else None


def dataset_rows_from_json(records: Iterable[Mapping[str, JsonValue]]) -> list[DatasetRow]:
    """Dataset rows from ``/datasets`` records as JSON that have an existing file with a URL;
    a record without ``qc`` gets none."""
    rows: list[DatasetRow] = []
    for record in records:
        files = record.get("file_records")
        if not isinstance(files, list):
            raise ContractError("dataset record: file_records should be a list")
        data_url = next((url for url in map(_usable_url, files) if url), None)
        if data_url is None:
            continue
        qc = record.get("qc")
        rows.append(
            _dataset_row(
                record.get("session"),
                record.get("url"),
                record.get("file_size"),
                record.get("hash"),
                data_url,
                bool(record.get("default_dataset")),
                qc if isinstance(qc, str) else None,
            )
        )
    return rows


def datasets_frame(
    rows: Iterable[DatasetRow],
    *,
    keep_eid_index: bool = False,
    extra: Mapping[str, Sequence[object]] | None = None,
) -> pd.DataFrame:
    """Rows as the reference's remote datasets frame: sorted by (eid, id), its dtypes; each
    ``extra`` column (one value per row, in the order of ``rows``) after the standard ones."""
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=["eid", "id", *DATASET_COLUMNS])
    frame = frame.astype(
        {
            "file_size": "UInt64",
            "hash": object,
            "exists": bool,
            "rel_path": object,
            "default_revision": bool,
            "qc": pd.CategoricalDtype(list(QC_ORDER), ordered=True),
        }
    )
    for name, values in (extra or {}).items():
        frame[name] = pd.Series(list(values), index=frame.index, dtype=None if values else object)
    frame = frame.set_index(["eid", "id"]).sort_index()
    return frame if keep_eid_index else frame.droplevel("eid")


def sessions_frame(rows: Iterable[SessionRow]) -> pd.DataFrame:
    """Rows as a sessions-table frame indexed by ``id``."""
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=["id", *SESSION_COLUMNS])
    return frame.astype({"number": "uint16"}).set_index("id")


def merge_rows(
    tables: CacheTables, sessions: Sequence[SessionRow], datasets: Sequence[DatasetRow]
) -> CacheTables:
    """``tables`` with ``sessions``/``datasets`` rows inserted, replacing rows with their id."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from onesdk._cache._io import sort_datasets

    if not sessions and not datasets:
        return tables
    new_sessions = tables.sessions
    if sessions:
        incoming = pa.Table.from_pylist(
            [dict(r) for r in sessions], schema=tables.sessions.select(list(_SESSION_FIELDS)).schema
        )
        keep = pc.invert(pc.is_in(tables.sessions.column("id"), value_set=incoming.column("id")))
        old = tables.sessions.filter(keep).select(list(_SESSION_FIELDS))
        new_sessions = pa.concat_tables([old, incoming]).sort_by("id")
    new_datasets = tables.datasets
    rows = [r for r in datasets if r["eid"] is not None]
    if rows:
        plain = _plain_datasets(tables.datasets)
        incoming = pa.Table.from_pylist(
            [
                {
                    "eid": r["eid"],
                    "id": r["id"],
                    "file_size": r["file_size"],
                    "hash": r["hash"],
                    "default_revision": r["default_revision"],
                    "qc": QC_NAMES.index(r["qc"]) if r["qc"] in QC_NAMES else 0,
                    "exists": r["exists"],
                    "rel_path": r["rel_path"],
                }
                for r in rows
            ],
            schema=plain.schema,
        )
        keep = pc.invert(pc.is_in(plain.column("id"), value_set=incoming.column("id")))
        merged = pa.concat_tables([plain.filter(keep), incoming])
        for name in ("eid", "rel_path"):
            index = merged.schema.get_field_index(name)
            merged = merged.set_column(index, name, pc.dictionary_encode(merged.column(name)))
        new_datasets = sort_datasets(merged.combine_chunks().unify_dictionaries())
    return tables.replace(sessions=new_sessions, datasets=new_datasets)


_SESSION_FIELDS = ("id", "lab", "subject", "date", "number", "task_protocol", "projects")
_DATASET_FIELDS = ("eid", "id", "file_size", "hash", "default_revision", "qc", "exists", "rel_path")


def _plain_datasets(table: pa.Table) -> pa.Table:
    """The standard dataset columns with dictionary columns decoded."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for name in _DATASET_FIELDS:
        column = table.column(name)
        if pa.types.is_dictionary(column.type):
            column = pc.cast(column, column.type.value_type)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=list(_DATASET_FIELDS))
