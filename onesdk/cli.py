"""The ``onesdk`` command line: search, list and load ALF data from a terminal or a script.

Every subcommand prints a readable table by default and JSON with ``--json``; errors are one line
on stderr (``--debug`` shows the traceback) and the exit code says what kind of failure it was.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from onesdk import errors
from onesdk._cli._lock import add_lock_commands

__all__ = ["EXIT_CODES", "build_parser", "main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_REMOTE = 4
EXIT_DRIFT = 5  # onesdk lock --check: the cache no longer matches the lock
EXIT_INTERRUPTED = 130

#: exit code -> meaning, shown by ``onesdk --help`` and in docs/cli.md
EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_ERROR: "error (cache, file or data problem; unexpected failure)",
    EXIT_USAGE: "usage error: bad command line or argument value",
    EXIT_NOT_FOUND: "nothing found: the session, dataset or object does not exist",
    EXIT_REMOTE: "remote error: Alyx or the file server failed, refused the login, or offline",
    EXIT_DRIFT: "drift: onesdk lock --check found changes since the lock was made",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}

ENV_CACHE_DIR = "ONESDK_CACHE_DIR"


class UsageError(errors.ArgumentError):
    """A command-line value that parses but cannot be used (exit code 2)."""


def _epilog() -> str:
    codes = "\n".join(f"  {code:<4} {meaning}" for code, meaning in EXIT_CODES.items())
    return (
        "examples:\n"
        "  onesdk demo                                  build the sample and tour the API\n"
        "  onesdk --cache-dir demo-output/sample search --subject KS051\n"
        "  onesdk --cache-dir DIR ls KS051/2024-03-05/001 --collection 'alf/probe*'\n"
        "  onesdk --cache-dir DIR load EID trials --json\n\n"
        f"local mode needs a cache dir: --cache-dir DIR or ${ENV_CACHE_DIR}.\n\n"
        f"exit codes:\n{codes}\n"
    )


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)


class _RawFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the line breaks of the top-level epilog (examples, exit-code table)."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)


def _common(parser: argparse.ArgumentParser) -> None:
    """Options every subcommand takes (also accepted before the subcommand)."""
    group = parser.add_argument_group("common options")
    group.add_argument(
        "--cache-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help=f"folder with the cache tables and data files (default: ${ENV_CACHE_DIR})",
    )
    group.add_argument(
        "--base-url",
        default=argparse.SUPPRESS,
        help="Alyx server URL, e.g. https://alyx.example.org (default: local mode)",
    )
    group.add_argument(
        "--http-data-server",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="file server root for downloads, e.g. https://files.example.org "
        "(default: the one saved by `onesdk login`)",
    )
    group.add_argument(
        "--mode",
        choices=("local", "remote"),
        default=argparse.SUPPRESS,
        help="'local' answers from the cache tables only; 'remote' asks Alyx",
    )
    group.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts"
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show full tracebacks and debug logging",
    )


def _session_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "session",
        help="session: eid (UUID), path (lab/Subjects/subject/yyyy-mm-dd/NNN) "
        "or ref (yyyy-mm-dd_N_subject)",
    )


def _add_search(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "search",
        help="find sessions by subject, lab, date, project, datasets...",
        description="Find sessions. Filters combine with AND; text filters match partially "
        "and are regular expressions, like One.search.",
        formatter_class=_Formatter,
    )
    p.add_argument("--subject", help="subject nickname, e.g. KS051")
    p.add_argument("--lab", help="lab name, e.g. cortexlab")
    p.add_argument("--date", help="one day, yyyy-mm-dd")
    p.add_argument(
        "--date-range",
        nargs=2,
        metavar=("FROM", "TO"),
        help="inclusive date range, yyyy-mm-dd yyyy-mm-dd",
    )
    p.add_argument("--number", type=int, help="session number of the day (1, 2...)")
    p.add_argument("--task-protocol", help="task protocol, e.g. ephysChoiceWorld")
    p.add_argument("--project", help="project name, e.g. ibl_neuropixel_brainwide_01")
    p.add_argument(
        "--dataset",
        action="append",
        dest="datasets",
        metavar="NAME",
        help="only sessions having this dataset, e.g. spikes.times.npy (repeatable: all needed)",
    )
    p.add_argument(
        "--dataset-qc-lte",
        metavar="QC",
        help="only sessions whose datasets have QC at most this (PASS, WARNING, FAIL...)",
    )
    p.add_argument("--details", action="store_true", help="show each session's details")
    p.add_argument("--limit", type=int, help="show at most this many sessions")
    _common(p)


def _add_ls(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "ls",
        help="list a session's datasets, collections or revisions",
        description="List what a session holds: datasets (default), --collections or --revisions.",
        formatter_class=_Formatter,
    )
    _session_arg(p)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--collections", action="store_true", help="list collections instead")
    what.add_argument("--revisions", action="store_true", help="list revisions instead")
    p.add_argument("--filename", help="dataset name pattern, e.g. 'spikes.*'")
    p.add_argument("--collection", help="collection pattern, e.g. 'alf/probe*'")
    p.add_argument("--revision", help="revision, e.g. 2024-01-01 (latest at or before it)")
    p.add_argument(
        "--default-revisions-only",
        action="store_true",
        help="only each dataset's default revision",
    )
    p.add_argument("--qc", help="only datasets with QC at most this (default: FAIL)")
    p.add_argument(
        "--ignore-qc-not-set", action="store_true", help="leave out datasets whose QC is NOT_SET"
    )
    p.add_argument("--details", action="store_true", help="show size, hash, QC and revision flags")
    _common(p)


def _add_info(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "info",
        help="show one session's details",
        description="Show a session's record: lab, subject, date, number, protocol, projects.",
        formatter_class=_Formatter,
    )
    _session_arg(p)
    p.add_argument("--full", action="store_true", help="include the full remote record")
    _common(p)


def _add_load(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "load",
        help="load an ALF object (e.g. trials) and summarise or save it",
        description="Load every attribute of an ALF object (downloading missing files) and show "
        "each attribute's shape, dtype and first values; --out saves them as .npy files.",
        formatter_class=_Formatter,
    )
    _session_arg(p)
    p.add_argument("object", help="ALF object name, e.g. trials, wheel, spikes")
    p.add_argument("--collection", help="collection, e.g. alf/probe00")
    p.add_argument("--revision", help="revision, e.g. 2024-01-01 (default: the default revision)")
    p.add_argument("--attribute", action="append", help="only this attribute (repeatable)")
    p.add_argument("--out", type=Path, help="folder to write object.attribute.npy files into")
    _common(p)


def _add_download(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "download",
        help="fetch a session's datasets into the cache (and copy them to a path)",
        description="Make sure the matching datasets are in the cache dir, downloading with a "
        "progress bar when needed, and print their paths; --out copies them there, keeping "
        "collection/revision folders.",
        formatter_class=_Formatter,
    )
    _session_arg(p)
    p.add_argument("--filename", help="dataset name pattern, e.g. '*trials*'")
    p.add_argument("--collection", help="collection pattern, e.g. alf")
    p.add_argument("--revision", help="revision, e.g. 2024-01-01")
    p.add_argument("--out", type=Path, help="folder to copy the files into")
    _common(p)


def _add_cache(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "cache",
        help="build, inspect or refresh the cache tables",
        description="Manage the sessions/datasets cache tables of a cache dir.",
        formatter_class=_Formatter,
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser(
        "build",
        help="index a folder of ALF sessions into cache tables",
        description="Scan a folder of lab/Subjects/subject/date/number sessions and write its "
        "sessions and datasets tables (overwriting existing ones).",
        formatter_class=_Formatter,
    )
    build.add_argument("folder", type=Path, help="root folder of the ALF sessions")
    build.add_argument("--hash", action="store_true", help="store each file's md5 (slower)")
    _common(build)
    info = actions.add_parser(
        "info",
        help="show where the tables are, their size and age",
        description="Show the cache tables of --cache-dir: row counts, creation time, origin.",
        formatter_class=_Formatter,
    )
    _common(info)
    refresh = actions.add_parser(
        "refresh",
        help="re-download (remote) or rebuild (local) the tables",
        description="Remote: download the latest tables from Alyx. Local: re-index the files.",
        formatter_class=_Formatter,
    )
    refresh.add_argument("--tag", help="remote: load the tables of this release tag instead")
    _common(refresh)


def _add_login(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "login",
        help="log in to an Alyx server and save the token",
        description="Log in to Alyx. The password is asked for (never echoed) unless "
        "$ONE_ALYX_PASSWORD is set; only the token is saved, in the user config dir. "
        "With --token-stdin, an API token (shown on the server's /me page) is read instead, "
        "for accounts that have no password. --file-server-user also saves the login and "
        "password of a password-protected file server.",
        formatter_class=_Formatter,
    )
    p.add_argument(
        "--username", help="Alyx user name (with --token-stdin: when the server does not say)"
    )
    p.add_argument(
        "--token-stdin",
        action="store_true",
        help="read an API token from one line of stdin instead of asking for a password "
        "(asked without echo on a terminal)",
    )
    p.add_argument(
        "--save-http-data-server",
        metavar="URL",
        help="also save this file server root as the server's setting for downloads",
    )
    p.add_argument(
        "--file-server-user",
        metavar="NAME",
        help="also save NAME as the login of a password-protected file server "
        "(HTTP_DATA_SERVER_LOGIN); its password is asked for without echo, read from stdin "
        "with --file-server-password-stdin, or taken from $ONE_HTTP_DATA_SERVER_PASSWORD, and "
        "kept where the token is, never in the settings file. Without an Alyx user name only "
        "these are saved",
    )
    p.add_argument(
        "--file-server-password-stdin",
        action="store_true",
        help="read the file server's password from the first line of stdin",
    )
    _common(p)
    q = sub.add_parser(
        "logout",
        help="forget the saved token of an Alyx server",
        description="Remove the saved token of --base-url (or of the default server); with "
        "--file-server, also its file server's saved login and password.",
        formatter_class=_Formatter,
    )
    q.add_argument(
        "--file-server",
        action="store_true",
        help="also forget the file server's saved login and password",
    )
    _common(q)


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="build an embedded sample, tour search/list/load and plot it",
        description="Write a small realistic ALF sample (3 labs, 6 sessions, trials, wheel, "
        "spikes on two probes, two revisions, QC), build its cache tables, then search, list and "
        "load it through the typed API, print a summary and save a PNG plot (needs matplotlib: "
        "pip install 'onesdk[plot]').",
        formatter_class=_Formatter,
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("demo-output"),
        help="folder for the sample and the plot (default: ./demo-output)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the sample (default: 0)")
    p.add_argument("--no-plot", action="store_true", help="skip the PNG plot")
    _common(p)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with one subparser per command."""
    from onesdk import __version__

    parser = argparse.ArgumentParser(
        prog="onesdk",
        description="Search, list and load ALF neurophysiology data from a local ONE cache or "
        "an Alyx server.",
        epilog=_epilog(),
        formatter_class=_RawFormatter,
    )
    parser.add_argument("--version", action="version", version=f"onesdk {__version__}")
    _common(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_search, _add_ls, _add_info, _add_load, _add_download, _add_cache):
        add(sub)
    _add_login(sub)
    _add_demo(sub)
    add_lock_commands(sub, _common, _Formatter)
    return parser


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code of an exception."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, errors.ArgumentError):
        return EXIT_USAGE
    if isinstance(exc, errors.ALFObjectNotFound | LookupError):
        return EXIT_NOT_FOUND
    if isinstance(exc, errors.RemoteError | errors.DownloadError):
        return EXIT_REMOTE
    return EXIT_ERROR


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, errors.OneSdkError):
        text = f"{type(exc).__name__}: {text}"
    return text


