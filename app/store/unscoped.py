"""Reads beyond the signed-in account's scope: named ``unscoped_…`` functions in the entity modules call
``note`` first, which writes the job to the audit log (once per job and signed-in session).

Only a few jobs need them: rules that must see every record of the laptop (one house number per village),
finding a person by ID number before registering them a second time, and the store's own upkeep.
"""

from __future__ import annotations


def note(store, job: str) -> None:
    """Audit that ``job`` reads without the account's scope (an account with every right needs no note)."""
    if store.scope.unrestricted:
        return
    seen = store.__dict__.setdefault("_unscoped_jobs", set())
    key = (store.scope.login, job)
    if key in seen:
        return
    from app.store.audit import append

    append(store, "unscoped_read", subject=job, detail={"role": store.scope.role.name})
    seen.add(key)
