"""Local accounts on a shared laptop: sign in, the first administrator, adding and resetting users.

An account is a row in ``accounts`` (who, role, villages) plus a keyring slot: the
store's data key sealed under a key derived from the account's password with
argon2id (app/store/keyring.py). Signing in opens that slot, so the password is
checked by being able to decrypt the data key and is stored nowhere. Adding a user
or changing a password seals one more slot; the database is never re-encrypted.
The recovery key, printed once at setup, opens its own slot so an administrator who
forgot their password can set a new one without losing data.

Every sign-in, failed sign-in (written at the next sign-in: the log is inside the
database) and account change goes into the hash-chained audit log.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from app.access import Scope
from app.errors import CunFangError, ErrorCode
from app.roles import ANY, ROLES, Role, role
from app.store import connection, keyring
from app.store.audit import append
from app.store.store import Store, utc_now

MIN_PASSWORD = 8
_LOGIN = re.compile(r"[a-z0-9_.-]{2,32}")


@dataclass(frozen=True)
class Account:
    login: str
    name: str
    role: str
    villages: tuple[str, ...]
    active: bool = True
    must_change: bool = False

    @property
    def role_def(self) -> Role:
        return ROLES[self.role]

    @property
    def scope(self) -> Scope:
        return Scope(self.role_def, self.villages, self.login)

    @classmethod
    def from_row(cls, row: dict) -> Account:
        return cls(row["login"], row["name"], row["role"], tuple(json.loads(row["villages"])), bool(row["active"]),
                   bool(row["must_change"]))


# ---------------------------------------------------------------------------- signing in


def sign_in(data_dir: Path, login: str, password: str, *, now: float | None = None) -> Store:
    """Open the store as ``login``; wrong passwords are counted and slowed (app/store/lockout.py)."""
    login = login.strip().lower()
    try:
        store = Store.unlocked(Path(data_dir), keyring.user_slot(login), password, now=now)
    except CunFangError as exc:
        if exc.code == ErrorCode.STORE_WRONG_PASSPHRASE:
            raise CunFangError(ErrorCode.ACCOUNT_BAD_LOGIN) from None
        raise
    try:
        account = get(store, login)
        if not account.active:
            raise CunFangError(ErrorCode.ACCOUNT_DISABLED, login=login)
    except CunFangError:
        store.close()
        raise
    act_as(store, account)
    append(store, "login", user=login, subject=login)
    return store


def act_as(store: Store, account: Account) -> None:
    """Make ``account`` the one whose rights the store's queries apply."""
    store.account = account
    store.scope = account.scope


def sign_out(store: Store) -> None:
    if store.closed:
        return
    if store.account is not None:
        append(store, "logout", user=store.account.login, subject=store.account.login)
    store.close()


def check_password(store: Store, password: str) -> None:
    """Raise ACCOUNT_BAD_LOGIN unless ``password`` is the signed-in account's (unlocking the lock screen)."""
    if store.account is None:
        raise CunFangError(ErrorCode.ACCOUNT_LOGIN_NEEDED)
    try:
        connection.unlock(store.data_dir, keyring.user_slot(store.account.login), password)
    except CunFangError as exc:
        store.record_failed_logins()  # the store is open: log the failure now, not at the next sign-in
        if exc.code == ErrorCode.STORE_WRONG_PASSPHRASE:
            raise CunFangError(ErrorCode.ACCOUNT_BAD_LOGIN) from None
        raise
    append(store, "unlock", user=store.account.login, subject=store.account.login)


# ---------------------------------------------------------------------------- the first administrator


def new_recovery_key() -> str:
    """160 random bits as 8 groups of 4 letters/digits (base32: no 0/1/8/9 to confuse with O/I/B/g)."""
    raw = base64.b32encode(secrets.token_bytes(20)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, 32, 4))


def normalize_recovery_key(text: str) -> str:
    raw = re.sub(r"[\s-]", "", text).upper()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def create_with_admin(data_dir: Path, login: str, name: str, password: str, *,
                      kdf: keyring.Kdf = keyring.DEFAULT_KDF) -> tuple[Store, str]:
    """A new store whose first account is an administrator; returns it signed in, and the recovery key."""
    login = _check_login(login)
    _check_password(login, password)
    recovery = new_recovery_key()
    conn, data_key = connection.create_connection(
        Path(data_dir), {keyring.user_slot(login): password, keyring.RECOVERY_SLOT: recovery}, kdf=kdf)
    store = Store(conn, Path(data_dir), data_key=data_key, kdf=kdf)
    account = _insert(store, login, name, "admin", [ANY], by=login, must_change=False)
    act_as(store, account)
    append(store, "login", user=login, subject=login)
    return store, recovery


