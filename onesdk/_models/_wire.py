"""Domain models from the generated Alyx client's wire models, without JSON in between.

The generated client (``onesdk_gen.alyx_client``) parses each answer into attrs models; these
converters read their fields as parsed (datetimes, UUIDs, enums) and apply the same derivation
rules as the JSON converters of :mod:`onesdk._models._records` (a dataset's id from its URL,
its rel_path, ``exists``...), which they share.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TypeVar

from onesdk_gen.alyx_client.models import Dataset as DatasetRecord
from onesdk_gen.alyx_client.models import (
    InsertionDataset,
    InsertionDetail,
    InsertionListItem,
    SessionDataset,
    SessionDetail,
    SessionInfo,
    SessionListItem,
)
from onesdk_gen.alyx_client.models import Revision as RevisionRecord
from onesdk_gen.alyx_client.models import Tag as TagRecord
from onesdk_gen.alyx_client.types import UNSET, Unset
from onesdk_gen.models import (
    Dataset,
    FileRecord,
    Insertion,
    Revision,
    Session,
    SessionDetails,
    Tag,
)
from pydantic import BaseModel

from onesdk._models._records import build, date_of, rest_dataset, session_dataset
from onesdk.errors import ContractError

__all__ = [
    "dataset_from_wire",
    "insertion_from_wire",
    "revision_from_wire",
    "session_details_from_wire",
    "session_from_wire",
    "tag_from_wire",
]

_T = TypeVar("_T")

#: model field -> the generated wire model's attribute, where the names differ
_WIRE_NAMES = {"json_data": "json", "hash": "hash_", "type": "type_"}


def _given(value: _T | Unset) -> _T | None:
    """A wire model's field, None when the server left it out."""
    return None if isinstance(value, Unset) else value


def _wire_values(model: type[BaseModel], wire: object) -> dict[str, object]:
    """The fields of ``model`` a generated wire model carries, as the client parsed them
    (datetimes, UUIDs, enums; no JSON in between); a nested JSON-typed field as its JSON."""
    extra: Mapping[str, object] = getattr(wire, "additional_properties", {})
    values: dict[str, object] = {}
    for name in model.model_fields:
        value = getattr(wire, _WIRE_NAMES.get(name, name), extra.get(name, UNSET))
        if isinstance(value, Unset):
            continue
        to_dict = getattr(value, "to_dict", None)
        values[name] = to_dict() if callable(to_dict) else value
    return values


def session_from_wire(session: SessionListItem | SessionInfo) -> Session:
    """A Session from a /sessions item or an insertion's ``session_info``, as the generated
    client parsed it (the fields :func:`session_from_rest` reads from the same JSON)."""
    start = session.start_time
    if start is None:
        raise ContractError(f"session {session.id}: no start_time to take the date from")
    extra = session.additional_properties
    values: dict[str, object] = {k: v for k, v in extra.items() if k in Session.model_fields}
    values.update(
        id=session.id,
        lab=session.lab,
        subject=session.subject,
        date=date_of(start, "start_time"),
        start_time=start,
        # sessions without a number (base sessions) are number 0 in the cache tables
        number=session.number or 0,
        task_protocol=session.task_protocol or "",
        projects=session.projects,
    )
    url = getattr(session, "url", None)
    if url is not None:
        values["url"] = url
    return build(Session, values, "session")


def session_details_from_wire(wire: SessionDetail) -> SessionDetails:
    """SessionDetails from a /sessions/{id} detail, with its datasets and insertions."""
    start = wire.start_time
    if start is None:
        raise ContractError(f"session {wire.id}: no start_time to take the date from")
    values = _wire_values(Session, wire)
    values.update(
        date=date_of(start, "start_time"),
        number=wire.number or 0,
        task_protocol=wire.task_protocol or "",
        data_dataset_session_related=[
            _session_dataset_from_wire(wire.id, item) for item in wire.data_dataset_session_related
        ],
        probe_insertion=[insertion_from_wire(item) for item in wire.probe_insertion],
    )
    for name in ("wateradmin_session_related", "field_of_view", "notes"):
        items = _given(getattr(wire, name)) or []
        values[name] = [item.to_dict() for item in items]  # JSON fields
    return build(SessionDetails, values, "session detail")


def _session_dataset_from_wire(eid: uuid.UUID, item: SessionDataset) -> Dataset:
    values = _wire_values(Dataset, item)
    values.pop("revision", None)  # a revision UUID here: the name comes from data_url
    return session_dataset(
        eid, values, item.data_url, item.name, _given(item.collection),
        str(item.default_revision), str(item.qc),
    )  # fmt: skip


def dataset_from_wire(wire: DatasetRecord) -> Dataset:
    """:func:`dataset_from_rest` of a /datasets record as the generated client parsed it."""
    file_records = [
        build(FileRecord, _wire_values(FileRecord, fr), "file record") for fr in wire.file_records
    ]
    return rest_dataset(
        _wire_values(Dataset, wire),
        wire.url,
        _given(wire.session),
        wire.name,
        _given(wire.collection),
        wire.revision,
        _given(wire.default_dataset),
        file_records,
    )


def insertion_from_wire(wire: InsertionListItem | InsertionDetail) -> Insertion:
    """:func:`insertion_from_rest` of an /insertions item or detail as the generated client
    parsed it."""
    values = _wire_values(Insertion, wire)
    values["eid"] = wire.session
    values["session_info"] = session_from_wire(wire.session_info)
    given = wire.datasets  # ids in a list item, summaries in a detail
    datasets: Sequence[uuid.UUID | InsertionDataset] = [] if isinstance(given, Unset) else given
    values["datasets"] = [d if isinstance(d, uuid.UUID) else d.id for d in datasets]
    return build(Insertion, values, "insertion")


def revision_from_wire(wire: RevisionRecord) -> Revision:
    """A Revision from a /revisions record as the generated client parsed it."""
    return build(Revision, _wire_values(Revision, wire), "revision")


def tag_from_wire(wire: TagRecord) -> Tag:
    """A Tag from a /tags record as the generated client parsed it."""
    return build(Tag, _wire_values(Tag, wire), "tag")
