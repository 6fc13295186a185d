"""Test-wide settings: the suite never downloads; a missing file fails with the data registry's error."""

from __future__ import annotations

import os

# `make test` sets this too; setting it here keeps a bare `pytest` run offline as well. Tests that
# exercise the download path remove it explicitly (see the `nowhere` fixture in test_data.py).
os.environ.setdefault("INFOFLOW_OFFLINE", "1")
