"""Local accounts on a shared laptop: sign in, the first administrator, adding and resetting users.

An account is a row in ``accounts`` (who, role, villages) plus a keyring slot: the
store's data key sealed under a key derived from the account's password with
argon2id (app/store/keyring.py). Signing in opens that slot, so the password is
checked by being able to decrypt the data key and is stored nowhere. Adding a user
or changing a password seals one more slot; the database is never re-encrypted.
The recovery key opens its own slot so an administrator who forgot their password can
set a new one without losing data; each use (and each request) replaces it, so an old
sheet stops working, and it never re-enables a disabled administrator.

Account rows are signed. With the data key (which every password unwraps) anyone could
edit ``accounts`` and make themselves 管理员, so each row carries an Ed25519 signature over
who it is, its name, role, villages and whether it is active, made with the *accounts
signing key*: sealed only in administrators' slots and the recovery slot; its public half
is in keyring.json. Sign-in refuses a row that does not verify (and logs it), `doctor`
lists such rows, sync reports them. Rows made before are signed at the first
administrator sign-in. Someone holding the data key can still make a key pair of their
own and re-sign everything; every real administrator's sign-in then sees the mismatch,
and the bureau sees the accounts key change at sync.

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

from app import passwords
from app.access import Scope
from app.crypto import ed25519_keypair, ed25519_public, ed25519_sign, ed25519_verify
from app.errors import CunFangError, ErrorCode
from app.roles import ANY, ROLES, Role, role
from app.store import connection, keyring
from app.store.audit import append
from app.store.store import Store, utc_now

MIN_PASSWORD = passwords.MIN_LENGTH
_LOGIN = re.compile(r"[a-z0-9_.-]{2,32}")
ADMIN = "admin"


@dataclass(frozen=True)
class Account:
    login: str
    name: str
    role: str
    villages: tuple[str, ...]
    active: bool = True
    must_change: bool = False
    phone: str = ""
    signature: str = ""

    @property
    def role_def(self) -> Role:
        return ROLES[self.role]

    @property
    def scope(self) -> Scope:
        return Scope(self.role_def, self.villages, self.login)

    @classmethod
    def from_row(cls, row: dict) -> Account:
        return cls(row["login"], row["name"], row["role"], tuple(json.loads(row["villages"])), bool(row["active"]),
                   bool(row["must_change"]), row.get("phone") or "", row.get("signature") or "")

    def signed_bytes(self) -> bytes:
        """What the signature covers: everything only an administrator may change (not the password flag)."""
        return json.dumps(["cunfang-account-v1", self.login, self.name, self.role, list(self.villages), self.active],
                          ensure_ascii=False, separators=(",", ":")).encode()


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
        _take_signing_key(store, keyring.user_slot(login))
        if account.role == ADMIN and not _public_key(store):  # a store from before signed rows: sign them now
            _start_signing(store, login, password)
            account = get(store, login)
        problem = row_problem(store, account)
        if problem:
            append(store, "account_tampered", user=login, subject=login, detail={"problem": problem})
            raise CunFangError(ErrorCode.ACCOUNT_TAMPERED, login=login)
    except CunFangError:
        store.close()
        raise
    act_as(store, account)
    append(store, "login", user=login, subject=login)
    if account.role == ADMIN:
        _note_tampered_rows(store)
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
    _check_password(login, password, name=name)
    recovery = new_recovery_key()
    seed, public = ed25519_keypair()
    conn, data_key = connection.create_connection(
        Path(data_dir), {keyring.user_slot(login): password, keyring.RECOVERY_SLOT: recovery}, kdf=kdf,
        signing_key=seed, accounts_key=public)
    store = Store(conn, Path(data_dir), data_key=data_key, kdf=kdf)
    store.signing_key = seed
    account = _insert(store, login, name, ADMIN, [ANY], by=login, must_change=False)
    act_as(store, account)
    append(store, "accounts_key", user=login, detail={"public_key": public.hex()})
    append(store, "login", user=login, subject=login)
    return store, recovery


def adopt_accounts(store: Store, login: str, name: str, password: str) -> str:
    """Turn a passphrase store (made before accounts) into one with an administrator; the passphrase stops
    working, a recovery key is made. Returns the recovery key."""
    if store.account is not None or list_accounts(store):
        raise CunFangError(ErrorCode.ACCOUNT_EXISTS, login=login)
    login = _check_login(login)
    _check_password(login, password, name=name)
    recovery = new_recovery_key()
    seed, public = ed25519_keypair()

    def change(ring: keyring.Keyring) -> None:
        ring.seal(keyring.user_slot(login), store.data_key, password, store.kdf, signing_key=seed)
        ring.seal(keyring.RECOVERY_SLOT, store.data_key, recovery, store.kdf, signing_key=seed)
        ring.slots.pop(keyring.PASSPHRASE_SLOT, None)
        ring.accounts_key = public.hex()

    store.signing_key = seed
    with store.transaction():
        account = _insert(store, login, name, ADMIN, [ANY], by=login, must_change=False)
        connection.update_keyring(store.data_dir, change)
    act_as(store, account)
    append(store, "account_adopt", user=login, subject=login, detail={"public_key": public.hex()})
    return recovery


def recover(data_dir: Path, recovery_key: str, login: str, new_password: str) -> tuple[Store, str]:
    """Open with the recovery key and give administrator ``login`` a new password. The recovery key is used up:
    returns the store signed in and the *new* recovery key (the old one no longer opens anything). A disabled
    administrator stays disabled."""
    try:
        store = Store.unlocked(Path(data_dir), keyring.RECOVERY_SLOT, normalize_recovery_key(recovery_key))
    except CunFangError as exc:
        if exc.code == ErrorCode.STORE_WRONG_PASSPHRASE:
            raise CunFangError(ErrorCode.ACCOUNT_BAD_RECOVERY_KEY) from None
        raise
    try:
        account = get(store, login.strip().lower())
        if account.role != ADMIN:
            raise CunFangError(ErrorCode.ACCESS_DENIED, role=account.role_def.label, action="用恢复密钥重设密码",
                               hint="恢复密钥只用来找回管理员账户；其他账户请由管理员重设密码。")
        if not account.active:
            raise CunFangError(ErrorCode.ACCOUNT_DISABLED, login=account.login)
        _check_password(account.login, new_password, name=account.name, phone=account.phone)
        _take_signing_key(store, keyring.RECOVERY_SLOT)
        if store.signing_key is None:  # a recovery slot from before signed rows: a new key pair
            _new_signing_key(store, by=account.login)
        fresh = new_recovery_key()
        with store.transaction():
            _update(store, account.login, must_change=0)
            _sign(store, account.login)  # the recovery key speaks for the administrators

            def change(ring: keyring.Keyring) -> None:
                ring.seal(keyring.user_slot(account.login), store.data_key, new_password, store.kdf,
                          signing_key=store.signing_key)
                ring.seal(keyring.RECOVERY_SLOT, store.data_key, fresh, store.kdf, signing_key=store.signing_key)

            append(store, "recovery_used", user=account.login, subject=account.login)
            connection.update_keyring(store.data_dir, change)
    except CunFangError:
        store.close()
        raise
    account = get(store, account.login)
    act_as(store, account)
    append(store, "recovery_key_new", subject=account.login)
    return store, fresh


def replace_recovery_key(store: Store) -> str:
    """A new recovery key (administrators): the old one stops working at once. Returns the new one."""
    store.scope.check("accounts")
    fresh = new_recovery_key()
    with store.transaction():
        append(store, "recovery_key_new", subject=_who(store))
        connection.update_keyring(store.data_dir, lambda ring: ring.seal(
            keyring.RECOVERY_SLOT, store.data_key, fresh, store.kdf, signing_key=store.signing_key))
    return fresh


def recovery_sheet(store: Store, key: str) -> str:
    """The printable recovery sheet: the key and what to do with it, plain text (A4, a monospace font)."""
    place = store.get_setting("town") or "、".join(sorted({v.get("town") or "" for v in store.villages()} - {""}))
    made = utc_now()[:16].replace("T", " ")
    return "\n".join([
        "村访通 · 恢复密钥",
        "=" * 30,
        "",
        f"单位：{place}" if place else "单位：________________",
        f"生成时间：{made}（UTC）  生成人：{_who(store) or '-'}",
        f"数据文件夹：{store.data_dir}",
        "",
        "恢复密钥：",
        "",
        f"    {key}",
        "",
        "用途：管理员忘记密码时，在登录窗口点“管理员忘记密码…”，输入这个密钥和管理员用户名，设置新密码。",
        "用过一次后它就作废，程序会给出新的恢复密钥，请重新打印这张纸，把旧的撕碎。",
        "恢复密钥不能重新启用已停用的管理员账户。",
        "",
        "请把这张纸锁在办公室的柜子里。不要拍照，不要存在电脑或手机里。",
        "谁拿到它，谁就能打开这台电脑上的全部数据。",
        "",
    ])


# ---------------------------------------------------------------------------- managing accounts


def list_accounts(store: Store) -> list[Account]:
    return [Account.from_row(r) for r in store.query("SELECT * FROM accounts ORDER BY active DESC, role, login")]


def get(store: Store, login: str) -> Account:
    rows = store.query("SELECT * FROM accounts WHERE login = ?", [login])
    if not rows:
        raise CunFangError(ErrorCode.ACCOUNT_NOT_FOUND, login=login)
    return Account.from_row(rows[0])


def add_account(store: Store, login: str, name: str, role_name: str, villages: list[str], password: str, *,
                phone: str = "") -> Account:
    """A new account (administrators only); it must change the password at first sign-in."""
    store.scope.check("accounts")
    login = _check_login(login)
    if store.query("SELECT 1 FROM accounts WHERE login = ?", [login]):
        raise CunFangError(ErrorCode.ACCOUNT_EXISTS, login=login)
    the_role = role(role_name)
    villages = _check_villages(store, the_role, villages)
    phone = _check_phone(phone)
    _check_password(login, password, name=name, phone=phone)
    _signing_key(store)
    with store.transaction():
        account = _insert(store, login, name.strip() or login, the_role.name, villages, by=_who(store),
                          must_change=True, phone=phone)
        append(store, "account_add", user=_who(store), subject=login,
               detail={"role": the_role.name, "villages": villages})
        _seal(store, login, password, admin=the_role.name == ADMIN)
    return account


def update_account(store: Store, login: str, *, name: str | None = None, role_name: str | None = None,
                   villages: list[str] | None = None) -> Account:
    store.scope.check("accounts")
    account = get(store, login)
    the_role = role(role_name) if role_name else account.role_def
    if account.role == ADMIN and the_role.name != ADMIN:
        _keep_an_admin(store, login)
    new_villages = _check_villages(store, the_role, list(account.villages) if villages is None else villages)
    changes = {"name": name.strip() if name else account.name, "role": the_role.name,
               "villages": json.dumps(new_villages, ensure_ascii=False)}
    _signing_key(store)
    with store.transaction():
        _update(store, login, **changes)
        _sign(store, login)
        append(store, "account_change", user=_who(store), subject=login,
               detail={"old": {"role": account.role, "villages": list(account.villages)},
                       "new": {"role": the_role.name, "villages": new_villages}})
    return get(store, login)


def reset_password(store: Store, login: str, new_password: str) -> None:
    """An administrator gives ``login`` a new password (the user changes it at the next sign-in)."""
    store.scope.check("accounts")
    account = get(store, login)
    _check_password(login, new_password, name=account.name, phone=account.phone)
    _signing_key(store)
    with store.transaction():
        _update(store, login, active=1, must_change=0 if login == _who(store) else 1)
        _sign(store, login)
        append(store, "password_reset", user=_who(store), subject=login)
        _seal(store, account.login, new_password, admin=account.role == ADMIN)


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
    _check_password(account.login, new, name=account.name, phone=account.phone)
    with store.transaction():
        _update(store, account.login, must_change=0)
        append(store, "password_change", user=account.login, subject=account.login)
        _seal(store, account.login, new, admin=store.signing_key is not None)
    act_as(store, get(store, account.login))


def disable_account(store: Store, login: str) -> None:
    """Stop an account: its slot is removed (its password opens nothing); its records stay."""
    store.scope.check("accounts")
    account = get(store, login)
    if account.role == ADMIN:
        _keep_an_admin(store, login)
    _signing_key(store)
    with store.transaction():
        _update(store, login, active=0)
        _sign(store, login)
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


def _check_password(login: str, password: str, *, name: str = "", phone: str = "") -> None:
    if password.strip().lower() == login:
        raise CunFangError(ErrorCode.ACCOUNT_PASSWORD_SAME)
    passwords.check(password, login=login, name=name, phone=phone)


def _check_phone(phone: str) -> str:
    from app.china import normalize_mobile

    phone = phone.strip()
    if not phone:
        return ""
    return normalize_mobile(phone)


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
            must_change: bool, phone: str = "") -> Account:
    now = utc_now()
    store.conn.execute(
        "INSERT INTO accounts (login, name, role, villages, active, must_change, created_at, created_by, updated_at, "
        "phone) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
        (login, name, role_name, json.dumps(villages, ensure_ascii=False), int(must_change), now, by, now, phone))
    _sign(store, login)
    return get(store, login)


def _update(store: Store, login: str, **columns) -> None:
    sets = ", ".join(f"{column} = ?" for column in columns)
    store.conn.execute(f"UPDATE accounts SET {sets}, updated_at = ? WHERE login = ?",
                       (*columns.values(), utc_now(), login))


def _seal(store: Store, login: str, password: str, *, admin: bool = False) -> None:
    """Seal the data key for ``login`` (after the database change, so a failure leaves no stray slot); an
    administrator's slot also gets the accounts signing key."""
    seed = store.signing_key if admin else None
    connection.update_keyring(store.data_dir, lambda ring: ring.seal(
        keyring.user_slot(login), store.data_key, password, store.kdf, signing_key=seed))


