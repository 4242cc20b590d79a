"""The REST repository over the replay server, against one-api 3.6.1's recorded results."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from onesdk_gen.alyx_client.models import SessionListItem

from onesdk._http._alyx import as_json
from onesdk._http._auth import Credentials, TokenAuth
from onesdk._http._rest_cache import RestCache
from onesdk._json import JsonObject
from onesdk._remote._rest import (
    AlyxHttp,
    Paginated,
    RestRepository,
    complete_term,
    date_range_param,
    insertion_query,
    search_terms,
    session_params,
    session_query,
)
from onesdk._settings import FileTokenStore, Secret
from onesdk.errors import ArgumentError, ContractError, HTTPError, OfflineError, UnknownTermError
from tests.conftest import shared_alyx_dir
from tests.remote.expected import call, remote_calls, result
from tests.replay import faults as f
from tests.replay.server import ALYX_HOST, ReplayServer


def _repo(replay: ReplayServer, cache: RestCache | None = None) -> RestRepository:
    auth = TokenAuth(
        replay.alyx_url, Credentials("root", Secret(replay.password)), store=FileTokenStore()
    )
    return RestRepository(AlyxHttp(replay.alyx_url, auth=auth, rest_cache=cache, sleep=_no_wait))


def _no_wait(_: float) -> None:
    return None


@pytest.fixture
def repo(replay: ReplayServer, config_home: Path) -> Iterator[RestRepository]:
    repository = _repo(replay)
    yield repository
    repository.http.close()


def _ids(corpus: Path, method: str) -> list[str]:
    return remote_calls(corpus, method) if corpus.is_dir() else []


def _unrewrite(value: Any, replay: ReplayServer) -> Any:
    return json.loads(json.dumps(value).replace(replay.alyx_url, ALYX_HOST))


# query translation ------------------------------------------------------------------------
def test_term_completion_follows_one_api() -> None:
    terms = search_terms("sessions")
    assert complete_term("subj", terms) == "subject"
    assert complete_term("lab", terms) == "laboratory"
    assert complete_term("date", terms) == "date_range"
    with pytest.raises(ArgumentError, match="ambiguous"):
        complete_term("dataset", terms)
    with pytest.raises(UnknownTermError, match="did you mean 'subject'"):
        complete_term("subjekt", terms)


def test_session_query_joins_lists_and_fills_date_ranges() -> None:
    def params(terms: dict[str, object]) -> list[tuple[str, str]]:
        return session_params(session_query(terms))[0]

    assert params({"lab": ["a", "b"], "number": 2}) == [("lab", "a,b"), ("number", "2")]
    assert params({"date_range": "2024-09-17"}) == [("date_range", "2024-09-17,2024-09-17")]
    assert date_range_param([dt.date(2024, 1, 1), None]) == "2024-01-01,2262-04-11"
    assert date_range_param([None, "2024-01-01"]) == "1677-09-21,2024-01-01"
    with pytest.raises(ArgumentError, match="date_range"):
        date_range_param(["2024-02-01", "2024-01-01"])
    with pytest.raises(ArgumentError, match="date_range"):
        date_range_param("not-a-date")


def test_insertion_query_maps_dataset_number_and_lab() -> None:
    assert insertion_query({"dataset": "spikes.times", "laboratory": "x", "number": 1}) == [
        ("django", "datasets__name__icontains,spikes.times"),
        ("lab", "x"),
        ("experiment_number", "1"),
    ]
    with pytest.raises(ArgumentError, match="dataset"):
        insertion_query({"dataset": ["a", "b"]})


# differential: search and search_insertions ----------------------------------------------
def _check(value: Any, expected: dict[str, Any], replay: ReplayServer) -> None:
    if expected.get("type") == "tuple":
        eids, records = value
        assert eids == expected["value"][0]
        assert _unrewrite(records, replay) == expected["value"][1]
    else:
        assert value == expected["value"]


def _run(repo: RestRepository, method: str, kwargs: dict[str, Any]) -> Any:
    details = kwargs.pop("details", False)
    kwargs.pop("query_type", None)
    records: list[JsonObject]
    if method == "search":
        # the generated client's models, as the JSON one-api returns
        records = [as_json(r) for r in repo.search_sessions(session_query(kwargs))]
        for record in records:
            record["date"] = str(record["start_time"])[:10]
    else:
        records = [as_json(r) for r in repo.search_insertions(kwargs)]
    eids = [str(r["id"]) for r in records]
    return (eids, records) if details else eids


@pytest.mark.parametrize(
    "call_id", _ids(shared_alyx_dir(), "search") + _ids(shared_alyx_dir(), "search_insertions")
)
def test_remote_search_matches_one_api(
    call_id: str, repo: RestRepository, replay: ReplayServer, shared_alyx: Path
) -> None:
    spec = call(shared_alyx, call_id)
    expected = result(shared_alyx, call_id)
    kwargs = dict(spec["kwargs"])
    if spec["method"] == "search" and "dataset" in kwargs:
        # docs/differences.md, `search(dataset=...)`: one-api refuses the term, onesdk reads
        # it as `datasets`, as a local search does
        assert "Ambiguous" in expected["message"]
        kwargs["datasets"] = kwargs.pop("dataset")
        assert session_query(spec["kwargs"]) == session_query(kwargs)
        return
    if "error" in expected:
        error = {"ValueError": ArgumentError, "HTTPError": HTTPError}[expected["error"]]
        with pytest.raises(error):
            _run(repo, spec["method"], dict(spec["kwargs"]))
        return
    _check(_run(repo, spec["method"], dict(spec["kwargs"])), expected, replay)


# pagination ---------------------------------------------------------------------------------
def test_pages_are_fetched_lazily_with_one_apis_limit_and_offset(
    repo: RestRepository, replay: ReplayServer
) -> None:
    found = repo.search_sessions(session_query({"dataset_qc_lte": "WARNING"}))
    assert len(found) > 500
    assert len(replay.requests_to("/sessions")) == 1
    last = found[-1]
    assert isinstance(last, SessionListItem)
    offsets = [dict(s.query).get("offset") for s in replay.requests_to("/sessions")]
    assert offsets == [None, str(250 * ((len(found) - 1) // 250))]
    assert len(found.raw()) == len(found)
    assert len(replay.requests_to("/sessions")) == 3
    assert found[1:3] == found.raw()[1:3]


def test_count_changing_between_pages_is_a_contract_error(
    repo: RestRepository, replay: ReplayServer
) -> None:
    found = repo.search_sessions(session_query({"dataset_qc_lte": "WARNING"}))
    found.total += 1  # as if the database grew after the first page
    with pytest.raises(ContractError, match="count changed"):
        found.raw()


def test_static_list_needs_no_server() -> None:
    items = Paginated.of([1, 2])
    assert list(items) == [1, 2]
    assert items[-1] == 2
    with pytest.raises(IndexError):
        items[2]


# errors and faults --------------------------------------------------------------------------
def test_unknown_session_is_an_http_error_naming_the_url(repo: RestRepository) -> None:
    with pytest.raises(HTTPError, match="404") as info:
        repo.session("00000000-0000-4000-8000-000000000000")
    assert info.value.status == 404
    assert "No Session matches" in str(info.value)


def test_bad_ids_are_rejected_before_any_request(
    repo: RestRepository, replay: ReplayServer
) -> None:
    with pytest.raises(ArgumentError, match="eid"):
        repo.session("not-a-uuid")
    with pytest.raises(ArgumentError, match="revision"):
        repo.revision("../x")
    assert replay.seen == []


def test_503_storm_is_retried_a_bounded_number_of_times(
    repo: RestRepository, replay: ReplayServer
) -> None:
    replay.faults.add("/sessions", f.Status(503, (("Retry-After", "0"),)), times=2)
    assert len(repo.search_sessions(session_query({"subject": "KS051"}))) == 7
    replay.faults.add("/sessions", f.Status(503), times=10)
    with pytest.raises(HTTPError, match="503"):
        repo.search_sessions(session_query({"subject": "KS051"}))


def test_html_page_with_200_is_a_contract_error(repo: RestRepository, replay: ReplayServer) -> None:
    html = (("content-type", "text/html"),)
    replay.faults.add("/sessions", f.Status(200, html, b"<html>maintenance</html>"))
    with pytest.raises(ContractError, match="expected JSON"):
        repo.search_sessions(session_query({"subject": "KS051"}))


def test_unreachable_server_is_an_offline_error(config_home: Path) -> None:
    repo = RestRepository(AlyxHttp("http://127.0.0.1:9", attempts=2, sleep=_no_wait))
    with pytest.raises(OfflineError, match="cannot reach"):
        repo.session("3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")
    repo.http.close()


def test_rest_cache_serves_repeated_searches(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    repo = _repo(replay, RestCache(tmp_path / ".rest"))
    first = repo.search_sessions(session_query({"subject": "KS051"})).raw()
    second = repo.search_sessions(session_query({"subject": "KS051"})).raw()
    repo.http.close()
    assert first == second
    assert len(replay.requests_to("/sessions")) == 1


def test_details_of_revision_and_dataset_type(repo: RestRepository, shared_alyx: Path) -> None:
    assert repo.revision("2024-01-01")["name"] == "2024-01-01"
    assert repo.dataset_type("spikes.times")["name"] == "spikes.times"
    info = repo.cache_info()
    assert isinstance(info["location"], str)
    assert info["location"].endswith("/caches/alyx/cache.zip")
    tag = repo.cache_info("2024_Q1_release")
    assert tag["location"] != info["location"]


def test_partial_json_is_a_contract_error(repo: RestRepository, replay: ReplayServer) -> None:
    replay.faults.add("/sessions", f.Truncate(40))
    with pytest.raises(ContractError, match="expected JSON"):
        repo.search_sessions(session_query({"subject": "KS051"}))


def test_slow_server_beyond_the_timeout_is_retried_then_reported(
    replay: ReplayServer, config_home: Path
) -> None:
    auth = TokenAuth(
        replay.alyx_url, Credentials("root", Secret(replay.password)), store=FileTokenStore()
    )
    http = AlyxHttp(replay.alyx_url, auth=auth, timeout=1.0, attempts=2, sleep=_no_wait)
    with RestRepository(http) as repo:
        replay.faults.add("/sessions", f.Delay(2.5))
        # the second attempt answers
        assert len(repo.search_sessions(session_query({"subject": "KS051"}))) == 7
        replay.faults.add("/sessions", f.Delay(2.5), times=2)
        with pytest.raises(OfflineError, match="ReadTimeout"):
            repo.search_sessions(session_query({"subject": "KS051"}))


def test_generated_client_shares_auth_and_cache(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    from onesdk_gen.alyx_client.api.revisions import revisions_retrieve
    from onesdk_gen.alyx_client.api.sessions import sessions_retrieve

    with _repo(replay, RestCache(tmp_path / ".rest")) as repo:
        client = repo.http.generated_client()
        revision = revisions_retrieve.sync("2024-01-01", client=client)
        assert revision is not None
        assert getattr(revision, "name", None) == "2024-01-01"
        eid = uuid.UUID("3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")
        first = sessions_retrieve.sync_detailed(eid, client=client)
        second = sessions_retrieve.sync_detailed(eid, client=client)
        assert first.status_code == second.status_code == 200
    assert len(replay.requests_to("/auth-token")) == 1
    assert len(replay.requests_to("/sessions/3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")) == 1


def test_rest_repository_follows_the_repository_protocol(
    repo: RestRepository, shared_alyx: Path
) -> None:
    from onesdk._cache import read_tables
    from onesdk._repo._parquet import ParquetRepository
    from onesdk._repo._query import DatasetQuery, SessionQuery
    from onesdk._repo._repository import Repository

    assert isinstance(repo, Repository)
    local = ParquetRepository(read_tables(shared_alyx / "cache"))
    query = SessionQuery.build(subject="KS051")
    remote_ids = [str(i) for i in repo.sessions(query).column("id").to_pylist()]
    assert sorted(remote_ids) == sorted(
        str(i) for i in local.sessions(query).column("id").to_pylist()
    )
    eid = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
    for collection in ("alf", "alf/probe00", None):
        datasets = DatasetQuery(eids=(eid,), collection=collection)
        ours = sorted(str(i) for i in repo.datasets(datasets).column("id").to_pylist())
        theirs = sorted(str(i) for i in local.datasets(datasets).column("id").to_pylist())
        assert ours == theirs, collection
    assert repo.has_session(eid)
    assert not repo.has_session("00000000-0000-4000-8000-000000000000")
    with pytest.raises(ArgumentError, match="eid"):
        repo.datasets(DatasetQuery(eids=None))


# the generated operations ---------------------------------------------------------------------
def test_a_body_that_does_not_fit_the_contract_names_the_url(
    repo: RestRepository, replay: ReplayServer
) -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [{"id": "not-a-uuid"}]}
    json_type = (("content-type", "application/json"),)
    replay.faults.add("/sessions", f.Status(200, json_type, json.dumps(page).encode()))
    with pytest.raises(ContractError, match=r"GET http://\S+/sessions\?subject=KS051: .*fit"):
        repo.search_sessions(session_query({"subject": "KS051"}))
    replay.faults.add("/revisions/2024-01-01", f.Status(200, json_type, b"[]"))
    with pytest.raises(ContractError, match=r"/revisions/2024-01-01: .*fit"):
        repo.revision("2024-01-01")


def test_filters_of_the_wrong_kind_are_refused_before_any_request(
    repo: RestRepository, replay: ReplayServer
) -> None:
    with pytest.raises(ArgumentError, match="number"):
        repo.search_sessions(session_query({"number": "abc"}))
    with pytest.raises(ArgumentError, match="performance_gte"):
        repo.search_sessions(session_query({"performance_gte": "high"}))
    with pytest.raises(ArgumentError, match="session"):
        repo.search_insertions({"session": "not-a-uuid"})
    with pytest.raises(ArgumentError, match="ordering"):
        repo.session_records([("ordering", "start_time")])
    assert replay.seen == []


def test_typed_filters_send_the_recorded_query(repo: RestRepository, replay: ReplayServer) -> None:
    from onesdk.alf import QC

    by_name = repo.search_sessions(session_query({"qc": "PASS"})).raw()
    by_value = repo.search_sessions(session_query({"qc": QC.PASS})).raw()
    assert by_name == by_value
    assert [dict(s.query) for s in replay.requests_to("/sessions")] == [{"qc": "PASS"}] * 2
    insertions = repo.search_insertions({"session": "40ed367e-8564-41dc-a324-17c42f62323b"})
    assert {str(r.session) for r in insertions.raw()} == {"40ed367e-8564-41dc-a324-17c42f62323b"}
