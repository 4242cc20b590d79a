"""What each ``onesdk`` subcommand does: open the right ONE instance, call it, show the result."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np

from onesdk import errors
from onesdk._atomic import atomic_write, staged
from onesdk._cli import _lock as _cli_lock
from onesdk._cli._backend import Facade, SearchFilters, open_one, record_field
from onesdk._cli._output import Cell, print_json, print_table, to_jsonable

if TYPE_CHECKING:
    from onesdk._settings import Secret

__all__ = ["HANDLERS"]

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]

ENV_CACHE_DIR = "ONESDK_CACHE_DIR"
_SESSION_COLUMNS = ("lab", "subject", "date", "number", "task_protocol", "projects")
#: the longest line ``login --file-server-password-stdin`` or ``--token-stdin`` reads
_MAX_SECRET_LINE = 4096


def _flag(args: argparse.Namespace, name: str) -> bool:
    return bool(getattr(args, name, False))


def _cache_dir(args: argparse.Namespace) -> Path | None:
    value = getattr(args, "cache_dir", None)
    if isinstance(value, Path):
        return value
    env = os.environ.get(ENV_CACHE_DIR)
    return Path(env) if env else None


def _open(args: argparse.Namespace) -> Facade:
    base_url = getattr(args, "base_url", None)
    mode = getattr(args, "mode", None)
    cache_dir = _cache_dir(args)
    if base_url is None and cache_dir is None and mode != "remote":
        raise errors.ArgumentError(
            "--cache-dir",
            None,
            f"a cache dir (pass --cache-dir DIR or set ${ENV_CACHE_DIR}), or --base-url for Alyx",
        )
    if cache_dir is not None and base_url is None and not cache_dir.is_dir():
        raise errors.ArgumentError("--cache-dir", str(cache_dir), "an existing folder")
    server = getattr(args, "http_data_server", None)
    facade = open_one(base_url=base_url, cache_dir=cache_dir, mode=mode, http_data_server=server)
    resources = getattr(args, "resources", None)
    if isinstance(resources, contextlib.ExitStack):  # closed by main() after the command
        resources.enter_context(facade)
    return facade


# --- search / ls / info ---------------------------------------------------------------------


def _search(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    del err
    filters = SearchFilters()
    if args.subject is not None:
        filters["subject"] = args.subject
    if args.lab is not None:
        filters["lab"] = args.lab
    if args.date is not None:
        filters["date_range"] = args.date
    if args.date_range is not None:
        filters["date_range"] = list(args.date_range)
    if args.number is not None:
        filters["number"] = args.number
    if args.task_protocol is not None:
        filters["task_protocol"] = args.task_protocol
    if args.project is not None:
        filters["projects"] = args.project
    if args.datasets is not None:
        filters["datasets"] = args.datasets
    if args.dataset_qc_lte is not None:
        filters["dataset_qc_lte"] = args.dataset_qc_lte
    eids, records = _open(args).search(filters)
    limit = args.limit if args.limit is not None and args.limit >= 0 else None
    eids, records = list(eids)[:limit], list(records)[:limit]
    if _flag(args, "json"):
        if args.details:
            items = []
            for eid, record in zip(eids, records, strict=True):
                item = to_jsonable(record)
                if isinstance(item, dict):
                    item = {"id": str(eid), **item}
                items.append(item)
            print_json(items, out)
        else:
            print_json([str(e) for e in eids], out)
        return 0
    headers = ("eid", *_SESSION_COLUMNS) if args.details else ("eid", "session")
    rows: list[list[Cell]] = []
    for eid, record in zip(eids, records, strict=True):
        if args.details:
            rows.append([str(eid), *(_cell(record_field(record, c)) for c in _SESSION_COLUMNS)])
        else:
            rows.append([str(eid), _session_ref(record)])
    print_table(headers, rows, out)
    out.write(f"{len(rows)} session(s)\n")
    return 0


def _session_ref(record: object) -> str:
    lab = record_field(record, "lab")
    subject = record_field(record, "subject")
    date = record_field(record, "date")
    number = record_field(record, "number")
    number_text = f"{number:03d}" if isinstance(number, int | np.integer) else str(number)
    return f"{lab}/Subjects/{subject}/{date}/{number_text}"


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    converted = to_jsonable(value)
    if converted is None or isinstance(converted, str | int | float | bool):
        return converted
    return json.dumps(converted)


def _ls(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    del err
    one = _open(args)
    if args.collections or args.revisions:
        lister = one.list_collections if args.collections else one.list_revisions
        names = lister(
            args.session, filename=args.filename, collection=args.collection, revision=args.revision
        )
        label = "collection" if args.collections else "revision"
        if _flag(args, "json"):
            print_json(list(names), out)
        else:
            print_table((label,), [[n if n else "(none)"] for n in sorted(names)], out)
        return 0
    if args.details:
        frame = one.list_datasets_frame(
            args.session,
            filename=args.filename,
            collection=args.collection,
            revision=args.revision,
            qc=args.qc,
            default_revisions_only=args.default_revisions_only,
            ignore_qc_not_set=args.ignore_qc_not_set,
        )
        records = to_jsonable(frame)
        if _flag(args, "json"):
            print_json(records, out)
            return 0
        rows_in = records if isinstance(records, list) else []
        rows_in.sort(key=lambda r: str(r.get("rel_path")) if isinstance(r, dict) else "")
        headers = ("rel_path", "file_size", "qc", "default_revision", "exists")
        rows = [
            [_cell(r.get(h)) if isinstance(r, dict) else None for h in headers] for r in rows_in
        ]
        print_table(headers, rows, out)
        out.write(f"{len(rows)} dataset(s)\n")
        return 0
    datasets = one.list_datasets(
        args.session,
        filename=args.filename,
        collection=args.collection,
        revision=args.revision,
        qc=args.qc,
        default_revisions_only=args.default_revisions_only,
        ignore_qc_not_set=args.ignore_qc_not_set,
    )
    if _flag(args, "json"):
        print_json(list(datasets), out)
    else:
        for name in sorted(datasets):
            out.write(f"{name}\n")
    return 0


def _info(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    del err
    one = _open(args)
    record = to_jsonable(one.get_details(args.session, full=args.full))
    if _flag(args, "json"):
        print_json(record, out)
        return 0
    if isinstance(record, list):  # --full: one row per dataset, session fields joined
        rows = [r for r in record if isinstance(r, dict)]
        headers = list(rows[0]) if rows else []
        print_table(headers, [[_cell(r.get(h)) for h in headers] for r in rows], out)
        return 0
    if not isinstance(record, dict):
        out.write(f"{record}\n")
        return 0
    shown = {k: v for k, v in record.items() if v not in (None, [], {}, "")}
    width = max((len(k) for k in shown), default=0)
    for key, value in shown.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            text = ", ".join(str(v) for v in value)
        else:
            text = value if isinstance(value, str) else json.dumps(value)
        out.write(f"{key.ljust(width)}  {text}\n")
    return 0


# --- load / download ------------------------------------------------------------------------


def _preview(array: np.ndarray[tuple[int, ...], np.dtype[np.generic]]) -> str:
    flat = array.ravel()[:4]
    text = np.array2string(flat, precision=4, separator=", ", threshold=8)
    return text[:-1] + ", ...]" if array.size > flat.size else text


def _load(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    one = _open(args)
    bunch = one.load_object(
        args.session,
        args.object,
        collection=args.collection,
        revision=args.revision,
        attribute=args.attribute,
    )
    arrays: dict[str, np.ndarray[tuple[int, ...], np.dtype[np.generic]]] = {}
    for key, value in bunch.items():
        if isinstance(value, np.ndarray):
            arrays[key] = value
    written: list[Path] = []
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        for key, array in arrays.items():
            target = args.out / f"{args.object}.{key}.npy"
            _save_array(target, array)
            written.append(target)
            if not _flag(args, "json"):
                err.write(f"wrote {target}\n")
    if _flag(args, "json"):
        summary = {
            key: {"shape": list(a.shape), "dtype": str(a.dtype)} for key, a in arrays.items()
        }
        print_json({"object": args.object, "attributes": summary, "written": written}, out)
        return 0
    rows: list[list[Cell]] = [
        [key, "x".join(map(str, a.shape)), str(a.dtype), _preview(a)] for key, a in arrays.items()
    ]
    print_table(("attribute", "shape", "dtype", "values"), rows, out)
    return 0


def _save_array(target: Path, array: np.ndarray[tuple[int, ...], np.dtype[np.generic]]) -> None:
    atomic_write(target, lambda stream: np.save(stream, array, allow_pickle=False))


def _split_rel_path(rel_path: str) -> tuple[str, str | None, str]:
    """``collection/#revision#/name`` -> (collection, revision or None, name)."""
    parts = rel_path.split("/")
    name = parts.pop()
    revision = None
    if parts and parts[-1].startswith("#") and parts[-1].endswith("#"):
        revision = parts.pop()[1:-1]
    return "/".join(parts), revision, name