# ---------------------------------------------------------------------------- signed account rows


def _public_key(store: Store) -> bytes:
    ring = keyring.load(store.data_dir / connection.KEYRING_NAME)
    return bytes.fromhex(ring.accounts_key) if ring.accounts_key else b""


def _take_signing_key(store: Store, slot: str) -> None:
    """Keep the accounts signing key the opened slot holds, if it is the one keyring.json names."""
    seed = store.ring.signing_key(slot) if store.ring is not None else None
    public = _public_key(store)
    if seed is not None and public and ed25519_public(seed) != public:
        append(store, "account_tampered", subject=slot.removeprefix("user:"),
               detail={"problem": "accounts_key_mismatch"})  # keyring.json names another key: not ours
        seed = None
    store.signing_key = seed


def _signing_key(store: Store) -> bytes:
    """The accounts signing key of the signed-in administrator, or ACCOUNT_NO_SIGNING_KEY."""
    if store.signing_key is None:
        raise CunFangError(ErrorCode.ACCOUNT_NO_SIGNING_KEY)
    return store.signing_key


def _sign(store: Store, login: str) -> None:
    """(Re-)sign the row of ``login`` as it now stands (a store without an accounts key yet is left unsigned)."""
    if store.signing_key is None:
        return
    account = get(store, login)
    signature = ed25519_sign(store.signing_key, account.signed_bytes()).hex()
    store.conn.execute("UPDATE accounts SET signature = ? WHERE login = ?", (signature, login))


