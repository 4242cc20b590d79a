"""The reference-suite shim's logging bridge: one-api's logger names receive onesdk's records.

The shim is imported in a child process: importing it here would bridge this process's onesdk
loggers for every later test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHIM = ROOT / "tools" / "reference_suite"

_PROBE = """
import json
import logging
import unittest
import warnings
from uuid import uuid4

import numpy as np

import one  # the shim: installs the bridge
import one._logbridge
from one.alf import io as alfio
from one.alf import path as alfpath

warnings.simplefilter("ignore")  # the ALFWarning of an uneven bunch is not under test here


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append((record.name, record.levelname, record.getMessage()))


root = Collect()
logging.getLogger().addHandler(root)
case = unittest.TestCase()
uneven = {"titi": np.ones(10), "toto": np.ones(4)}
out = {}

with case.assertLogs("one.alf.io", logging.WARNING) as cm:
    alfio.AlfBunch({"titi": np.ones(3), "toto": np.ones(3)}).append(uneven)
out["io"] = cm.records[0].name, len(cm.records)
out["root_during_io"] = [name for name, _, _ in root.records]

root.records.clear()
old, new = uuid4(), uuid4()
with case.assertLogs(alfpath.__name__, level=logging.DEBUG) as cm:
    alfpath.add_uuid_string(f"/a/b.c.{old}.json", new)
out["uuid"] = cm.output
out["root_during_uuid"] = list(root.records)  # DEBUG is below what onesdk.alf passes on by itself

with case.assertLogs("one", logging.WARNING) as cm:
    alfio.AlfBunch({"titi": np.ones(3), "toto": np.ones(3)}).append(uneven)
out["parent"] = [r.name for r in cm.records]

root.records.clear()
alfio.AlfBunch({"titi": np.ones(3), "toto": np.ones(3)}).append(uneven)
alfpath.add_uuid_string(f"/a/b.c.{old}.json", new)
out["nobody_listening"] = list(root.records)

one._logbridge.install()  # a second install adds nothing
out["filters"] = len(logging.getLogger("onesdk.alf.io").filters)
print(json.dumps({"old": str(old), "new": str(new), **out}))
"""


def _run_probe() -> dict[str, Any]:
    path = [str(SHIM), str(ROOT), str(ROOT / "generated"), str(ROOT / "tools")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return loaded


def test_one_api_loggers_receive_onesdk_records_once_and_only_when_listened_to() -> None:
    out = _run_probe()
    # assertLogs on one-api's logger sees onesdk.alf.io's warning, under one-api's name, once
    assert out["io"] == ["one.alf.io", 1]
    # onesdk's own record still reaches the root logger, once
    assert out["root_during_io"] == ["onesdk.alf.io"]
    # a DEBUG listener on one.alf.path gets add_uuid_string's line ...
    assert len(out["uuid"]) == 1
    assert out["uuid"][0].startswith(f"DEBUG:one.alf.path:Replacing {out['old']} with {out['new']}")
    # ... and onesdk's side is left as it was: no DEBUG record escapes to the root logger
    assert out["root_during_uuid"] == []
    # a listener on the parent "one" logger hears it too
    assert out["parent"] == ["one.alf.io"]
    # with nobody on the one-api side, the root logger gets each record once, at its own level
    assert out["nobody_listening"] == [["onesdk.alf.io", "WARNING", out["nobody_listening"][0][2]]]
    assert "inconsistent length" in out["nobody_listening"][0][2]
    assert out["filters"] == 1
