"""SQLAlchemy Core tables. Alembic migrations in ``migrations/`` create them.

Times are stored as naive UTC (``UTCDateTime``) so SQLite and PostgreSQL round-trip
identically; list-valued columns are JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out; naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: Läsnä stores only timezone-aware times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # defensive: raw SQLite text
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

leaders = Table(
    "leaders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("language", String(8), nullable=False, default="fi"),
    Column("demo", Boolean, nullable=False, default=False),
    # False after `lasna leaders remove` without --forget: no longer collected, history kept
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

cohorts = Table(
    "cohorts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("visibility", String(20), nullable=False, default="aggregates"),
)

leader_cohorts = Table(
    "leader_cohorts",
    metadata,
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), primary_key=True),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("platform", String(20), nullable=False),
    Column("handle", String(500), nullable=False),
    Column("stable_id", String(500), nullable=True),
    Column("url", Text, nullable=True),
    Column("added_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "stable_id", name="uq_accounts_platform_stable_id"),
    UniqueConstraint("leader_id", "platform", "handle", name="uq_accounts_leader_platform_handle"),
)

posts = Table(
    "posts",
    metadata,
    Column("id", String(500), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("author_id", String(500), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("indexed_at", UTCDateTime, nullable=True),
    Column("text", Text, nullable=False, default=""),
    Column("lang", String(16), nullable=True),
    Column("url", Text, nullable=True),
    Column("reply_parent_id", String(500), nullable=True, index=True),
    Column("reply_root_id", String(500), nullable=True),
    Column("reply_parent_author_id", String(500), nullable=True),
    Column("quote_of_id", String(500), nullable=True),
    Column("is_repost", Boolean, nullable=False, default=False),
    Column("repost_of_id", String(500), nullable=True),
    Column("mentions", JSON, nullable=False, default=list),
    Column("links", JSON, nullable=False, default=list),
    Column("tags", JSON, nullable=False, default=list),
    Column("like_count", Integer, nullable=False, default=0),
    Column("reply_count", Integer, nullable=False, default=0),
    Column("repost_count", Integer, nullable=False, default=0),
    Column("quote_count", Integer, nullable=False, default=0),
    Column("replies_restricted", Boolean, nullable=False, default=False),
    Column("quotes_disabled", Boolean, nullable=False, default=False),
    Column("hidden_replies", Integer, nullable=False, default=0),
    Column("deleted", Boolean, nullable=False, default=False),
    # reply_count at the moment the thread was last fetched; a thread is re-fetched only when it differs
    Column("thread_checked_replies", Integer, nullable=True),
    # quote_count at the moment the post's quotes were last fetched (same pattern, for getQuotes)
    Column("quotes_checked", Integer, nullable=True),
    Index("ix_posts_leader_created", "leader_id", "created_at"),
    Index("ix_posts_account_created", "account_id", "created_at"),
)

interactions = Table(
    "interactions",
    metadata,
    Column("id", String(500), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("author_id", String(500), nullable=False),
    Column("author_handle", String(500), nullable=True),
    Column("author_name", String(500), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("indexed_at", UTCDateTime, nullable=True),
    Column("text", Text, nullable=False, default=""),
    Column("lang", String(16), nullable=True),
    Column("url", Text, nullable=True),
    Column("parent_id", String(500), nullable=True, index=True),
    Column("root_id", String(500), nullable=True),
    Column("hidden", Boolean, nullable=False, default=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Index("ix_interactions_leader_created", "leader_id", "created_at"),
)

collection_state = Table(
    "collection_state",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

collection_runs = Table(
    "collection_runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("source", String(40), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("ok", Boolean, nullable=True),
    Column("host", String(200), nullable=True),
)

collection_run_accounts = Table(
    "collection_run_accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), ForeignKey("collection_runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=True),
    Column("leader", String(200), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("account", String(500), nullable=False),
    Column("new_posts", Integer, nullable=False, default=0),
    Column("new_interactions", Integer, nullable=False, default=0),
    Column("requests", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("finished_at", UTCDateTime, nullable=False),
    Index("ix_run_accounts_run", "run_id"),
)

goals = Table(
    "goals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("metric", String(100), nullable=False),
    Column("target", Float, nullable=False),
    Column("start", Date, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("created_by", String(200), nullable=True),
)

session_notes = Table(
    "session_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("held_on", Date, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("baseline_start", Date, nullable=True),
    Column("baseline_end", Date, nullable=True),
    Column("notes", Text, nullable=False, default=""),
    Column("actions", JSON, nullable=False, default=list),
    Column("next_session", Date, nullable=True),
    Column("consultant", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)


def _predictions_table(name: str, key: str, target: str) -> Table:
    """Cached model outputs: one row per ``target`` row and model version, so a model classifies only
    rows it has not seen; deleted with the row they describe."""
    return Table(
        name,
        metadata,
        Column(key, String(500), ForeignKey(f"{target}.id", ondelete="CASCADE"), primary_key=True),
        Column("model_version", String(100), primary_key=True),
        Column("label", String(40), nullable=False),
        Column("proba", Float, nullable=False),
    )


post_predictions = _predictions_table("post_predictions", "post_id", "posts")  # post types
# reply stance of incoming interactions; proba = P(critical)
interaction_predictions = _predictions_table("interaction_predictions", "interaction_id", "interactions")

tip_feedback = Table(
    "tip_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False),
    Column("tip_key", String(100), nullable=False),
    Column("action", String(20), nullable=False),  # dismissed | done
    Column("at", UTCDateTime, nullable=False),
    Column("by", String(200), nullable=True),
    Index("ix_tip_feedback_leader_at", "leader_id", "at"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    # OpenID Connect identities are matched on e-mail (lower-cased)
    Column("email", String(320), nullable=True, unique=True),
    Column("role", String(20), nullable=False),
    # an executive's own leader; SET NULL so forgetting a leader never deletes the login
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="SET NULL"), nullable=True),
    Column("password_hash", String(300), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

#: A consultant's assigned leaders.
user_leaders = Table(
    "user_leaders",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), primary_key=True),
)

#: A consultant's assigned cohorts (every member of the cohort is then assigned).
user_cohorts = Table(
    "user_cohorts",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
)

#: Per-user notification preferences (``lasna users notify``); a user without a row gets the defaults.
notify_preferences = Table(
    "notify_preferences",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("digest", Boolean, nullable=False, default=True),
    Column("digest_weekday", Integer, nullable=False, default=0),  # 0 = Monday
    Column("alerts", Boolean, nullable=False, default=True),
    Column("threshold_hours", Float, nullable=False, default=24.0),
    Column("lang", String(8), nullable=True),  # None: the leader's language, else the `language` setting
    Column("quiet_start", String(5), nullable=True),  # "HH:MM" in the programme time zone
    Column("quiet_end", String(5), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

#: The outbox: every digest and alert is composed here first, then sent; ``key`` makes a digest for
#: one user and week, or an alert for one user and conversation, exist once.
notify_outbox = Table(
    "notify_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(600), nullable=False, unique=True),
    Column("kind", String(10), nullable=False),  # digest | alert
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("period", String(500), nullable=False),  # ISO week (digest) or conversation id (alert)
    Column("recipient", String(320), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("message_id", String(300), nullable=False),
    # pending -> sending -> sent | failed (retried after next_attempt_at) | dead (gave up)
    Column("state", String(10), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("claimed_by", String(300), nullable=True),  # "host:pid" of the run sending it
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Index("ix_notify_outbox_state_next", "state", "next_attempt_at"),
)

#: Which leaders' data each outbox message holds (erasure deletes those messages).
notify_outbox_leaders = Table(
    "notify_outbox_leaders",
    metadata,
    Column("outbox_id", Integer, ForeignKey("notify_outbox.id", ondelete="CASCADE"), primary_key=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), primary_key=True),
)

#: Tables that hold a leader's data, in delete order (children first). Used by forget.
LEADER_TABLES = (
    collection_run_accounts,
    tip_feedback,
    session_notes,
    goals,
    interactions,
    posts,
    collection_state,
    accounts,
    leader_cohorts,
    user_leaders,
)
