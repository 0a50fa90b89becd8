"""``cunfang --self-test``: does this copy of 村访通 work here? Checks every part a bundle can lose.

Each check prints one line, a Chinese label with 通过 or 失败 and what it found, and the exit code is 0
only when every check passed. It runs in a temporary directory that is deleted afterwards and never opens,
creates or reads the person's real data directory (``CUNFANG_DATA_DIR`` points at the temporary one while
it runs). The domain checks are here; the Qt checks (window, Chinese fonts, translations) are passed in by
``ui.entry`` from ``ui/selftest_qt.py``, since ``app/`` never imports Qt.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

PASSPHRASE = "cunfang-self-test"  # a throwaway store in a temporary directory, deleted afterwards
FORM_FOR_FILLING = "house_number"


class CheckFailed(Exception):
    """A check found a problem; the message says what, in Chinese."""


@dataclass
class Context:
    """What the checks share: the temporary directory, and what earlier checks made."""

    workdir: Path
    store: object | None = None
    forms: dict = field(default_factory=dict)
    record_uuid: str | None = None


@dataclass
class Result:
    label: str
    ok: bool
    detail: str
    seconds: float = 0.0

    def line(self) -> str:
        return f"{self.label}：{'通过' if self.ok else '失败'} — {self.detail}（{self.seconds:.1f} 秒）"


@dataclass(frozen=True)
class Check:
    label: str
    run: Callable[[Context], str]  # returns what it found; raises CheckFailed (or anything) on a problem


# ---------------------------------------------------------------------------- the domain checks


def check_version(ctx: Context) -> str:
    from app.version import version

    found = version()
    if found.startswith("0+"):
        raise CheckFailed("读不到版本号：程序包里缺少 cunfang 的元数据")
    frozen = "打包版" if getattr(sys, "frozen", False) else "源码运行"
    return f"村访通 {found}，{frozen}，Python {sys.version.split()[0]}"


def check_store(ctx: Context) -> str:
    from app.errors import CunFangError
    from app.store import Store

    directory = ctx.workdir / "data"
    store = Store.create(directory, PASSPHRASE)
    store.add_village("000000000001", "自检村", town="自检镇", county="自检县")
    store.close()
    header = next(directory.glob("*.db"), None)
    if header is None:
        raise CheckFailed(f"没有在 {directory} 里建成数据库文件")
    if header.read_bytes()[:16] == b"SQLite format 3\x00":
        raise CheckFailed("数据库文件没有加密（明文 SQLite）")
    try:
        Store.open(directory, PASSPHRASE + "-wrong").close()
    except CunFangError:
        pass
    else:
        raise CheckFailed("错误的密码也打开了数据库")
    ctx.store = Store.open(directory, PASSPHRASE)
    villages = [v["name"] for v in ctx.store.villages()]
    if villages != ["自检村"]:
        raise CheckFailed(f"重新打开后读到的内容不对：{villages}")
    cipher = ctx.store.cipher_version()
    return f"新建、加密、用密码重新打开都正常，错误密码被拒绝（SQLCipher {cipher or '?'}）"


def check_search(ctx: Context) -> str:
    if ctx.store is None:
        raise CheckFailed("需要先通过「加密数据库」一项")
    village = ctx.store.villages()[0]["id"]
    for name in ("自检张三", "曾自检"):
        ctx.store.add_person(name=name, kind="elder", village_id=village)
    for typed, name in (("zjzs", "自检张三"), ("zzj", "曾自检")):  # 曾 as a surname is zeng (surnames.txt)
        found = [p["name"] for p in ctx.store.search_persons(typed)]
        if found != [name]:
            raise CheckFailed(f"按拼音首字母 {typed} 没有找到“{name}”（找到 {found}）：拼音表可能没有打包进来")
    return "按姓名拼音首字母找到了刚登记的人员（姓氏读音也对：曾 zeng）"


def check_crypto(ctx: Context) -> str:
    import secrets

    from app import crypto

    server_private, server_public = crypto.x25519_keypair()
    ephemeral_private, ephemeral_public = crypto.x25519_keypair()
    shared = crypto.x25519_shared(ephemeral_private, server_public)
    if shared != crypto.x25519_shared(server_private, ephemeral_public):
        raise CheckFailed("X25519 密钥协商两端算出的密钥不同")
    key, nonce = crypto.hkdf_sha256(shared, salt=ephemeral_public, info=b"self-test"), secrets.token_bytes(12)
    sealed = crypto.aes_gcm_seal(key, nonce, "王秀英".encode(), b"self-test")
    if "王秀英".encode() in sealed or crypto.aes_gcm_open(key, nonce, sealed, b"self-test") != "王秀英".encode():
        raise CheckFailed("AES-256-GCM 加密后读不回原文，或者原文仍然可见")
    seed, public = crypto.ed25519_keypair()
    signature = crypto.ed25519_sign(seed, "管理员".encode())
    if not crypto.ed25519_verify(public, "管理员".encode(), signature) or crypto.ed25519_verify(
            public, "村干部".encode(), signature):
        raise CheckFailed("Ed25519 签名核对不正确（账户资料的签名用它）")
    try:
        crypto.aes_gcm_open(key, nonce, sealed[:-1] + bytes([sealed[-1] ^ 1]), b"self-test")
    except crypto.AuthenticationFailed:
        return ("X25519 密钥协商、HKDF、AES-256-GCM 加解密、Ed25519 签名正常，改动一个字节即被拒绝"
                "（U盘包、密钥环和账户签名用的就是这些）")
    raise CheckFailed("改动过的密文也被解开了")


def check_forms(ctx: Context) -> str:
    from app.forms.library import builtin_paths
    from app.forms.xlsform import load_form

    paths = builtin_paths()
    if not paths:
        raise CheckFailed("找不到内置表单（resources/forms 没有打包进来）")
    broken = []
    for path in paths:
        try:
            form = load_form(path)
        except Exception as exc:  # noqa: BLE001 - every broken form is reported, not just the first
            broken.append(f"{path.name}：{exc}")
            continue
        ctx.forms[form.form_id] = form
    if broken:
        raise CheckFailed(f"{len(broken)} 个表单无法加载：" + "；".join(broken))
    return f"{len(paths)} 个内置表单全部加载成功"


def house_number_answers(today: date) -> dict:
    """A complete, valid 农村门牌登记 (fictitious: the self-test village and household)."""
    return {
        "region_code": "000000000001",  # 自检县自检镇自检村, the store's own village (Store.village_choices)
        "group_name": "一组", "house_no": "8", "side": "even", "plate_type": "small", "plate_status": "new",
        "install_date": today.isoformat(), "bldg_use": "residence", "occupied": "resident",
        "head_name": "测试户主", "head_phone": "199 0000 0000", "location": "31.5201 117.3102 28 6",
        "photo": "plate-8.jpg", "registrar": "自检",
    }


def check_fill(ctx: Context) -> str:
    from app.forms.fill import fill

    form = ctx.forms.get(FORM_FOR_FILLING)
    if form is None or ctx.store is None:
        raise CheckFailed("需要先通过「加密数据库」和「内置表单」两项")
    result = fill(form, house_number_answers(date.today()), instances=ctx.store.form_instances())
    if not result["valid"]:
        raise CheckFailed("表单引擎认为答案有误：" + "；".join(f"{k} {v}" for k, v in result["errors"].items()))
    address = result["data"].get("full_addr")
    if address != "自检县自检镇自检村一组8号":
        raise CheckFailed(f"计算出的地址不对：{address!r}")
    store = ctx.store
    ctx.record_uuid = store.save_draft(form_id=form.form_id, form_version=form.version or "", data=result["data"],
                                       author="自检", title="自检门牌")
    record = store.finalize(ctx.record_uuid, form, author="自检")
    if record["status"] != "finalized":
        raise CheckFailed(f"定稿后状态是 {record['status']}")
    return f"《{form.title}》填写、校验、保存并定稿，计算出地址 {address}"


def check_export(ctx: Context) -> str:
    from python_calamine import CalamineWorkbook

    from app.spreadsheets.records import export_records

    if ctx.store is None or ctx.record_uuid is None:
        raise CheckFailed("需要先通过「填写表单」一项")
    out = ctx.workdir / "自检导出.xlsx"
    result = export_records(ctx.store, out, forms=[FORM_FOR_FILLING])
    if result.rows != 1 or not out.exists():
        raise CheckFailed(f"应写出 1 条记录，实际 {result.rows} 条")
    book = CalamineWorkbook.from_path(str(out))
    rows = book.get_sheet_by_index(0).to_python()
    if len(rows) != 2 or ctx.record_uuid not in [str(cell) for cell in rows[1]]:
        raise CheckFailed(f"读回的工作表不对：{len(rows)} 行")
    return f"1 条记录导出为 {out.name}（{out.stat().st_size // 1024} KB，{len(book.sheet_names)} 个工作表），读回无误"


DOMAIN_CHECKS = (
    Check("版本信息", check_version),
    Check("加密数据库", check_store),
    Check("姓名检索", check_search),
    Check("加密组件", check_crypto),
    Check("内置表单", check_forms),
    Check("填写表单", check_fill),
    Check("导出Excel", check_export),
)


# ---------------------------------------------------------------------------- running them


@contextmanager
def isolated_data_dir(directory: Path):
    """While the checks run, anything that asks for the data directory gets the temporary one."""
    before = os.environ.get("CUNFANG_DATA_DIR")
    os.environ["CUNFANG_DATA_DIR"] = str(directory)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("CUNFANG_DATA_DIR", None)
        else:
            os.environ["CUNFANG_DATA_DIR"] = before


def run_checks(extra: Iterable[Check] = (), *, report: Callable[[Result], None] | None = None) -> list[Result]:
    """Run the domain checks, then ``extra`` (the Qt ones), each in turn; one failure does not stop the rest."""
    results = []
    with tempfile.TemporaryDirectory(prefix="cunfang-selftest-") as tmp:
        ctx = Context(workdir=Path(tmp))
        try:
            with isolated_data_dir(ctx.workdir / "data"):
                for check in (*DOMAIN_CHECKS, *extra):
                    started = time.perf_counter()
                    try:
                        detail, ok = check.run(ctx), True
                    except CheckFailed as exc:
                        detail, ok = str(exc), False
                    except Exception as exc:  # noqa: BLE001 - the self-test reports, it does not crash
                        detail, ok = f"{type(exc).__name__}: {exc}", False
                    result = Result(check.label, ok, detail, time.perf_counter() - started)
                    results.append(result)
                    if report:
                        report(result)
        finally:
            if ctx.store is not None:
                ctx.store.close()
    return results


def main(extra: Iterable[Check] = ()) -> int:
    """Print one line per check and a summary; 0 when all passed, 1 otherwise."""
    stream = sys.stdout
    if stream is not None and not stream.isatty():
        try:  # a pipe or a CI log: UTF-8, whatever the locale (a Windows runner's is cp1252)
            stream.reconfigure(encoding="utf-8", errors="replace")
        except (AttributeError, ValueError):
            pass

    def show(result: Result) -> None:
        if stream is not None:
            print(result.line(), file=stream, flush=True)

    results = run_checks(extra, report=show)
    failed = [r for r in results if not r.ok]
    summary = (f"自检通过：{len(results)} 项全部通过。" if not failed
               else f"自检失败：{len(results)} 项中 {len(failed)} 项失败（{'、'.join(r.label for r in failed)}）。")
    if stream is not None:
        print(summary, file=stream, flush=True)
    return 1 if failed else 0
