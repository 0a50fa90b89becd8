"""Health check of a store: encryption integrity, schema, record counts, orphans."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.store.migrate import applied, available
from app.store.store import STATUS_LABELS, Store


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


def examine(store: Store) -> Report:
    report = Report()
    conn = store.conn
    cipher = [row[0] for row in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    if cipher:
        report.problems.append(f"加密页校验失败 {len(cipher)} 处（文件可能被改动或损坏）：{cipher[0]}")
    else:
        report.facts.append(f"加密页校验：通过（{_page_hmac(conn)}）")
    integrity = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        report.problems.append("数据库结构校验失败：" + "；".join(integrity[:3]))
    else:
        report.facts.append("数据库结构校验：通过")
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        report.problems.append(f"有 {len(fk)} 条记录引用了不存在的数据（外键），例如表 {fk[0][0]}")
    done, known = applied(conn), available()
    pending = [m for m in known if m.number not in done]
    if pending:
        report.problems.append("还有未执行的数据库升级：" + "、".join(f"{m.number:03d}_{m.name}" for m in pending))
    report.facts.append(f"数据库版本：{max(done) if done else 0:03d}（共 {len(known)} 个升级步骤）")
    counts = store.counts_by_status()
    report.facts.append("记录：" + "，".join(f"{STATUS_LABELS[s]} {n}" for s, n in counts.items()))
    report.facts.append(f"人员：{store.count_persons()}，村：{len(store.villages())}")
    orphans = conn.execute(
        "SELECT count(*) FROM attachments a WHERE NOT EXISTS "
        "(SELECT 1 FROM record_attachments r WHERE r.hash = a.hash)"
    ).fetchone()[0]
    missing = conn.execute(
        "SELECT count(*) FROM record_attachments r WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.hash = r.hash)"
    ).fetchone()[0]
    if orphans:
        report.problems.append(f"有 {orphans} 个附件不属于任何记录（孤立附件）")
    if missing:
        report.problems.append(f"有 {missing} 个记录附件的内容缺失")
    if not orphans and not missing:
        report.facts.append("附件：完整，无孤立附件")
    from app.clock import check_clock

    warning = check_clock(store)
    if warning is not None:
        report.problems.append(str(warning))
    else:
        report.facts.append("电脑时钟：没有发现异常")
    _examine_accounts_and_audit(store, report)
    return report


def _page_hmac(conn) -> str:
    """The page check's name as county IT reads it: HMAC-SHA256 (stores since 2026-12) or HMAC-SHA512 (before)."""
    from app.store.relayout import layout_name

    return layout_name(conn).replace("HMAC_", "HMAC-")


def _examine_accounts_and_audit(store: Store, report: Report) -> None:
    """Account rows that do not verify (edited outside the app) and the audit log's chain and head."""
    from app.accounts import tampered_rows
    from app.roles import ROLES
    from app.store.audit import verify

    if store.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'accounts'"):
        bad = tampered_rows(store)
        for account, _problem in bad:
            label = ROLES[account.role].label if account.role in ROLES else account.role
            report.problems.append(f"账户“{account.login}”的资料（现为{label}）被人在村访通之外改动过，"
                                   "登录时按改动后的权限会被拒绝；请管理员核对后重新保存这个账户")
        if not bad and store.query("SELECT 1 FROM accounts LIMIT 1"):
            report.facts.append("账户资料：签名核对无误")
    if store.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'"):
        audit = verify(store)
        if audit.ok:
            report.facts.append(f"审计记录：完整（{audit.entries} 条）")
        else:
            report.problems.append(f"审计记录：{audit.problem.message}")
