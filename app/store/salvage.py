"""A damaged store: which part is unreadable (``survey``), and a copy of everything still readable (``salvage``).

``survey`` decrypts the database page by page (app/store/pages.py) and names each page
that fails its check by the table or index it belongs to, in Chinese. ``salvage`` writes a
new store beside it: the same keyring.json (the same data key, so every account signs in
with its password and the recovery key still works), a new database made by the
migrations, and every row read from the pages that authenticate, with the damaged store's
rowids (the audit chain keeps its ids and hashes). Nothing is written into the damaged
store; plaintext stays in memory.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import CunFangError, ErrorCode, disk_full
from app.store import connection
from app.store.pages import TABLE_LEAF, PageFile, Tree, cells, freelist, parse_node, read_pages, walk

SCHEMA_TYPES = ("table", "index", "trigger", "view")
PART_LABELS = {
    "records": "记录", "persons": "人员", "households": "住户", "villages": "村", "attachments": "附件（照片、签名）",
    "record_attachments": "记录与附件的对应", "record_history": "记录修改历史", "audit_log": "审计记录",
    "accounts": "账户", "settings": "设置", "forms": "表单", "sync_log": "同步日志", "imports": "导入批次",
    "import_persons": "导入的人员", "import_households": "导入的住户", "schema_migrations": "数据库版本",
    "sqlite_master": "数据库目录（各表的位置）",
}
FILES_BESIDE = ("keyring.json", "settings.json")  # copied whole into the salvaged store


@dataclass
class Part:
    """A table or index of the store and the b-tree walk that read it."""

    kind: str
    name: str
    table: str
    root: int
    sql: str | None
    tree: Tree = field(default_factory=Tree)

    @property
    def label(self) -> str:
        if self.kind == "index":
            return f"{label_of(self.table)}的查找索引（{self.name}）"
        if self.name.startswith("persons_fts"):
            return f"人员姓名搜索表（{self.name}）"
        return f"{label_of(self.name)}表（{self.name}）"


def label_of(table: str) -> str:
    return PART_LABELS.get(table, table)


@dataclass
class Survey:
    pf: PageFile
    parts: list[Part] = field(default_factory=list)
    orphans: dict[str, list[int]] = field(default_factory=dict)  # table → its leaves cut off by a bad interior page
    unplaced: set[int] = field(default_factory=set)  # readable data pages no table could be found for
    free: set[int] = field(default_factory=set)  # pages on the free list (hold no rows)

    @property
    def healthy(self) -> bool:
        return self.pf.key_matches and not self.pf.bad

    def close(self) -> None:
        self.pf.close()

    def __enter__(self) -> Survey:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def rows(self, part: Part) -> Iterator[dict]:
        """The readable rows of one table as dicts (with "rowid"), one page at a time."""
        columns = columns_of(part.sql or "")
        for cell in cells(self.pf, [part.root, *self.orphans.get(part.name, [])]):
            values = list(cell.values or [])[:len(columns)]
            row = {"rowid": cell.rowid}
            for i, (name, default, is_rowid) in enumerate(columns):
                row[name] = cell.rowid if is_rowid else (values[i] if i < len(values) else default)
            yield row

    def damaged_parts(self) -> list[tuple[Part, list[int]]]:
        return [(p, sorted(p.tree.bad)) for p in self.parts if p.tree.bad]

    def unknown_bad(self) -> list[int]:
        known = set().union(*(p.tree.bad for p in self.parts)) if self.parts else set()
        return sorted(self.pf.bad - known)

    def describe(self) -> list[str]:
        """Each damaged part in plain Chinese, with its page numbers."""
        return [line for line, _loss in self.findings()]

    def losses(self) -> list[str]:
        """Only what could not be read (a damaged index or a repaired salt loses nothing)."""
        return [line for line, loss in self.findings() if loss]

    def findings(self) -> list[tuple[str, bool]]:
        found = []
        if 1 in self.pf.bad:
            found.append(("第 1 页（数据库文件头和目录）损坏：普通方式无法打开数据库，其余各页仍可抢救。", False))
        if self.pf.salt_repaired:
            found.append(("文件开头的 16 字节（加密盐值）被改动过，已按其余各页找回。", False))
        for part, pages in self.damaged_parts():
            if part.name == "sqlite_master" and pages == [1]:
                continue
            where = _pages(pages)
            if part.kind == "index" or part.name.startswith("persons_fts"):
                found.append((f"{part.label}的第 {where} 页损坏：表中的数据没有丢失，抢救时会重建它。", False))
            elif part.name in self.orphans and pages == [part.root]:  # a root with leaves below is an interior page
                below = len(self.orphans[part.name])
                found.append((f"{part.label}的第 {where} 页（这个表的目录页）损坏：它下面的 {below} 个数据页仍可读，"
                              "数据已全部找回。", False))
            else:
                found.append((f"{part.label}的第 {where} 页损坏：这些页上的数据无法读取。", True))
        for part in self.parts:
            if part.tree.incomplete:
                found.append((f"{part.label}有 {part.tree.incomplete} 行的长内容（长文本或照片）在损坏的页上，"
                              "无法完整读取。", True))
        unknown = self.unknown_bad()
        free = [p for p in unknown if p in self.free]
        if free:
            found.append((f"第 {_pages(free)} 页损坏：这是空闲页（没有数据），不影响任何记录。", False))
        unknown = [p for p in unknown if p not in self.free]
        if unknown:
            found.append((f"第 {_pages(unknown)} 页损坏，无法判断属于哪一部分。", True))
        if self.unplaced:
            found.append((f"另有 {len(self.unplaced)} 页数据找不到所属的表，没有抢救。", True))
        return found


def _pages(pages: list[int]) -> str:
    return "、".join(str(p) for p in pages[:8]) + ("…" if len(pages) > 8 else "")


def survey(data_dir: Path, data_key: bytes) -> Survey:
    """Read every page of the store's database and find what each damaged page belonged to (close it after)."""
    db_path = Path(data_dir) / connection.DB_NAME
    try:
        pf = read_pages(db_path, data_key)
    except OSError as exc:
        raise CunFangError(ErrorCode.STORE_DAMAGED, reason=str(exc)) from exc
    result = Survey(pf)
    if not pf.key_matches:
        return result
    master = Part("table", "sqlite_master", "sqlite_master", 1, None)
    rows = [c.values for c in cells(pf, [1], master.tree)]
    if 1 in pf.bad:  # the directory's root is lost: find its leaves among the readable pages
        rows = _master_rows_by_scan(pf, master.tree)
    result.parts.append(master)
    seen = set()
    for values in rows:
        if len(values) < 5 or values[0] not in ("table", "index") or not isinstance(values[3], int) or not values[3]:
            continue
        if values[1] in seen:
            continue
        seen.add(values[1])
        result.parts.append(Part(values[0], values[1], values[2], values[3], values[4], walk(pf, values[3])))
    _place_orphans(result)
    return result


