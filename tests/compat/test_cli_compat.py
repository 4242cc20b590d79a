"""The command line speaks in flags: file server option, tag tables, flag names, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onesdk._sample import Sample, make_sample
from onesdk._settings import load_settings
from onesdk.cli import EXIT_USAGE
from tests.cli.conftest import run_cli
from tests.replay.server import ReplayServer

SESSION = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"  # a session whose exchanges were recorded


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return make_sample(tmp_path_factory.mktemp("cli-compat"), n_trials=20)


def _eid(sample: Sample, *filters: str) -> str:
    result = run_cli(["--cache-dir", str(sample.root), "search", *filters, "--json"])
    eids: list[str] = json.loads(result.out)
    return eids[0]


@pytest.mark.parametrize(
    ("args", "flag", "python_name"),
    [
        (["ls", "{eid}", "--qc", "BAD"], "--qc", "qc="),
        (["search", "--dataset-qc-lte", "nope"], "--dataset-qc-lte", "dataset_qc_lte="),
        (["search", "--date", "2024-13-01"], "invalid --date '", "date_range="),
        (["search", "--date-range", "2024-01-01", "x"], "invalid --date-range ", "date_range="),
        (["ls", "not-a-session"], "SESSION", "eid="),
    ],
)
def test_bad_values_are_usage_errors_naming_the_flag(
    sample: Sample, args: list[str], flag: str, python_name: str
) -> None:
    argv = [a.replace("{eid}", _eid(sample)) for a in args]
    result = run_cli(["--cache-dir", str(sample.root), *argv])
    assert result.code == EXIT_USAGE
    assert flag in result.err
    assert python_name not in result.err


def test_hints_for_python_callers_name_the_flag(sample: Sample) -> None:
    # spikes are on two probes: the error must say how to choose one on the command line
    result = run_cli(
        [
            "--cache-dir",
            str(sample.root),
            "load",
            _eid(sample, "--dataset", "spikes.times.npy"),
            "spikes",
        ]
    )
    assert result.code != 0
    assert "--collection" in result.err
    assert "collection=" not in result.err


@pytest.mark.parametrize(
    "args",
    [["ls"], ["search", "--number", "one"], ["cache"], ["nonsense"], ["ls", "x", "--qcc", "PASS"]],
)
def test_command_line_mistakes_exit_2(sample: Sample, args: list[str]) -> None:
    assert run_cli(["--cache-dir", str(sample.root), *args]).code == EXIT_USAGE


@pytest.fixture
def remote(
    replay: ReplayServer, config_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    monkeypatch.setenv("ONE_ALYX_USERNAME", "root")
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    cache = tmp_path / "remote-cache"
    cache.mkdir()
    return ["--base-url", replay.alyx_url, "--cache-dir", str(cache)]


def test_cache_refresh_tag_shows_the_tag_tables(
    remote: list[str], replay: ReplayServer, tmp_path: Path
) -> None:
    result = run_cli([*remote, "cache", "refresh", "--tag", "2024_Q1_release", "--json"])
    assert result.code == 0, result.err
    info = json.loads(result.out)
    assert Path(info["cache_dir"]) == tmp_path / "remote-cache" / "2024_Q1_release"
    assert info["datasets"] > 0


def test_http_data_server_option_is_used_for_downloads(
    remote: list[str], replay: ReplayServer
) -> None:
    args = ["download", SESSION, "--filename", "_ibl_trials.choice.npy", "--json"]
    without = run_cli([*remote, *args])
    assert without.code != 0
    assert "http_data_server" not in without.err
    result = run_cli([*remote, "--http-data-server", replay.files_url, *args])
    assert result.code == 0, result.err
    (item,) = json.loads(result.out)
    assert Path(item["path"]).is_file()


def test_login_saves_the_http_data_server(remote: list[str], replay: ReplayServer) -> None:
    url = replay.files_url
    result = run_cli(["--base-url", replay.alyx_url, "login", "--save-http-data-server", url])
    assert result.code == 0, result.err
    saved = load_settings(replay.alyx_url)
    assert saved is not None
    assert saved.http_data_server == url.rstrip("/")
