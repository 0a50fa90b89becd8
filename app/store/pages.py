"""Reading a damaged encrypted database page by page, without SQLCipher.

SQLCipher 4 (the app's settings: 4096-byte pages, a raw 256-bit key) encrypts each page
with AES-256-CBC and authenticates it with HMAC-SHA512 over the page's ciphertext, IV and
number. One flipped byte makes that page fail its HMAC, and SQLCipher then refuses every
query that touches it. This module decrypts the pages that authenticate (in memory only:
nothing plaintext is written to disk) and reads SQLite's b-trees and records from them, so
``salvage`` can copy every row that is still readable and ``doctor`` can name what is not.

File layout (https://www.zetetic.net/sqlcipher/design/): page 1 starts with the 16-byte
salt (in the clear); every page ends with a reserve of IV (16) + HMAC (64). The HMAC key is
PBKDF2-HMAC-SHA512(data key, salt XOR 0x3a, 2 iterations). SQLite's b-tree and record
formats: https://www.sqlite.org/fileformat2.html.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field
from pathlib import Path

PAGE = 4096
RESERVE = 80  # IV 16 + HMAC-SHA512 64
USABLE = PAGE - RESERVE
SALT = 16
SQLITE_MAGIC = b"SQLite format 3\x00"
TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR = 13, 5, 10, 2


def _hmac_key(data_key: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", data_key, bytes(b ^ 0x3A for b in salt), 2, 32)


def _authentic(hmac_key: bytes, raw: bytes, pgno: int) -> bool:
    start = SALT if pgno == 1 else 0
    body, iv, mac = raw[start:USABLE], raw[USABLE:USABLE + 16], raw[USABLE + 16:PAGE]
    calc = hmac.new(hmac_key, body + iv + pgno.to_bytes(4, "little"), hashlib.sha512).digest()
    return hmac.compare_digest(calc, mac)


def _decrypt(data_key: bytes, raw: bytes, pgno: int) -> bytes:
    from Crypto.Cipher import AES

    start = SALT if pgno == 1 else 0
    plain = AES.new(data_key, AES.MODE_CBC, raw[USABLE:USABLE + 16]).decrypt(raw[start:USABLE])
    return (SQLITE_MAGIC if pgno == 1 else b"") + plain


@dataclass
class PageFile:
    """The pages of one database file (and its WAL): plaintext of those that authenticate, numbers of the rest."""

    count: int
    pages: dict[int, bytes] = field(default_factory=dict)
    bad: set[int] = field(default_factory=set)
    salt_repaired: bool = False

    @property
    def key_matches(self) -> bool:
        """Whether the key opened any page at all (a key from another store opens none)."""
        return bool(self.pages)


def _frames(db_path: Path) -> dict[int, bytes]:
    """The newest committed copy of each page in the write-ahead log, if there is one."""
    wal = Path(str(db_path) + "-wal")
    try:
        data = wal.read_bytes()
    except OSError:
        return {}
    if len(data) < 32:
        return {}
    salts = data[16:24]
    committed: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    offset = 32
    while offset + 24 + PAGE <= len(data):
        pgno, size_after = struct.unpack(">II", data[offset:offset + 8])
        if data[offset + 8:offset + 16] != salts:
            break  # frames left from before the last checkpoint
        pending[pgno] = data[offset + 24:offset + 24 + PAGE]
        if size_after:
            committed.update(pending)
            pending.clear()
        offset += 24 + PAGE
    return committed


def read_pages(db_path: Path, data_key: bytes) -> PageFile:
    """Every page of ``db_path`` (WAL frames applied), decrypted where its HMAC holds.

    A salt with a byte or two flipped would fail every page; it is found again by trying the
    salts one byte away from the damaged one against page 2.
    """
    data = Path(db_path).read_bytes()
    raw = {n + 1: data[n * PAGE:(n + 1) * PAGE] for n in range(len(data) // PAGE)}
    raw.update(_frames(Path(db_path)))
    result = PageFile(count=max(raw, default=0))
    salt = data[:SALT]
    key = _hmac_key(data_key, salt)
    probe = next((n for n in sorted(raw) if n > 1), None)
    if probe and not _authentic(key, raw[probe], probe) and not _authentic(key, raw[1], 1):
        repaired = _repair_salt(data_key, salt, raw[probe], probe)
        if repaired is not None:
            key, result.salt_repaired = _hmac_key(data_key, repaired), True
    for pgno, page in raw.items():
        if len(page) == PAGE and _authentic(key, page, pgno):
            result.pages[pgno] = _decrypt(data_key, page, pgno)
        else:
            result.bad.add(pgno)
    return result


def key_fits(db_path: Path, data_key: bytes, pages: int = 16) -> bool:
    """Whether ``data_key`` is this database's key: some of its first pages authenticate under it
    (with the salt as stored, or one byte away from it). A keyring from another store fits none."""
    with open(db_path, "rb") as fh:
        data = fh.read(pages * PAGE)
    raw = [(n + 1, data[n * PAGE:(n + 1) * PAGE]) for n in range(len(data) // PAGE)]
    if not raw:
        return False
    key = _hmac_key(data_key, data[:SALT])
    if any(_authentic(key, page, pgno) for pgno, page in raw):
        return True
    return len(raw) > 1 and _repair_salt(data_key, data[:SALT], raw[1][1], 2) is not None


def _repair_salt(data_key: bytes, salt: bytes, page: bytes, pgno: int) -> bytes | None:
    for i in range(len(salt)):
        for value in range(256):
            if value == salt[i]:
                continue
            candidate = salt[:i] + bytes([value]) + salt[i + 1:]
            if _authentic(_hmac_key(data_key, candidate), page, pgno):
                return candidate
    return None


# ---------------------------------------------------------------------------- SQLite b-trees and records


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(8):
        byte = buf[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, pos + i + 1
    return (value << 8) | buf[pos + 8], pos + 9


def decode_record(payload: bytes) -> list:
    """The values of one SQLite record (header of serial types, then the values)."""
    header_len, pos = _varint(payload, 0)
    types = []
    while pos < header_len:
        serial, pos = _varint(payload, pos)
        types.append(serial)
    values, at = [], header_len
    for serial in types:
        if serial == 0:
            values.append(None)
        elif 1 <= serial <= 6:
            size = (1, 2, 3, 4, 6, 8)[serial - 1]
            values.append(int.from_bytes(payload[at:at + size], "big", signed=True))
            at += size
        elif serial == 7:
            values.append(struct.unpack(">d", payload[at:at + 8])[0])
            at += 8
        elif serial in (8, 9):
            values.append(serial - 8)
        elif serial >= 12:
            size = (serial - 12) // 2
            chunk = payload[at:at + size]
            if len(chunk) != size:
                raise ValueError("record cut short")
            values.append(bytes(chunk) if serial % 2 == 0 else chunk.decode("utf-8", "replace"))
            at += size
        else:
            raise ValueError(f"reserved serial type {serial}")
    return values


@dataclass
class Cell:
    rowid: int | None
    values: list | None  # None when an overflow page of the payload is unreadable


@dataclass
class Node:
    """One b-tree page: its kind, the child pages it points to, its cells, the overflow pages they use."""

    kind: int
    children: list[int]
    cells: list[Cell]
    overflow: list[int]
    missing_overflow: list[int]


def _local_size(payload_len: int, leaf_table: bool) -> int:
    max_local = USABLE - 35 if leaf_table else (USABLE - 12) * 64 // 255 - 23
    if payload_len <= max_local:
        return payload_len
    min_local = (USABLE - 12) * 32 // 255 - 23
    size = min_local + (payload_len - min_local) % (USABLE - 4)
    return size if size <= max_local else min_local


def parse_node(pf: PageFile, pgno: int) -> Node | None:
    """The b-tree page ``pgno`` (None if it is not one)."""
    page = pf.pages[pgno]
    base = 100 if pgno == 1 else 0
    kind = page[base]
    if kind not in (TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR):
        return None
    count = struct.unpack(">H", page[base + 3:base + 5])[0]
    interior = kind in (TABLE_INTERIOR, INDEX_INTERIOR)
    pointers = base + (12 if interior else 8)
    node = Node(kind, [], [], [], [])
    for i in range(count):
        pos = struct.unpack(">H", page[pointers + 2 * i:pointers + 2 * i + 2])[0]
        if interior:
            node.children.append(struct.unpack(">I", page[pos:pos + 4])[0])
            pos += 4
        if kind == TABLE_INTERIOR:
            continue
        payload_len, pos = _varint(page, pos)
        rowid = None
        if kind == TABLE_LEAF:
            rowid, pos = _varint(page, pos)
        local = _local_size(payload_len, kind == TABLE_LEAF)
        payload = page[pos:pos + local]
        if local < payload_len:
            payload = _follow_overflow(pf, node, payload, payload_len,
                                       struct.unpack(">I", page[pos + local:pos + local + 4])[0])
        try:
            values = decode_record(payload) if payload is not None else None
        except (ValueError, IndexError, struct.error):
            values = None
        node.cells.append(Cell(rowid, values))
    if interior:
        node.children.append(struct.unpack(">I", page[base + 8:base + 12])[0])
    return node


def _follow_overflow(pf: PageFile, node: Node, payload: bytes, total: int, nxt: int) -> bytes | None:
    parts = [payload]
    have = len(payload)
    while have < total and nxt:
        node.overflow.append(nxt)
        if nxt not in pf.pages:
            node.missing_overflow.append(nxt)
            return None
        page = pf.pages[nxt]
        chunk = page[4:4 + min(USABLE - 4, total - have)]
        parts.append(chunk)
        have += len(chunk)
        nxt = struct.unpack(">I", page[:4])[0]
    return b"".join(parts) if have >= total else None


@dataclass
class Tree:
    """What a walk from one root page reached: its pages, its rows, and the unreadable pages on the way."""

    pages: set[int] = field(default_factory=set)
    cells: list[Cell] = field(default_factory=list)
    bad: set[int] = field(default_factory=set)
    incomplete: int = 0  # rows whose overflow (a long text, a photo) is on an unreadable page


def walk(pf: PageFile, root: int, tree: Tree | None = None) -> Tree:
    tree = tree or Tree()
    stack, seen = [root], set()
    while stack:
        pgno = stack.pop()
        if pgno in seen or pgno < 1 or pgno > pf.count:
            continue
        seen.add(pgno)
        tree.pages.add(pgno)
        if pgno not in pf.pages:
            tree.bad.add(pgno)
            continue
        node = parse_node(pf, pgno)
        if node is None:
            continue
        tree.pages.update(node.overflow)
        tree.bad.update(node.missing_overflow)
        for cell in node.cells:
            if cell.values is None:
                tree.incomplete += 1
            else:
                tree.cells.append(cell)
        stack.extend(reversed(node.children))
    return tree


def freelist(pf: PageFile) -> set[int]:
    """Pages on the free list (deleted data SQLite keeps for reuse): never read back as rows."""
    if 1 not in pf.pages:
        return set()
    trunk = struct.unpack(">I", pf.pages[1][32:36])[0]
    free: set[int] = set()
    while trunk and trunk not in free and trunk in pf.pages:
        free.add(trunk)
        page = pf.pages[trunk]
        count = struct.unpack(">I", page[4:8])[0]
        for i in range(min(count, (USABLE - 8) // 4)):
            free.add(struct.unpack(">I", page[8 + 4 * i:12 + 4 * i])[0])
        trunk = struct.unpack(">I", page[:4])[0]
    return free
