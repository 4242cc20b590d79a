"""``onesdk demo`` end to end: sample, cache, tour, summary and plot."""

from __future__ import annotations

import builtins
import json
import struct
from pathlib import Path

import pytest

import onesdk
from tests.cli.conftest import run_cli


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return int(width), int(height)


def test_demo_writes_a_plot_and_a_cache_that_loads(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    result = run_cli(["demo", "--out", str(tmp_path)])
    assert result.code == 0, result.err
    plot = tmp_path / "demo.png"
    assert f"Plot written to {plot}" in result.out
    width, height = png_size(plot)
    assert width > 500
    assert height > 200
    assert plot.stat().st_size > 20_000  # a real figure, not an empty canvas
    one = onesdk.ONE(cache_dir=tmp_path / "sample", mode="local")
    eids = one.search(datasets=["spikes.times.npy"])
    assert len(eids) == 3
    trials = one.load_object(eids[0], "trials", collection="alf")
    assert trials.array("choice").size > 100
    for step in ("one.search(", "one.list_datasets(", "one.load_object(", "one.load_dataset("):
        assert step in result.out


def test_demo_json_summary(tmp_path: Path) -> None:
    result = run_cli(["demo", "--out", str(tmp_path), "--no-plot", "--json"])
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["plot"] is None
    assert len(summary["sessions"]) == 6
    assert all(0.5 < s["performance"] < 1.0 for s in summary["sessions"])
    assert not (tmp_path / "demo.png").exists()


def test_demo_without_matplotlib_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    result = run_cli(["demo", "--out", str(tmp_path)])
    assert result.code == 0, result.err
    assert "Plot skipped: matplotlib is not installed" in result.out
    assert "onesdk[plot]" in result.out
    assert not (tmp_path / "demo.png").exists()


def test_demo_runs_again_over_its_own_output(tmp_path: Path) -> None:
    first = run_cli(["demo", "--out", str(tmp_path), "--no-plot", "--json"])
    second = run_cli(["demo", "--out", str(tmp_path), "--no-plot", "--json"])
    assert first.code == second.code == 0, second.err
    assert json.loads(first.out)["sessions"] == json.loads(second.out)["sessions"]
