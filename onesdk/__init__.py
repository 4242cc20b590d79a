"""onesdk: a typed SDK for ONE (Open Neurophysiology Environment) and the Alyx database.

Search, list and load ALF data from a local parquet cache (:class:`One`) or from an Alyx server
(:class:`OneAlyx`); :func:`ONE` picks the right one. Importing ``onesdk`` is cheap: pandas,
pyarrow and httpx are only imported when the first of these names is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from onesdk import _log  # noqa: F401  (installs the secret-redacting log filter; stdlib only)

__version__ = "0.1.0"

__all__ = [
    "ONE",
    "QC",
    "AlfPath",
    "Dataset",
    "Insertion",
    "Lock",
    "One",
    "OneAlyx",
    "Revision",
    "Session",
    "__version__",
]

if TYPE_CHECKING:
    from onesdk._facade._factory import ONE
    from onesdk._facade._one import One
    from onesdk._facade._one_alyx import OneAlyx
    from onesdk._lock._core import Lock
    from onesdk._models import Dataset, Insertion, Revision, Session
    from onesdk.alf import QC, AlfPath

# public name -> private module that defines it; resolved on first access (PEP 562)
_LAZY = {
    "ONE": "onesdk._facade._factory",
    "One": "onesdk._facade._one",
    "OneAlyx": "onesdk._facade._one_alyx",
    "Lock": "onesdk._lock._core",
    "QC": "onesdk.alf",
    "AlfPath": "onesdk.alf",
    "Session": "onesdk._models",
    "Dataset": "onesdk._models",
    "Insertion": "onesdk._models",
    "Revision": "onesdk._models",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'onesdk' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
