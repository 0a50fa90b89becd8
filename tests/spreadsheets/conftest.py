"""What the spreadsheet tests share: a store with one township's two villages."""

from __future__ import annotations

import pytest

from app.store import Store
from app.store.keyring import FAST_KDF

PASS = "村访通-secret"
VILLAGES = {"340102001001": "东山村", "340102001002": "西河村"}


@pytest.fixture
def store(tmp_path):
    """A fresh encrypted store with 东山村 (340102001001) and 西河村 (340102001002) of 示范镇."""
    s = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    for village_id, name in VILLAGES.items():
        s.add_village(village_id, name, town="示范镇")
    yield s
    s.close()