def _silence_stdout(out: TextIO) -> None:
    """Point the real stdout at /dev/null so the interpreter's final flush cannot fail too."""
    if out is sys.stdout:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    from onesdk._cli import _commands as _cli_commands

    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:  # argparse writes help and usage errors to sys.stdout/sys.stderr
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse already printed usage/help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    debug = bool(getattr(args, "debug", False))
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=err,
    )
    handler: Callable[[argparse.Namespace, TextIO, TextIO], int] = _cli_commands.HANDLERS[
        args.command
    ]
    try:
        with contextlib.ExitStack() as resources:  # instances the command opened
            args.resources = resources
            return handler(args, out, err)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing left to say
        _silence_stdout(out)
        return EXIT_ERROR
    except (Exception, KeyboardInterrupt) as exc:
        if debug:
            traceback.print_exception(exc, file=err)
        else:
            hint = "" if isinstance(exc, errors.OneSdkError) else " (run with --debug for details)"
            text = with_flag_names(_one_line(exc), exc, given=vars(args))
            err.write(f"onesdk: error: {text}{hint}\n")
        return exit_code_for(exc)


#: Python argument names of the library -> what a command-line user typed instead
_FLAGS = {
    "eid": "SESSION",
    "id": "SESSION",
    "obj": "OBJECT",
    "object": "OBJECT",
    "laboratory": "--lab",
    "date_range": "--date/--date-range",
    "datasets": "--dataset",
    "dataset": "--filename",
    "projects": "--project",
    "attribute": "--attribute",
    "folder": "FOLDER",
    "token": "--token-stdin",
}