def _master_rows_by_scan(pf: PageFile, tree: Tree) -> list[list]:
    rows = []
    for pgno, kind in sorted(pf.kinds.items()):
        node = parse_node(pf, pgno) if kind == TABLE_LEAF else None
        if node is None:
            continue
        for cell in node.cells:
            v = cell.values
            if (v and len(v) == 5 and v[0] in SCHEMA_TYPES and isinstance(v[1], str)
                    and isinstance(v[3], int) and (v[4] is None or str(v[4]).upper().startswith("CREATE"))):
                rows.append(v)
                tree.pages.add(pgno)
    return rows


def _place_orphans(result: Survey) -> None:
    """Leaves cut off from their table by a damaged interior page still hold rows: give them to the table
    whose walk lost pages and whose column count their records fit."""
    result.free = freelist(result.pf)
    reached = set().union(*(p.tree.pages for p in result.parts)) | result.free
    broken = [p for p in result.parts if p.kind == "table" and p.tree.bad and p.sql]
    widths = {p.name: len(columns_of(p.sql)) for p in broken}
    for pgno, kind in sorted(result.pf.kinds.items()):
        if kind != TABLE_LEAF or pgno in reached:
            continue
        node = parse_node(result.pf, pgno)
        if node is None or not node.cells:
            continue
        width = max((len(c.values) for c in node.cells if c.values is not None), default=0)
        fits = [p for p in broken if widths[p.name] == width] or [p for p in broken if 0 < width <= widths[p.name]]
        if len(fits) != 1:
            result.unplaced.add(pgno)
            continue
        walk(result.pf, pgno, fits[0].tree)  # a leaf: adds its pages (and overflow) to that table's walk
        result.orphans.setdefault(fits[0].name, []).append(pgno)


def columns_of(sql: str) -> list[tuple[str, object, bool]]:
    """(name, default, is the rowid) of each column of a CREATE TABLE statement, in order."""
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(sql)
        name = scratch.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        info = scratch.execute(f'PRAGMA table_info("{name}")').fetchall()
    finally:
        scratch.close()
    single_pk = sum(1 for row in info if row[5]) == 1
    return [(row[1], _default(row[4]), bool(row[5]) and single_pk and row[2].upper() == "INTEGER") for row in info]


def _default(text: str | None):
    if text is None:
        return None
    scratch = sqlite3.connect(":memory:")
    try:
        return scratch.execute(f"SELECT {text}").fetchone()[0]
    finally:
        scratch.close()


# ---------------------------------------------------------------------------- salvage


