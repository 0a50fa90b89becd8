"""Reading a damaged encrypted database page by page, without SQLCipher.

SQLCipher 4 (the app's settings: 4096-byte pages, a raw 256-bit key) encrypts each page
with AES-256-CBC and authenticates it with an HMAC over the page's ciphertext, IV and
number: HMAC-SHA256 for stores made or rewritten by app/store/relayout.py, HMAC-SHA512
(SQLCipher's default) in stores made before it (``LAYOUTS``; a file's layout is found by which one its pages
authenticate under). One flipped byte makes that page fail its HMAC, and SQLCipher then refuses every
query that touches it. This module decrypts the pages that authenticate (in memory only:
nothing plaintext is written to disk; a few thousand pages are cached, so a store of any
size is read in constant memory) and reads SQLite's b-trees and records from them, so
``salvage`` can copy every row that is still readable and ``doctor`` can name what is not.

File layout (https://www.zetetic.net/sqlcipher/design/): page 1 starts with the 16-byte
salt (in the clear); every page ends with a reserve of IV (16) + HMAC (32 or 64) (the
reserve SQLite sees, in page 1's header, is 80 bytes in either case). The HMAC key
is PBKDF2-HMAC-SHA512(data key, salt XOR 0x3a, 2 iterations) with either HMAC (SQLCipher derives
it with its KDF algorithm, which the app leaves at SHA-512). SQLite's b-tree and record
formats: https://www.sqlite.org/fileformat2.html.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PAGE = 4096
SALT = 16
DEFAULT_RESERVE = 80  # what SQLCipher 4 reserves at the end of each page (see PageFile.usable)
SQLITE_MAGIC = b"SQLite format 3\x00"
TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR = 13, 5, 10, 2
CACHE_PAGES = 4096  # 16 MiB of decrypted pages at most
PROBE_PAGES = 16  # the first pages tried for the file's layout (and by key_fits)


@dataclass(frozen=True)
class Layout:
    """How SQLCipher lays out a page: the HMAC that authenticates it, and the reserve (IV + HMAC) at its end."""

    pragma: str  # the value of PRAGMA cipher_hmac_algorithm
    digest: str  # hashlib's name for the hash
    mac_size: int

    @property
    def sealed(self) -> int:
        """Bytes of each page SQLCipher encrypts; its IV and HMAC follow them."""
        return PAGE - 16 - self.mac_size


HMAC_SHA256 = Layout("HMAC_SHA256", "sha256", 32)
HMAC_SHA512 = Layout("HMAC_SHA512", "sha512", 64)
LAYOUTS = (HMAC_SHA256, HMAC_SHA512)  # the one new stores get first; then the one older stores have until rewritten


def _hmac_key(data_key: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", data_key, bytes(b ^ 0x3A for b in salt), 2, 32)


def _authentic(hmac_key: bytes, raw: bytes, pgno: int, layout: Layout) -> bool:
    if len(raw) != PAGE:
        return False
    start, usable = SALT if pgno == 1 else 0, layout.sealed
    body, iv, mac = raw[start:usable], raw[usable:usable + 16], raw[usable + 16:usable + 16 + layout.mac_size]
    calc = hmac.new(hmac_key, body + iv + pgno.to_bytes(4, "little"), layout.digest).digest()
    return hmac.compare_digest(calc, mac)


def _decrypt(block_cipher, raw: bytes, pgno: int, layout: Layout, length: int | None = None) -> bytes:
    """AES-256-CBC decryption of the page's first ``length`` bytes (all it uses by default), done as ECB then
    XOR with the previous ciphertext block (the same thing, without making a cipher object per page)."""
    start, usable = SALT if pgno == 1 else 0, layout.sealed
    body = raw[start:start + ((min(length or usable, usable) - start + 15) // 16) * 16]
    chained = raw[usable:usable + 16] + body[:-16]
    decrypted = block_cipher.decrypt(body)
    plain = (int.from_bytes(decrypted, "big") ^ int.from_bytes(chained, "big")).to_bytes(len(body), "big")
    return (SQLITE_MAGIC if pgno == 1 else b"") + plain


def _repair_salt(data_key: bytes, salt: bytes, page: bytes, pgno: int, layout: Layout) -> bytes | None:
    """The salt one byte away from ``salt`` under which ``page`` authenticates, if there is one."""
    for i in range(len(salt)):
        for value in range(256):
            if value == salt[i]:
                continue
            candidate = salt[:i] + bytes([value]) + salt[i + 1:]
            if _authentic(_hmac_key(data_key, candidate), page, pgno, layout):
                return candidate
    return None


class PageFile:
    """The pages of one database file (and its write-ahead log), decrypted on demand where their HMAC holds.

    ``scan()`` reads every page once and records which fail (``bad``) and each good page's b-tree kind
    (``kinds``); ``page(n)`` is the plaintext of page n, or None if it fails its check.
    """

    def __init__(self, db_path: Path, data_key: bytes):
        self.path = Path(db_path)
        self.data_key = data_key
        self._file = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        self._frames = self._wal_frames()
        size = self.path.stat().st_size
        self.count = max([size // PAGE, *self._frames]) if size // PAGE or self._frames else 0
        self.bad: set[int] = set()
        self.kinds: dict[int, int] = {}  # good page → its first byte (b-tree kind), from scan()
        self.salt_repaired = False
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        from Crypto.Cipher import AES

        self._cipher = AES.new(data_key, AES.MODE_ECB)
        salt = self._raw_main(1)[:SALT]
        self._key = _hmac_key(data_key, salt)
        self.layout = self._find_layout(salt)
        self._usable: int | None = None

    def _find_layout(self, salt: bytes) -> Layout:
        """The layout one of the first pages authenticates under (a damaged page 1 or 2 says nothing); else the one
        under which page 2 does with the salt one byte away (a damaged salt, repaired in ``self._key``); else the
        new stores' one (a key from another store: no page authenticates under any layout)."""
        probes = range(1, min(self.count, PROBE_PAGES) + 1)
        for layout in LAYOUTS:
            if any(_authentic(self._key, self._raw(n), n, layout) for n in probes):
                return layout
        if self.count >= 2:
            for layout in LAYOUTS:
                repaired = _repair_salt(self.data_key, salt, self._raw(2), 2, layout)
                if repaired is not None:
                    self._key, self.salt_repaired = _hmac_key(self.data_key, repaired), True
                    return layout
        return LAYOUTS[0]

    @property
    def usable(self) -> int:
        """Bytes of each page SQLite uses ("usable size": the page minus the reserve in page 1's header).

        SQLCipher fixes the reserve when the key is given, before the HMAC is chosen, so every store this app
        made reserves 80 bytes whatever its HMAC (the SHA-256 pages leave 32 of them unused); 80 is assumed
        when page 1 is unreadable."""
        if self._usable is None:
            first = self.page(1)
            self._usable = PAGE - (first[20] if first is not None else DEFAULT_RESERVE)
        return self._usable

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PageFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _raw_main(self, pgno: int) -> bytes:
        self._file.seek((pgno - 1) * PAGE)
        return self._file.read(PAGE)

    def _raw(self, pgno: int) -> bytes:
        frame = self._frames.get(pgno)
        if frame is None:
            return self._raw_main(pgno)
        with open(str(self.path) + "-wal", "rb") as wal:
            wal.seek(frame)
            return wal.read(PAGE)

    def _wal_frames(self) -> dict[int, int]:
        """Where the newest committed copy of each page is in the write-ahead log, if there is one."""
        wal = Path(str(self.path) + "-wal")
        try:
            with open(wal, "rb") as fh:
                header = fh.read(32)
                if len(header) < 32:
                    return {}
                committed: dict[int, int] = {}
                pending: dict[int, int] = {}
                offset = 32
                while True:
                    frame = fh.read(24)
                    if len(frame) < 24:
                        break
                    pgno, size_after = struct.unpack(">II", frame[:8])
                    if frame[8:16] != header[16:24]:
                        break  # frames left from before the last checkpoint
                    pending[pgno] = offset + 24
                    if size_after:
                        committed.update(pending)
                        pending.clear()
                    offset += 24 + PAGE
                    fh.seek(offset)
                return committed
        except OSError:
            return {}

    def page(self, pgno: int) -> bytes | None:
        if pgno < 1 or pgno > self.count or pgno in self.bad:
            return None
        cached = self._cache.get(pgno)
        if cached is not None:
            self._cache.move_to_end(pgno)
            return cached
        raw = self._raw(pgno)
        if not _authentic(self._key, raw, pgno, self.layout):
            self.bad.add(pgno)
            return None
        plain = _decrypt(self._cipher, raw, pgno, self.layout)
        self._cache[pgno] = plain
        if len(self._cache) > CACHE_PAGES:
            self._cache.popitem(last=False)
        return plain

    def scan(self) -> PageFile:
        """Check every page once; keep only which fail and each good page's kind (its first bytes decrypted)."""
        for pgno in range(1, self.count + 1):
            raw = self._raw(pgno)
            if _authentic(self._key, raw, pgno, self.layout):
                self.kinds[pgno] = _decrypt(self._cipher, raw, pgno, self.layout, 112)[100 if pgno == 1 else 0]
            else:
                self.bad.add(pgno)
        return self

    @property
    def key_matches(self) -> bool:
        """Whether the key opened any page at all (a key from another store opens none); after ``scan``."""
        return bool(self.kinds)


