"""The encrypted local store (SQLCipher through sqlite-utils)."""

from app.store.lifecycle import STATUS_LABELS, STATUSES
from app.store.store import Store

__all__ = ["STATUSES", "STATUS_LABELS", "Store"]
