"""The JSON-field helpers of the reference's ``one.alyx``.

``json_field_update``, ``json_field_write``, ``json_field_remove_key`` and
``json_field_delete`` read and patch one field of a record, as one-api's helpers of the same
names do (a PATCH of the field; the update merges with ``dict.update``). The read before a
merge or a removal always asks the server, never the REST cache, so two updates in a row never
merge into a stale copy of the field and lose the first one.

As one-api's, they ask the server whatever the instance's mode.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, cast
from uuid import UUID

from onesdk._log import get_logger
from onesdk._remote._alyx_files import json_answer
from onesdk._remote._alyx_rest import RestSchemes, _wire
from onesdk._remote._alyx_verbs import AlyxVerbs
from onesdk.errors import ArgumentError, ContractError

if TYPE_CHECKING:
    from onesdk._remote._rest import JsonValue

__all__ = ["AlyxJsonFields"]

_log = get_logger("onesdk.alyx")


class AlyxJsonFields(AlyxVerbs):
    """``json_field_update``, ``json_field_write``, ``json_field_remove_key`` and
    ``json_field_delete`` of the reference's ``AlyxClient``."""

    def json_field_update(
        self,
        endpoint: str,
        uuid: str | UUID,
        field_name: str = "json",
        data: Mapping[str, object] | None = None,
    ) -> dict[str, JsonValue]:
        """Merge ``data`` into a record's JSON field (``dict.update``) and return the new field.

        The record is read from the server (never from the REST cache), its field updated
        with ``data`` (keys of ``data`` replace the same keys; other keys are kept), and the
        whole field written back with one PATCH. A field that is null counts as ``{}``.

        Parameters
        ----------
        endpoint : str
            The Alyx endpoint of the record, e.g. ``'sessions'``.
        uuid : str or uuid.UUID
            The record's id (or name, for endpoints keyed by name).
        field_name : str
            The JSON field, e.g. ``'extended_qc'`` (default ``'json'``).
        data : dict
            The keys and values to set.

        Returns
        -------
        dict
            The field as the server holds it after the write.

        Raises
        ------
        ArgumentError
            ``data`` is not a dict; ``field_name`` is not a field of the record, or holds
            something other than a JSON object (nothing is written).
        UnknownTermError
            ``endpoint`` is not an Alyx endpoint with records to update.
        OfflineError
            The server cannot be reached.
        HTTPError
            The server refused the read or the write (404: no such record).

        Examples
        --------
        >>> alyx = one.alyx  # doctest: +SKIP
        >>> alyx.json_field_update("sessions", eid, "extended_qc", {"task_a": 1})  # doctest: +SKIP
        {'task_b': 0, 'task_a': 1}
        """
        if not isinstance(data, Mapping):
            raise ArgumentError("data", data, "a dict of the keys and values to set")
        target = self._field(endpoint, uuid, field_name)
        current = target.read(self) or {}
        if not isinstance(current, dict):
            raise target.not_an_object(current)
        merged = {**current, **cast("dict[str, JsonValue]", _wire(dict(data)))}
        return cast("dict[str, JsonValue]", target.write(self, merged))

    def json_field_write(
        self,
        endpoint: str,
        uuid: str | UUID,
        field_name: str = "json",
        data: Mapping[str, object] | None = None,
    ) -> dict[str, JsonValue]:
        """Replace a record's JSON field with ``data`` (whatever it held) and return it.

        Parameters
        ----------
        endpoint : str
            The Alyx endpoint of the record, e.g. ``'sessions'``.
        uuid : str or uuid.UUID
            The record's id (or name, for endpoints keyed by name).
        field_name : str
            The JSON field (default ``'json'``).
        data : dict
            The new content of the field (use :meth:`json_field_delete` to set it to null).

        Returns
        -------
        dict
            The field as the server holds it after the write.

        Raises
        ------
        ArgumentError
            ``data`` is not a dict, or ``field_name`` is not a text.
        UnknownTermError
            ``endpoint`` is not an Alyx endpoint with records to update.
        OfflineError
            The server cannot be reached.
        HTTPError
            The server refused the write (404: no such record).

        Examples
        --------
        >>> one.alyx.json_field_write("sessions", eid, "extended_qc", {"task": 1})  # doctest: +SKIP
        {'task': 1}
        """
        if not isinstance(data, Mapping):
            raise ArgumentError("data", data, "a dict: the new content of the field")
        target = self._field(endpoint, uuid, field_name, read=False)
        return cast("dict[str, JsonValue]", target.write(self, _wire(dict(data))))

    def json_field_remove_key(
        self,
        endpoint: str,
        uuid: str | UUID,
        field_name: str = "json",
        key: str | None = None,
    ) -> dict[str, JsonValue] | None:
        """Remove ``key`` from a record's JSON field and return the field.

        The record is read from the server (never from the REST cache); when the field holds
        ``key``, the field without it is written back with one PATCH. A field that is null,
        or lacks ``key``, is returned as it is and nothing is written (a missing key is logged
        as a warning on the ``onesdk.alyx`` logger).

        Parameters
        ----------
        endpoint : str
            The Alyx endpoint of the record, e.g. ``'sessions'``.
        uuid : str or uuid.UUID
            The record's id (or name, for endpoints keyed by name).
        field_name : str
            The JSON field (default ``'json'``).
        key : str
            The key to remove.

        Returns
        -------
        dict or None
            The field after the removal; None when the field is null.

        Raises
        ------
        ArgumentError
            ``key`` is not a text; ``field_name`` is not a field of the record, or holds
            something other than a JSON object (nothing is written).
        UnknownTermError
            ``endpoint`` is not an Alyx endpoint with records to update.
        OfflineError
            The server cannot be reached.
        HTTPError
            The server refused the read or the write (404: no such record).

        Examples
        --------
        >>> alyx = one.alyx  # doctest: +SKIP
        >>> alyx.json_field_remove_key("sessions", eid, "extended_qc", "task_a")  # doctest: +SKIP
        {'task_b': 0}
        """
        if not isinstance(key, str):
            raise ArgumentError("key", key, "the key to remove (a str)")
        target = self._field(endpoint, uuid, field_name)
        current = target.read(self)
        if current is None:
            return None
        if not isinstance(current, dict):
            raise target.not_an_object(current)
        if key not in current:
            _log.warning("%s: no key %r in %s, nothing removed", target.shown, key, field_name)
            return current
        _log.info("%s: removing key %r from %s", target.shown, key, field_name)
        kept = {name: value for name, value in current.items() if name != key}
        return cast("dict[str, JsonValue]", target.write(self, kept))

    def json_field_delete(
        self, endpoint: str, uuid: str | UUID, field_name: str = "json"
    ) -> JsonValue:
        """Set a record's field to null (all of it; see :meth:`json_field_remove_key` for one
        key) and return the field as the server then holds it (None).

        Parameters
        ----------
        endpoint : str
            The Alyx endpoint of the record, e.g. ``'sessions'``.
        uuid : str or uuid.UUID
            The record's id (or name, for endpoints keyed by name).
        field_name : str
            The field (default ``'json'``).

        Returns
        -------
        None
            What the server holds in the field after the write (None, unless the server
            refuses nulls there and keeps a default).

        Raises
        ------
        UnknownTermError
            ``endpoint`` is not an Alyx endpoint with records to update.
        OfflineError
            The server cannot be reached.
        HTTPError
            The server refused the write (404: no such record, 400: the field cannot be null).

        Examples
        --------
        >>> one.alyx.json_field_delete("sessions", eid, "extended_qc")  # doctest: +SKIP
        """
        return self._field(endpoint, uuid, field_name, read=False).write(self, None)

    def _field(
        self, endpoint: str, uuid: str | UUID, field_name: str, *, read: bool = True
    ) -> _Field:
        schemes = RestSchemes()
        write = schemes.operation(endpoint, "partial_update")
        reader = schemes.operation(endpoint, "read") if read else write
        if not isinstance(field_name, str) or not field_name:
            raise ArgumentError("field_name", field_name, "the name of a field of the record")
        if isinstance(uuid, UUID):
            key = str(uuid)
        elif isinstance(uuid, str) and uuid.strip("/"):
            key = uuid.rstrip("/").rsplit("/", 1)[-1]  # one-api also takes the record's URL
        else:
            raise ArgumentError("uuid", uuid, "the record's id (a UUID) or name")
        quoted = urllib.parse.quote(key, safe="")
        return _Field(
            reader.url_path(quoted).lstrip("/"), write.url_path(quoted).lstrip("/"), field_name
        )


