"""The command line's help, usage errors, one-line errors and exit codes (no data needed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from onesdk import cli, errors
from tests.cli.conftest import run_cli

# every subcommand and the options its help must show
SUBCOMMANDS = {
    "search": ["--subject", "--lab", "--date-range", "--dataset", "--dataset-qc-lte", "--details"],
    "ls": ["--collections", "--revisions", "--collection", "--revision", "--details"],
    "info": ["--full"],
    "load": ["--collection", "--revision", "--attribute", "--out"],
    "download": ["--filename", "--collection", "--revision", "--out"],
    "login": ["--username", "--token-stdin", "--base-url"],
    "logout": ["--base-url"],
    "demo": ["--out", "--seed", "--no-plot"],
    "lock": ["--dataset", "--collection", "--revision", "--check"],
    "sync": [],
}
COMMON = ["--cache-dir", "--base-url", "--mode", "--json", "--debug"]


def test_top_level_help_lists_commands_and_exit_codes() -> None:
    result = run_cli(["--help"])
    assert result.code == 0
    for command in (*SUBCOMMANDS, "cache"):
        assert f"\n    {command} " in result.out, command
    for code, meaning in cli.EXIT_CODES.items():
        assert f"{code:<4} {meaning}" in result.out


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_each_subcommand_help_shows_its_options(command: str) -> None:
    result = run_cli([command, "--help"])
    assert result.code == 0
    assert result.out.startswith(f"usage: onesdk {command}")
    for option in [*SUBCOMMANDS[command], *COMMON]:
        assert option in result.out, option


@pytest.mark.parametrize("action", ["build", "info", "refresh"])
def test_cache_actions_have_help(action: str) -> None:
    result = run_cli(["cache", action, "--help"])
    assert result.code == 0
    assert f"usage: onesdk cache {action}" in result.out


def test_unknown_command_is_a_usage_error() -> None:
    result = run_cli(["serach"])
    assert result.code == cli.EXIT_USAGE
    assert "invalid choice" in result.err


def test_missing_cache_dir_is_one_line_with_usage_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONESDK_CACHE_DIR", raising=False)
    result = run_cli(["search", "--subject", "KS051"])
    assert result.code == cli.EXIT_USAGE
    assert result.err.count("\n") == 1
    assert result.err.startswith("onesdk: error: ")
    assert "--cache-dir" in result.err
    assert result.out == ""


def test_nonexistent_cache_dir_names_the_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = run_cli(["--cache-dir", str(missing), "ls", "2024-01-01_1_x"])
    assert result.code == cli.EXIT_USAGE
    assert str(missing) in result.err
    assert result.err.count("\n") == 1


def test_debug_prints_the_traceback(tmp_path: Path) -> None:
    result = run_cli(["ls", "x", "--cache-dir", str(tmp_path / "nope"), "--debug"])
    assert result.code == cli.EXIT_USAGE
    assert "Traceback (most recent call last)" in result.err
    assert "ArgumentError" in result.err


def test_options_work_before_and_after_the_command(tmp_path: Path) -> None:
    before = run_cli(["--cache-dir", str(tmp_path / "a"), "info", "x"])
    after = run_cli(["info", "x", "--cache-dir", str(tmp_path / "a")])
    assert before.code == after.code == cli.EXIT_USAGE
    assert before.err == after.err


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (errors.ArgumentError("x", 1, "y"), cli.EXIT_USAGE),
        (errors.ALFObjectNotFound("nothing"), cli.EXIT_NOT_FOUND),
        (errors.AuthenticationError("no"), cli.EXIT_REMOTE),
        (errors.ChecksumError("bad md5"), cli.EXIT_REMOTE),
        (errors.CacheError("corrupt"), cli.EXIT_ERROR),
        (RuntimeError("bug"), cli.EXIT_ERROR),
        (KeyboardInterrupt(), cli.EXIT_INTERRUPTED),
    ],
)
def test_exit_code_for_each_kind_of_error(exc: BaseException, code: int) -> None:
    assert cli.exit_code_for(exc) == code


def test_console_script_and_module_entry_point_agree() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "onesdk", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("onesdk ")


def test_exit_codes_are_documented_in_cli_md() -> None:
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for code in cli.EXIT_CODES:
        assert f"\n| {code} |" in text, code
    for command in (*SUBCOMMANDS, "cache"):
        assert f"## {command}" in text or f"`{command}`" in text, command
    for options in SUBCOMMANDS.values():
        for option in options:
            assert option in text, option
