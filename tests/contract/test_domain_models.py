"""Domain models: one type per concept for both backends, built from cache rows and REST records."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pydantic
import pytest

from onesdk import _models as models
from onesdk.errors import ContractError
from tests.contract._corpus import exchanges, records, template_of

EID = "0e1908e5-32ae-4f10-af5e-ad0be38a95e0"
DID = "c43c62ca-188e-449e-9ba4-daf8f9042c88"

Converter = Callable[..., pydantic.BaseModel]

# operation path -> the converter of its records
CONVERTERS: dict[str, Converter] = {
    "/sessions": models.session_from_rest,
    "/sessions/{id}": models.session_details_from_rest,
    "/datasets": models.dataset_from_rest,
    "/datasets/{id}": models.dataset_from_rest,
    "/insertions": models.insertion_from_rest,
    "/insertions/{id}": models.insertion_from_rest,
    "/revisions": models.revision_from_rest,
    "/revisions/{name}": models.revision_from_rest,
    "/tags": models.tag_from_rest,
    "/tags/{name}": models.tag_from_rest,
    "/subjects": models.subject_from_rest,
    "/subjects/{nickname}": models.subject_from_rest,
    "/labs": models.lab_from_rest,
    "/labs/{name}": models.lab_from_rest,
    "/dataset-types": models.dataset_type_from_rest,
    "/dataset-types/{name}": models.dataset_type_from_rest,
    "/data-repository": models.data_repository_from_rest,
    "/data-repository/{name}": models.data_repository_from_rest,
}


def _session_row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "lab": "cortexlab",
        "subject": "KS051",
        "date": dt.date(2023, 1, 10),
        "number": 3,
        "task_protocol": "ibl_passive_pilot",
        "projects": "ibl_neuropixel_brainwide_01,ibl_behaviour_pilot",
    }
    row.update(changes)
    return row


def test_session_from_cache_splits_projects_and_keeps_types() -> None:
    session = models.session_from_cache(EID, _session_row())
    assert session.id == uuid.UUID(EID)
    assert session.date == dt.date(2023, 1, 10)
    assert session.projects == ["ibl_neuropixel_brainwide_01", "ibl_behaviour_pilot"]
    assert models.session_from_cache(EID, _session_row(projects="")).projects == []
    assert models.session_from_cache(EID, _session_row(projects=None)).projects == []


def test_session_round_trips_through_cache_row() -> None:
    session = models.session_from_cache(EID, _session_row())
    row = models.session_to_cache(session)
    assert row["projects"] == "ibl_neuropixel_brainwide_01,ibl_behaviour_pilot"
    assert models.session_from_cache(row.pop("id"), row) == session


def test_cache_and_rest_sessions_are_the_same_type() -> None:
    rest = models.session_from_rest(
        {
            "id": EID,
            "subject": "KS051",
            "start_time": "2023-01-10T15:25:35",
            "number": 3,
            "lab": "cortexlab",
            "projects": ["ibl_neuropixel_brainwide_01", "ibl_behaviour_pilot"],
            "url": f"http://alyx.test/sessions/{EID}",
            "task_protocol": "ibl_passive_pilot",
        },
        strict=True,
    )
    cached = models.session_from_cache(EID, _session_row())
    assert type(rest) is type(cached) is models.Session
    fields = models.CACHE_COLUMNS["Session"]
    assert {f: getattr(rest, f) for f in fields} == {f: getattr(cached, f) for f in fields}
    assert rest.start_time == dt.datetime(2023, 1, 10, 15, 25, 35)


def test_models_are_frozen_and_reject_unknown_fields() -> None:
    session = models.session_from_cache(EID, _session_row())
    with pytest.raises(pydantic.ValidationError):
        session.subject = "other"
    with pytest.raises(pydantic.ValidationError, match="extra"):
        models.Session.model_validate({**session.model_dump(), "surprise": 1})


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("PASS", models.QC.PASS),
        (40, models.QC.FAIL),
        ("50", models.QC.CRITICAL),
        (0, models.QC.NOT_SET),
    ],
)
def test_qc_accepts_names_and_values(wire: object, expected: models.QC) -> None:
    row = {"rel_path": "alf/a.b.npy", "file_size": 1, "hash": "h", "exists": True}
    dataset = models.dataset_from_cache(EID, DID, {**row, "qc": wire, "default_revision": True})
    assert dataset.qc is expected


def test_qc_rejects_unknown_names() -> None:
    row = {"rel_path": "a.b.npy", "file_size": 1, "hash": "h", "exists": True}
    with pytest.raises(ContractError, match="qc"):
        models.dataset_from_cache(EID, DID, {**row, "qc": "GREAT", "default_revision": True})


def test_cache_dataset_missing_values_become_none() -> None:
    row = {"rel_path": "alf/#2024-01-01#/a.b.npy", "file_size": pd.NA, "hash": float("nan")}
    dataset = models.dataset_from_cache(None, DID, {**row, "exists": True, "qc": "PASS"})
    assert dataset.eid is None
    assert dataset.file_size is None
    assert dataset.hash is None
    assert dataset.revision == "2024-01-01"
    assert dataset.name == "a.b.npy"


def _session_dataset(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": DID,
        "name": "_ibl_trials.intervals_bpod.npy",
        "dataset_type": "trials.intervals",
        "data_url": (
            "http://files.test/cortexlab/Subjects/KS051/2023-01-10/003/alf/#2023-04-01#/"
            f"_ibl_trials.intervals_bpod.{DID}.npy"
        ),
        "url": f"http://alyx.test/datasets/{DID}",
        "file_size": 776,
        "hash": "5cca5f7b4c97ff6fb642c72e474cb640",
        "version": "2.38.0",
        "collection": "alf",
        "revision": "81ca8b40-a7d4-4a23-a340-c4751f4121bf",
        "default_revision": "True",
        "qc": "FAIL",
    }
    record.update(changes)
    return record


def test_session_dataset_reads_revision_name_and_path_from_data_url() -> None:
    dataset = models.dataset_from_session_record(EID, _session_dataset(), strict=True)
    assert dataset.rel_path == "alf/#2023-04-01#/_ibl_trials.intervals_bpod.npy"
    assert dataset.revision == "2023-04-01"
    assert dataset.default_revision is True
    assert dataset.qc is models.QC.FAIL
    unrevisioned = _session_dataset(revision="", default_revision="False")
    unrevisioned["data_url"] = str(unrevisioned["data_url"]).replace("#2023-04-01#/", "")
    other = models.dataset_from_session_record(EID, unrevisioned, strict=True)
    assert other.revision is None
    assert other.default_revision is False
    assert other.rel_path == "alf/_ibl_trials.intervals_bpod.npy"


def test_insertion_session_is_its_eid() -> None:
    insertion = models.insertion_from_rest(
        {"id": DID, "name": "probe00", "session": EID, "datasets": [{"id": DID}]}
    )
    assert insertion.session == insertion.eid == uuid.UUID(EID)
    assert insertion.datasets == [uuid.UUID(DID)]


def test_session_dataset_rejects_other_boolean_spellings() -> None:
    with pytest.raises(ContractError, match="default_revision"):
        models.dataset_from_session_record(EID, _session_dataset(default_revision="yes"))


def test_strict_conversion_names_unknown_fields() -> None:
    with pytest.raises(ContractError, match="brand_new"):
        models.dataset_from_session_record(EID, _session_dataset(brand_new=1), strict=True)
    lenient = models.dataset_from_session_record(EID, _session_dataset(brand_new=1))
    assert lenient.id == uuid.UUID(DID)


def test_rest_dataset_empty_revision_is_none_and_ids_come_from_urls() -> None:
    record: dict[str, object] = {
        "url": f"http://alyx.test/datasets/{DID}",
        "name": "_ibl_trials.table.pqt",
        "collection": "alf",
        "session": f"http://alyx.test/sessions/{EID}",
        "file_size": 10,
        "hash": "abc",
        "file_records": [
            {
                "id": str(uuid.uuid4()),
                "data_repository": "lab_SR",
                "data_repository_path": "/mnt/",
                "relative_path": "s/2023-01-10/003/alf/_ibl_trials.table.pqt",
                "data_url": None,
                "exists": True,
            }
        ],
        "revision": "",
        "default_dataset": True,
        "protected": 0,
        "public": 1,
        "qc": "PASS",
        "json": None,
    }
    dataset = models.dataset_from_rest(record, strict=True)
    assert dataset.id == uuid.UUID(DID)
    assert dataset.eid == uuid.UUID(EID)
    assert dataset.revision is None
    assert dataset.rel_path == "alf/_ibl_trials.table.pqt"
    # only a file record on a repository with an HTTP server makes the dataset downloadable
    assert dataset.exists is False
    assert (dataset.protected, dataset.public) == (False, True)
    aggregate = models.dataset_from_rest({**record, "session": None, "revision": "2024-01-01"})
    assert aggregate.eid is None
    assert aggregate.rel_path == "alf/#2024-01-01#/_ibl_trials.table.pqt"


# ---------------------------------------------------------------------------- the corpus


def _row(row: Mapping[Hashable, object] | pd.Series[Any]) -> dict[str, object]:
    return {str(k): v for k, v in row.items()}


@pytest.mark.shared
def test_every_recorded_record_converts_strictly(shared_alyx: Path) -> None:
    """Every recorded 200 body of a modelled operation converts, knowing every field."""
    templates = sorted(CONVERTERS)
    counts: Counter[str] = Counter()
    for exchange in exchanges(shared_alyx):
        template = template_of(exchange.path, templates)
        if exchange.method != "GET" or exchange.status != 200 or template is None:
            continue
        for record in records(exchange.body):
            CONVERTERS[template](record, strict=True)
            counts[template] += 1
    for concept in ("/sessions", "/sessions/{id}", "/datasets", "/insertions/{id}", "/tags"):
        assert counts[concept] > 0, f"no recorded {concept} response"
    assert counts["/revisions/{name}"] + counts["/revisions"] > 0


@pytest.mark.shared
def test_cache_tables_convert_to_the_same_models(shared_alyx: Path) -> None:
    sessions = pd.read_parquet(shared_alyx / "cache" / "sessions.pqt")
    datasets = pd.read_parquet(shared_alyx / "cache" / "datasets.pqt")
    converted = [models.session_from_cache(eid, _row(row)) for eid, row in sessions.iterrows()]
    assert len(converted) == len(sessions)
    assert all(isinstance(s.date, dt.date) for s in converted)
    rows = [
        models.dataset_from_cache(eid, did, _row(row))
        for (eid, did), row in zip(datasets.index, datasets.to_dict("records"), strict=True)
    ]
    assert len(rows) == len(datasets)
    assert {d.qc for d in rows} <= set(models.QC)
    assert any(d.revision for d in rows)


@pytest.mark.shared
def test_rest_session_details_agree_with_the_cache_tables(shared_alyx: Path) -> None:
    """A session detail's datasets give the cache table's rel_path, qc and default flag."""
    datasets = pd.read_parquet(shared_alyx / "cache" / "datasets.pqt").reset_index()
    by_id = {str(row["id"]): row for row in datasets.to_dict("records")}
    compared = 0
    for exchange in exchanges(shared_alyx):
        if template_of(exchange.path, ["/sessions/{id}"]) is None or exchange.status != 200:
            continue
        details = models.session_details_from_rest(records(exchange.body)[0], strict=True)
        for dataset in details.data_dataset_session_related:
            row = by_id.get(str(dataset.id))
            if row is None:
                continue
            cached = models.dataset_from_cache(row["eid"], row["id"], _row(row))
            assert dataset.rel_path == cached.rel_path
            assert dataset.qc == cached.qc
            assert dataset.default_revision == cached.default_revision
            compared += 1
    assert compared > 0


def test_rest_records_that_break_the_contract_raise_contract_errors() -> None:
    with pytest.raises(ContractError, match="start_time"):
        models.session_from_rest({"id": EID, "subject": "s", "lab": "l", "projects": []})
    with pytest.raises(ContractError, match="file_records"):
        models.dataset_from_rest(
            {"url": f"http://alyx.test/datasets/{DID}", "name": "a.b.npy", "file_records": 3}
        )
    with pytest.raises(ContractError, match="UUID"):
        models.dataset_from_rest(
            {"url": "http://alyx.test/datasets/nope", "name": "a.b.npy", "file_records": []}
        )
    with pytest.raises(ContractError, match="does not match"):
        models.tag_from_rest({"id": "not-a-uuid", "name": "t"})


def test_sessions_without_a_number_are_number_zero() -> None:
    record: dict[str, object] = {
        "id": EID,
        "subject": "s",
        "lab": "l",
        "projects": [],
        "start_time": "2024-01-02T03:04:05",
        "number": None,
        "task_protocol": None,
    }
    session = models.session_from_rest(record)
    assert (session.number, session.task_protocol, session.date) == (0, "", dt.date(2024, 1, 2))


@pytest.mark.shared
def test_cache_columns_are_the_cache_tables_columns(shared_alyx: Path) -> None:
    for model, table in models.CACHE_TABLES.items():
        frame = pd.read_parquet(shared_alyx / "cache" / f"{table}.pqt")
        columns = set(frame.columns) | set(frame.index.names)
        assert set(models.CACHE_COLUMNS[model].values()) == columns, model


def test_models_use_the_alf_qc_enum() -> None:
    from onesdk.alf import QC

    assert models.QC is QC
    dataset = models.dataset_from_cache(
        EID, DID, {"rel_path": "a.b.npy", "file_size": 1, "hash": "h", "qc": "FAIL"}
    )
    assert type(dataset.qc) is QC
