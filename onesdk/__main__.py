"""``python -m onesdk``: the same command line as the ``onesdk`` console script."""

from __future__ import annotations

from onesdk.cli import main

raise SystemExit(main())
