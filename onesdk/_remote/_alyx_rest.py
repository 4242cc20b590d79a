"""``one.alyx.rest(endpoint, action, ...)`` and the reference's other ``one.alyx`` helpers.

:class:`AlyxRestSurface` is mixed into :class:`onesdk._remote._rest.RestRepository` (the object
behind ``one.alyx``); it only needs that object's :class:`~onesdk._remote._rest.AlyxHttp` as
``self.http``.

``rest()`` answers as the reference does: a list of dicts for ``list`` (every page, in order;
a server answer that is not paginated comes back as it is), one dict for ``read``, ``create``,
``update`` and ``partial_update``, None for ``delete``. Its type is the generated
:class:`onesdk_gen.alyx_rest.Rest` protocol: one overload per endpoint and action of the Alyx
contract, so the checker knows ``rest('subjects', 'list')`` is a ``list[SubjectList]``.
Endpoints, actions and filters are checked against the same contract at run time; with
``validate=True`` (or ``one.alyx.validate = True``) every answer is checked too and a misfit is
a :class:`ContractError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypedDict, cast
from uuid import UUID

from onesdk._log import get_logger
from onesdk._remote._alyx_contract import ACTION_ALIASES, Contract, Operation, check, contract
from onesdk._remote._alyx_files import AlyxFiles, json_answer
from onesdk.errors import (
    ArgumentError,
    AuthenticationError,
    UnknownTermError,
)

if TYPE_CHECKING:
    from onesdk_gen.alyx_rest import Rest

    from onesdk._http._rest_cache import CacheControl
    from onesdk._remote._rest import AlyxHttp, JsonValue, QueryParams

__all__ = ["AlyxRestSurface", "RestField", "RestSchemes"]

_log = get_logger("onesdk.alyx")

#: the actions that name one record
_KEYED: Final = ("read", "update", "partial_update", "delete")
#: the actions that send a body
_WRITES: Final = ("create", "update", "partial_update")
#: the keys of a paginated answer (the reference's test for one)
_PAGE_KEYS: Final = {"count", "next", "previous", "results"}


class RestField(TypedDict):
    """A filter or body field of an endpoint's action (``rest_schemes.fields``)."""

    name: str
    location: str
    type: str
    description: str


class RestSchemes:
    """What the reference's ``alyx.rest_schemes`` tells: endpoints, actions, fields, URLs.

    Read from the Alyx contract this onesdk was generated from (no request is sent).
    """

    def __init__(self, table: Contract | None = None) -> None:
        self._table = table if table is not None else contract()

    @property
    def endpoints(self) -> list[str]:
        """Every endpoint name, sorted."""
        return self._table.endpoints

    def actions(self, endpoint: str) -> list[str]:
        """The actions of ``endpoint``, sorted."""
        return self._table.actions(self._endpoint(endpoint))

    def url(self, endpoint: str, action: str) -> str:
        """The path of ``endpoint``'s ``action``, e.g. ``/sessions/{id}``."""
        return self.operation(endpoint, action).path

    def fields(self, endpoint: str, action: str) -> list[RestField]:
        """The query filters (``list``) or body fields (writes) of ``endpoint``'s ``action``."""
        op = self.operation(endpoint, action)
        found = [
            RestField(name=name, location="query", type=_type_name(node),
                      description=op.filter_help.get(name, ""))
            for name, node in sorted(op.filters.items())
        ]  # fmt: skip
        if op.body is not None:
            body = self._table.schemas[op.body]
            properties = cast(Mapping[str, Mapping[str, object]], body.get("properties") or {})
            required = set(cast(Iterable[str], body.get("required") or ()))
            found += [
                RestField(name=name, location="body (required)" if name in required else "body",
                          type=_type_name(node), description="")
                for name, node in properties.items()
            ]  # fmt: skip
        return found

    def field_names(self, endpoint: str, action: str) -> list[str]:
        return [f["name"] for f in self.fields(endpoint, action)]

    def describe(self, endpoint: str, action: str | None = None) -> str:
        """The text :meth:`print_endpoint_info` prints: each action and its fields."""
        actions = self.actions(endpoint) if action is None else [self._action(endpoint, action)]
        lines: list[str] = []
        for name in actions:
            op = self.operation(endpoint, name)
            lines.append(
                f"{name}: {op.method} {op.path}" + (f" ({op.summary})" if op.summary else "")
            )
            lines += [
                f"\t{f['name']}: ({f['type']}, {f['location']})"
                + (f" {f['description']}" if f["description"] else "")
                for f in self.fields(endpoint, name)
            ]
        return "\n".join(lines)

    def print_endpoint_info(self, endpoint: str, action: str | None = None) -> None:
        """Print :meth:`describe` (the reference prints; this is the one helper that does)."""
        print(self.describe(endpoint, action))

    def operation(self, endpoint: str, action: str) -> Operation:
        name = self._endpoint(endpoint)
        return self._table.operations[name][self._action(name, action)]

    def _endpoint(self, endpoint: object) -> str:
        if not isinstance(endpoint, str) or endpoint not in self._table.operations:
            raise _unknown(f'REST endpoint "{endpoint}"', str(endpoint), self._table.endpoints)
        return endpoint

    def _action(self, endpoint: str, action: object) -> str:
        name = ACTION_ALIASES.get(str(action), str(action))
        known = self._table.actions(endpoint)
        if not isinstance(action, str) or name not in known:
            raise _unknown(f'Action "{action}" of REST endpoint "{endpoint}"', str(action), known)
        return name


