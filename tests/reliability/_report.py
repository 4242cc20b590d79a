"""Figures the reliability suite collects while it runs, for ``docs/reliability.md``.

Tests add to one process-wide :data:`RECORD`; the suite's conftest writes it as JSON at the end
of the session and ``tools/reliability-report`` turns that JSON into the Markdown report, so the
figures of two releases can be compared line by line.
"""

from __future__ import annotations

import json
import os
import platform
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: where the JSON goes unless ONESDK_RELIABILITY_JSON says otherwise
DEFAULT_JSON = Path(__file__).resolve().parents[2] / ".pytest_cache" / "onesdk-reliability.json"


@dataclass
class Record:
    """Counts per section ('fuzz', 'corrupt', 'concurrency') and per item within it."""

    cases: dict[str, Counter[str]] = field(default_factory=dict)
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    bounds: dict[str, tuple[str, str]] = field(default_factory=dict)

    def case(self, section: str, item: str, outcome: str = "ok", n: int = 1) -> None:
        """Count ``n`` cases of ``item`` (a method, a fault, a scenario) ending in ``outcome``."""
        self.cases.setdefault(section, Counter())[item] += n
        self.outcomes.setdefault(section, Counter())[f"{item}\t{outcome}"] += n

    def note(self, key: str, value: str) -> None:
        self.notes[key] = value

    def bound(self, name: str, limit: str, observed: str) -> None:
        """A stated bound (``limit``) and what a hostile test saw it do in this run."""
        self.bounds[name] = (limit, observed)

    def to_json(self) -> dict[str, object]:
        sections: dict[str, object] = {}
        for section, items in sorted(self.cases.items()):
            outcomes: dict[str, dict[str, int]] = {}
            for key, count in self.outcomes.get(section, Counter()).items():
                item, outcome = key.split("\t", 1)
                outcomes.setdefault(item, {})[outcome] = count
            sections[section] = {
                item: {"cases": count, "outcomes": dict(sorted(outcomes.get(item, {}).items()))}
                for item, count in sorted(items.items())
            }
        return {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "notes": dict(sorted(self.notes.items())),
            "bounds": {
                k: {"limit": v[0], "observed": v[1]} for k, v in sorted(self.bounds.items())
            },
            "sections": sections,
        }


RECORD = Record()


def json_path() -> Path:
    configured = os.environ.get("ONESDK_RELIABILITY_JSON")
    return Path(configured) if configured else DEFAULT_JSON


def write(record: Record, path: Path, *, failed: int, passed: int, seconds: float) -> None:
    data = record.to_json()
    data["tests"] = {"passed": passed, "failed": failed, "seconds": round(seconds, 1)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
