"""Every recorded one-api 3.6.1 local-mode result is reproduced, or differs as documented."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from onesdk import errors
from onesdk._cache._schema import QC_NAMES, QC_VALUES
from onesdk._facade._one import One
from tests.local._corpus import build_cache_dir, calls, expected_plain, plain, run

ROOT = Path(__file__).resolve().parents[2]

#: calls whose result differs from one-api on purpose; each has a row in docs/differences.md
DIFFERENT: dict[str, str] = {
    "c0094": "dataset alias accepted (one-api: ambiguous term)",
    "c0095": "dataset alias accepted (one-api: ambiguous term)",
    "c0099": "dataset alias accepted (one-api: ambiguous term)",
    "c0131": "dataset alias accepted (one-api: ambiguous term)",
    "c0133": "dataset alias accepted (one-api: ambiguous term)",
    "c0137": "dataset alias accepted (one-api: ambiguous term)",
    "c0096": "dataset_qc_lte without datasets returns sessions (one-api: always [])",
    "c0097": "dataset_qc_lte without datasets returns sessions (one-api: always [])",
    "c0098": "dataset_qc_lte without datasets returns sessions (one-api: always [])",
    "c0134": "dataset_qc_lte without datasets returns sessions (one-api: always [])",
    "c0135": "dataset_qc_lte without datasets returns sessions (one-api: always [])",
    "c0136": "dataset_qc_lte without datasets returns sessions (one-api: always [])",
    "c0140": "search(details=True) with no match returns ([], []) (one-api: ([], None))",
    "c0318": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0319": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0320": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0321": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0322": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0323": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0324": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0325": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0326": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0329": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0344": "list_datasets of a session not in the cache returns [] (one-api: an empty DataFrame)",
    "c0500": "'object.attribute' matches namespaced files (one-api: ALFObjectNotFound)",
    "c0544": "'object.attribute' matches namespaced files (one-api: ALFObjectNotFound)",
    "c0536": "get_details of a list gives a list of Sessions (one-api local: ALFObjectNotFound)",
    "c0778": "record2url without a file server raises AlfError (one-api: AssertionError)",
    "c0779": "record2url without a file server raises AlfError (one-api: AssertionError)",
}

_ERRORS: dict[str, tuple[type[BaseException], ...]] = {
    "ValueError": (ValueError,),
    "ALFObjectNotFound": (errors.ALFObjectNotFound,),
    "ALFMultipleCollectionsFound": (errors.ALFMultipleCollectionsFound,),
    "ALFError": (errors.AlfError,),
    "AttributeError": (AttributeError,),
    "AssertionError": (errors.ALFObjectNotFound,),
}


@pytest.fixture(scope="module")
def instances(shared_alyx: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, One]:
    out = {}
    for mode in ("local", "local_tag"):
        cache = build_cache_dir(shared_alyx, mode, tmp_path_factory.mktemp(mode))
        out[mode] = One(cache_dir=cache, mode="local")
    return out


def same(expected: object, actual: object) -> bool:
    """Equal after normalisation; records compare on the reference's keys."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if set(expected) - set(actual):
            return False
        return all(same(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            same(e, a) for e, a in zip(expected, actual, strict=True)
        )
    if isinstance(expected, str) and isinstance(actual, list):  # projects: 'a,b' vs ['a', 'b']
        return expected == ",".join(map(str, actual))
    if expected == "" and actual is None:  # no revision: '' in frames, None in models
        return True
    if isinstance(expected, str) and isinstance(actual, int) and expected in QC_NAMES:
        return QC_VALUES[QC_NAMES.index(expected)] == actual
    if isinstance(expected, float) and isinstance(actual, float):
        return abs(expected - actual) <= 1e-12 * max(1.0, abs(expected))
    return expected == actual


def check(one: One, call: dict[str, object]) -> str | None:
    """None when onesdk reproduces the recorded result, else what differs."""
    expected = call["expected"]
    assert isinstance(expected, dict)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcome, value = run(one, call)
    if "error" in expected:
        wanted = _ERRORS.get(str(expected["error"]), (Exception,))
        if outcome == "error" and isinstance(value, wanted):
            return None
        return f"expected {expected['error']}, got {outcome}: {value!r}"[:300]
    if outcome == "error":
        return f"raised {value!r}"[:300]
    want = expected_plain(expected["value"])
    got = plain(value, one.cache_dir)
    return None if same(want, got) else f"expected {str(want)[:200]}\n got {str(got)[:200]}"


def _ids(modes: tuple[str, ...]) -> list[str]:
    from tests.conftest import shared_alyx_dir

    corpus = shared_alyx_dir()
    if not (corpus / "expected" / "calls.json").is_file():
        return []
    return [str(c["id"]) for c in calls(corpus, modes)]


@pytest.mark.shared
@pytest.mark.parametrize("call_id", _ids(("local", "local_tag")))
def test_recorded_call(call_id: str, shared_alyx: Path, instances: dict[str, One]) -> None:
    (call,) = [c for c in calls(shared_alyx, ("local", "local_tag")) if c["id"] == call_id]
    problem = check(instances[str(call["mode"])], call)
    if call_id in DIFFERENT:
        assert problem is not None, f"{call_id} now matches one-api: drop it from DIFFERENT"
        return
    assert problem is None, problem
