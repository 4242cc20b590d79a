"""Progress bars: tqdm.auto (a widget in Jupyter), shown in a kernel, silent when asked."""

from __future__ import annotations

import io
import sys
import types

import pytest
from tqdm.auto import tqdm as auto_tqdm

from onesdk._store import _progress
from onesdk._store._progress import in_notebook, progress_bar, shows_progress


class _Kernel:
    config: dict[str, dict[str, object]] = {"IPKernelApp": {}}  # noqa: RUF012 (IPython's shape)


def _fake_ipython(monkeypatch: pytest.MonkeyPatch, shell: object) -> None:
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", module)


def test_a_jupyter_kernel_is_recognised(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_ipython(monkeypatch, _Kernel())
    assert in_notebook()
    _fake_ipython(monkeypatch, None)  # IPython imported, but a terminal shell or none
    assert not in_notebook()


def test_bars_show_in_a_kernel_although_stderr_is_no_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    assert shows_progress(silent=False, file=io.StringIO())
    assert not shows_progress(silent=True, file=io.StringIO())


def test_bars_hide_without_a_terminal_outside_a_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_progress, "in_notebook", lambda: False)
    assert not shows_progress(silent=False, file=io.StringIO())


def test_the_bar_is_tqdm_auto_and_silent_writes_nothing() -> None:
    stream = io.StringIO()
    bar = progress_bar(total=10, silent=True, file=stream)
    bar.update(10)
    bar.close()
    assert isinstance(bar, auto_tqdm)
    assert bar.disable
    assert stream.getvalue() == ""
