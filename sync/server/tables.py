"""The bureau server's tables (SQLAlchemy Core). Alembic migrations in ``migrations/`` create them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()


def Key(length: int) -> String:  # noqa: N802 - a column type
    """Text compared by bytes on PostgreSQL too (collation "C"): prefix ranges (pinyin, reversed ID numbers) use
    the plain B-tree index whatever the database's locale."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")

meta = Table(
    "meta", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(40), nullable=False),
    Column("villages", Text, nullable=False, default="[]"),  # JSON list of village codes
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(40), nullable=False),
)

enrollment_tokens = Table(
    "enrollment_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("used_at", String(40)),
)

devices = Table(
    "devices", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("credential_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

forms = Table(
    "forms", metadata,
    Column("form_id", String(100), primary_key=True),
    Column("version", String(100), primary_key=True),
    Column("title", String(300), nullable=False, default=""),
    Column("content", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
)

# Every accepted revision of every record; (uuid, revision) is unique: the idempotency key.
record_revisions = Table(
    "record_revisions", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("uuid", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("prev_revision", Integer),
    Column("content_hash", String(64), nullable=False),
    Column("form_id", String(100), nullable=False),
    Column("form_version", String(100), nullable=False),
    Column("village_id", String(64)),
    Column("person_id", String(64)),
    Column("household_id", String(64)),
    Column("author", String(100), nullable=False, default=""),
    Column("title", String(500), nullable=False, default=""),
    Column("data", Text, nullable=False),
    Column("attachments", Text, nullable=False, default="[]"),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("user_name", String(100), nullable=False),
    Column("device_id", String(40), nullable=False),
    UniqueConstraint("uuid", "revision", name="record_revisions_uuid_revision"),
)

# The newest accepted revision of each record (what exports and counts read).
records = Table(
    "records", metadata,
    Column("uuid", String(64), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("form_id", String(100), nullable=False, index=True),
    Column("form_version", String(100), nullable=False),
    Column("village_id", String(64), index=True),
    Column("person_id", String(64)),
    Column("title", String(500), nullable=False, default=""),
    Column("author", String(100), nullable=False, default=""),
    Column("data", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("conflicts", Integer, nullable=False, default=0),
    # 发现报告 only (else NULL), from ``data`` by ``services/counts.record_columns`` at push (migration 0006)
    Column("case_open", Boolean),
    Column("found_on", String(10)),
    Index("ix_records_form_updated", "form_id", "updated_at"),  # the console's 总览 (migration 0004)
    Index("ix_records_person", "person_id", "form_id", "updated_at"),  # a person's records (migration 0006)
    Index("ix_records_village_form", "village_id", "form_id", "updated_at"),  # per-village counts (0006)
    Index("ix_records_open_reports", "village_id", "form_id", "found_on",
          postgresql_where=text("case_open"), sqlite_where=text("case_open")),
)

# A revision that lost a race (or was based on an old one): kept whole, for a person to resolve.
conflicts = Table(
    "conflicts", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("uuid", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("server_revision", Integer, nullable=False),
    Column("user_name", String(100), nullable=False),
    Column("device_id", String(40), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("resolved_at", String(40)),
    UniqueConstraint("uuid", "revision", "content_hash", name="conflicts_once"),
)

attachments = Table(
    "attachments", metadata,
    Column("hash", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", String(40), nullable=False),
)

# An attachment being uploaded, one per (hash, device): bound to the device that started it, its total fixed by
# the first chunk; expired after a while and counted against the device's quota (migration 0004).
attachment_uploads = Table(
    "attachment_uploads", metadata,
    Column("hash", String(64), primary_key=True),
    Column("device_id", String(40), primary_key=True),
    Column("total", BigInteger, nullable=False),
    Column("received", BigInteger, nullable=False),
    Column("started_at", String(40), nullable=False, index=True),
    Column("updated_at", String(40), nullable=False),
)

# Chunks of an upload; joined, checked against the hash and moved to ``attachments`` when complete.
attachment_chunks = Table(
    "attachment_chunks", metadata,
    Column("hash", String(64), primary_key=True),
    Column("device_id", String(40), primary_key=True),
    Column("offset", BigInteger, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

# Villages, households and persons; ``seq`` is the change counter a pull cursor follows.
registry = Table(
    "registry", metadata,
    Column("kind", String(20), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("village_id", String(64), index=True),
    Column("id_number", String(40), index=True),
    Column("fields", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("seq", BigInteger, nullable=False, index=True),
    # persons only, from ``fields`` by ``services/counts.person_columns`` at every write (migration 0006)
    Column("person_kind", String(20), nullable=False, default=""),
    Column("status", String(20), nullable=False, default=""),
    Column("last_visit", String(40), nullable=False, default=""),
    Column("next_due", String(40), nullable=False, default=""),
    Column("name", String(100), nullable=False, default=""),
    Column("initials", Key(40), nullable=False, default=""),
    Column("pinyin", Key(200), nullable=False, default=""),
    Column("id_rev", Key(40), nullable=False, default=""),  # the ID number reversed: its tail is a prefix
    # 总览 reads these columns only (an index-only scan on PostgreSQL)
    Index("ix_registry_overview", "kind", "village_id", "person_kind", "status", "last_visit", "next_due"),
    Index("ix_registry_due", "next_due", "status", "kind", "village_id"),  # overdue: the days of this month
    Index("ix_registry_initials", "initials"),
    Index("ix_registry_pinyin", "pinyin"),
    Index("ix_registry_id_rev", "id_rev"),
)

# Every one- and two-character part of each person's name (``counts.name_terms``): a name part is found by one
# index lookup on either database (migration 0006).
registry_name_terms = Table(
    "registry_name_terms", metadata,
    Column("term", String(8), primary_key=True),
    Column("person_id", String(64), primary_key=True),
)

# Persons per village and kind (``counts.refresh_persons``, in each registry write's transaction; migration 0006),
# so that 总览 adds up a few rows per village instead of reading every person:
# - measure "status": key = status → persons by kind and status;
# - measure "visited": active elders and children by key = last_visit[:7], ``full`` = last_visit[7:] >= "-01"
#   (last_visit >= "YYYY-MM-01" is key > "YYYY-MM", or key = "YYYY-MM" and full);
# - measure "due": active persons with a next_due by key = next_due[:7] (overdue is key < this month, plus this
#   month's days before today read from ``registry`` through ix_registry_due).
person_counts = Table(
    "person_counts", metadata,
    Column("village_id", String(64), primary_key=True),
    Column("person_kind", String(20), primary_key=True),
    Column("measure", String(8), primary_key=True),
    Column("key", Key(40), primary_key=True),
    Column("full", Boolean, primary_key=True),
    Column("n", Integer, nullable=False),
)

# Records per village, form and month of their last update (``counts.refresh``, in each push's transaction):
# the 12-month trend (migration 0006). A record without a village counts under "".
record_months = Table(
    "record_months", metadata,
    Column("village_id", String(64), primary_key=True),
    Column("form_id", String(100), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("n", Integer, nullable=False),
)

# Each person's newest visit record per visit form and whether it raised a red flag (``counts.refresh``, in each
# push's transaction): open red flags (migration 0006).
latest_visits = Table(
    "latest_visits", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("form_id", String(100), primary_key=True),
    Column("uuid", String(64), nullable=False),
    Column("village_id", String(64)),
    Column("updated_at", String(40), nullable=False),
    Column("flagged", Boolean, nullable=False),
    Index("ix_latest_visits_flagged", "updated_at", "village_id", "form_id",
          postgresql_where=text("flagged"), sqlite_where=text("flagged")),
)

# Every version of every registry row: the base a laptop's change is merged against.
registry_seq = Table(
    "registry_seq", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("id", String(64), nullable=False),
    Column("fields", Text, nullable=False),
)

audit = Table(
    "audit", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("user_name", String(100), nullable=False, default=""),
    Column("device_id", String(40), nullable=False, default=""),
    Column("action", String(40), nullable=False),
    Column("subject", String(64), nullable=False, default=""),
    Column("revision", Integer),
    Column("outcome", String(20), nullable=False, default=""),
    Column("code", String(60), nullable=False, default=""),
    Column("message", Text, nullable=False, default=""),
)

# Each laptop's own audit log, as synced: one hash chain per device (migration 0002).
device_audit = Table(
    "device_audit", metadata,
    Column("device_id", String(40), primary_key=True),
    Column("entry_id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("user_name", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("received_at", String(40), nullable=False),
)

# The newest entry of each laptop's audit log the server has acknowledged: the next sync must continue from it.
device_audit_heads = Table(
    "device_audit_heads", metadata,
    Column("device_id", String(40), primary_key=True),
    Column("entry_id", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

# What the server found wrong with a laptop: its audit log cut, forked or altered, or a laptop's own report
# (accounts or roles tampered with). ``key`` makes the same finding reported twice one row.
audit_findings = Table(
    "audit_findings", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("device_id", String(40), nullable=False, index=True),
    Column("user_name", String(100), nullable=False),
    Column("found_at", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("entry_id", BigInteger),
    Column("code", String(60), nullable=False),
    Column("message", Text, nullable=False),
    Column("detail", Text, nullable=False, default="{}"),
    Column("key", String(64), nullable=False),
    UniqueConstraint("device_id", "key", name="audit_findings_once"),
)

# The web console's accounts (sync/server/console): a password, a role and, for 乡镇, the township's code;
# separate from the users whose devices sync (migration 0004).
console_users = Table(
    "console_users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False, default=""),
    Column("role", String(40), nullable=False),
    Column("township", String(20), nullable=False, default=""),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(40), nullable=False),
    Column("last_login", String(40)),
)

# Wrong passwords in a row per login name ("?" for every unknown name), shared by every server host.
console_logins = Table(
    "console_logins", metadata,
    Column("name", String(100), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", BigInteger, nullable=False, default=0),  # unix seconds
)

# Signed-in browsers: only the hash of the cookie is kept; any host can check it.
console_sessions = Table(
    "console_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("last_seen", BigInteger, nullable=False),  # unix seconds: the idle timeout counts from here
)

# The county's own list of townships and villages (统计用区划代码 with the bureau's corrections and new villages),
# published to the laptops (GET /regions). ``content``: ``code<TAB>name`` lines under ``county``, sorted by code.
region_lists = Table(
    "region_lists", metadata,
    Column("county", String(6), primary_key=True),
    Column("content", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("updated_at", String(40), nullable=False),
)
