"""one-api's ``one.webclient``: the Alyx client, downloads of any HTTP(S) file into a folder
without a ONE instance, and the URL helpers over Alyx records.

>>> from onesdk.webclient import AlyxClient
>>> alyx = AlyxClient(base_url="https://alyx.example.org", username="me")  # doctest: +SKIP
>>> sessions = alyx.rest("sessions", "list", subject="KS051")  # doctest: +SKIP

:class:`AlyxClient` is also the type of ``one.alyx`` of an online ``ONE``.

>>> from onesdk.webclient import http_download_file
>>> url = "https://example.org/meshes/997.obj"
>>> path = http_download_file(url, target_dir="meshes", silent=True)  # doctest: +SKIP
>>> path, md5 = http_download_file(url, target_dir="meshes", return_md5=True)  # doctest: +SKIP

The downloads run on onesdk's downloader: a file is written to ``<name>.part`` and renamed onto
its name once complete, so a failed download never leaves a half-written file under that name
(with ``clobber=True`` the old file stays until the new one is whole); connection errors,
timeouts, 429 and 5xx answers are retried; the lock that lets processes share a folder lives in
onesdk's user cache dir, not beside the file. The file keeps the name the URL ends with, decoded
(``a%20b.txt`` is saved as ``a b.txt``); a name that would leave ``target_dir`` is refused.

Credentials (``username`` and ``password``, or ``user:password@`` in the URL) are sent as HTTP
basic authentication to the URL's own origin: a redirect to another host gets neither them nor
the extra ``headers``. They never appear in an error message or a log record.
"""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping

from onesdk._remote._client import AlyxClient
from onesdk._store._http_files import http_download_file, http_download_file_list
from onesdk.errors import ArgumentError

__all__ = [
    "AlyxClient",
    "dataset_record_to_url",
    "file_record_to_url",
    "http_download_file",
    "http_download_file_list",
    "no_cache",
    "update_url_params",
]


def file_record_to_url(file_records: Iterable[Mapping[str, object]]) -> list[str]:
    """The ``data_url`` of every file record that has one, in order.

    Parameters
    ----------
    file_records : Iterable[Mapping[str, object]]
        The ``file_records`` of a dataset as ``one.alyx.rest('datasets', ...)`` returns them.

    Returns
    -------
    list of str
        The URLs; a record whose ``data_url`` is None (a file on a server with no HTTP
        access) gives none.

    Raises
    ------
    onesdk.errors.ArgumentError
        ``file_records`` is a single record or a text, or a record has no ``data_url`` key
        or one that is neither a str nor None.

    Examples
    --------
    >>> file_record_to_url([{"data_url": "https://files.example.org/a.npy"}, {"data_url": None}])
    ['https://files.example.org/a.npy']
    """
    given: object = file_records
    if isinstance(given, str | bytes | Mapping):
        raise ArgumentError("file_records", file_records, "a list of file records (dicts)")
    urls = []
    for record in file_records:
        if not isinstance(record, Mapping) or "data_url" not in record:
            raise ArgumentError("file_records", record, "file records with a 'data_url' key")
        url = record["data_url"]
        if url is None:
            continue
        if not isinstance(url, str):
            raise ArgumentError("file_records", url, "a data_url that is a str or None")
        urls.append(url)
    return urls


def dataset_record_to_url(
    dataset_record: Mapping[str, object] | Iterable[Mapping[str, object]],
) -> list[str]:
    """The file URLs of one dataset record or of several, in order.

    Parameters
    ----------
    dataset_record : Mapping or Iterable of Mapping
        A dataset (or a list of them) as ``one.alyx.rest('datasets', ...)`` returns it.

    Returns
    -------
    list of str
        The ``data_url`` of every file record of every dataset (see
        :func:`file_record_to_url`).

    Raises
    ------
    onesdk.errors.ArgumentError
        A dataset without ``file_records``, or a file record as :func:`file_record_to_url`.

    Examples
    --------
    >>> dataset = {"file_records": [{"data_url": "https://files.example.org/a.npy"}]}
    >>> dataset_record_to_url(dataset)
    ['https://files.example.org/a.npy']
    """
    given: object = dataset_record
    if isinstance(given, str | bytes):
        raise ArgumentError("dataset_record", given, "a dataset record (dict) or a list")
    datasets = [dataset_record] if isinstance(dataset_record, Mapping) else dataset_record
    urls: list[str] = []
    for dataset in datasets:
        records = dataset.get("file_records") if isinstance(dataset, Mapping) else None
        if not isinstance(records, list | tuple):
            raise ArgumentError("dataset_record", dataset, "dataset records with 'file_records'")
        urls += file_record_to_url(records)
    return urls


def update_url_params(url: str, params: Mapping[str, object]) -> str:
    """``url`` with the query parameters of ``params`` set (replacing those of the same name).

    Parameters
    ----------
    url : str
        The URL whose query is updated; its other parts are kept as they are (its
        percent-escapes included).
    params : Mapping[str, object]
        New values: a value is sent as its text, a list or tuple as one parameter a value.

    Returns
    -------
    str
        The URL with the merged query; parameters of ``url`` with an empty value are dropped,
        as in one-api.

    Examples
    --------
    >>> update_url_params("website.com/?q=", {"pg": 5})
    'website.com/?pg=5'
    >>> update_url_params("website.com?q=xxx", {"pg": 5, "foo": ["bar", "baz"]})
    'website.com?q=xxx&pg=5&foo=bar&foo=baz'
    """
    if not isinstance(url, str):
        raise ArgumentError("url", url, "a URL (str)")
    if not isinstance(params, Mapping):
        raise ArgumentError("params", params, "a mapping of parameter names to values")
    parts = urllib.parse.urlsplit(url)
    query: dict[str, object] = dict(urllib.parse.parse_qs(parts.query))
    query.update(params)
    return parts._replace(query=urllib.parse.urlencode(query, doseq=True)).geturl()


@contextlib.contextmanager
def no_cache(ac: AlyxClient | None = None) -> Iterator[AlyxClient]:
    """Turn the REST cache of ``ac`` off within the ``with`` block, then back as it was.

    Parameters
    ----------
    ac : AlyxClient, optional
        The client, such as ``one.alyx`` (every request of that ``ONE`` then skips the cache:
        searches, listings, loads); None: a new ``AlyxClient()`` on the default server.

    Yields
    ------
    AlyxClient
        ``ac`` with ``cache_mode`` None; its former ``cache_mode`` is restored on leaving,
        also when the block raises.

    Raises
    ------
    onesdk.errors.ArgumentError
        ``ac`` is not an ``AlyxClient``.

    Examples
    --------
    >>> from onesdk.webclient import no_cache
    >>> with no_cache(one.alyx):  # doctest: +SKIP
    ...     eids = one.search(subject="KS051", query_type="remote")
    """
    client = AlyxClient() if ac is None else ac
    if not isinstance(client, AlyxClient):
        raise ArgumentError("ac", ac, "an AlyxClient (such as one.alyx) or None")
    mode = client.cache_mode
    client.cache_mode = None
    try:
        yield client
    finally:
        client.cache_mode = mode
