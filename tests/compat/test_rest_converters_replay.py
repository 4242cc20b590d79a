"""one-api's converter workflow over ``one.alyx.rest()`` answers, on the loopback replay server:
the typed REST records go straight into ``onesdk.converters`` (checked by mypy), the local paths
are the session's folder and the frame's ``rel_path``, and a session detail frames its datasets
as the datasets endpoint's records do."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import assert_type

import pandas as pd
import pytest

import onesdk
from onesdk import alyx_types as t
from onesdk.alf import PurePosixALFPath
from onesdk.converters import datasets2records, one_path_from_dataset, ses2records
from tests.replay.fixtures import one_on_replay, replay

__all__ = ["one_on_replay", "replay"]

pytestmark = pytest.mark.shared

EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"


def test_listed_datasets_give_the_frame_and_the_local_paths_of_the_session(
    one: onesdk.OneAlyx,
) -> None:
    dsets = one.alyx.rest("datasets", "list", session=EID)
    assert_type(dsets, list[t.Dataset])
    frame = datasets2records(dsets, additional=["collection"])
    assert frame.index.get_level_values("eid").unique().tolist() == [uuid.UUID(EID)]
    # a dataset gets a row when a file of it exists on a server
    served = [d for d in dsets if any(f["exists"] and f["data_url"] for f in d["file_records"])]
    assert len(frame) == len(served) > 10
    # the cache path of each dataset: the session folder, then the frame's rel_path
    session_path = one.eid2path(EID)
    assert session_path is not None
    root = PurePosixPath(one.cache_dir)
    paths = one_path_from_dataset(served, root)
    assert_type(paths, list[PurePosixALFPath])
    ids = [str(did) for did in frame.index.get_level_values("id")]
    rel_paths = dict(zip(ids, frame["rel_path"].tolist(), strict=True))
    for dset, path in zip(served, paths, strict=True):
        expected = PurePosixPath(session_path.as_posix(), rel_paths[dset["url"][-36:]])
        assert path == expected


def test_a_session_detail_gives_the_row_and_the_datasets_of_the_session(
    one: onesdk.OneAlyx,
) -> None:
    detail = one.alyx.rest("sessions", "read", id=EID)
    assert_type(detail, t.SessionDetail)
    session, datasets = ses2records(detail)
    assert_type(session, pd.Series)
    assert session.name == uuid.UUID(EID)
    assert (session["subject"], session["lab"]) == (detail["subject"], detail["lab"])
    # the same frame as the session's records from the datasets endpoint
    listed = datasets2records(one.alyx.rest("datasets", "list", session=EID))
    assert len(datasets) > 10
    pd.testing.assert_frame_equal(datasets, listed)
