"""The ALF generator: reproducible output, and the spec really drives the generated code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from onesdk_tools import gen_alf
from onesdk_tools.regenerate import GENERATED_DIR, SCHEMA_DIR

from tests.strategies import NameSampler

SPEC = SCHEMA_DIR / gen_alf.SPEC_FILE


def _generate(schema_dir: Path, out_dir: Path) -> Path:
    gen_alf.generate(schema_dir, out_dir)
    return out_dir / gen_alf.OUTPUT


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve annotations through sys.modules
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def test_generation_is_reproducible_and_committed(tmp_path: Path) -> None:
    first = _generate(SCHEMA_DIR, tmp_path / "a").read_bytes()
    second = _generate(SCHEMA_DIR, tmp_path / "b").read_bytes()
    assert first == second
    assert first == (GENERATED_DIR / gen_alf.OUTPUT).read_bytes()


def test_header_names_input_and_generator(tmp_path: Path) -> None:
    head = _generate(SCHEMA_DIR, tmp_path).read_text(encoding="utf-8").splitlines()[0]
    assert "do not edit" in head
    assert "schema/alf-spec.yaml" in head
    assert f"gen_alf {gen_alf.GENERATOR_VERSION}" in head


def test_changing_the_spec_changes_the_generated_grammar(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    schema.mkdir()
    text = SPEC.read_text(encoding="utf-8")
    # allow up to four digits in the session number, and add a QC level
    changed = text.replace("pattern: '\\d{1,3}'", "pattern: '\\d{1,4}'", 1)
    level = "  BLOCKER:\n    value: 60\n    description: x\n"
    changed = changed.replace("  CRITICAL:\n", level + "  CRITICAL:\n")
    assert changed != text
    (schema / gen_alf.SPEC_FILE).write_text(changed, encoding="utf-8")
    original = _generate(SCHEMA_DIR, tmp_path / "orig")
    modified = _generate(schema, tmp_path / "mod")
    assert original.read_bytes() != modified.read_bytes()

    old = _load(original, "alf_gen_original")
    new = _load(modified, "alf_gen_modified")
    session = "subj/2020-01-01/0001"
    assert not old.SESSION_SEARCH_RE.fullmatch(session)
    assert new.SESSION_SEARCH_RE.fullmatch(session)
    assert new.ROOTED_FOLDER_RE.match(session + "/")["number"] == "0001"
    assert old.ROOTED_FOLDER_RE.match(session + "/") is None
    assert new.QC.parse("blocker") == 60
    with pytest.raises(ValueError, match="QC"):
        old.QC.parse("blocker")
    # every sampled valid path still reads through the grammar generated from the altered spec
    for text in NameSampler(0).sample(300, near_valid_share=0.0):
        head, _, name = text.rpartition("/")
        if name.count(".") < 2 or name.startswith("#"):  # a folder path
            head = text
        else:
            assert new.FILENAME_RE.match(name), name
        if head:
            assert new.ROOTED_FOLDER_RE.match(head + "/") or new.COLLECTION_FOLDERS_RE.match(
                head + "/"
            ), text


def test_generated_module_holds_no_path_logic() -> None:
    """The generator emits grammar tables and shapes; AlfPath is written by hand in onesdk.alf."""
    text = (GENERATED_DIR / gen_alf.OUTPUT).read_text(encoding="utf-8")
    assert "class AlfPath" not in text
    assert "def with_" not in text
    assert "class AlfPath" not in Path(gen_alf.__file__).read_text(encoding="utf-8")


def test_malformed_spec_is_reported_with_its_key(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    schema.mkdir()
    text = SPEC.read_text(encoding="utf-8").replace("pattern: '\\w+'", "pattern: '(\\w+'", 1)
    (schema / gen_alf.SPEC_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(gen_alf.SpecError, match=r"parts\.lab"):
        gen_alf.generate(schema, tmp_path / "out")


def test_generated_module_imports_only_the_stdlib() -> None:
    text = (GENERATED_DIR / gen_alf.OUTPUT).read_text(encoding="utf-8")
    imports = {
        line.split()[1].split(".")[0]
        for line in text.splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imports <= set(sys.stdlib_module_names) | {"__future__"}
