"""tools/floor-constraints.txt and pyproject.toml declare the same floors.

`make test-floor` installs onesdk with the pins of tools/floor-constraints.txt, so the suite runs on
the oldest versions a user may have. If a lower bound in pyproject.toml moved without the pin (or
the other way round), the floor run would test versions nobody declared.
"""

from __future__ import annotations

import re
import shlex
import tomllib

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _runtime_requirements() -> dict[NormalizedName, Requirement]:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    return {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}


def _dev_requirements() -> list[Requirement]:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    return [Requirement(line) for line in project["optional-dependencies"]["dev"]]


def _floor_pins() -> dict[NormalizedName, Requirement]:
    text = (ROOT / "tools" / "floor-constraints.txt").read_text(encoding="utf-8")
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    pins = [Requirement(line) for line in lines if line]
    by_name = {canonicalize_name(r.name): r for r in pins}
    assert len(by_name) == len(pins), "a package is pinned twice"
    return by_name


def _exact(requirement: Requirement) -> Version:
    (spec,) = requirement.specifier
    assert spec.operator == "==", f"{requirement}: a floor is an exact pin"
    return Version(spec.version)


def _lower_bound(requirement: Requirement) -> Version:
    bounds = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
    assert len(bounds) == 1, f"{requirement}: a runtime dependency declares one lower bound (>=)"
    return bounds[0]


def test_every_runtime_dependency_has_exactly_one_floor_pin() -> None:
    assert set(_floor_pins()) == set(_runtime_requirements())


def test_each_floor_pin_is_the_lower_bound_pyproject_declares() -> None:
    pins = _floor_pins()
    for name, requirement in _runtime_requirements().items():
        pinned = _exact(pins[name])
        # Version equality ignores trailing zeros: >=1.26 is pinned as 1.26.0
        assert pinned == _lower_bound(requirement), f"{name}: {requirement} but pinned {pinned}"
        assert requirement.specifier.contains(pinned, prereleases=True), name


def test_floor_run_pins_its_test_packages_as_dev_does() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"^FLOOR_TEST_PINS\s*:?=(.*)$", makefile, re.MULTILINE)
    assert match is not None, "Makefile has no FLOOR_TEST_PINS"
    floor = {str(Requirement(word)) for word in shlex.split(match.group(1))}
    dev = {str(r) for r in _dev_requirements()}
    assert floor, "no test package pinned"
    assert floor <= dev, floor - dev
