"""Run code in the one-api 3.6.1 reference venv and get JSON back.

The reference is never imported into our interpreter: a script runs in the reference venv's
python, reads a JSON payload on stdin and prints one JSON document on stdout. Differential tests
compare that document with what onesdk computes.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


class ReferenceFailed(RuntimeError):
    """The reference script itself crashed (not an expected one-api exception)."""


def run_reference(
    python: Path,
    script: str,
    payload: object,
    *,
    cwd: Path | None = None,
    timeout: float = 600.0,
) -> Any:
    """Run ``script`` with ``payload`` as JSON on stdin; return the JSON it prints on stdout."""
    proc = subprocess.run(
        [str(python), "-c", script],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        check=False,
    )
    if proc.returncode != 0:
        raise ReferenceFailed(
            f"reference script failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
        )
    return json.loads(proc.stdout)
