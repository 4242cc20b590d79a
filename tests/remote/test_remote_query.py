"""Remote search on the query model: the same SessionQuery as local search, translated to
Alyx filters, with what the server cannot filter finished by the local backend's matcher."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from onesdk import QC
from onesdk._facade._one_alyx import OneAlyx
from onesdk._remote._filters import session_params, session_query
from onesdk._repo._query import SessionQuery
from onesdk.errors import ArgumentError
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer


@pytest.fixture
def one(replay: ReplayServer, config_home: Path, tmp_path: Path) -> Iterator[OneAlyx]:
    instance = open_one_alyx(replay, tmp_path / "cache")
    yield instance
    instance.close()


def _filters(path: str, replay: ReplayServer) -> list[dict[str, str]]:
    return [dict(seen.query) for seen in replay.requests_to(path)]


# the query ----------------------------------------------------------------------------------
def test_remote_search_builds_the_query_local_search_builds() -> None:
    remote = session_query({"subj": "KS051", "date": "2024-01-01", "lab": ["a", "b"]})
    local = SessionQuery.build(subject="KS051", date_range="2024-01-01", lab=["a", "b"])
    assert remote == local


def test_server_only_terms_stay_beside_the_model_filters() -> None:
    query = session_query({"subject": "KS051", "performance_gte": 70, "django": "x,1"})
    assert query.subject == ("KS051",)
    assert dict(query.server_only) == {"performance_gte": 70, "django": "x,1"}
    params, residual = session_params(query)
    assert params == [("django", "x,1"), ("performance_gte", "70"), ("subject", "KS051")]
    assert residual is None


def test_dataset_is_datasets_in_a_remote_search_as_in_a_local_one() -> None:
    assert session_query({"dataset": "spikes.times.npy"}) == session_query(
        {"datasets": "spikes.times.npy"}
    )


def test_a_value_given_twice_under_two_spellings_is_refused() -> None:
    with pytest.raises(ArgumentError, match="given twice"):
        session_query({"dataset": "a.b.npy", "datasets": "c.d.npy"})


def test_a_regex_the_server_cannot_apply_is_left_to_the_client() -> None:
    params, residual = session_params(session_query({"subject": "^KS05[12]$", "lab": "cortex"}))
    assert params == [("lab", "cortex")]
    assert residual == SessionQuery.build(subject="^KS05[12]$")
    # without regexes the same text is a plain substring, which the server filters
    params, residual = session_params(session_query({"subject": "^KS05[12]$"}, regex=False))
    assert params == [("subject", "^KS05[12]$")]
    assert residual is None


def test_several_session_numbers_are_left_to_the_client() -> None:
    params, residual = session_params(session_query({"number": [2, 3], "subject": "KS051"}))
    assert params == [("subject", "KS051")]
    assert residual == SessionQuery.build(number=[2, 3])


def test_a_reversed_remote_date_range_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(ArgumentError, match="date_range"):
        session_params(session_query({"date_range": ["2024-02-01", "2024-01-01"]}))


def test_open_date_range_ends_are_sent_as_one_api_fills_them() -> None:
    params, _ = session_params(session_query({"date_range": [dt.date(2024, 1, 1), None]}))
    assert params == [("date_range", "2024-01-01,2262-04-11")]


# over the replay of one-api's exchanges -----------------------------------------------------
def test_remote_search_with_dataset_sends_the_datasets_filter(
    one: OneAlyx, replay: ReplayServer
) -> None:
    found = one.search(dataset="spikes.times.npy")
    assert found == one.search(datasets="spikes.times.npy")
    assert found
    assert _filters("/sessions", replay)[0] == {"datasets": "spikes.times.npy"}


def test_a_remote_regex_search_is_matched_by_the_local_matcher(
    one: OneAlyx, replay: ReplayServer
) -> None:
    expected = one.search(subject="KS051")
    assert expected
    assert one.search(subject="^KS051$") == expected
    assert _filters("/sessions", replay)[-1] == {}  # every session, matched here


def test_a_remote_search_for_several_numbers_unites_the_single_searches(
    one: OneAlyx, replay: ReplayServer
) -> None:
    twos, threes = one.search(number=2), one.search(number=3)
    assert twos
    assert threes
    both = one.search(number=[2, 3])
    assert sorted(both) == sorted(twos + threes)
    assert _filters("/sessions", replay)[-1] == {}


# the QC level as the caller wrote it --------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "sent"),
    [(40, "40"), (QC.FAIL, "40"), ("FAIL", "FAIL"), ("WARNING", "WARNING"), ("30", "30")],
)
def test_a_qc_level_reaches_the_server_as_one_api_sends_it(given: object, sent: str) -> None:
    params, _ = session_params(session_query({"dataset_qc_lte": given}))
    assert ("dataset_qc_lte", sent) in params


def test_a_qc_level_as_a_number_and_as_a_name_is_one_query() -> None:
    assert session_query({"dataset_qc_lte": 40}) == session_query({"dataset_qc_lte": "FAIL"})


def test_a_remote_search_with_a_numeric_qc_level_asks_the_recorded_request(
    one: OneAlyx, replay: ReplayServer
) -> None:
    found = one.search(dataset_qc_lte=40, subject="KS051")
    assert found  # the recorded answer lists sessions
    assert _filters("/sessions", replay) == [{"dataset_qc_lte": "40", "subject": "KS051"}]
    assert found == one.search(dataset_qc_lte=40, subject="KS051", query_type="remote")


@pytest.mark.parametrize("query_type", ["auto", "refresh"])
def test_a_call_with_query_type_auto_or_refresh_reads_the_cache_tables(
    one: OneAlyx, replay: ReplayServer, query_type: str
) -> None:
    # one-api sends only query_type='remote' to the server (the modes page's 'refresh' call)
    local = one.search(lab="cortexlab", query_type="local")
    assert one.search(lab="cortexlab", query_type=query_type) == local
    assert one.list_datasets(query_type=query_type) == one.list_datasets(query_type="local")
    assert _filters("/sessions", replay) == []
    assert one.search(lab="cortexlab", query_type="remote")
    assert _filters("/sessions", replay) == [{"lab": "cortexlab"}]
