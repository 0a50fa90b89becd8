"""Attachments (photos, signatures): resumable chunked upload, checked against their SHA-256, stored once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.errors import ErrorCode
from sync import protocol
from sync.server import tables as t
from sync.server.services.common import Database, ServiceError, sha256, utc_now


class Attachments:
    def __init__(self, db: Database):
        self.db = db

    def status(self, digest: str) -> protocol.AttachmentStatus:
        with self.db.read() as conn:
            return self._status(conn, digest)

    @staticmethod
    def _status(conn: Connection, digest: str) -> protocol.AttachmentStatus:
        size = conn.execute(sa.select(t.attachments.c.size).where(t.attachments.c.hash == digest)).scalar_one_or_none()
        if size is not None:
            return protocol.AttachmentStatus(hash=digest, received=size, complete=True)
        received = 0
        for offset, length in conn.execute(
            sa.select(t.attachment_chunks.c.offset, sa.func.length(t.attachment_chunks.c.data))
            .where(t.attachment_chunks.c.hash == digest).order_by(t.attachment_chunks.c.offset)
        ):
            if offset != received:
                break
            received += length
        return protocol.AttachmentStatus(hash=digest, received=received, complete=False)

    def put_chunk(self, digest: str, offset: int, total: int, data: bytes) -> protocol.AttachmentStatus:
        """Store one chunk at ``offset``; the last one completes the attachment if the hash matches.

        A chunk sent again (its answer was lost) changes nothing; a chunk that does not
        start where the server stopped is refused with the offset to resume from.
        """
        if total > protocol.MAX_ATTACHMENT:
            raise ServiceError(413, ErrorCode.SYNC_ATTACHMENT_TOO_BIG, name=digest[:12],
                               size_mb=round(total / 2**20, 1), limit_mb=protocol.MAX_ATTACHMENT // 2**20)
        with self.db.engine.begin() as conn:
            status = self._status(conn, digest)
            if status.complete or offset + len(data) <= status.received:
                return status
            if offset != status.received or offset + len(data) > total:
                raise ServiceError(409, ErrorCode.SYNC_BAD_REQUEST,
                                   reason=f"附件应从第 {status.received} 字节继续上传")
            self.db.insert_ignore(conn, t.attachment_chunks, [{"hash": digest, "offset": offset, "data": data}])
            received = offset + len(data)
            if received < total:
                return protocol.AttachmentStatus(hash=digest, received=received, complete=False)
            content = b"".join(bytes(row.data) for row in conn.execute(
                sa.select(t.attachment_chunks.c.data).where(t.attachment_chunks.c.hash == digest)
                .order_by(t.attachment_chunks.c.offset)))
            conn.execute(t.attachment_chunks.delete().where(t.attachment_chunks.c.hash == digest))
            bad = sha256(content) != digest
            if not bad:
                self.db.insert_ignore(conn, t.attachments, [{"hash": digest, "size": len(content),
                                                             "content": content, "created_at": utc_now()}])
        if bad:  # the partial chunks are gone (committed above); the laptop uploads again from 0
            raise ServiceError(422, ErrorCode.SYNC_ATTACHMENT_BAD_HASH, hash=digest[:12])
        return protocol.AttachmentStatus(hash=digest, received=len(content), complete=True)

    def add(self, content: bytes) -> str:
        """Store a whole attachment at once (USB packages)."""
        digest = sha256(content)
        with self.db.engine.begin() as conn:
            self.db.insert_ignore(conn, t.attachments, [{"hash": digest, "size": len(content), "content": content,
                                                         "created_at": utc_now()}])
        return digest

    def missing(self, wanted: list[str]) -> list[str]:
        """Which of these attachment hashes the server does not hold yet."""
        if not wanted:
            return []
        with self.db.read() as conn:
            have = set(conn.execute(sa.select(t.attachments.c.hash).where(t.attachments.c.hash.in_(wanted))).scalars())
        return [h for h in wanted if h not in have]
