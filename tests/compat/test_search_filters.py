"""Search filters that one-api code passes in other shapes are refused, never silently empty."""

from __future__ import annotations

from typing import Any

import pytest

from onesdk import One
from onesdk._sample import Sample, make_sample
from onesdk.errors import ArgumentError


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> One:
    sample: Sample = make_sample(tmp_path_factory.mktemp("filters"), n_trials=20)
    return One(sample.root, mode="local")


@pytest.mark.parametrize("term", ["datasets", "subject", "lab", "projects", "task_protocol"])
def test_a_dict_filter_names_the_argument_instead_of_matching_nothing(one: One, term: str) -> None:
    assert one.search(datasets="_ibl_trials.choice.npy")  # sessions with trials exist
    filters: dict[str, Any] = {term: {"object": "trials"}}  # what untyped code may pass
    with pytest.raises(ArgumentError, match=term):
        one.search(**filters)
