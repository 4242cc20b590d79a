"""Every recorded Alyx answer fits the generated types of its endpoint and action.

The answers are checked with the run-time validation of ``rest(..., validate=True)``
(:func:`onesdk._remote._alyx_contract.check`), which walks the same contract the TypedDicts of
``onesdk_gen.alyx_types`` are generated from.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from onesdk._remote._alyx_contract import check, contract
from onesdk.errors import ContractError
from tests.contract._corpus import exchanges, template_of

pytestmark = pytest.mark.shared


def _operations() -> dict[tuple[str, str], tuple[str, str]]:
    """(path template, method) -> (endpoint, action)."""
    return {
        (op.path, op.method): (endpoint, action)
        for endpoint, actions in contract().operations.items()
        for action, op in actions.items()
    }


def test_every_recorded_success_answer_fits_its_types(shared_alyx: Path) -> None:
    ops = _operations()
    templates = sorted({path for path, _ in ops})
    checked: Counter[str] = Counter()
    for exchange in exchanges(shared_alyx):
        if exchange.status not in (200, 201):
            continue
        template = template_of(exchange.path, templates)
        found = ops.get((template or "", exchange.method))
        if found is None:
            continue
        endpoint, action = found
        op = contract().operations[endpoint][action]
        assert op.answer is not None, f"{exchange.id}: {endpoint} {action} declares no answer"
        check(exchange.body, op.answer, shown=f"{exchange.id} {exchange.method} {exchange.path}")
        checked[f"{endpoint} {action}"] += 1
    for key in ("sessions list", "sessions read", "datasets list", "insertions list",
                "subjects list", "users list", "tags create", "dataset-types read",
                "files list", "procedures list", "locations list"):  # fmt: skip
        assert checked[key] > 0, f"no recorded answer of {key}"


def test_a_field_outside_the_contract_is_named() -> None:
    record = {"id": "x", "name": "trials.table", "description": 3}
    with pytest.raises(ContractError, match=r"description: expected string, got integer"):
        check(record, "DatasetType", shown="GET /dataset-types/trials.table")


def test_a_missing_required_field_is_named() -> None:
    with pytest.raises(ContractError, match=r"results\[0\]\.nickname: missing"):
        check({"count": 1, "results": [{"id": "x"}]}, "PaginatedSubjectList", shown="GET /subjects")


def test_importing_onesdk_and_its_rest_backend_loads_no_generated_types() -> None:
    """The TypedDicts, overloads and table are big: only the checker and rest() read them."""
    import subprocess
    import sys

    code = (
        "import sys, onesdk, onesdk._remote._rest\n"
        "big = ('onesdk_gen.alyx_types', 'onesdk_gen.alyx_rest')\n"
        "loaded = [m for m in big if m in sys.modules]\n"
        "from onesdk._remote._alyx_contract import contract\n"
        "print(loaded, contract.cache_info().currsize)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["[]", "0"]