def row_problem(store: Store, account: Account, public: bytes | None = None) -> str:
    """'' when the row verifies (or the store has no accounts key yet), else what is wrong with it."""
    public = _public_key(store) if public is None else public
    if not public:
        return ""
    if not account.signature:
        return "unsigned"
    try:
        signature = bytes.fromhex(account.signature)
    except ValueError:
        return "bad_signature"
    return "" if ed25519_verify(public, account.signed_bytes(), signature) else "bad_signature"


def tampered_rows(store: Store) -> list[tuple[Account, str]]:
    """Every account row that does not verify, with why (``doctor`` and administrators' sign-in)."""
    public = _public_key(store)
    return [(a, problem) for a in list_accounts(store) if (problem := row_problem(store, a, public))]


def _note_tampered_rows(store: Store) -> None:
    """At an administrator's sign-in: log each row that does not verify (once per row and signature)."""
    logged = {(e["subject"], json.loads(e["detail"]).get("signature"))
              for e in store.query("SELECT subject, detail FROM audit_log WHERE action = 'account_tampered'")}
    for account, problem in tampered_rows(store):
        if (account.login, account.signature[:16]) not in logged:
            append(store, "account_tampered", subject=account.login,
                   detail={"problem": problem, "role": account.role, "signature": account.signature[:16]})


