"""``onesdk lock`` and ``onesdk sync``: data locks from the command line.

``onesdk lock SESSION... [--dataset NAME]`` prints a lock file (redirect it to a file);
``onesdk lock --check FILE`` prints what drifted and exits with :data:`EXIT_DRIFT` if anything
did; ``onesdk sync FILE`` downloads and verifies the pinned files and prints their paths.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from onesdk import errors

if TYPE_CHECKING:
    from onesdk._facade._one import One

__all__ = ["EXIT_DRIFT", "add_lock_commands", "lock_command", "sync_command"]

#: exit code of ``onesdk lock --check`` when the cache no longer matches the lock
EXIT_DRIFT = 5


def add_lock_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
    formatter: type[argparse.HelpFormatter],
) -> None:
    """The ``lock`` and ``sync`` subparsers."""
    p = sub.add_parser(
        "lock",
        help="pin the datasets of sessions in a lock file, or check one for drift",
        description="Print a lock file pinning what loading the datasets of these sessions "
        "reads now (ids, revisions, sizes, md5, QC); redirect it to a file. --check FILE "
        f"instead lists what changed since the lock was made and exits {EXIT_DRIFT} if "
        "anything did (0: nothing drifted).",
        formatter_class=formatter,
    )
    p.add_argument(
        "session",
        nargs="*",
        help="sessions to lock: eid, path (lab/Subjects/subject/yyyy-mm-dd/NNN) or ref",
    )
    p.add_argument(
        "--dataset",
        action="append",
        help="only this dataset, named as load_dataset takes it (repeatable; default: all)",
    )
    p.add_argument("--collection", help="only datasets of this collection, e.g. alf")
    p.add_argument("--revision", help="the last revision at or before this one (default: default)")
    p.add_argument("--check", type=Path, metavar="FILE", help="report drift of this lock file")
    common(p)
    q = sub.add_parser(
        "sync",
        help="download and verify exactly the files of a lock file",
        description="Make every file pinned by the lock present in the cache dir with its "
        "locked size and md5, downloading what is missing or different; print their paths.",
        formatter_class=formatter,
    )
    q.add_argument("lockfile", type=Path, help="a lock file written by onesdk lock")
    common(q)


def _open_one(args: argparse.Namespace) -> One:
    from onesdk._cli._commands import _open

    return _open(args).one


def lock_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from onesdk._cli._output import print_json
    from onesdk._lock._core import Lock

    check: Path | None = args.check
    if check is not None:
        if args.session or args.dataset or args.collection or args.revision:
            raise errors.ArgumentError("--check", str(check), "no sessions or filters with it")
        lock = Lock.load(check)
        one = _open_one(args)
        changes = lock.diff(one)
        if getattr(args, "json", False):
            print_json(
                [{"kind": c.kind, "eid": str(c.eid), "change": str(c)} for c in changes], out
            )
        else:
            for change in changes:
                out.write(f"{change}\n")
            err.write(f"{len(changes)} change(s) since {check} was made\n")
        return EXIT_DRIFT if changes else 0
    if not args.session:
        raise errors.ArgumentError("session", None, "one or more sessions to lock (or --check)")
    one = _open_one(args)
    lock = one.lock(
        list(args.session),
        args.dataset,
        collection=args.collection,
        revision=args.revision,
    )
    out.write(lock.dumps())
    return 0


def sync_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from onesdk._cli._output import print_json
    from onesdk._lock._core import Lock

    lock = Lock.load(args.lockfile)
    cache_dir = getattr(args, "cache_dir", None)
    if isinstance(cache_dir, Path):  # a fresh machine: the cache dir may not exist yet
        cache_dir.mkdir(parents=True, exist_ok=True)
    one = _open_one(args)
    paths = one.sync(lock)
    if getattr(args, "json", False):
        print_json([str(p) for p in paths], out)
    else:
        out.writelines(f"{p}\n" for p in paths)
    return 0