def flag_name(argument: str, given: Mapping[str, object] | None = None) -> str:
    """The command-line spelling of a library argument (``collection`` -> ``--collection``).

    ``given`` (the parsed options) picks the flag the user typed where two map to one
    argument (``--date`` and ``--date-range`` both give ``date_range``).
    """
    if argument.startswith("-") or argument.isupper():
        return argument
    if argument == "date_range" and given is not None:
        return "--date" if given.get("date") is not None else "--date-range"
    return _FLAGS.get(argument, "--" + argument.replace("_", "-"))


def with_flag_names(
    text: str, exc: BaseException, given: Mapping[str, object] | None = None
) -> str:
    """``text`` with the Python argument names of ``exc`` replaced by command-line flags."""
    if isinstance(exc, errors.ArgumentError) and exc.argument:
        names = exc.argument.split("/")
        shown = "/".join(flag_name(n, given) for n in names)
        prefix = f"invalid {exc.argument}="
        if text.startswith(prefix):
            text = f"invalid {shown} {text.removeprefix(prefix)}"
        elif text.startswith("unknown search term"):
            text = text.replace("unknown search term", "unknown filter", 1)
    # hints written for Python callers ("pass collection= to choose one")
    return re.sub(r"\b([a-z_]+)=(?=[ ;,)]|$)", lambda m: flag_name(m.group(1), given), text)
