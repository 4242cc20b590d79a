"""``onesdk.webclient``'s record helpers (``file_record_to_url``, ``dataset_record_to_url``,
``update_url_params``) give what one-api 3.6.1's give, on the recorded dataset records and on
URLs built to stress the query merge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from onesdk.errors import ArgumentError
from onesdk.webclient import dataset_record_to_url, file_record_to_url, update_url_params
from tests.contract._corpus import exchanges, records, template_of
from tests.reference import run_reference

SCRIPT = r"""
import json, sys
from one.webclient import dataset_record_to_url, file_record_to_url, update_url_params
p = json.load(sys.stdin)
print(json.dumps({
    "datasets": [dataset_record_to_url(d) for d in p["datasets"]],
    "all": dataset_record_to_url(p["datasets"]),
    "files": [file_record_to_url(d["file_records"]) for d in p["datasets"]],
    "urls": [update_url_params(url, params) for url, params in p["urls"]],
}))
"""

#: (url, params): replaced, added and repeated parameters, blanks, fragments, no query
URLS: list[tuple[str, dict[str, object]]] = [
    ("website.com/?q=", {"pg": 5}),
    ("website.com?q=xxx", {"pg": 5, "foo": ["bar", "baz"]}),
    ("https://alyx.example.org/sessions?subject=KS051&limit=10", {"offset": 10, "limit": 20}),
    ("https://alyx.example.org/datasets?tag=a&tag=b", {"tag": ["c"]}),
    ("https://alyx.example.org/sessions", {"subject": "ZM_3003", "number": 1}),
    ("https://alyx.example.org/x?a=1#frag", {"b": "two words"}),
]


def _datasets(shared_alyx: Path) -> list[dict[str, object]]:
    by_url: dict[str, dict[str, object]] = {}
    for exchange in exchanges(shared_alyx):
        listed = template_of(exchange.path, ["/datasets", "/datasets/{id}"])
        if exchange.status == 200 and exchange.method == "GET" and listed:
            by_url.update((str(d["url"]), d) for d in records(exchange.body))
    return list(by_url.values())


@pytest.mark.reference
@pytest.mark.shared
def test_the_helpers_answer_as_one_api_does(shared_alyx: Path, reference_python: Path) -> None:
    datasets = _datasets(shared_alyx)
    assert len(datasets) > 100
    payload = {"datasets": datasets, "urls": URLS}
    theirs = cast(dict[str, Any], run_reference(reference_python, SCRIPT, payload))
    assert [dataset_record_to_url(d) for d in datasets] == theirs["datasets"]
    assert dataset_record_to_url(datasets) == theirs["all"]
    files = [file_record_to_url(cast(list[dict[str, object]], d["file_records"])) for d in datasets]
    assert files == theirs["files"]
    assert sum(map(len, files)) > 100  # the records do carry URLs
    assert any(not urls for urls in files) or any(  # some file records have no data_url
        fr["data_url"] is None
        for d in datasets
        for fr in cast(list[dict[str, object]], d["file_records"])
    )
    assert [update_url_params(url, params) for url, params in URLS] == theirs["urls"]


def test_update_url_params_keeps_the_escapes_of_the_path() -> None:
    url = "https://files.example.org/a%20b/%23rev%23/x.npy?token=1"
    updated = update_url_params(url, {"token": 2})
    assert updated == "https://files.example.org/a%20b/%23rev%23/x.npy?token=2"


def test_a_file_record_without_data_url_gives_no_url() -> None:
    records: list[dict[str, object]] = [
        {"data_url": None},
        {"data_url": "https://files.example.org/a.npy"},
    ]
    assert file_record_to_url(records) == ["https://files.example.org/a.npy"]


@pytest.mark.parametrize(
    ("function", "arguments", "argument"),
    [
        (file_record_to_url, ({"data_url": "x"},), "file_records"),
        (file_record_to_url, ([{"url": "x"}],), "file_records"),
        (file_record_to_url, ([{"data_url": 3}],), "file_records"),
        (dataset_record_to_url, ({"name": "x"},), "dataset_record"),
        (dataset_record_to_url, ("https://x",), "dataset_record"),
        (update_url_params, (b"x", {}), "url"),
        (update_url_params, ("x", [("a", 1)]), "params"),
    ],
)
def test_bad_records_are_refused_naming_the_argument(
    function: Callable[..., object], arguments: tuple[object, ...], argument: str
) -> None:
    with pytest.raises(ArgumentError) as raised:
        function(*arguments)
    assert raised.value.argument == argument
