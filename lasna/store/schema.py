"""SQLAlchemy Core tables. Alembic migrations in ``migrations/`` create them.

Times are stored as naive UTC (``UTCDateTime``) so SQLite and PostgreSQL round-trip
identically; list-valued columns are JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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
    Index("ix_posts_leader_indexed", "leader_id", "indexed_at"),
    Index("ix_posts_reply_root", "reply_root_id"),
    Index("ix_posts_account_created", "account_id", "created_at"),
    Index("ix_posts_reply_parent_author", "reply_parent_author_id", "leader_id"),  # first contacts
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
    Index("ix_interactions_leader_indexed", "leader_id", "indexed_at"),
    Index("ix_interactions_root", "root_id"),
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

#: Derived fields of each post, computed once at ingest (``lasna.enrich``): language, the per-post features
#: of ``coaching.features`` and the post type, each with the version that made it. A row whose version is
#: not the current one (or a missing row) is pending; ``Store.save_batch`` deletes the row of a post whose
#: content changed, in the batch's transaction.
post_enrichment = Table(
    "post_enrichment",
    metadata,
    Column("post_id", String(500), ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("features_version", String(100), nullable=False),
    Column("lang_detected", String(8), nullable=True),
    Column("n_words", Integer, nullable=False),
    *(Column(name, Boolean, nullable=False) for name in (
        "emoji_only", "low_substance", "first_person_singular", "first_person_plural", "question", "crediting",
        "has_link", "results_marker", "is_reply", "reply_to_other", "self_thread", "is_root")),
    Column("post_type", String(40), nullable=True),
    Column("post_type_proba", Float, nullable=True),
    Column("type_version", String(100), nullable=False),
    Column("enriched_at", UTCDateTime, nullable=False),
)

#: Derived fields of each incoming interaction: emoji-only / low-substance flags, reply stance, and the
#: answer link (the addressed leader's earliest own reply to it, when, and how long after), with versions.
interaction_enrichment = Table(
    "interaction_enrichment",
    metadata,
    Column("interaction_id", String(500), ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True),
    Column("features_version", String(100), nullable=False),
    Column("emoji_only", Boolean, nullable=False),
    Column("low_substance", Boolean, nullable=False),
    Column("stance", String(40), nullable=True),
    Column("stance_proba", Float, nullable=True),
    Column("stance_version", String(100), nullable=False),
    Column("answered_by", String(500), nullable=True, index=True),
    Column("answered_at", UTCDateTime, nullable=True),
    Column("response_seconds", Float, nullable=True),
    Column("link_version", String(100), nullable=False),
    Column("enriched_at", UTCDateTime, nullable=False),
)

#: What ``Store.save_batch`` made pending (new rows, and rows whose enrichment it deleted), for
#: ``lasna.pipeline.after_ingest`` to enrich without scanning the leaders' whole history; an entry goes in
#: the transaction that writes its enrichment (``lasna enrich`` still finds anything missing or stale).
post_enrichment_queue = Table(
    "post_enrichment_queue",
    metadata,
    Column("post_id", String(500), ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False, index=True),
)
interaction_enrichment_queue = Table(
    "interaction_enrichment_queue",
    metadata,
    Column("interaction_id", String(500), ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False, index=True),
)

#: How many enriched posts of each account (leader × author) have each detected language, long posts
#: (at least ``coaching.features.SHORT_WORDS`` words) and short ones apart (``lang`` "" = none): the
#: account's majority language for its short posts without reading its history. Kept exact in the
#: transactions that write or delete post enrichment (:mod:`lasna.store.enrichment`).
account_languages = Table(
    "account_languages",
    metadata,
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), primary_key=True),
    Column("author_id", String(500), primary_key=True),
    Column("lang", String(8), primary_key=True),
    Column("short", Boolean, primary_key=True),
    Column("n", Integer, nullable=False),
)

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

#: Facts per leader × ISO week (programme time zone): compact numeric records of the week's own posts,
#: incoming messages and mentions (see coaching.facts), rebuilt for the weeks a batch touches.
leader_week_facts = Table(
    "leader_week_facts",
    metadata,
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), primary_key=True),
    Column("week_start", Date, primary_key=True),  # local Monday of the ISO week
    Column("version", String(40), nullable=False),
    Column("first_t", BigInteger, nullable=True),  # earliest post time (ns since epoch, UTC), reposts included
    Column("n_posts", Integer, nullable=False, default=0),
    Column("n_interactions", Integer, nullable=False, default=0),
    Column("posts", LargeBinary, nullable=False),
    Column("interactions", LargeBinary, nullable=False),
    Column("mentions", LargeBinary, nullable=False),
    Column("ids", Text, nullable=False),  # JSON: the ids behind the records (evidence), loaded on demand
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_leader_week_facts_first_t", "leader_id", "first_t"),
)

#: First time a leader replied to an account (new interlocutors).
leader_contacts = Table(
    "leader_contacts",
    metadata,
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), primary_key=True),
    Column("account", String(500), primary_key=True),
    Column("first_t", BigInteger, nullable=False),  # ns since epoch, UTC
    Index("ix_leader_contacts_first", "leader_id", "first_t"),
)

#: Replies a thread fetch showed were there but could not be collected (issue #14, coverage ledger):
#: per own post and reason (``coaching.coverage.LOSS_REASONS``), as of the post's last thread fetch.
reply_losses = Table(
    "reply_losses",
    metadata,
    Column("post_id", String(500), primary_key=True),
    Column("reason", String(20), primary_key=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("n", Integer, nullable=False),
    Column("observed_at", UTCDateTime, nullable=False),
)

#: Own posts whose coverage inputs (reply count, replies collected, losses) changed since the coverage
#: facts were last refreshed: ``Store.save_batch`` adds them, ``lasna.coverage.refresh`` consumes them.
coverage_dirty = Table(
    "coverage_dirty",
    metadata,
    Column("post_id", String(500), primary_key=True),
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False, index=True),
)

#: The coverage ledger as facts: per leader × account × ISO week (programme time zone, by the post's
#: server-seen time) replies the platform reports vs replies collected and what explains the gap.
leader_week_coverage = Table(
    "leader_week_coverage",
    metadata,
    Column("leader_id", Integer, ForeignKey("leaders.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("week_start", Date, primary_key=True),  # local Monday of the ISO week
    Column("platform", String(20), nullable=False),
    Column("posts", Integer, nullable=False, default=0),
    Column("reported", Integer, nullable=False, default=0),
    Column("collected", Integer, nullable=False, default=0),
    Column("hidden", Integer, nullable=False, default=0),
    Column("deleted", Integer, nullable=False, default=0),
    Column("blocked", Integer, nullable=False, default=0),
    Column("not_found", Integer, nullable=False, default=0),
    Column("depth_cut", Integer, nullable=False, default=0),
    Column("other_instance", Integer, nullable=False, default=0),
    Column("withheld", Integer, nullable=False, default=0),
    Column("detached", Integer, nullable=False, default=0),
    Column("explained", Integer, nullable=False, default=0),
    Column("unexplained", Integer, nullable=False, default=0),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_leader_week_coverage_week", "week_start"),
)

#: What the facts were built from: a fingerprint of the source tables and the facts version, so a store
#: written without the ingest hook (or trimmed by retention) is rebuilt before it is read.
facts_state = Table(
    "facts_state",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

#: The audit log (GDPR accountability): who did what to which kind of record, when. Never content,
#: never a third party's identifiers: ``target_id`` is a numeric row id (leader, cohort, user, goal,
#: session) or empty (an erasure says only that one happened).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor", String(200), nullable=False),  # a dashboard login name, or "cli:<os user>"
    Column("action", String(60), nullable=False),  # e.g. leader.add, leader.forget, export, erase.author
    Column("target_kind", String(40), nullable=True),  # leader | cohort | user | goal | session | author
    Column("target_id", String(100), nullable=True),
    Column("via", String(20), nullable=False, default="cli"),  # cli | dashboard | library
)

#: Authors erased on request: a SHA-256 of their stable id, so collectors never store them again.
erased_authors = Table(
    "erased_authors",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("erased_at", UTCDateTime, nullable=False),
)

#: Dashboard sign-ins that survive a reload (migration 0010_auth). The browser holds
#: ``<id>.<secret>.<expiry>.<hmac>`` in an HttpOnly cookie; only SHA-256 hashes are stored.
dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=True),  # NULL until the one-time handoff sets the cookie
    Column("handoff_hash", String(64), nullable=True, unique=True),
    Column("handoff_expires", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Index("ix_dashboard_sessions_user_id", "user_id"),
)

#: Failed dashboard logins per typed name, shared by every dashboard process (pruned after the
#: lockout window, so a typed name is kept for minutes only).
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_login_failures_name_at", "name", "at"),
)

#: Server-side keys (the session cookie's HMAC key), generated once and shared by all processes.
auth_keys = Table(
    "auth_keys",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("secret", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
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
    account_languages,
    post_enrichment_queue,
    interaction_enrichment_queue,
    leader_week_coverage,
    coverage_dirty,
    reply_losses,
    leader_week_facts,
    leader_contacts,
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