@dataclass
class SalvageReport:
    target: Path
    copied: dict[str, int] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)  # what could not be read, in Chinese
    dangling: list[str] = field(default_factory=list)  # rows that point at rows lost with the damage

    def lines(self) -> list[str]:
        out = [f"已抢救到 {self.target}："]
        out += [f"  {label_of(t)}（{t}）：{n} 行" for t, n in self.copied.items() if n]
        if self.lost:
            out.append("无法读取（已跳过）：")
            out += [f"  {line}" for line in self.lost]
            if any("records" in line for line in self.lost):
                out.append("  丢失的记录如果已经同步到县局服务器，服务器上仍有完整的一份。")
        else:
            out.append("所有数据都已读出，没有丢失。")
        out += [f"  {line}" for line in self.dangling]
        return out


SKIPPED = ("sqlite_", "schema_migrations", "persons_fts")  # the directory, versions and the search table are rebuilt


def salvage(data_dir: Path, data_key: bytes, target: Path, found: Survey | None = None) -> SalvageReport:
    """Copy every readable row of the store at ``data_dir`` into a new store at ``target`` (``found``: a survey
    of it already made). If the copy fails (a full disk), what was written at ``target`` is removed."""
    data_dir, target = Path(data_dir), Path(target)
    if (target / connection.DB_NAME).exists() or (target / connection.KEYRING_NAME).exists():
        raise CunFangError(ErrorCode.STORE_EXISTS, path=target)
    if target.resolve() == data_dir.resolve():
        raise CunFangError(ErrorCode.SALVAGE_SAME_DIR, path=target)
    found = found or survey(data_dir, data_key)
    if not found.pf.key_matches:
        raise CunFangError(ErrorCode.STORE_KEY_MISMATCH, path=data_dir / connection.KEYRING_NAME)
    report = SalvageReport(target, lost=found.losses())
    target.mkdir(parents=True, exist_ok=True)
    connection._private(target)
    written = [target / connection.DB_NAME, *(target / name for name in FILES_BESIDE if (data_dir / name).exists())]
    try:
        for name in FILES_BESIDE:
            if (data_dir / name).exists():
                shutil.copy2(data_dir / name, target / name)
        _copy_rows(found, connection.new_database(target, data_key), report)
    except BaseException as exc:
        for path in [*written, Path(f"{written[0]}-wal"), Path(f"{written[0]}-shm")]:
            path.unlink(missing_ok=True)
        full = disk_full(exc, action="抢救数据", path=target)
        if full is not None and full is not exc:
            raise full from exc
        raise
    return report


def _copy_rows(found: Survey, conn, report: SalvageReport) -> None:
    from app.store.migrate import migrate

    try:
        migrate(conn, upto=_schema_version(found))
        existing = {r[0]: {c[1] for c in conn.execute(f'PRAGMA table_info("{r[0]}")')}
                    for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA cache_size = -8192")  # 8 MiB: a long write spills its pages to the WAL (encrypted)
        conn.execute("BEGIN IMMEDIATE")
        for part in found.parts:
            if part.kind != "table" or not part.sql or part.name.startswith(SKIPPED):
                continue
            if part.name not in existing:
                report.lost.append(f"{part.label}在本程序的数据库结构中不存在，没有抢救。")
                continue
            columns = [c for c, _default, _rowid in columns_of(part.sql) if c in existing[part.name]]
            names = ", ".join(f'"{c}"' for c in columns)
            sql = f'INSERT OR IGNORE INTO "{part.name}" (rowid, {names}) VALUES ({", ".join("?" * (len(columns) + 1))})'
            report.copied[part.name] = 0
            for batch in _batches(found.rows(part), 500):
                cursor = conn.executemany(sql, ([row["rowid"], *(row[c] for c in columns)] for row in batch))
                report.copied[part.name] += max(cursor.rowcount, 0)
        conn.execute("COMMIT")
        migrate(conn)
        report.dangling = _dangling(conn)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _batches(rows: Iterator[dict], size: int, max_bytes: int = 4 << 20) -> Iterator[list[dict]]:
    """Rows in lists of ``size``, or fewer when they are big (photos): memory stays flat whatever the store holds."""
    batch: list[dict] = []
    held = 0
    for row in rows:
        batch.append(row)
        held += sum(len(v) for v in row.values() if isinstance(v, (bytes, str)))
        if len(batch) == size or held >= max_bytes:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _schema_version(found: Survey) -> int | None:
    part = next((p for p in found.parts if p.name == "schema_migrations"), None)
    if part is None or part.tree.bad or not part.sql:
        return None
    numbers = [row["number"] for row in found.rows(part) if isinstance(row.get("number"), int)]
    return max(numbers) if numbers else None


def _dangling(conn) -> list[str]:
    counts: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall():
        counts[(table, parent)] = counts.get((table, parent), 0) + 1
    return [f"{label_of(t)}中有 {n} 行引用的{label_of(p)}已随损坏的页丢失（行本身已保留）。"
            for (t, p), n in sorted(counts.items())]