def _unknown(what: str, name: str, valid: Iterable[str]) -> UnknownTermError:
    """The reference's message (``REST endpoint "x" does not exist``), with the closest match."""
    error = UnknownTermError(name, valid)
    close = difflib.get_close_matches(name, error.valid, n=1)
    hint = f' Did you mean "{close[0]}"?' if close else ""
    error.args = (f"{what} does not exist.{hint} Available: {', '.join(error.valid)}",)
    return error


def _type_name(node: Mapping[str, object]) -> str:
    if "$ref" in node:
        return str(node["$ref"])
    kind = node.get("type")
    fmt = node.get("format")
    text = f"{kind}:{fmt}" if kind and fmt else str(kind or "any")
    return text + ("?" if node.get("nullable") else "")


def _param(value: object) -> str:
    """A filter value as the reference sends it: lists joined by commas, each item ``str()``."""
    items = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
    return ",".join(str(item) for item in items)


def _key(value: object) -> str:
    if isinstance(value, UUID):
        return str(value)
    if not isinstance(value, str) or not value.strip("/"):
        raise ArgumentError("id", value, "the record's id or name")
    last = value.rstrip("/").split("/")[-1]  # the reference also takes a record URL
    return urllib.parse.quote(last, safe="")


class AlyxRestSurface(AlyxFiles):
    """The reference's ``one.alyx`` helpers, on top of an :class:`AlyxHttp` (``self.http``)."""

    http: AlyxHttp
    #: check every ``rest()`` answer against the contract (``rest(..., validate=...)`` wins)
    validate: bool = False

    # rest ----------------------------------------------------------------------------------
    @property
    def rest(self) -> Rest:
        """The reference's ``alyx.rest(endpoint, action, ...)``, typed per endpoint and action.

        See :meth:`_rest` for the parameters; the type checker reads the generated overloads
        of :class:`onesdk.alyx_types.Rest`.
        """
        return cast("Rest", self._rest)

    @property
    def rest_schemes(self) -> RestSchemes:
        """The endpoints, actions and fields of the Alyx contract."""
        return RestSchemes()

    def list_endpoints(self) -> list[str]:
        """Every endpoint name (the reference also prints them; use :func:`print` for that)."""
        return self.rest_schemes.endpoints

    def print_endpoint_info(self, endpoint: str, action: str | None = None) -> None:
        """Print the actions of ``endpoint`` with their filters and body fields."""
        self.rest_schemes.print_endpoint_info(endpoint, action)

    def _rest(
        self,
        endpoint: str,
        action: str | None = None,
        id: str | UUID | None = None,
        data: Mapping[str, object] | list[Mapping[str, object]] | None = None,
        files: object = None,
        no_cache: bool = False,
        *,
        expires: dt.timedelta | bool | None = None,
        validate: bool | None = None,
        **filters: object,
    ) -> JsonValue:
        """Call an Alyx endpoint as one-api's ``AlyxClient.rest`` does.

        Parameters
        ----------
        endpoint : str
            An endpoint of the Alyx contract, e.g. ``'sessions'`` (``'sessions?subject=x'``
            is read as a list with that filter).
        action : str
            ``'list'``, ``'read'``, ``'create'``, ``'update'``, ``'partial_update'`` or
            ``'delete'`` (the ones the endpoint has).
        id : str or uuid.UUID, optional
            The record's key for ``read``/``update``/``partial_update``/``delete``; with
            ``list``, a primary-key filter.
        data : dict or list of dict, optional
            The body of ``create``/``update``/``partial_update`` (sent as JSON); a list of
            records creates them all in one request (as for ``channels``).
        files : dict, optional
            Files to upload with a write (a multipart request: ``data`` as form fields), e.g.
            ``{'image': open(path, 'rb')}``.
        no_cache : bool
            Ask the server even if a cached answer is fresh (never sent as a filter).
        expires : datetime.timedelta or bool, optional
            How long this GET answer stays cached; True: not kept; None: ``default_expiry``.
        validate : bool, optional
            Check the answer (and ``data``) against the contract; None: :attr:`validate`.
        **filters
            Query filters of a ``list`` (lists are sent comma-separated).

        Returns
        -------
        list of dict, dict or None
            Every record of a ``list`` (all pages), one record otherwise, None for ``delete``.

        Raises
        ------
        UnknownTermError
            An unknown endpoint, action or filter (lists the valid names).
        ArgumentError
            A missing ``id`` or ``data``.
        ContractError
            With validation, an answer outside the contract (names the field).
        """
        schemes = RestSchemes()
        if not isinstance(endpoint, str):
            raise ArgumentError("endpoint", endpoint, "an Alyx endpoint name such as 'sessions'")
        url = endpoint.lstrip("/")
        name = re.findall(r"^[^?/]*", url)[0]
        if "?" in url:  # the reference's 'sessions?subject=x' form: a list with those filters
            action = "list"
            filters = {**dict(urllib.parse.parse_qsl(url.partition("?")[2])), **filters}
        if action is None:
            raise ArgumentError("action", action, f"one of {', '.join(schemes.actions(name))}")
        op = schemes.operation(name, action)
        if files is not None and (op.action not in _WRITES or not isinstance(files, Mapping)):
            raise ArgumentError("files", "...", "a dict of files to upload with a create/update")
        cache: CacheControl = "refresh" if no_cache else "use"
        expiry = _expiry(expires, no_cache)
        shown = f"{op.method} {self.http.base_url}{op.path}"
        checking = self.validate if validate is None else validate
        bulk = False  # a create of several records (a list as data)
        if op.action == "list":
            answer = self._rest_list(op, id, filters, cache, expiry)
        else:
            if filters:
                raise ArgumentError(next(iter(filters)), "...", f"no filters for {op.action}")
            if op.action in _KEYED and id is None:
                raise ArgumentError("id", id, f"the id of the record to {op.action} ({op.path})")
            if op.action in _WRITES and not data:
                fields = ", ".join(schemes.field_names(name, op.action))
                raise ArgumentError("data", data, f"a dict with fields of {fields}")
            records = [data] if isinstance(data, Mapping) else data or []
            bulk = isinstance(data, list) and op.action == "create" and files is None
            if (data is not None and not isinstance(data, Mapping) and not bulk) or not all(
                isinstance(record, Mapping) for record in records
            ):
                raise ArgumentError(
                    "data",
                    data,
                    "a dict of the record's fields (a list of dicts to create several)",
                )
            # UUIDs (ids of other records) are sent as their text
            body = [{key: _wire(value) for key, value in record.items()} for record in records]
            if checking and op.body is not None:
                for record in body:
                    _check_body(record, op)
            path = op.url_path(_key(id) if id is not None else None)
            response = self.http.request(
                op.method, path, body=body if bulk else body[0] if body else None,
                cache=cache, expiry=expiry, files=cast("Mapping[str, Any] | None", files),
            )  # fmt: skip
            answer = json_answer(response, shown)
        if checking and answer is not None and op.answer is not None:
            node: Mapping[str, object] = op.answer
            if bulk and isinstance(answer, list):  # one answer per record created
                node = {"type": "array", "items": op.answer}
            elif op.paginated and isinstance(answer, list):  # the records of every page
                node = {"type": "array", "items": op.item or {}}
            check(answer, node, shown=shown)
        return answer

    def _rest_list(
        self,
        op: Operation,
        key: str | UUID | None,
        filters: Mapping[str, object],
        cache: CacheControl,
        expiry: dt.timedelta | None,
    ) -> JsonValue:
        terms = dict(filters)
        allowed = set(op.filters)
        for term in terms:
            if term not in allowed:
                raise _unknown(f'Filter "{term}" of REST endpoint "{op.endpoint}"', term, allowed)
        if key is not None:
            django = terms.get("django")
            terms["django"] = f"{django}," if django else ""
            terms["django"] = f"{terms['django']}pk,{key}"
        if "django" in terms and terms["django"] is None:
            del terms["django"]
        params: QueryParams = [(k, _param(v)) for k, v in terms.items()]
        return self._get_all(op.path.lstrip("/"), params, cache, expiry)

    def _get_all(
        self, path: str, params: QueryParams, cache: CacheControl, expiry: dt.timedelta | None
    ) -> JsonValue:
        """GET ``path``: every record of a paginated answer (all pages, in order), any other
        answer as the server sent it."""
        from onesdk._http._alyx import Paginated
        from onesdk._http._alyx import raw_page as _raw_page

        shown = f"GET {self.http.url(path, params)}"

        def fetch(page: QueryParams) -> tuple[int, list[dict[str, JsonValue]]]:
            response = self.http.request("GET", path, page, cache=cache, expiry=expiry)
            answer = json_answer(response, shown)
            return _raw_page(answer, shown)

        response = self.http.request("GET", path, params, cache=cache, expiry=expiry)
        first = json_answer(response, shown)
        if not (isinstance(first, dict) and first.keys() >= _PAGE_KEYS):
            return first  # not paginated: as the server sent it
        detail = first.get("detail")
        if detail:
            _log.warning("Alyx server returned a detail message: %s", detail)
        count, records = _raw_page(first, shown)
        if len(records) == count:  # more records than the count: Paginated refuses them
            return cast("JsonValue", records)
        return cast("JsonValue", Paginated(fetch, path, params, (count, records)).raw())

    # settings of the REST cache --------------------------------------------------------------
    @property
    def cache_mode(self) -> str | None:
        """``'GET'`` when GET answers are cached, None when the REST cache is off."""
        return self.http.cache_mode

    @cache_mode.setter
    def cache_mode(self, mode: str | None) -> None:
        if mode not in ("GET", None):
            raise ArgumentError("cache_mode", mode, "'GET' or None")
        if mode is not None and self.http.rest_cache is None:
            raise ArgumentError("cache_mode", mode, "None: this client has no REST cache")
        self.http.cache_mode = mode

    @property
    def default_expiry(self) -> dt.timedelta:
        """How long a cached GET answer stays fresh when ``rest()`` gets no ``expires``."""
        cache = self.http.rest_cache
        return cache.expiry if cache is not None else dt.timedelta(0)

    @default_expiry.setter
    def default_expiry(self, expiry: dt.timedelta) -> None:
        if not isinstance(expiry, dt.timedelta) or expiry < dt.timedelta(0):
            raise ArgumentError("default_expiry", expiry, "a non-negative timedelta")
        if self.http.rest_cache is None:
            raise ArgumentError("default_expiry", expiry, "unset: this client has no REST cache")
        self.http.rest_cache.expiry = expiry

    def clear_rest_cache(self) -> None:
        """Remove every cached REST answer."""
        if self.http.rest_cache is not None:
            self.http.rest_cache.clear()

    # the logged-in user ----------------------------------------------------------------------
    @property
    def user(self) -> str | None:
        """The Alyx user name, None for anonymous access."""
        auth = self.http.auth
        return auth.username if auth is not None else None

    @property
    def is_logged_in(self) -> bool:
        """Whether a token is held for :attr:`user`."""
        auth = self.http.auth
        return auth is not None and auth.has_token and auth.username is not None

    def logout(self) -> None:
        """Forget the token (here and in the token store) and clear the REST cache."""
        auth = self.http.auth
        if auth is None or not auth.has_token:
            return
        auth.logout()
        self.clear_rest_cache()

    #: seconds to wait for ``/me`` when :meth:`authenticate` checks a ``token``
    token_verify_timeout: float = 10.0

    def authenticate(
        self,
        username: str | None = None,
        password: str | None = None,
        cache_token: bool = True,
        force: bool = False,
        token: str | Mapping[str, str] | None = None,
    ) -> None:
        """Log in to Alyx (again with ``force``, or as another ``username``).

        A held token is kept unless ``force``, a new ``password``, a ``token`` or another user
        is given; ``cache_token=False`` keeps the new token in memory only (not in the token
        store). A ``token`` (str or ``{'token': str}``, from the server's ``/me`` page) replaces
        the password: checked with ``GET /me``, it logs in as the user that page names.
        """
        from onesdk._http._auth import resolve_credentials
        from onesdk._http._token import log_in_with_token

        auth = self.http.auth
        if auth is None:
            raise AuthenticationError(f"{self.http.base_url}: this client has no authentication")
        if token is not None:
            timeout, keep = self.token_verify_timeout, cache_token
            log_in_with_token(
                auth, token, username=username, password=password, cache_token=keep, timeout=timeout
            )
            return
        other_user = username is not None and username != auth.username
        if auth.has_token and not (force or other_user or password is not None):
            return
        if username is not None or password is not None:
            found = resolve_credentials(username or auth.username, password)
            if found is None:
                raise ArgumentError("username", username, "an Alyx user name")
            auth.credentials = found
        auth.log_in()
        if not cache_token:
            auth.store.delete(auth.base_url)


def _expiry(expires: dt.timedelta | bool | None, no_cache: bool) -> dt.timedelta | None:
    """The reference's ``expires``: a lifetime, True for 'do not keep', None for the default."""
    if expires is True or no_cache:
        return dt.timedelta(0)
    if expires is None or expires is False:
        return None
    if isinstance(expires, dt.timedelta) and expires >= dt.timedelta(0):
        return expires
    raise ArgumentError("expires", expires, "a non-negative timedelta, True or None")


def _wire(value: object) -> object:
    """``value`` with every ``UUID`` in it (nested in dicts and lists too) as its text."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_wire(item) for item in value]
    return value


def _check_body(data: Mapping[str, object], op: Operation) -> None:
    table = contract()
    node = table.schemas[str(op.body)]
    properties = cast(Mapping[str, object], node.get("properties") or {})
    for name in data:
        if name not in properties:
            raise _unknown(f'Field "{name}" of {op.endpoint} {op.action}', name, properties)
    check(dict(data), str(op.body), shown=f"{op.method} {op.path} body", table=table)