def _download(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from onesdk._store._progress import progress_bar

    one = _open(args)
    datasets = list(
        one.list_datasets(
            args.session,
            filename=args.filename,
            collection=args.collection,
            revision=args.revision,
            qc=None,
            default_revisions_only=args.revision is None,
        )
    )
    if not datasets:
        raise errors.ALFObjectNotFound(
            f"no dataset of session {args.session!r} matches the filters"
        )
    as_json = _flag(args, "json")
    results: list[dict[str, str]] = []
    bar = progress_bar(total=len(datasets), silent=as_json, unit="file", desc="datasets", file=err)
    for rel_path in datasets:
        collection, revision, name = _split_rel_path(rel_path)
        local = one.dataset_path(args.session, name, collection=collection, revision=revision)
        target = local
        if args.out is not None:
            target = args.out / rel_path
            target.parent.mkdir(parents=True, exist_ok=True)
            with staged(target) as (temp,):
                shutil.copyfile(local, temp)
        results.append({"rel_path": rel_path, "path": str(target)})
        bar.update(1)
    bar.close()
    if as_json:
        print_json(results, out)
    else:
        for item in results:
            out.write(f"{item['path']}\n")
    return 0


# --- cache ----------------------------------------------------------------------------------


def _cache(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from onesdk._cli import _backend as _cli_backend

    if args.action == "build":
        folder: Path = args.folder
        if not folder.is_dir():
            raise errors.ArgumentError("folder", str(folder), "an existing folder of ALF sessions")
        _cli_backend.build_cache(folder, hash_files=args.hash)
        return _cache_info(folder, args, out)
    if args.action == "info":
        cache_dir = _cache_dir(args)
        if cache_dir is None:
            one = _open(args)
            cache_dir = one.cache_dir
        return _cache_info(cache_dir, args, out)
    one = _open(args)
    tables_dir = one.cache_dir
    if getattr(args, "base_url", None) is None and getattr(args, "mode", None) != "remote":
        if args.tag is not None:
            raise errors.ArgumentError("--tag", args.tag, "a remote instance (pass --base-url)")
        _cli_backend.build_cache(one.cache_dir, hash_files=False)
    else:
        tables_dir = one.load_remote_cache(tag=args.tag)  # a tag's tables have their own folder
    if not _flag(args, "json"):
        err.write("cache refreshed\n")
    return _cache_info(tables_dir, args, out)


def _cache_info(cache_dir: Path, args: argparse.Namespace, out: TextIO) -> int:
    from onesdk._cli import _backend as _cli_backend

    info = _cli_backend.describe_cache(cache_dir)
    if _flag(args, "json"):
        print_json(info, out)
        return 0
    width = max(len(k) for k in info)
    for key, value in info.items():
        out.write(f"{key.ljust(width)}  {value}\n")
    return 0


# --- login / logout -------------------------------------------------------------------------


def _file_server_password(args: argparse.Namespace) -> Secret | None:
    """The password for ``--file-server-user``: stdin (``--file-server-password-stdin``), the
    environment, or a prompt on a terminal; never a command-line value (shell history, ps)."""
    import getpass
    import sys

    from onesdk._http._file_auth import ENV_PASSWORD
    from onesdk._settings import Secret

    user = args.file_server_user
    if args.file_server_password_stdin and not user:
        raise errors.ArgumentError(
            "--file-server-password-stdin", True, "--file-server-user NAME with it"
        )
    if user is None:
        return None
    if args.file_server_password_stdin and args.token_stdin:
        raise errors.ArgumentError(
            "--file-server-password-stdin",
            True,
            "stdin for one secret: not with --token-stdin (give the file server's password in "
            f"${ENV_PASSWORD}, or save it with a second `onesdk login`)",
        )
    if not user.strip():
        raise errors.ArgumentError("--file-server-user", user, "the file server's user name")
    if args.file_server_password_stdin:
        line = sys.stdin.readline(_MAX_SECRET_LINE) if sys.stdin is not None else ""
        text = line.rstrip("\r\n")
    elif os.environ.get(ENV_PASSWORD):
        text = os.environ[ENV_PASSWORD]
    elif sys.stdin is not None and sys.stdin.isatty():
        text = getpass.getpass(f"file server password for {user}: ")
    else:
        raise errors.ArgumentError(
            "--file-server-user",
            user,
            "its password: pipe it with --file-server-password-stdin, set "
            f"${ENV_PASSWORD}, or run in a terminal to be asked",
        )
    if not text:
        raise errors.ArgumentError(
            "--file-server-password-stdin"
            if args.file_server_password_stdin
            else "--file-server-user",
            "<empty>",
            "a non-empty file server password",
        )
    return Secret(text)


def _login(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from onesdk._cli import _backend as _cli_backend

    base_url = getattr(args, "base_url", None)
    if base_url is None:
        raise errors.ArgumentError("--base-url", None, "the Alyx server URL to log in to")
    server = args.save_http_data_server or getattr(args, "http_data_server", None)
    file_password = _file_server_password(args)  # before any request: usage errors first
    username = None
    if args.token_stdin:
        username = _token_login(args, base_url, server, err)
    elif file_password is None or _cli_backend.alyx_user(base_url, args.username):
        username = _cli_backend.login(base_url, args.username, None, http_data_server=server)
    if file_password is not None:
        _cli_backend.save_file_server(
            base_url, args.file_server_user.strip(), file_password, http_data_server=server
        )
    if _flag(args, "json"):
        answer: dict[str, object] = {
            "base_url": base_url,
            "username": username,
            "logged_in": username is not None,
        }
        if file_password is not None:
            answer["file_server_user"] = args.file_server_user.strip()
        print_json(answer, out)
        return 0
    if username is not None:
        err.write(f"logged in to {base_url} as {username}; token saved\n")
    if file_password is not None:
        err.write(
            f"file server login {args.file_server_user.strip()} saved for {base_url}; "
            "its password is kept with the tokens\n"
        )
    return 0


def _token_login(args: argparse.Namespace, base_url: str, server: str | None, err: TextIO) -> str:
    """``login --token-stdin``: the token's owner, as the server's ``/me`` names it (a note
    when that is not ``--username``)."""
    from onesdk._cli import _backend as _cli_backend

    token = _read_token(base_url)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", errors.AuthenticationWarning)
        username = _cli_backend.login_with_token(
            base_url, args.username, token, http_data_server=server
        )
    for warning in caught:
        err.write(f"onesdk: note: {warning.message}\n")
    return username


def _read_token(base_url: str) -> str:
    """The API token: one line of stdin (never an argument, which shell history and ``ps``
    would show), asked for without echo when stdin is a terminal."""
    if sys.stdin is None:
        raise errors.ArgumentError("--token-stdin", None, "a token on stdin (stdin is closed)")
    if sys.stdin.isatty():
        line = getpass.getpass(f"Alyx API token (shown at {base_url.rstrip('/')}/me): ")
    else:
        line = sys.stdin.readline(_MAX_SECRET_LINE)
    if not line.strip():
        raise errors.ArgumentError(
            "--token-stdin", None, "one line on stdin holding the API token (it was empty)"
        )
    return line.strip()


def _logout(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from onesdk._cli import _backend as _cli_backend

    file_server = _flag(args, "file_server")
    url = _cli_backend.logout(getattr(args, "base_url", None), file_server=file_server)
    if _flag(args, "json"):
        print_json({"base_url": url, "logged_in": False, "file_server_forgotten": file_server}, out)
    else:
        also = " and the file server's login and password" if file_server else ""
        err.write(f"logged out of {url}: token{also} removed\n")
    return 0


def _demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from onesdk._cli import _demo as _cli_demo

    return _cli_demo.run_demo(
        args.out,
        seed=args.seed,
        plot=not args.no_plot,
        out=out,
        err=err,
        as_json=_flag(args, "json"),
    )


HANDLERS: Mapping[str, Handler] = {
    "search": _search,
    "ls": _ls,
    "info": _info,
    "load": _load,
    "download": _download,
    "cache": _cache,
    "login": _login,
    "logout": _logout,
    "demo": _demo,
    "lock": _cli_lock.lock_command,
    "sync": _cli_lock.sync_command,
}
