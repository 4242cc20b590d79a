"""tools/reference-suite: classification, reasons and the generated block of its page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from onesdk_tools.reference_suite import (
    BEGIN,
    BOTH,
    END,
    FAILS_BOTH,
    ONLY_ONESDK,
    ONLY_REFERENCE,
    SKIPPED,
    Outcome,
    Reason,
    Run,
    classify,
    load_reasons,
    main,
    reason_for,
    render,
    write_page,
)


def _run(**outcomes: str) -> Run:
    return Run({f"t.py::{name}": Outcome(value) for name, value in outcomes.items()}, {})


def test_each_test_lands_in_the_category_of_its_two_outcomes() -> None:
    reference = _run(a="passed", b="passed", c="failed", d="failed", e="skipped", f="passed")
    onesdk = _run(a="passed", b="failed", c="failed", d="passed", e="skipped")
    categories = classify(reference, onesdk)
    assert categories == {
        "t.py::a": BOTH,
        "t.py::b": ONLY_ONESDK,
        "t.py::c": FAILS_BOTH,
        "t.py::d": ONLY_REFERENCE,
        "t.py::e": SKIPPED,
        "t.py::f": ONLY_ONESDK,  # not collected on onesdk counts as a failure
    }


def test_the_first_matching_reason_wins() -> None:
    reasons = [
        Reason(("t.py::Cls::test_x",), "difference", "row x"),
        Reason(("t.py::Cls::*",), "internals", "`One._cache`"),
    ]
    assert reason_for("t.py::Cls::test_x", reasons) == reasons[0]
    assert reason_for("t.py::Cls::test_y", reasons) == reasons[1]
    assert reason_for("u.py::test_z", reasons) is None


def test_a_reason_citing_an_unknown_differences_row_is_refused(tmp_path: Path) -> None:
    differences = tmp_path / "differences.md"
    differences.write_text("| area | a | b | why |\n|---|---|---|---|\n| `known` | x | y | z |\n")
    reasons = tmp_path / "reasons.toml"
    reasons.write_text('[[reason]]\ntests = ["*"]\nkind = "difference"\nrow = "`known`"\n')
    assert load_reasons(reasons, differences)[0].text == "`known`"
    reasons.write_text('[[reason]]\ntests = ["*"]\nkind = "difference"\nrow = "`unknown`"\n')
    with pytest.raises(SystemExit, match="unknown"):
        load_reasons(reasons, differences)


def test_unexplained_onesdk_failures_are_reported() -> None:
    onesdk = _run(a="failed", b="failed")
    categories = {"t.py::a": ONLY_ONESDK, "t.py::b": ONLY_ONESDK}
    reasons = [Reason(("t.py::a",), "internals", "`One._cache`")]
    text, unexplained = render(categories, onesdk, reasons, reference=onesdk)
    assert unexplained == ["t.py::b"]
    assert "| `t.py::a` | tests one-api internals: `One._cache` |" in text
    assert "| **all** | **0** | **2** |" in text


def test_a_module_level_reason_covers_its_tests_and_its_import_failure() -> None:
    reasons = [Reason(("m.py",), "difference", "`one.registration`")]
    assert reason_for("m.py::Cls::test_x", reasons) == reasons[0]
    assert reason_for("m.py", reasons) == reasons[0]
    assert reason_for("n.py::test_y", reasons) is None
    onesdk = Run({}, {"m.py": "E   ImportError: no 'x' (/abs/dir/x.py)", "n.py": "E   Boom"})
    reference = Run({"m.py::test_a": Outcome("passed"), "n.py::test_b": Outcome("passed")}, {})
    text, unexplained = render({}, onesdk, reasons, reference=reference)
    assert unexplained == ["n.py"]
    assert "| `m.py` | `ImportError: no 'x' (.../x.py)` | documented difference" in text
    assert "| `n.py` | `Boom` | **no reason recorded** |" in text


def test_a_module_neither_side_can_import_needs_no_reason() -> None:
    onesdk = Run({}, {"n.py": "Boom"})
    text, unexplained = render({}, onesdk, [], reference=Run({}, {"n.py": "Offline"}))
    assert unexplained == []
    assert "| `n.py` | `Boom` | one-api cannot import it either |" in text


def test_a_module_whose_tests_all_skip_on_one_api_needs_no_reason() -> None:
    onesdk = Run({}, {"n.py": "Boom"})
    reference = Run({"n.py::test_a": Outcome("skipped"), "m.py::test_b": Outcome("passed")}, {})
    text, unexplained = render({}, onesdk, [], reference=reference)
    assert unexplained == []
    assert "| `n.py` | `Boom` | every test of it skips on one-api |" in text


def test_rewriting_the_page_keeps_the_hand_written_text(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\nintro\n\n{BEGIN}\nold\n{END}\n\nafter\n")
    write_page(page, f"{BEGIN}\nnew\n{END}\n")
    assert page.read_text() == f"# Title\n\nintro\n\n{BEGIN}\nnew\n{END}\n\nafter\n"


_PROBE = """
import unittest

from one.api import One
from one.util import LazyId


class TestProbe(unittest.TestCase):
    def test_mapped_name(self):
        self.assertTrue(callable(One.setup))

    def test_absent_name(self):
        self.assertEqual(len(LazyId([])), 0)
"""

_BROKEN = """
from one.registration import no_such_name
"""


def test_both_runs_go_through_the_plugin_and_the_shim(
    tmp_path: Path, reference_python: Path
) -> None:
    tests = tmp_path / "one" / "tests"
    tests.mkdir(parents=True)
    (tests / "__init__.py").write_text("")
    (tests / "test_probe.py").write_text(_PROBE)
    (tests / "test_broken.py").write_text(_BROKEN)  # fails at import on both sides
    reasons = tmp_path / "reasons.toml"
    reasons.write_text("")
    page, out = tmp_path / "page.md", tmp_path / "out.json"
    argv = [str(tests), "--reference-python", str(reference_python), "--reasons", str(reasons)]
    assert main([*argv, "--output", str(page), "--json", str(out), "--check"]) == 1
    category = {k: v["category"] for k, v in json.loads(out.read_text())["category"].items()}
    assert category == {
        "one/tests/test_probe.py::TestProbe::test_mapped_name": BOTH,
        "one/tests/test_probe.py::TestProbe::test_absent_name": ONLY_ONESDK,
    }
    assert "| `one/tests/test_probe.py::TestProbe::test_absent_name` | **no reason" in (
        page.read_text()
    )
    # the module that fails at import did not stop the others, and is reported
    assert "| `one/tests/test_broken.py` | `ImportError" in page.read_text()
