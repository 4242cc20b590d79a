"""Downloaders share one verifying SSL context per process: making one reads the CA bundle
(about 0.1 s of CPU), which a download per load would otherwise pay every time."""

from __future__ import annotations

import ssl

import pytest

from onesdk._store import _download


def test_downloaders_make_one_ssl_context_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[ssl.SSLContext] = []
    real = ssl.create_default_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        context = real(*args, **kwargs)  # type: ignore[arg-type]
        made.append(context)
        return context

    monkeypatch.setattr(ssl, "create_default_context", counting)
    monkeypatch.setattr(_download, "_SSL", [], raising=False)
    for _ in range(3):
        with _download.Downloader(silent=True):
            pass
    assert len(made) == 1
