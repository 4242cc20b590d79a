"""Bad input to the remote layer: every call succeeds or raises from the onesdk error tree."""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from onesdk._http._rest_cache import cache_key
from onesdk._remote._filters import QueryParams, insertion_query, session_params, session_query
from onesdk._store._download import safe_target
from onesdk.errors import ArgumentError, UnsafePathError

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.dates()
    | st.uuids()
    | st.binary(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
terms = st.dictionaries(
    st.sampled_from(
        ["subject", "lab", "laboratory", "date_range", "number", "datasets", "dataset",
         "dataset_qc_lte", "projects", "task", "django", "id", "users", "", "subjekt", "dat"]
    )
    | st.text(max_size=12),
    values,
    max_size=4,
)  # fmt: skip


def _attempt(call: Callable[[], QueryParams]) -> QueryParams | ArgumentError:
    """The result, or the onesdk argument error (anything else propagates and fails)."""
    try:
        return call()
    except ArgumentError as exc:
        return exc


@given(terms)
def test_session_query_gives_text_pairs_or_a_named_error(given_terms: dict[str, object]) -> None:
    outcome = _attempt(lambda: session_params(session_query(given_terms))[0])
    if isinstance(outcome, ArgumentError):
        assert outcome.argument
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in outcome)


@given(terms)
def test_insertion_query_gives_text_pairs_or_a_named_error(
    given_terms: dict[str, object],
) -> None:
    outcome = _attempt(lambda: insertion_query(given_terms))
    if isinstance(outcome, ArgumentError):
        assert outcome.argument
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in outcome)


@given(
    st.one_of(
        st.dates(), st.text(max_size=12), st.lists(st.one_of(st.none(), st.dates()), max_size=3)
    )
)
def test_date_ranges_are_ordered_pairs_or_a_named_error(value: object) -> None:
    outcome = _attempt(lambda: session_params(session_query({"date_range": value}))[0])
    if isinstance(outcome, ArgumentError):
        assert outcome.argument == "date_range"
        return
    ((_, text),) = outcome
    start, end = text.split(",")
    assert dt.date.fromisoformat(start) <= dt.date.fromisoformat(end)


path_text = st.lists(
    st.sampled_from(["a", "b", ".", "/", "\\", "\x00", "#", ":", "C", " ", "..", "alf"]),
    max_size=12,
).map("".join)


@given(path_text, path_text)
def test_server_paths_land_inside_the_session_or_are_refused(session: str, rel: str) -> None:
    root = Path(tempfile.gettempdir()) / f"onesdk-fuzz-{uuid.uuid4().hex}"
    try:
        target = safe_target(root, session, rel)
    except UnsafePathError:
        return
    resolved = target.resolve()
    assert resolved.is_relative_to((root / session).resolve())
    assert resolved != (root / session).resolve()


@given(st.text(max_size=30), st.lists(st.tuples(st.text(max_size=5), st.text(max_size=5))))
def test_cache_keys_ignore_query_order(path: str, pairs: list[tuple[str, str]]) -> None:
    import urllib.parse

    query = urllib.parse.urlencode(pairs)
    again = urllib.parse.urlencode(list(reversed(pairs)))
    url = f"http://h/{urllib.parse.quote(path)}"
    assert cache_key("GET", f"{url}?{query}") == cache_key("GET", f"{url}?{again}")