def adopt_accounts(store: Store, login: str, name: str, password: str) -> str:
    """Turn a passphrase store (made before accounts) into one with an administrator; the passphrase stops
    working, a recovery key is made. Returns the recovery key."""
    if store.account is not None or list_accounts(store):
        raise CunFangError(ErrorCode.ACCOUNT_EXISTS, login=login)
    login = _check_login(login)
    _check_password(login, password)
    recovery = new_recovery_key()

    def change(ring: keyring.Keyring) -> None:
        ring.seal(keyring.user_slot(login), store.data_key, password, store.kdf)
        ring.seal(keyring.RECOVERY_SLOT, store.data_key, recovery, store.kdf)
        ring.slots.pop(keyring.PASSPHRASE_SLOT, None)

    account = _insert(store, login, name, "admin", [ANY], by=login, must_change=False)
    connection.update_keyring(store.data_dir, change)
    act_as(store, account)
    append(store, "account_adopt", user=login, subject=login)
    return recovery


def recover(data_dir: Path, recovery_key: str, login: str, new_password: str) -> Store:
    """Open with the recovery key and give administrator ``login`` a new password; returns the store signed in."""
    try:
        store = Store.unlocked(Path(data_dir), keyring.RECOVERY_SLOT, normalize_recovery_key(recovery_key))
    except CunFangError as exc:
        if exc.code == ErrorCode.STORE_WRONG_PASSPHRASE:
            raise CunFangError(ErrorCode.ACCOUNT_BAD_RECOVERY_KEY) from None
        raise
    try:
        account = get(store, login.strip().lower())
        if account.role != "admin":
            raise CunFangError(ErrorCode.ACCESS_DENIED, role=account.role_def.label, action="用恢复密钥重设密码",
                               hint="恢复密钥只用来找回管理员账户；其他账户请由管理员重设密码。")
        _check_password(account.login, new_password)
        _seal(store, account.login, new_password)
        _update(store, account.login, active=1, must_change=0)
    except CunFangError:
        store.close()
        raise
    account = get(store, account.login)
    act_as(store, account)
    append(store, "recovery_used", user=account.login, subject=account.login)
    return store


# ---------------------------------------------------------------------------- managing accounts


def list_accounts(store: Store) -> list[Account]:
    return [Account.from_row(r) for r in store.query("SELECT * FROM accounts ORDER BY active DESC, role, login")]


def get(store: Store, login: str) -> Account:
    rows = store.query("SELECT * FROM accounts WHERE login = ?", [login])
    if not rows:
        raise CunFangError(ErrorCode.ACCOUNT_NOT_FOUND, login=login)
    return Account.from_row(rows[0])


def add_account(store: Store, login: str, name: str, role_name: str, villages: list[str], password: str) -> Account:
    """A new account (administrators only); it must change the password at first sign-in."""
    store.scope.check("accounts")
    login = _check_login(login)
    if store.query("SELECT 1 FROM accounts WHERE login = ?", [login]):
        raise CunFangError(ErrorCode.ACCOUNT_EXISTS, login=login)
    the_role = role(role_name)
    villages = _check_villages(store, the_role, villages)
    _check_password(login, password)
    with store.transaction():
        account = _insert(store, login, name.strip() or login, the_role.name, villages, by=_who(store),
                          must_change=True)
        append(store, "account_add", user=_who(store), subject=login,
               detail={"role": the_role.name, "villages": villages})
        _seal(store, login, password)
    return account


def update_account(store: Store, login: str, *, name: str | None = None, role_name: str | None = None,
                   villages: list[str] | None = None) -> Account:
    store.scope.check("accounts")
    account = get(store, login)
    the_role = role(role_name) if role_name else account.role_def
    if account.role == "admin" and the_role.name != "admin":
        _keep_an_admin(store, login)
    new_villages = _check_villages(store, the_role, list(account.villages) if villages is None else villages)
    changes = {"name": name.strip() if name else account.name, "role": the_role.name,
               "villages": json.dumps(new_villages, ensure_ascii=False)}
    with store.transaction():
        _update(store, login, **changes)
        append(store, "account_change", user=_who(store), subject=login,
               detail={"old": {"role": account.role, "villages": list(account.villages)},
                       "new": {"role": the_role.name, "villages": new_villages}})
    return get(store, login)


