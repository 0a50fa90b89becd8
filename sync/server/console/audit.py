"""The console's lines in the server's audit log (sign-ins, full ID numbers viewed, revocations) and its search."""

from __future__ import annotations

import sqlalchemy as sa

from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.services.common import Database

ACTION_LABELS = {
    "console_login": "管理台登录", "console_export": "管理台导出",
    "console_view_id": "查看完整身份证号", "console_revoke": "管理台停用电脑",
    "console_csrf": "拒绝来源不明的提交", "console_user_add": "新建管理台账户", "console_user_reset": "重设管理台密码",
    "console_user_disable": "停用管理台账户", "user_add": "新建同步用户", "enroll": "电脑登记", "revoke": "停用电脑",
    "push": "上传记录", "resolve": "处理冲突", "console_resolve": "管理台处理冲突（理由）",
    "console_form_publish": "管理台发布表单", "console_token": "管理台生成登记码",
}


def note(db: Database, *, action: str, caller: Caller | None = None, subject: str = "", outcome: str = "",
         message: str = "") -> None:
    """One line in its own transaction."""
    with db.engine.begin() as conn:
        db.audit(conn, action=action, caller=caller, subject=subject, outcome=outcome, message=message)


def search(db: Database, text: str = "", *, limit: int = 200) -> list[dict]:
    """The newest lines whose user, device, action or subject contains ``text`` (all when empty)."""
    a = t.audit
    query = sa.select(a).order_by(a.c.id.desc()).limit(limit)
    text = text.strip()
    if text:
        query = query.where(sa.or_(*(col.contains(text, autoescape=True)
                                     for col in (a.c.user_name, a.c.device_id, a.c.action, a.c.subject,
                                                 a.c.message))))
    with db.read() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        row["action_label"] = ACTION_LABELS.get(row["action"], row["action"])
    return rows
