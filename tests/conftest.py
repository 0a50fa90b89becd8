"""Shared test setup: Qt runs offscreen however the suite is started (dev.py sets this too)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
