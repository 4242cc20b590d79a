"""Downloaders share one verifying SSL context per process: making one reads the CA bundle
(about 0.1 s of CPU), which a download per load would otherwise pay every time."""

from __future__ import annotations

import ssl

import pytest

from onesdk._store import _download


def test_downloaders_read_the_ca_bundle_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # Counted where every httpx version reads the bundle: httpx 0.27 builds the context with
    # ssl.SSLContext, 0.28 with ssl.create_default_context; both then load the CA locations.
    loads: list[ssl.SSLContext] = []
    real = ssl.SSLContext.load_verify_locations

    def counting(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loads.append(self)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    monkeypatch.setattr(_download, "_SSL", [], raising=False)
    contexts = set()
    for _ in range(3):
        with _download.Downloader(silent=True):
            contexts.add(id(_download._ssl_context()))
    assert len(loads) == 1
    assert len(contexts) == 1
