"""The encrypted local store (SQLCipher through sqlite-utils)."""

from app.store.store import STATUS_LABELS, STATUSES, Store

__all__ = ["STATUSES", "STATUS_LABELS", "Store"]
