"""Each subcommand on a generated sample: JSON that parses and agrees with the files on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from onesdk import cli
from onesdk._sample import REVISIONS, Sample
from tests.cli.conftest import run_cli


def as_json(args: list[str]) -> Any:  # parsed JSON: its shape is what the tests check
    result = run_cli([*args, "--json"])
    assert result.code == 0, result.err
    return json.loads(result.out)


def ephys(sample: Sample) -> str:
    return next(s.rel_path for s in sample.sessions if len(s.probes) == 2)


def test_search_json_lists_every_session(sample: Sample, cache_dir: Path) -> None:
    eids = as_json(["--cache-dir", str(cache_dir), "search"])
    assert isinstance(eids, list)
    assert len(eids) == len(sample.sessions)


def test_search_filters_like_the_api(sample: Sample, cache_dir: Path) -> None:
    records = as_json(["--cache-dir", str(cache_dir), "search", "--lab", "cortexlab", "--details"])
    assert isinstance(records, list)
    expected = sorted(
        (s.subject, s.date.isoformat()) for s in sample.sessions if s.lab == "cortexlab"
    )
    assert sorted((r["subject"], r["date"]) for r in records) == expected


def test_search_with_required_dataset(sample: Sample, cache_dir: Path) -> None:
    eids = as_json(["--cache-dir", str(cache_dir), "search", "--dataset", "spikes.times.npy"])
    assert isinstance(eids, list)
    assert len(eids) == sum(1 for s in sample.sessions if s.probes)


def test_search_text_output_is_a_table(sample: Sample, cache_dir: Path) -> None:
    result = run_cli(["--cache-dir", str(cache_dir), "search", "--subject", "KS051"])
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["eid", "session"]
    assert lines[-1] == "2 session(s)"


def test_ls_json_matches_the_files(sample: Sample, cache_dir: Path) -> None:
    session = ephys(sample)
    names = as_json(["--cache-dir", str(cache_dir), "ls", session, "--collection", "alf/probe01"])
    on_disk = sorted(
        p.relative_to(cache_dir / session).as_posix()
        for p in (cache_dir / session / "alf" / "probe01").iterdir()
    )
    assert sorted(names) == on_disk


def test_ls_revisions_and_collections(sample: Sample, cache_dir: Path) -> None:
    session = ephys(sample)
    revisions = as_json(["--cache-dir", str(cache_dir), "ls", session, "--revisions"])
    assert sorted(revisions) == ["", *REVISIONS]
    collections = as_json(["--cache-dir", str(cache_dir), "ls", session, "--collections"])
    assert {"alf", "alf/probe00", "alf/probe01"} <= set(collections)


def test_ls_details_has_qc_and_default_flags(sample: Sample, cache_dir: Path) -> None:
    rows = as_json(
        ["--cache-dir", str(cache_dir), "ls", ephys(sample), "--filename", "*stimOn*", "--details"]
    )
    assert isinstance(rows, list)
    by_path = {r["rel_path"]: r for r in rows}
    default = f"alf/#{REVISIONS[0]}#/_ibl_trials.stimOn_times.npy"
    assert by_path[default]["default_revision"] is True
    assert (
        by_path[f"alf/#{REVISIONS[1]}#/_ibl_trials.stimOn_times.npy"]["default_revision"] is False
    )


def test_info_json_names_the_session(sample: Sample, cache_dir: Path) -> None:
    session = sample.sessions[0]
    ref = f"{session.date.isoformat()}_{session.number}_{session.subject}"
    record = as_json(["--cache-dir", str(cache_dir), "info", ref])
    assert isinstance(record, dict)
    assert (record["lab"], record["subject"], record["number"]) == (
        session.lab,
        session.subject,
        session.number,
    )
    assert record["task_protocol"] == session.task_protocol


def test_info_of_unknown_session_exits_not_found(cache_dir: Path) -> None:
    result = run_cli(["--cache-dir", str(cache_dir), "info", "1999-01-01_1_nobody"])
    assert result.code == cli.EXIT_NOT_FOUND
    assert result.err.startswith("onesdk: error: ")
    assert result.err.count("\n") == 1


def test_load_json_reports_shapes_and_out_writes_arrays(
    sample: Sample, cache_dir: Path, tmp_path: Path
) -> None:
    session = sample.sessions[0]
    summary = as_json(
        ["--cache-dir", str(cache_dir), "load", session.rel_path, "trials", "--out", str(tmp_path)]
    )
    assert isinstance(summary, dict)
    assert summary["attributes"]["intervals"]["shape"] == [session.n_trials, 2]
    saved = np.load(tmp_path / "trials.choice.npy")
    original = np.load(cache_dir / session.rel_path / "alf" / "_ibl_trials.choice.npy")
    np.testing.assert_array_equal(saved, original)


def test_load_text_shows_each_attribute(sample: Sample, cache_dir: Path) -> None:
    result = run_cli(
        [
            "--cache-dir",
            str(cache_dir),
            "load",
            ephys(sample),
            "spikes",
            "--collection",
            "alf/probe00",
        ]
    )
    assert result.code == 0, result.err
    for attribute in ("times", "clusters", "amps", "depths"):
        assert f"\n{attribute} " in result.out


def test_load_unknown_object_exits_not_found(sample: Sample, cache_dir: Path) -> None:
    result = run_cli(["--cache-dir", str(cache_dir), "load", ephys(sample), "nosuchobject"])
    assert result.code == cli.EXIT_NOT_FOUND, result.err
    assert result.err.count("\n") == 1


def test_download_copies_files_with_revision_folders(
    sample: Sample, cache_dir: Path, tmp_path: Path
) -> None:
    session = ephys(sample)
    items = as_json(
        [
            "--cache-dir",
            str(cache_dir),
            "download",
            session,
            "--filename",
            "*stimOn*",
            "--out",
            str(tmp_path),
        ]
    )
    assert isinstance(items, list)
    copied = f"alf/#{REVISIONS[0]}#/_ibl_trials.stimOn_times.npy"
    assert [i["rel_path"] for i in items] == [copied]
    assert (tmp_path / copied).read_bytes() == (cache_dir / session / copied).read_bytes()


def test_cache_info_counts_rows(sample: Sample, cache_dir: Path) -> None:
    info = as_json(["--cache-dir", str(cache_dir), "cache", "info"])
    assert isinstance(info, dict)
    assert info["sessions"] == len(sample.sessions)
    assert info["datasets"] == sum(
        1
        for p in cache_dir.rglob("*")
        if p.suffix in (".npy", ".pqt", ".json", ".yaml") and "Subjects" in p.parts
    )


def test_cache_build_indexes_a_folder(sample: Sample, tmp_path: Path) -> None:
    import shutil

    session = sample.sessions[0]
    target = tmp_path / "copy"
    shutil.copytree(sample.session_path(session), target / session.rel_path)
    info = as_json(["cache", "build", str(target)])
    assert isinstance(info, dict)
    assert info["sessions"] == 1
    assert (target / "sessions.pqt").is_file()


def test_cache_info_without_tables_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli(["--cache-dir", str(tmp_path), "cache", "info"])
    assert result.code == cli.EXIT_ERROR
    assert "onesdk cache build" in result.err
    assert result.err.count("\n") == 1


def test_logout_without_a_server_is_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    result = run_cli(["logout", "--base-url", "http://127.0.0.1:9"])
    assert result.code in (0, cli.EXIT_REMOTE), result.err
    assert "Traceback" not in result.err


def test_cache_refresh_rebuilds_local_tables(sample: Sample, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(sample.root, copy)
    (copy / "datasets.pqt").unlink()
    info = as_json(["--cache-dir", str(copy), "cache", "refresh"])
    assert info["sessions"] == len(sample.sessions)
    assert (copy / "datasets.pqt").is_file()


def test_cache_refresh_tag_needs_a_server(cache_dir: Path) -> None:
    result = run_cli(["--cache-dir", str(cache_dir), "cache", "refresh", "--tag", "release"])
    assert result.code == cli.EXIT_USAGE
    assert "--base-url" in result.err


def test_info_full_lists_the_datasets(sample: Sample, cache_dir: Path) -> None:
    session = sample.sessions[0]
    rows = as_json(["--cache-dir", str(cache_dir), "info", session.rel_path, "--full"])
    assert isinstance(rows, list)
    on_disk = {
        p.relative_to(cache_dir / session.rel_path).as_posix()
        for p in (cache_dir / session.rel_path).rglob("*")
        if p.is_file()
    }
    assert {r["rel_path"] for r in rows} == on_disk
    assert {r["subject"] for r in rows} == {session.subject}
    text = run_cli(["--cache-dir", str(cache_dir), "info", session.rel_path, "--full"])
    assert text.code == 0
    assert text.out.split()[:2] == ["eid", "id"]


def test_ls_qc_filters_follow_the_sample_qc(sample: Sample, cache_dir: Path) -> None:
    session = next(s for s in sample.sessions if len(s.probes) == 2)
    base = ["--cache-dir", str(cache_dir), "ls", session.rel_path]
    everything = set(as_json([*base, "--qc", "CRITICAL"]))
    assert len(everything) == sum(1 for p in sample.session_path(session).rglob("*") if p.is_file())
    set_only = set(as_json([*base, "--qc", "CRITICAL", "--ignore-qc-not-set"]))
    passing = set(as_json([*base, "--qc", "PASS"]))
    prefix = session.rel_path + "/"
    qc = {k.removeprefix(prefix): v for k, v in sample.qc.items() if k.startswith(prefix)}
    assert set_only == {rel for rel in everything if qc.get(rel, "NOT_SET") != "NOT_SET"}
    assert passing == {rel for rel in everything if qc.get(rel, "NOT_SET") in ("NOT_SET", "PASS")}
    assert "alf/_ibl_trials.stimOn_times.npy" not in passing  # the FAIL original extraction
