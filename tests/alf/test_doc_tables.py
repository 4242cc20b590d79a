"""docs/alf-spec.md is generated from the ALF spec and must be current."""

from __future__ import annotations

from pathlib import Path

import pytest
from onesdk_tools import doc_tables, gen_alf

SPEC = doc_tables.SCHEMA_DIR / gen_alf.SPEC_FILE


def test_committed_alf_spec_doc_is_current() -> None:
    committed = (doc_tables.DOCS_DIR / "alf-spec.md").read_text(encoding="utf-8")
    assert committed == doc_tables.render_alf_spec(SPEC), "run tools/doc-tables"


def test_check_mode_fails_on_a_stale_doc_until_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "alf-spec.md").write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(doc_tables, "DOCS_DIR", docs)
    assert doc_tables.main(["--check"]) == 1
    assert "-old" in capsys.readouterr().out
    assert doc_tables.main([]) == 0
    assert doc_tables.main(["--check"]) == 0
    assert (docs / "alf-spec.md").read_text(encoding="utf-8") == doc_tables.render_alf_spec(SPEC)


def test_doc_follows_the_spec(tmp_path: Path) -> None:
    changed = SPEC.read_text(encoding="utf-8").replace("example: KS005", "example: ZM_1085")
    (tmp_path / gen_alf.SPEC_FILE).write_text(changed, encoding="utf-8")
    text = doc_tables.render_alf_spec(tmp_path / gen_alf.SPEC_FILE)
    assert "`ZM_1085`" in text
    assert "`KS005`" not in text
    for level in ("NOT_SET", "PASS", "WARNING", "FAIL", "CRITICAL"):
        assert f"`{level}`" in text
