"""What the person at the keyboard may see and do: their role (app/roles.py) and their villages.

One ``Scope`` is built at login and used by the store's queries (as SQL conditions),
by the exports and by the UI, so a list, a search, a count and a spreadsheet all
show the same records. The server builds the same checks from the same role table.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import CunFangError, ErrorCode
from app.roles import ANY, ROLES, Role


@dataclass(frozen=True)
class Scope:
    role: Role
    villages: tuple[str, ...] = (ANY,)
    login: str = ""

    @property
    def every_village(self) -> bool:
        return self.role.all_villages or ANY in self.villages

    @property
    def unrestricted(self) -> bool:
        return self.every_village and self.role.forms == ANY and self.role.person_kinds == ANY

    # ---------------------------------------------------------------- SQL

    def persons_sql(self, alias: str = "") -> tuple[str, list]:
        """A condition on persons (``alias.``-prefixed columns) and its parameters; ``1`` when all are visible."""
        col = f"{alias}." if alias else ""
        parts, params = [], []
        if self.role.person_kinds != ANY:
            parts.append(f"{col}kind IN ({_marks(self.role.person_kinds)})")
            params += list(self.role.person_kinds)
        if not self.every_village:
            parts.append(f"{col}village_id IN ({_marks(self.villages)})")
            params += list(self.villages)
        return (" AND ".join(parts) or "1"), params

    def households_sql(self, alias: str = "") -> tuple[str, list]:
        col = f"{alias}." if alias else ""
        if self.every_village:
            return "1", []
        return f"{col}village_id IN ({_marks(self.villages)})", list(self.villages)

    def records_sql(self, alias: str = "r") -> tuple[str, list]:
        """Records of the role's forms in the account's villages, and the account's own records."""
        col = f"{alias}." if alias else ""
        parts, params = [], []
        if self.role.forms != ANY:
            parts.append(f"{col}form_id IN ({_marks(self.role.forms)})")
            params += list(self.role.forms)
        if not self.every_village:
            parts.append(f"({col}village_id IN ({_marks(self.villages)}) OR "
                         f"(COALESCE({col}village_id, '') = '' AND {col}created_by = ?))")
            params += [*self.villages, self.login]
        return (" AND ".join(parts) or "1"), params

    # ---------------------------------------------------------------- one row

    def allows_person(self, person: dict) -> bool:
        return (self.role.may_see_kind(str(person.get("kind") or "other"))
                and (self.every_village or (person.get("village_id") or "") in self.villages))

    def allows_record(self, record: dict) -> bool:
        if not self.role.may_use_form(record["form_id"]):
            return False
        village = record.get("village_id") or ""
        return self.every_village or village in self.villages or (not village
                                                                  and record.get("created_by") == self.login)

    def check_form(self, form_id: str, title: str = "") -> None:
        if not self.role.may_use_form(form_id):
            raise CunFangError(ErrorCode.ACCESS_FORM, role=self.role.label, form=title or form_id)

    def check_village(self, village_id: str | None) -> None:
        if not self.every_village and (village_id or "") not in self.villages:
            raise CunFangError(ErrorCode.ACCESS_VILLAGE, village=village_id or "未指定")

    def check(self, action: str) -> None:
        """Refuse an action (``export``, ``accounts`` …) the role does not have, in plain words."""
        if not self.role.may(action):
            raise CunFangError(ErrorCode.ACCESS_DENIED, role=self.role.label, action=ACTION_LABELS.get(action, action),
                               hint="如需要，请联系乡镇工作人员或管理员。")


ACTION_LABELS = {
    "export": "导出台账", "import": "导入名册", "accounts": "管理账户", "settings": "修改设置", "forms": "管理表单",
    "review": "修改别人的记录", "full_ids": "查看完整的身份证号和电话", "sync": "同步", "print": "打印",
}

EVERYTHING = Scope(ROLES["admin"])


def _marks(values) -> str:
    return ", ".join("?" * len(values))
