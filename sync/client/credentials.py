"""Which server credential a sync run uses on this laptop, and what it may carry.

A laptop has a laptop-wide enrollment (settings ``sync.*``: stores without accounts, and laptops
enrolled before accounts), and each local account may enroll its own (``sync.account.<login>.*``).
A run uses the signed-in account's own enrollment when it has one, else the laptop's. It carries only
the records and registry rows that both the signed-in account's scope (``store.scope``) and the
credential's server user (role and villages from enrollment) cover: ``coverage``. See
docs/sync-protocol.md, "Shared laptops".
"""

from __future__ import annotations

import json

from app.access import Scope
from app.roles import ROLES, UNSURE_ROLE
from app.store.outbox import settings_under

SETTING = "sync."
ACCOUNT = SETTING + "account."
# what an account's own enrollment holds; everything else (audit_sent, client_update) is the laptop's
OWN_KEYS = ("url", "credential", "device_id", "server_id", "package_key", "user", "ca_file", "registry_cursor")


def account_prefix(store) -> str | None:
    """``sync.account.<login>.`` for the signed-in account; None on a store without accounts."""
    account = getattr(store, "account", None)
    return f"{ACCOUNT}{account.login}." if account is not None else None


def settings(store) -> dict:
    """The sync settings a run on this laptop uses now (inside the encrypted store: credentials never lie on
    disk in clear). ``key_prefix`` says where this credential's own state (the pull cursor) is kept."""
    rows = settings_under(store, SETTING)
    laptop = {key[len(SETTING):]: value for key, value in rows.items() if not key.startswith(ACCOUNT)}
    laptop["key_prefix"] = SETTING
    prefix = account_prefix(store)
    if prefix is None:
        return laptop
    own = {key[len(prefix):]: value for key, value in rows.items() if key.startswith(prefix)}
    laptop.pop("last_run", None)  # each account sees its own runs only
    if own.get("credential"):
        laptop.update(own)
        laptop["key_prefix"] = prefix
    elif "last_run" in own:
        laptop["last_run"] = own["last_run"]
    return laptop


def state_key(store, config: dict, name: str) -> str:
    """Where to keep ``name`` for this run: the credential's cursor with the credential, the last run per account."""
    if name == "last_run":
        return (account_prefix(store) or SETTING) + name
    if name in OWN_KEYS:
        return config.get("key_prefix", SETTING) + name
    return SETTING + name


def enrollment_prefix(store) -> str:
    """Where a new enrollment is kept: the signed-in account's own, or the laptop's without accounts."""
    return account_prefix(store) or SETTING


def credential_scope(store, config: dict) -> Scope:
    """What the credential's server user may send: their role's forms and kinds in their villages."""
    try:
        user = json.loads(config.get("user") or "{}")
    except ValueError:
        user = {}
    role = ROLES.get(str(user.get("role") or "")) or ROLES[UNSURE_ROLE]
    villages = tuple(str(v) for v in user.get("villages") or ())
    account = getattr(store, "account", None)
    return Scope(role, villages, login=account.login if account is not None else "")


def coverage(store, config: dict | None = None) -> list[Scope]:
    """The scopes a run's records and registry rows must fall in: the signed-in account's and the credential's."""
    config = settings(store) if config is None else config
    scopes = [store.scope]
    if config.get("credential"):
        scopes.append(credential_scope(store, config))
    return scopes
