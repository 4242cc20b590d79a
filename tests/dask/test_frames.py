"""load_tables and datasets_frame: Dask DataFrames equal to what one instance answers serially."""

from __future__ import annotations

import collections
from pathlib import Path

import distributed
import pandas as pd
import pytest

from onesdk._facade._one_alyx import OneAlyx
from onesdk.dask import datasets_frame, load_tables
from onesdk.errors import LoadError
from tests.dask.conftest import corpus_instance
from tests.replay.server import ReplayServer


def _serial_table(one: OneAlyx, eids: list[str]) -> pd.DataFrame:
    frames = []
    for eid in eids:
        frame = one.load_object(eid, "trials", query_type="local").to_df()
        frame.insert(0, "eid", eid)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_load_tables_is_one_partition_per_session_and_equals_a_serial_load(
    client: distributed.Client,
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    shared_alyx: Path,
) -> None:
    one = corpus_instance(replay, tmp_path / "cache", shared_alyx)
    serial_one = corpus_instance(replay, tmp_path / "serial", shared_alyx)
    eids = [str(e) for e in one.search(query_type="local")]
    columns = {e: frozenset(_serial_table(serial_one, [e]).columns) for e in eids[:30]}
    common, _ = collections.Counter(columns.values()).most_common(1)[0]
    same = [e for e in eids[:30] if columns[e] == common][:4]
    assert len(same) == 4
    frame = load_tables(one, same, "trials", query_type="local", client=client)
    assert frame.npartitions == len(same)
    assert set(frame.columns) == common
    computed = client.compute(frame).result().reset_index(drop=True)
    expected = _serial_table(serial_one, same)[list(frame.columns)]
    pd.testing.assert_frame_equal(computed, expected, check_dtype=False)
    first = client.compute(frame.get_partition(1)).result()
    assert set(first["eid"]) == {same[1]}


def test_load_tables_with_columns_named_fills_what_a_session_lacks(
    client: distributed.Client,
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    shared_alyx: Path,
) -> None:
    one = corpus_instance(replay, tmp_path / "cache", shared_alyx)
    serial_one = corpus_instance(replay, tmp_path / "serial", shared_alyx)
    eids = [str(e) for e in one.search(query_type="local")][:16]
    columns = {e: set(_serial_table(serial_one, [e]).columns) for e in eids}
    wide = max(eids, key=lambda e: len(columns[e]))
    narrow = next(e for e in eids if columns[e] < columns[wide])
    # the first session decides the columns: a later one with more is an error when computed
    frame = load_tables(one, [narrow, wide], "trials", query_type="local", client=client)
    with pytest.raises(LoadError, match=wide):
        client.compute(frame).result()
    names = ["eid", *sorted(columns[wide] - {"eid"})]
    frame = load_tables(
        one, [narrow, wide], "trials", query_type="local", columns=names, client=client
    )
    computed = client.compute(frame).result()
    missing = sorted(columns[wide] - columns[narrow])
    assert computed.loc[computed["eid"] == narrow, missing].isna().all().all()
    assert computed.loc[computed["eid"] == wide, missing].notna().any().any()


def test_datasets_frame_equals_the_datasets_table_with_the_same_filters(
    client: distributed.Client,
    replay: ReplayServer,
    config_home: Path,
    tmp_path: Path,
    shared_alyx: Path,
) -> None:
    one = corpus_instance(replay, tmp_path / "cache", shared_alyx)
    for filters in ({}, {"filename": "*trials*", "collection": "alf"}, {"qc": "PASS"}):
        frame = datasets_frame(one, **filters)  # type: ignore[arg-type]
        assert frame.npartitions > 1
        computed = client.compute(frame).result()
        expected = one.list_datasets(details=True, query_type="local", **filters).reset_index()  # type: ignore[call-overload]
        key = ["eid", "id"]
        got = computed.sort_values(key).reset_index(drop=True)
        want = expected.sort_values(key).reset_index(drop=True)
        assert list(got.columns) == list(want.columns)
        pd.testing.assert_frame_equal(got.astype(str), want.astype(str))
        assert len(got) > 0
