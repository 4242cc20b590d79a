"""``one.webclient`` names, mapped to onesdk.

one-api's ``AlyxClient`` is ``onesdk.webclient.AlyxClient`` (also the type of ``OneAlyx.alyx``:
``rest``, ``rest_schemes``, ``list_endpoints``, ``print_endpoint_info``, ``user``,
``authenticate``, ``logout``, ``cache_mode``, ``download_file``, ``download_cache_tables``,
``get``, ``post``, ``put``, ``patch``, ``delete``, the ``json_field_*`` helpers,
``rel_path2url``), and ``onesdk.alyx`` is the typed client; neither has the class names below.
The standalone downloaders and the record helpers are ``onesdk.webclient``'s too.
"""

from one._absent import Absent
from onesdk.webclient import (
    AlyxClient,
    dataset_record_to_url,
    file_record_to_url,
    http_download_file,
    http_download_file_list,
    no_cache,
    update_url_params,
)

_SCHEMA = (
    "endpoints come from the Alyx contract onesdk was generated from; "
    "`OneAlyx.alyx.rest_schemes` is the counterpart (docs/differences.md, "
    "row '`one.alyx.rest()` endpoints and filters')"
)
_CACHE = "the REST GET cache is internal (docs/differences.md, row 'REST GET cache')"

RestScheme = Absent("one.webclient.RestScheme", _SCHEMA)
RestSchemeCoreApi = Absent("one.webclient.RestSchemeCoreApi", _SCHEMA)
RestSchemeOpenApi = Absent("one.webclient.RestSchemeOpenApi", _SCHEMA)
_cache_response = Absent("one.webclient._cache_response", _CACHE)
_PaginatedResponse = Absent(
    "one.webclient._PaginatedResponse",
    "list answers are plain lists (docs/differences.md, row "
    "'`one.alyx.rest(..., 'list')`, `one.alyx.get(...)` longer than a page')",
)
_JSONEncoder = Absent("one.webclient._JSONEncoder", "private JSON encoder of one-api")

__all__ = [
    "AlyxClient",
    "RestScheme",
    "RestSchemeCoreApi",
    "RestSchemeOpenApi",
    "dataset_record_to_url",
    "file_record_to_url",
    "http_download_file",
    "http_download_file_list",
    "no_cache",
    "update_url_params",
]
