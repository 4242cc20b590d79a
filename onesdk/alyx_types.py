"""The types of ``one.alyx.rest()``: one ``TypedDict`` per Alyx record and request body.

>>> from onesdk.alyx_types import SubjectList, Endpoint
>>> def nicknames(subjects: list[SubjectList]) -> list[str]:
...     return [s["nickname"] for s in subjects]

Generated from the Alyx contract (``schema/alyx-openapi.yaml``) into ``onesdk_gen.alyx_types``
and re-exported here, with the endpoint and action names (:data:`Endpoint`, :data:`Action`) and
the :class:`Rest` protocol that types ``rest()``. Importing this module is the only cost:
``import onesdk`` does not load it.
"""

from __future__ import annotations

from onesdk_gen.alyx_rest import Action, Endpoint, Rest
from onesdk_gen.alyx_types import *  # noqa: F403 - the generated names, listed in its __all__
from onesdk_gen.alyx_types import __all__ as _records

__all__ = ["Action", "Endpoint", "Rest", *_records]