def _start_signing(store: Store, login: str, password: str) -> None:
    """The first administrator sign-in on a store from before signed rows: make the accounts key, seal it in
    this administrator's slot, sign every row as it stands."""
    seed, public = ed25519_keypair()
    store.signing_key = seed
    with store.transaction():
        for account in list_accounts(store):
            _sign(store, account.login)
        append(store, "accounts_key", user=login, detail={"public_key": public.hex(), "signed_rows": True})

        def change(ring: keyring.Keyring) -> None:
            ring.seal(keyring.user_slot(login), store.data_key, password, store.kdf, signing_key=seed)
            ring.accounts_key = public.hex()

        store.ring = connection.update_keyring(store.data_dir, change)


def _new_signing_key(store: Store, *, by: str) -> None:
    """Recovery with a recovery slot that holds no signing key: a new key pair; rows that verified under the
    old key are signed again (rows that did not stay unverified)."""
    public = _public_key(store)
    good = [a.login for a in list_accounts(store) if not row_problem(store, a, public)]
    seed, public = ed25519_keypair()
    with store.transaction():
        connection.update_keyring(store.data_dir, lambda ring: setattr(ring, "accounts_key", public.hex()))
        store.signing_key = seed
        for login in good:
            _sign(store, login)
        append(store, "accounts_key", user=by, detail={"public_key": public.hex(), "after_recovery": True})
