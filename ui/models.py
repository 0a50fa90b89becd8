"""Qt table models over the store, loading rows page by page as the view scrolls."""

from __future__ import annotations

import json

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QModelIndex, Qt, Signal

from app.china import mask_id
from app.store import STATUS_LABELS, Store
from app.store import households as household_store
from app.store import persons as person_store

PAGE = 200
ROOT = QModelIndex()


class PagedModel(QAbstractTableModel):
    """Rows come from ``fetch(offset, limit)``; ``canFetchMore``/``fetchMore`` make scrolling lazy."""

    columns: list[tuple[str, str]] = []  # (key, header marked with QT_TRANSLATE_NOOP under the subclass name)

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        self.rows: list[dict] = []
        self.exhausted = False

    def fetch(self, offset: int, limit: int) -> list[dict]:
        """Rows ``offset .. offset+limit``; each subclass says where they come from."""
        return []

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = []
        self.exhausted = False
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def set_rows(self, rows: list[dict], exhausted: bool) -> None:
        """Replace everything with rows fetched elsewhere (a background search)."""
        self.beginResetModel()
        self.rows = rows
        self.exhausted = exhausted
        self.endResetModel()

    def rowCount(self, parent=ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=ROOT) -> int:  # noqa: N802
        return len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(self.columns[section][1])
        return None

    def canFetchMore(self, parent=ROOT) -> bool:  # noqa: N802
        return not parent.isValid() and not self.exhausted

    def fetchMore(self, parent=ROOT) -> None:  # noqa: N802
        more = self.fetch(len(self.rows), PAGE)
        if len(more) < PAGE:
            self.exhausted = True
        if more:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, self.columns[index.column()][0])
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def display(self, row: dict, key: str) -> str:
        value = row.get(key)
        return "" if value is None else str(value)


class RegistryModel(PagedModel):
    """A registry list filtered by the search text and a village."""

    def __init__(self, store: Store):
        super().__init__(store)
        self.query_text = ""
        self.village_id: str | None = None
        self.villages = {v["id"]: v["name"] for v in store.villages()}


class PersonsModel(RegistryModel):
    # What a cadre looks for first, first: at 1366×768 and 125 % these five fit beside the person's panel.
    columns = [("name", QT_TRANSLATE_NOOP("PersonsModel", "姓名")),
               ("village", QT_TRANSLATE_NOOP("PersonsModel", "村")),
               ("categories", QT_TRANSLATE_NOOP("PersonsModel", "类别")),
               ("risk_tier", QT_TRANSLATE_NOOP("PersonsModel", "风险等级")),
               ("next_due", QT_TRANSLATE_NOOP("PersonsModel", "下次探访")),
               ("sex", QT_TRANSLATE_NOOP("PersonsModel", "性别")),
               ("birth_date", QT_TRANSLATE_NOOP("PersonsModel", "出生日期")),
               ("id_number", QT_TRANSLATE_NOOP("PersonsModel", "身份证号"))]

    sort_changed = Signal()  # a header was clicked (or the order chosen): the page fetches again, sorted

    def __init__(self, store: Store):
        super().__init__(store)
        self.sort_key: str | None = None  # a key of persons.SORTS; None: village, then names by pinyin
        self.descending = False

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sorted by the store's query (persons.order_by), page by page, never by loading everyone here."""
        key = self.columns[column][0] if 0 <= column < len(self.columns) else None
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.sort_changed.emit()

    def fetch(self, offset, limit):
        if self.query_text:
            return self.store.search_persons(self.query_text, village_id=self.village_id, limit=limit, offset=offset,
                                             sort=self.sort_key, descending=self.descending)
        return person_store.page(self.store, village_id=self.village_id, limit=limit, offset=offset,
                                 sort=self.sort_key, descending=self.descending)

    def display(self, row, key):
        if key == "id_number":
            return mask_id(row["id_number"]) if row["id_number"] else ""
        if key == "sex":
            return {"1": self.tr("男"), "2": self.tr("女")}.get(row["sex"], "")
        if key == "village":
            return self.villages.get(row["village_id"], "")
        if key == "categories":
            try:
                return "、".join(json.loads(row["categories"] or "[]"))
            except ValueError:
                return ""
        return super().display(row, key)


class RecordsModel(PagedModel):
    columns = [("updated_at", QT_TRANSLATE_NOOP("RecordsModel", "更新时间")),
               ("title", QT_TRANSLATE_NOOP("RecordsModel", "记录")),
               ("form_id", QT_TRANSLATE_NOOP("RecordsModel", "表单")),
               ("status", QT_TRANSLATE_NOOP("RecordsModel", "状态")),
               ("revision", QT_TRANSLATE_NOOP("RecordsModel", "修订")),
               ("author", QT_TRANSLATE_NOOP("RecordsModel", "填写人"))]

    def __init__(self, store: Store):
        super().__init__(store)
        self.filters: dict = {}
        self.titles: dict[str, str] = {}  # form_id → the form's title

    def fetch(self, offset, limit):
        return self.store.list_records(limit=limit, offset=offset, **self.filters)

    def display(self, row, key):
        if key == "status":
            return STATUS_LABELS.get(row["status"], row["status"])
        if key == "updated_at":
            return (row["updated_at"] or "")[:16].replace("T", " ")
        if key == "title":
            return row["title"] or row.get("person_name") or ""
        if key == "form_id":
            return self.titles.get(row["form_id"], row["form_id"])
        return super().display(row, key)


class HouseholdsModel(RegistryModel):
    columns = [("village", QT_TRANSLATE_NOOP("HouseholdsModel", "村")),
               ("group_name", QT_TRANSLATE_NOOP("HouseholdsModel", "组")),
               ("house_number", QT_TRANSLATE_NOOP("HouseholdsModel", "门牌号")),
               ("address", QT_TRANSLATE_NOOP("HouseholdsModel", "地址")),
               ("members", QT_TRANSLATE_NOOP("HouseholdsModel", "在册人数"))]

    def fetch(self, offset, limit):
        return household_store.page(self.store, village_id=self.village_id, text=self.query_text or "", limit=limit,
                                    offset=offset)

    def display(self, row, key):
        if key == "village":
            return self.villages.get(row["village_id"], "")
        return super().display(row, key)
