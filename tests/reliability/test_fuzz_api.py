"""Bad input to every public function of ``onesdk.alf`` and ``onesdk.alf.io``, to ``ONE(...)``,
``One(...)``, ``One.setup`` and ``make_cache``, and to the cache-writing methods of ``One``.

Arguments are drawn generically from each function's signature (valid ALF names, near-valid
names, and every bad-input kind of :mod:`tests.strategies`), so a new public function is fuzzed
as soon as it is exported. Paths handed to functions that write or delete stay inside a scratch
directory: no '..', no absolute path.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import onesdk
import onesdk.alf as alf
import onesdk.alf.io as alfio
from onesdk._cache import make_cache
from tests import strategies as bad
from tests.reliability._harness import judge
from tests.reliability.conftest import Cache, write_tree

_SETTINGS = settings(
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ]
)


def _functions(module: object) -> dict[str, Callable[..., object]]:
    names: list[str] = getattr(module, "__all__")  # noqa: B009 (a module's export list)
    found = {n: getattr(module, n) for n in names}
    return {n: f for n, f in found.items() if inspect.isfunction(f)}


ALF_FUNCTIONS = _functions(alf)
IO_FUNCTIONS = _functions(alfio)
#: io functions that write or delete: only scratch-relative paths
_WRITERS = {"remove_empty_folders", "save_metadata", "save_object_npy"}

_NAMES = st.one_of(bad.near_valid(), bad.alf_paths().map(str), bad.dataset_paths())
_ANY = st.one_of(_NAMES, bad.bad_values(), st.booleans(), st.none())
_SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="./\\", blacklist_categories=["Cs"]), max_size=12
)
_SAFE_PATHS = st.one_of(
    st.sampled_from(["data", "data/alf", "data/alf/spikes.times.npy", "missing", "", "x\0y"]),
    _SAFE_TEXT,
)


def _arguments(func: Callable[..., object], safe: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for every parameter of ``func`` (optional ones sometimes left out)."""
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for param in inspect.signature(func).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        value = _path_value(param.name) if safe else _ANY
        if param.default is param.empty and param.kind != param.KEYWORD_ONLY:
            required[param.name] = value
        else:
            optional[param.name] = value
    return st.tuples(
        st.fixed_dictionaries(required, optional=optional),
        bad.maybe_unknown_keyword(_ANY),
    ).map(lambda t: {**t[0], **({t[1][0]: t[1][1]} if t[1] else {})})


def _path_value(name: str) -> st.SearchStrategy[Any]:
    if name in ("alfpath", "file_alf", "folder"):
        return st.one_of(_SAFE_PATHS, bad.wrong_types)
    if name == "dico":
        return st.one_of(
            st.dictionaries(_SAFE_TEXT, st.just(np.arange(3)), max_size=2),
            st.dictionaries(_SAFE_TEXT, bad.wrong_types, max_size=2),
            bad.wrong_types,
        )
    return st.one_of(_SAFE_TEXT, bad.wrong_types)


@pytest.fixture(scope="module")
def scratch(scratch_cwd: Path) -> Path:
    """The scratch cwd with a small ALF folder in it (data/alf)."""
    folder = scratch_cwd / "data" / "alf"
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "spikes.times.npy", np.arange(3.0))
    np.save(folder / "spikes.amps.npy", np.ones(3))
    return scratch_cwd


@pytest.mark.parametrize("name", sorted(ALF_FUNCTIONS))
@_SETTINGS
@given(data=st.data())
def test_alf_function_answers_or_raises_a_documented_error(
    name: str, data: st.DataObject, scratch: Path
) -> None:
    func = ALF_FUNCTIONS[name]
    judge(f"alf.{name}", func, **data.draw(_arguments(func, safe=False), label="kwargs"))


@pytest.mark.parametrize("name", sorted(IO_FUNCTIONS))
@_SETTINGS
@given(data=st.data())
def test_io_function_answers_or_raises_a_documented_error(
    name: str, data: st.DataObject, scratch: Path
) -> None:
    func = IO_FUNCTIONS[name]
    kwargs = data.draw(_arguments(func, safe=name in _WRITERS), label="kwargs")
    judge(f"alf.io.{name}", func, **kwargs)