def reset_password(store: Store, login: str, new_password: str) -> None:
    """An administrator gives ``login`` a new password (the user changes it at the next sign-in)."""
    store.scope.check("accounts")
    account = get(store, login)
    _check_password(login, new_password)
    with store.transaction():
        _update(store, login, active=1, must_change=0 if login == _who(store) else 1)
        append(store, "password_reset", user=_who(store), subject=login)
        _seal(store, account.login, new_password)


def change_password(store: Store, old: str, new: str) -> None:
    """The signed-in user changes their own password (the old one is asked again)."""
    account = store.account
    if account is None:
        raise CunFangError(ErrorCode.ACCOUNT_LOGIN_NEEDED)
    try:
        keyring.load(store.data_dir / connection.KEYRING_NAME).open(keyring.user_slot(account.login), old)
    except CunFangError as exc:
        raise CunFangError(ErrorCode.ACCOUNT_BAD_LOGIN) from exc
    if new == old:
        raise CunFangError(ErrorCode.ACCOUNT_PASSWORD_SAME)
    _check_password(account.login, new)
    with store.transaction():
        _update(store, account.login, must_change=0)
        append(store, "password_change", user=account.login, subject=account.login)
        _seal(store, account.login, new)
    act_as(store, get(store, account.login))


def disable_account(store: Store, login: str) -> None:
    """Stop an account: its slot is removed (its password opens nothing); its records stay."""
    store.scope.check("accounts")
    account = get(store, login)
    if account.role == "admin":
        _keep_an_admin(store, login)
    with store.transaction():
        _update(store, login, active=0)
        append(store, "account_disable", user=_who(store), subject=login)
        connection.update_keyring(store.data_dir, lambda ring: ring.slots.pop(keyring.user_slot(login), None))


# ---------------------------------------------------------------------------- helpers


def _who(store: Store) -> str:
    return store.account.login if store.account else ""


def _check_login(login: str) -> str:
    cleaned = login.strip().lower()
    if not _LOGIN.fullmatch(cleaned):
        raise CunFangError(ErrorCode.ACCOUNT_BAD_NAME, login=login)
    return cleaned


def _check_password(login: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise CunFangError(ErrorCode.ACCOUNT_PASSWORD_SHORT, minimum=MIN_PASSWORD)
    if password.strip().lower() == login:
        raise CunFangError(ErrorCode.ACCOUNT_PASSWORD_SAME)


def _check_villages(store: Store, the_role: Role, villages: list[str]) -> list[str]:
    if the_role.all_villages:
        return [ANY]
    chosen = [v for v in dict.fromkeys(v.strip() for v in villages) if v]
    if not chosen:
        raise CunFangError(ErrorCode.ACCOUNT_NEEDS_VILLAGE, role=the_role.label)
    known = {r["id"]: r["name"] for r in store.villages()}
    for village in chosen:
        if village not in known:
            raise CunFangError(ErrorCode.ACCOUNT_UNKNOWN_VILLAGE, village=village,
                               villages="、".join(f"{k}（{v}）" for k, v in known.items()) or "（还没有）")
    return chosen


def _keep_an_admin(store: Store, login: str) -> None:
    others = store.query("SELECT count(*) AS n FROM accounts WHERE role = 'admin' AND active = 1 AND login != ?",
                         [login])[0]["n"]
    if not others:
        raise CunFangError(ErrorCode.ACCOUNT_LAST_ADMIN)


def _insert(store: Store, login: str, name: str, role_name: str, villages: list[str], *, by: str,
            must_change: bool) -> Account:
    now = utc_now()
    store.conn.execute(
        "INSERT INTO accounts (login, name, role, villages, active, must_change, created_at, created_by, updated_at) "
        "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)",
        (login, name, role_name, json.dumps(villages, ensure_ascii=False), int(must_change), now, by, now))
    return get(store, login)


def _update(store: Store, login: str, **columns) -> None:
    sets = ", ".join(f"{column} = ?" for column in columns)
    store.conn.execute(f"UPDATE accounts SET {sets}, updated_at = ? WHERE login = ?",
                       (*columns.values(), utc_now(), login))


def _seal(store: Store, login: str, password: str) -> None:
    """Seal the data key for ``login`` (after the database change, so a failure leaves no stray slot)."""
    connection.update_keyring(store.data_dir,
                              lambda ring: ring.seal(keyring.user_slot(login), store.data_key, password, store.kdf))
