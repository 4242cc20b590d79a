"""``help(one.search)``, every public method of One/OneAlyx and every function of
``onesdk.util`` show numpydoc sections."""

from __future__ import annotations

import inspect
import pydoc
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import onesdk.util
from onesdk import ONE, One, OneAlyx


def _public_methods() -> list[tuple[str, Callable[..., object]]]:
    found: dict[str, Callable[..., object]] = {}
    for cls in (One, OneAlyx):
        for name in dir(cls):
            if name.startswith("_") or isinstance(inspect.getattr_static(cls, name), property):
                continue
            member = getattr(cls, name)
            if callable(member) and _parameters(member):
                found[f"{cls.__name__}.{name}"] = member
    found["One"] = One
    found["OneAlyx"] = OneAlyx
    found["ONE"] = ONE.__call__
    found["ONE.setup"] = ONE.setup
    for name in onesdk.util.__all__:  # one-api's one.util functions
        member = getattr(onesdk.util, name)
        if inspect.isfunction(member):
            found[f"util.{name}"] = member
    return sorted(found.items())


def _parameters(method: Callable[..., object]) -> list[str]:
    names = []
    for param in inspect.signature(method).parameters.values():
        if param.name in ("self", "cls"):
            continue
        names.append(("**" if param.kind is param.VAR_KEYWORD else "") + param.name)
    return names


def _section(doc: str, title: str) -> str:
    match = re.search(
        rf"^{title}\n-{{{len(title)}}}\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)", doc, re.M | re.S
    )
    return match.group(1) if match else ""


def _documented(section: str) -> set[str]:
    names: set[str] = set()
    for line in section.splitlines():
        if line and not line.startswith(" "):
            names.update(n.strip() for n in line.split(" : ")[0].split(","))
    return names


@pytest.mark.parametrize(("name", "method"), _public_methods(), ids=lambda v: str(v))
def test_public_method_documents_every_parameter(name: str, method: Callable[..., object]) -> None:
    doc = inspect.getdoc(method) or ""
    section = _section(doc, "Parameters")
    assert section, f"{name}: no Parameters section"
    missing = [p for p in _parameters(method) if p not in _documented(section)]
    assert not missing, f"{name}: parameters not documented: {missing}"
    returns_none = inspect.signature(method).return_annotation in (None, "None")
    assert _section(doc, "Returns") or _section(doc, "Yields") or returns_none, (
        f"{name}: no Returns section"
    )


def test_help_of_search_shows_the_filters(tmp_path: Path) -> None:
    alf = tmp_path / "lab" / "Subjects" / "SUB" / "2024-01-02" / "001" / "alf"
    alf.mkdir(parents=True)
    np.save(alf / "_ibl_trials.choice.npy", np.ones(2))
    one = One.setup(tmp_path, silent=True)
    text = pydoc.plain(pydoc.render_doc(one.search))
    for expected in ("Parameters", "subject : ", "date_range, date : ", "Returns", "Examples"):
        assert expected in text
