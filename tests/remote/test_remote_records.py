"""REST records as cache rows, against one-api's remote list_datasets results."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onesdk._http._auth import Credentials, TokenAuth
from onesdk._remote._records import (
    datasets_frame,
    session_dataset_rows,
    session_row,
    split_session_path,
)
from onesdk._remote._rest import AlyxHttp, RestRepository
from onesdk._settings import FileTokenStore, Secret
from onesdk.errors import ContractError, HTTPError
from tests.conftest import shared_alyx_dir
from tests.remote.expected import call, remote_calls, result
from tests.replay.server import ReplayServer


@pytest.fixture
def repo(replay: ReplayServer, config_home: Path) -> Iterator[RestRepository]:
    auth = TokenAuth(
        replay.alyx_url, Credentials("root", Secret(replay.password)), store=FileTokenStore()
    )
    repository = RestRepository(AlyxHttp(replay.alyx_url, auth=auth))
    yield repository
    repository.http.close()


def test_session_path_is_split_and_uuid_removed() -> None:
    uuid = "c43c62ca-188e-449e-9ba4-daf8f9042c88"
    path = f"/cortexlab/Subjects/KS051/2023-01-10/003/alf/#2023-04-01#/x.y.{uuid}.npy"
    assert split_session_path(path) == (
        "cortexlab/Subjects/KS051/2023-01-10/003",
        "alf/#2023-04-01#/x.y.npy",
    )
    assert split_session_path("root/KS051/2023-01-10/1/a.b.npy") == (
        "KS051/2023-01-10/1",
        "a.b.npy",
    )
    with pytest.raises(ContractError, match="no session path"):
        split_session_path("aggregates/x.npy")


def test_bad_session_record_is_a_contract_error() -> None:
    with pytest.raises(ContractError, match="start_time"):
        session_row({"id": "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80", "lab": "x", "subject": "y"})


def _unfiltered(corpus: Path) -> list[str]:
    if not corpus.is_dir():
        return []
    ids = remote_calls(corpus, "list_datasets")
    return [i for i in ids if set(call(corpus, i)["kwargs"]) <= {"details"}]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b)
    return bool(a == b)


@pytest.mark.parametrize("call_id", _unfiltered(shared_alyx_dir()))
def test_session_datasets_match_one_apis_remote_list(
    call_id: str, repo: RestRepository, shared_alyx: Path
) -> None:
    spec = call(shared_alyx, call_id)
    expected = result(shared_alyx, call_id)
    if expected.get("error") == "HTTPError":
        with pytest.raises(HTTPError, match="404"):
            repo.session(spec["args"][0])
        return
    frame = datasets_frame(session_dataset_rows(repo.session(spec["args"][0])))
    frame = frame[frame["qc"] <= "FAIL"]  # list_datasets' default qc filter (qc=QC.FAIL)
    if not spec["kwargs"].get("details"):
        assert sorted(frame["rel_path"]) == expected["value"]
        return
    value = expected["value"]
    assert list(frame.columns) == value["columns"]
    assert list(frame.index) == value["index"]
    assert [str(t) for t in frame.dtypes] == [value["dtypes"][c] for c in value["columns"]]
    got = frame.astype(object).values.tolist()
    assert all(
        _same(x, y)
        for row, exp in zip(got, value["data"], strict=True)
        for x, y in zip(row, exp, strict=True)
    )


def test_session_row_from_detail(repo: RestRepository) -> None:
    row = session_row(repo.session("3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"))
    assert row["subject"] == "ZM_3003"
    assert str(row["date"]) == "2024-09-17"
    assert row["projects"] == "ibl_neuropixel_brainwide_01"


# the generated client's models become rows and records directly, by the JSON records' rules
def test_wire_sessions_give_the_rows_and_records_of_their_json(repo: RestRepository) -> None:
    from onesdk._http._alyx import as_json
    from onesdk._models import session_from_rest, session_from_wire
    from onesdk._remote._records import session_row_of
    from onesdk._repo._query import SessionQuery

    items = repo.search_sessions(SessionQuery.build(lab="hoferlab")).raw()
    assert items
    for item in items:
        assert session_row_of(item) == session_row(as_json(item))
        assert session_from_wire(item) == session_from_rest(as_json(item))
        assert set(session_from_wire(item).keys()) == set(session_from_rest(as_json(item)).keys())


def test_a_wire_session_detail_gives_the_rows_of_its_json(repo: RestRepository) -> None:
    from onesdk._http._alyx import as_json
    from onesdk._remote._records import session_dataset_rows_of, session_row_of

    detail = repo.session_detail("3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")
    rows = session_dataset_rows_of(detail)
    assert rows
    assert rows == session_dataset_rows(as_json(detail))
    assert session_row_of(detail) == session_row(as_json(detail))


def test_wire_datasets_insertions_and_revisions_give_the_records_of_their_json(
    repo: RestRepository,
) -> None:
    from onesdk_gen.alyx_client.api.insertions import insertions_list, insertions_retrieve
    from onesdk_gen.alyx_client.api.revisions import revisions_retrieve
    from onesdk_gen.alyx_client.models import InsertionDetail, PaginatedInsertionList
    from onesdk_gen.alyx_client.models import Revision as RevisionRecord

    from onesdk import _models as models
    from onesdk._http._alyx import as_json

    http = repo.http
    datasets = repo.dataset_records([("session", "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")]).raw()
    assert datasets
    for record in datasets:
        assert models.dataset_from_wire(record) == models.dataset_from_rest(as_json(record))
    page = http.call(
        http.url("insertions"),
        lambda api: insertions_list.sync_detailed(client=api),
        PaginatedInsertionList,
    )
    assert page.results
    for item in page.results:
        assert models.insertion_from_wire(item) == models.insertion_from_rest(as_json(item))
    pid = uuid.UUID("87721646-72da-494b-a664-29044f1a03a2")
    detail = http.call(
        http.url(f"insertions/{pid}"),
        lambda api: insertions_retrieve.sync_detailed(pid, client=api),
        InsertionDetail,
    )
    assert models.insertion_from_wire(detail) == models.insertion_from_rest(as_json(detail))
    revision = http.call(
        http.url("revisions/2024-01-01"),
        lambda api: revisions_retrieve.sync_detailed("2024-01-01", client=api),
        RevisionRecord,
    )
    assert models.revision_from_wire(revision) == models.revision_from_rest(as_json(revision))


def test_a_wire_session_detail_gives_the_session_details_of_its_json(repo: RestRepository) -> None:
    from onesdk import _models as models
    from onesdk._http._alyx import as_json

    for eid in ("3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80", "40ed367e-8564-41dc-a324-17c42f62323b"):
        detail = repo.session_detail(eid)
        ours = models.session_details_from_wire(detail)
        assert ours.data_dataset_session_related
        assert ours == models.session_details_from_rest(as_json(detail))
