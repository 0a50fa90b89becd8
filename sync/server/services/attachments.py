"""Attachments (photos, signatures): resumable chunked upload, checked against their SHA-256, stored once.

An unfinished upload belongs to the device that started it: its total is fixed by its first chunk and
checked on every later one, no other device can add to it, and another device's upload of the same hash
(garbage, say) never blocks it. A join whose hash does not match is discarded, so its owner starts again;
unfinished uploads expire after ``expire_days`` and each device may hold at most ``device_quota`` bytes
of them (counted by the totals they declared).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.errors import ErrorCode
from sync import protocol
from sync.server import tables as t
from sync.server.services.common import Database, ServiceError, sha256, utc_now

UPLOAD_DAYS = 7.0               # an unfinished upload is dropped this long after it started
DEVICE_QUOTA = 256 * 2**20      # unfinished upload bytes one device may hold on the server


class Attachments:
    def __init__(self, db: Database, *, expire_days: float = UPLOAD_DAYS, device_quota: int = DEVICE_QUOTA):
        self.db = db
        self.expire_days = expire_days
        self.device_quota = device_quota

    def status(self, device_id: str, digest: str) -> protocol.AttachmentStatus:
        """How much of this attachment the server holds: all of it, or what this device has uploaded so far."""
        with self.db.read() as conn:
            size = _stored_size(conn, digest)
            if size is not None:
                return protocol.AttachmentStatus(hash=digest, received=size, complete=True)
            received = conn.execute(sa.select(t.attachment_uploads.c.received).where(
                t.attachment_uploads.c.hash == digest, t.attachment_uploads.c.device_id == device_id)
            ).scalar_one_or_none()
        return protocol.AttachmentStatus(hash=digest, received=received or 0, complete=False)

    def put_chunk(self, device_id: str, digest: str, offset: int, total: int, data: bytes) -> protocol.AttachmentStatus:
        """Store one chunk of this device's upload at ``offset``; the last one completes it if the hash matches.

        A chunk sent again (its answer was lost) changes nothing; a chunk that does not start where this
        device's upload stopped is refused (409) with the offset to resume from.
        """
        if total > protocol.MAX_ATTACHMENT:
            raise ServiceError(413, ErrorCode.SYNC_ATTACHMENT_TOO_BIG, name=digest[:12],
                               size_mb=round(total / 2**20, 1), limit_mb=protocol.MAX_ATTACHMENT // 2**20)
        refusal: ServiceError | None = None
        now = utc_now()
        mine = (t.attachment_uploads.c.hash == digest) & (t.attachment_uploads.c.device_id == device_id)
        with self.db.engine.begin() as conn:
            size = _stored_size(conn, digest)
            if size is not None:
                self._drop(conn, mine)
                return protocol.AttachmentStatus(hash=digest, received=size, complete=True)
            upload = conn.execute(sa.select(t.attachment_uploads).where(mine).with_for_update()).one_or_none()
            if upload is None:
                if offset != 0:
                    raise ServiceError(409, ErrorCode.SYNC_BAD_REQUEST, reason="附件应从第 0 字节开始上传")
                self._expire(conn, now)
                used = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(t.attachment_uploads.c.total), 0)).where(
                    t.attachment_uploads.c.device_id == device_id)).scalar_one()
                if used + total > self.device_quota:
                    raise ServiceError(413, ErrorCode.SYNC_ATTACHMENT_QUOTA, used_mb=_mb(used), size_mb=_mb(total),
                                       quota_mb=_mb(self.device_quota), days=f"{self.expire_days:g}")
                self.db.insert_ignore(conn, t.attachment_uploads, [{
                    "hash": digest, "device_id": device_id, "total": total, "received": 0, "started_at": now,
                    "updated_at": now}])
                received = 0
            elif upload.total != total:
                self._drop(conn, mine)  # committed below: the device starts this upload again from 0
                refusal = ServiceError(422, ErrorCode.SYNC_ATTACHMENT_TOTAL_CHANGED, hash=digest[:12],
                                       first=upload.total, now=total)
            else:
                received = upload.received
            if refusal is None:
                if offset + len(data) <= received:
                    return protocol.AttachmentStatus(hash=digest, received=received, complete=False)
                if offset != received or offset + len(data) > total:
                    raise ServiceError(409, ErrorCode.SYNC_BAD_REQUEST, reason=f"附件应从第 {received} 字节继续上传")
                conn.execute(t.attachment_chunks.insert().values(hash=digest, device_id=device_id, offset=offset,
                                                                 data=data))
                received = offset + len(data)
                conn.execute(t.attachment_uploads.update().where(mine).values(received=received, updated_at=now))
                if received < total:
                    return protocol.AttachmentStatus(hash=digest, received=received, complete=False)
                content = b"".join(bytes(row.data) for row in conn.execute(
                    sa.select(t.attachment_chunks.c.data).where(t.attachment_chunks.c.hash == digest,
                                                                t.attachment_chunks.c.device_id == device_id)
                    .order_by(t.attachment_chunks.c.offset)))
                if sha256(content) == digest:
                    self.db.insert_ignore(conn, t.attachments, [{"hash": digest, "size": len(content),
                                                               "content": content, "created_at": now}])
                    self._drop(conn, t.attachment_uploads.c.hash == digest)  # anyone's upload of it is moot now
                else:
                    self._drop(conn, mine)  # committed below: discarded, the device uploads again from 0
                    refusal = ServiceError(422, ErrorCode.SYNC_ATTACHMENT_BAD_HASH, hash=digest[:12])
        if refusal is not None:
            raise refusal
        return protocol.AttachmentStatus(hash=digest, received=len(content), complete=True)

    def add(self, content: bytes) -> str:
        """Store a whole attachment at once (USB packages)."""
        digest = sha256(content)
        with self.db.engine.begin() as conn:
            self.db.insert_ignore(conn, t.attachments, [{"hash": digest, "size": len(content), "content": content,
                                                       "created_at": utc_now()}])
            self._drop(conn, t.attachment_uploads.c.hash == digest)
        return digest

    def expire(self) -> int:
        """Drop unfinished uploads older than ``expire_days``; returns how many."""
        with self.db.engine.begin() as conn:
            return self._expire(conn, utc_now())

    def _expire(self, conn: Connection, now: str) -> int:
        cutoff = (datetime.fromisoformat(now) - timedelta(days=self.expire_days)).astimezone(UTC)
        return self._drop(conn, t.attachment_uploads.c.started_at < cutoff.isoformat(timespec="milliseconds"))

    @staticmethod
    def _drop(conn: Connection, which) -> int:
        """Delete the uploads matching ``which`` and their chunks; returns how many uploads."""
        doomed = conn.execute(sa.select(t.attachment_uploads.c.hash, t.attachment_uploads.c.device_id)
                              .where(which)).all()
        for digest, device_id in doomed:
            conn.execute(t.attachment_chunks.delete().where(t.attachment_chunks.c.hash == digest,
                                                            t.attachment_chunks.c.device_id == device_id))
        if doomed:
            conn.execute(t.attachment_uploads.delete().where(which))
        return len(doomed)


    def missing(self, wanted: list[str]) -> list[str]:
        """Which of these attachment hashes the server does not hold yet."""
        if not wanted:
            return []
        with self.db.read() as conn:
            have = set(conn.execute(sa.select(t.attachments.c.hash).where(t.attachments.c.hash.in_(wanted))).scalars())
        return [h for h in wanted if h not in have]

def _stored_size(conn: Connection, digest: str) -> int | None:
    return conn.execute(sa.select(t.attachments.c.size).where(t.attachments.c.hash == digest)).scalar_one_or_none()


def _mb(size: int) -> str:
    return f"{round(size / 2**20, 1):g}"
