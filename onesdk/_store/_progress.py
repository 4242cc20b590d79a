"""Progress bars: a terminal bar on stderr, a widget in Jupyter, nothing when ``silent``.

``tqdm.auto`` picks the notebook widget inside a Jupyter kernel and the text bar elsewhere. A
kernel's stderr is not a terminal, so "show only on a terminal" alone would hide every bar in
a notebook: a bar is shown when not silent and either stderr is a terminal or a kernel runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Never, TextIO

if TYPE_CHECKING:
    from tqdm.std import tqdm

__all__ = ["in_notebook", "progress_bar", "shows_progress"]


def in_notebook() -> bool:
    """True inside a Jupyter (IPython kernel) session."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = getattr(ipython, "get_ipython", lambda: None)()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def shows_progress(silent: bool, file: TextIO | None = None) -> bool:
    """Whether a bar should be drawn on ``file`` (default stderr)."""
    if silent:
        return False
    if in_notebook():
        return True
    stream = file if file is not None else sys.stderr
    return stream is not None and stream.isatty()


def progress_bar(
    *,
    total: float | None,
    silent: bool,
    unit: str = "B",
    desc: str | None = None,
    file: TextIO | None = None,
) -> tqdm[Never]:
    """A ``tqdm.auto`` bar (widget in Jupyter), disabled unless :func:`shows_progress`."""
    from tqdm.auto import tqdm as auto_tqdm

    return auto_tqdm(
        total=total,
        unit=unit,
        unit_scale=unit == "B",
        desc=desc,
        file=file,
        disable=not shows_progress(silent, file),
    )
