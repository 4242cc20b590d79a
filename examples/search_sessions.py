"""Find sessions by criteria: a project's ephys sessions with spike data in a date range."""

from __future__ import annotations

import datetime
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import onesdk
from onesdk import Session


@dataclass(frozen=True)
class Found:
    n_sessions: int
    sessions_per_lab: dict[str, int]
    #: sessions of the brain-wide project recorded in spring 2024 that have spike times
    ephys: list[Session]
    #: every session of one subject, oldest first
    subject_history: list[str]


def exp_ref(session: Session) -> str:
    """The experiment reference ``yyyy-mm-dd_N_subject`` of a session."""
    return f"{session.date.isoformat()}_{session.number}_{session.subject}"


def chronological(session: Session) -> tuple[datetime.date, int]:
    return session.date, session.number


def main(cache_dir: Path) -> Found:
    one = onesdk.One(cache_dir=cache_dir, mode="local")

    all_eids, everything = one.search(details=True)
    per_lab = Counter(session.lab for session in everything)

    _ephys_eids, ephys = one.search(
        details=True,
        projects="brainwide",
        date_range=["2024-03-01", "2024-04-30"],
        datasets=["spikes.times.npy"],
    )

    _history_eids, history = one.search(details=True, subject="KS051")
    ordered = sorted(history, key=chronological)

    return Found(
        n_sessions=len(all_eids),
        sessions_per_lab=dict(sorted(per_lab.items())),
        ephys=sorted(ephys, key=exp_ref),
        subject_history=[exp_ref(s) for s in ordered],
    )


if __name__ == "__main__":
    found = main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/sample"))
    print(f"{found.n_sessions} sessions: {found.sessions_per_lab}")
    for session in found.ephys:
        print(f"ephys with spikes: {exp_ref(session)} ({session.lab}, {session.task_protocol})")
    print(f"KS051 history: {', '.join(found.subject_history)}")