@dataclasses.dataclass(frozen=True)
class _Field:
    """One field of one record: where to read it and where to patch it."""

    read_path: str
    write_path: str
    name: str

    @property
    def shown(self) -> str:
        return f"/{self.write_path}"

    def read(self, alyx: AlyxJsonFields) -> JsonValue:
        response = alyx.http.request("GET", self.read_path, cache="refresh")
        return self._of(json_answer(response, f"GET {alyx.http.url(self.read_path)}"), "GET")

    def write(self, alyx: AlyxJsonFields, value: object) -> JsonValue:
        response = alyx.http.request(
            "PATCH", self.write_path, body={self.name: value}, cache="skip"
        )
        return self._of(json_answer(response, f"PATCH {alyx.http.url(self.write_path)}"), "PATCH")

    def _of(self, record: JsonValue, method: str) -> JsonValue:
        if not isinstance(record, dict):
            raise ContractError(f"{method} {self.shown}: expected a record (a JSON object)")
        if self.name not in record:
            raise ArgumentError(
                "field_name", self.name, f"a field of the record: {', '.join(sorted(record))}"
            )
        return record[self.name]

    def not_an_object(self, value: JsonValue) -> ArgumentError:
        return ArgumentError(
            "field_name", self.name,
            f"a field holding a JSON object (a dict); {self.shown} holds a "
            f"{type(value).__name__} there",
            problem="cannot change keys of a field that is not a JSON object",
        )  # fmt: skip