def read_pages(db_path: Path, data_key: bytes) -> PageFile:
    """Every page of ``db_path`` (WAL frames applied) checked: ``bad`` and ``kinds`` filled in."""
    return PageFile(db_path, data_key).scan()


def key_fits(db_path: Path, data_key: bytes, pages: int = PROBE_PAGES) -> bool:
    """Whether ``data_key`` is this database's key: some of its first pages authenticate under it
    (with the salt as stored, or one byte away from it). A keyring from another store fits none."""
    with PageFile(db_path, data_key) as pf:
        return any(pf.page(n) is not None for n in range(1, min(pf.count, pages) + 1))


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


def _local_size(payload_len: int, leaf_table: bool, usable: int) -> int:
    max_local = usable - 35 if leaf_table else (usable - 12) * 64 // 255 - 23
    if payload_len <= max_local:
        return payload_len
    min_local = (usable - 12) * 32 // 255 - 23
    size = min_local + (payload_len - min_local) % (usable - 4)
    return size if size <= max_local else min_local


def parse_node(pf: PageFile, pgno: int, *, values: bool = True) -> Node | None:
    """The b-tree page ``pgno`` (None if it is unreadable or not a b-tree page). With ``values=False`` the
    cells' records are not decoded (their overflow pages are still followed, to find unreadable ones)."""
    page = pf.page(pgno)
    if page is None:
        return None
    base = 100 if pgno == 1 else 0
    kind = page[base]
    if kind not in (TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR):
        return None
    try:
        return _parse(pf, page, base, kind, values)
    except (IndexError, struct.error, ValueError):
        return None  # authentic but not a b-tree page after all (free-list or overflow page starting alike)