# --- constructors and cache builders --------------------------------------------------------------

_DIRS = st.one_of(
    st.sampled_from(["cache", "tree", "empty", "missing", "tree/mainlab"]),
    _SAFE_TEXT,
    bad.wrong_types.filter(lambda v: v is not None),
    st.just("a\0b"),
)
_MODES = st.one_of(
    st.sampled_from(["local", "auto", "remote", "refresh", "LOCAL"]), bad.wrong_types
)
_FLAGS = st.one_of(st.booleans(), bad.wrong_types)
_URLS = st.one_of(
    st.none(), st.sampled_from(["https://files.example.org/", "", "ftp://x", "not a url"]), _ANY
)


@pytest.fixture(scope="module")
def dirs(scratch: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Below the scratch cwd: 'tree' (ALF files), 'cache' (tree + tables), 'empty'."""
    write_tree(scratch / "tree")
    write_tree(scratch / "cache")
    make_cache(scratch / "cache")
    (scratch / "empty").mkdir(exist_ok=True)
    return scratch


def _constructor_kwargs(with_base_url: bool) -> st.SearchStrategy[dict[str, Any]]:
    optional: dict[str, st.SearchStrategy[Any]] = {
        "mode": _MODES,
        "wildcards": _FLAGS,
        "tables_dir": _DIRS,
        "silent": _FLAGS,
        "http_data_server": _URLS,
    }
    if with_base_url:
        optional["base_url"] = st.none()
    return st.fixed_dictionaries({"cache_dir": _DIRS}, optional=optional)


@_SETTINGS
@given(kwargs=_constructor_kwargs(with_base_url=False))
def test_One_constructor_answers_or_raises_a_documented_error(
    kwargs: dict[str, Any], dirs: Path
) -> None:
    judge("One()", onesdk.One, **kwargs)


@_SETTINGS
@given(kwargs=_constructor_kwargs(with_base_url=True))
def test_ONE_factory_answers_or_raises_a_documented_error(
    kwargs: dict[str, Any], dirs: Path
) -> None:
    if kwargs.get("mode", "remote") in ("remote", "auto"):
        kwargs["mode"] = "local"  # remote modes are fuzzed with the replay server
    judge("ONE()", onesdk.ONE, **kwargs)


@_SETTINGS
@given(
    kwargs=st.fixed_dictionaries(
        {"cache_dir": _DIRS},
        optional={"silent": _FLAGS, "hash_files": _FLAGS, "lab": _ANY, "overwrite": _FLAGS},
    )
)
def test_One_setup_answers_or_raises_a_documented_error(kwargs: dict[str, Any], dirs: Path) -> None:
    judge("One.setup", onesdk.One.setup, **kwargs)


@_SETTINGS
@given(
    kwargs=st.fixed_dictionaries(
        {"root_dir": _DIRS},
        optional={
            "out_dir": st.none() | _DIRS,
            "hash_files": _FLAGS,
            "lab": st.one_of(st.none(), st.just("mainlab"), _ANY),
            "workers": st.one_of(st.none(), st.integers(-2, 4), bad.wrong_types),
        },
    )
)
def test_make_cache_answers_or_raises_a_documented_error(
    kwargs: dict[str, Any], dirs: Path
) -> None:
    judge("make_cache", make_cache, **kwargs)


@_SETTINGS
@given(
    method=st.sampled_from(["load_cache", "save_cache", "save_loaded_ids", "refresh_cache"]),
    kwargs=st.fixed_dictionaries(
        {},
        optional={
            "tables_dir": _DIRS,
            "save_dir": _DIRS,
            "clobber": _FLAGS,
            "force": _FLAGS,
            "sessions_only": _FLAGS,
            "clear_list": _FLAGS,
            "mode": _MODES,
        },
    ),
)
def test_cache_methods_answer_or_raise_a_documented_error(
    method: str, kwargs: dict[str, Any], dirs: Path, cache: Cache
) -> None:
    one = onesdk.One(cache.root)
    func = getattr(one, method)
    accepted = set(inspect.signature(func).parameters)
    judge(f"One.{method}", func, **{k: v for k, v in kwargs.items() if k in accepted})
