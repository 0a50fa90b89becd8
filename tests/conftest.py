"""Shared test setup: Qt runs offscreen however the suite is started (dev.py sets this too)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


import pytest  # noqa: E402  (after the environment above, which Qt must see first)


@pytest.fixture
def village_store(tmp_path):
    """A new encrypted store (fast key derivation) holding one village, 东山村 341100101201."""
    from app.store import Store
    from app.store.keyring import FAST_KDF

    store = Store.create(tmp_path / "data", "East-hill-2026-a", kdf=FAST_KDF)
    store.add_village("341100101201", "东山村")
    yield store
    store.close()