def _parse(pf: PageFile, page: bytes, base: int, kind: int, values: bool) -> Node:
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
        local = _local_size(payload_len, kind == TABLE_LEAF, pf.usable)
        payload = page[pos:pos + local]
        if local < payload_len:
            payload = _follow_overflow(pf, node, payload, payload_len,
                                       struct.unpack(">I", page[pos + local:pos + local + 4])[0])
        decoded = None
        if payload is not None and values:
            try:
                decoded = decode_record(payload)
            except (ValueError, IndexError, struct.error):
                decoded = None
        node.cells.append(Cell(rowid, decoded if values else ([] if payload is not None else None)))
    if interior:
        node.children.append(struct.unpack(">I", page[base + 8:base + 12])[0])
    return node


def _follow_overflow(pf: PageFile, node: Node, payload: bytes, total: int, nxt: int) -> bytes | None:
    parts = [payload]
    have = len(payload)
    seen = set()
    while have < total and nxt and nxt not in seen:
        seen.add(nxt)
        node.overflow.append(nxt)
        page = pf.page(nxt)
        if page is None:
            node.missing_overflow.append(nxt)
            return None
        chunk = page[4:4 + min(pf.usable - 4, total - have)]
        parts.append(chunk)
        have += len(chunk)
        nxt = struct.unpack(">I", page[:4])[0]
    return b"".join(parts) if have >= total else None


@dataclass
class Tree:
    """What a walk from one root page reached: its pages and the unreadable pages on the way."""

    pages: set[int] = field(default_factory=set)
    bad: set[int] = field(default_factory=set)
    incomplete: int = 0  # rows whose overflow (a long text, a photo) is on an unreadable page
    rows: int = 0


def _visit(pf: PageFile, root: int, tree: Tree, values: bool) -> Iterator[Cell]:
    stack, seen = [root], set()
    while stack:
        pgno = stack.pop()
        if pgno in seen or pgno < 1 or pgno > pf.count:
            continue
        seen.add(pgno)
        tree.pages.add(pgno)
        node = parse_node(pf, pgno, values=values)
        if node is None:
            if pgno in pf.bad:
                tree.bad.add(pgno)
            continue
        tree.pages.update(node.overflow)
        tree.bad.update(node.missing_overflow)
        for cell in node.cells:
            if cell.values is None:
                tree.incomplete += 1
                continue
            tree.rows += 1
            if values:
                yield cell
        stack.extend(reversed(node.children))


def walk(pf: PageFile, root: int, tree: Tree | None = None) -> Tree:
    """Visit the b-tree from ``root`` (its records left undecoded): which pages it has, which are unreadable."""
    tree = tree if tree is not None else Tree()
    for _ in _visit(pf, root, tree, values=False):
        pass
    return tree


def cells(pf: PageFile, roots: list[int], tree: Tree | None = None) -> Iterator[Cell]:
    """Every readable row under the given pages, one page's rows in memory at a time (a table's root and the
    leaves found cut off from it)."""
    tree = tree if tree is not None else Tree()
    for root in roots:
        yield from _visit(pf, root, tree, values=True)


def freelist(pf: PageFile) -> set[int]:
    """Pages on the free list (deleted data SQLite keeps for reuse): never read back as rows."""
    first = pf.page(1)
    if first is None:
        return set()
    trunk = struct.unpack(">I", first[32:36])[0]
    free: set[int] = set()
    while trunk and trunk not in free:
        free.add(trunk)
        page = pf.page(trunk)
        if page is None:
            break
        count = struct.unpack(">I", page[4:8])[0]
        for i in range(min(count, (pf.usable - 8) // 4)):
            free.add(struct.unpack(">I", page[8 + 4 * i:12 + 4 * i])[0])
        trunk = struct.unpack(">I", page[:4])[0]
    return free
