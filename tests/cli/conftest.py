"""A sample cache dir, built once per test session, for the command-line tests."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from onesdk._sample import Sample, make_sample
from onesdk.cli import main
from tests.replay.fixtures import replay

__all__ = ["Run", "cache_dir", "config_home", "replay", "run_cli", "sample"]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(args: Sequence[str]) -> Run:
    """Run the command line in-process with captured stdout/stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return make_sample(tmp_path_factory.mktemp("cli-sample"), n_trials=40)


@pytest.fixture(scope="session")
def cache_dir(sample: Sample) -> Path:
    return sample.root


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and XDG_CONFIG_HOME in a temp dir, no keyring, no credentials in the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("ONESDK_KEYRING", "0")
    monkeypatch.delenv("ONE_ALYX_USERNAME", raising=False)
    monkeypatch.delenv("ONE_ALYX_PASSWORD", raising=False)
    return home
