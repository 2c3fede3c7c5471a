"""notifications: outbox of digests and alerts, per-user notification preferences

Revision ID: 0011_notify
Revises: 0006_interaction_predictions
"""

import sqlalchemy as sa
from alembic import op

import lasna.store.schema

revision = "0011_notify"
down_revision = "0010_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notify_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("digest_weekday", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Boolean(), nullable=False),
        sa.Column("threshold_hours", sa.Float(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("updated_at", lasna.store.schema.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notify_preferences_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notify_preferences")),
    )
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=600), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=500), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", lasna.store.schema.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(length=300), nullable=True),
        sa.Column("created_at", lasna.store.schema.UTCDateTime(), nullable=False),
        sa.Column("sent_at", lasna.store.schema.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notify_outbox_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_notify_outbox_key")),
    )
    op.create_index("ix_notify_outbox_state_next", "notify_outbox", ["state", "next_attempt_at"])
    op.create_index(op.f("ix_notify_outbox_user_id"), "notify_outbox", ["user_id"])
    op.create_table(
        "notify_outbox_leaders",
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["notify_outbox.id"],
                                name=op.f("fk_notify_outbox_leaders_outbox_id_notify_outbox"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"],
                                name=op.f("fk_notify_outbox_leaders_leader_id_leaders"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("outbox_id", "leader_id", name=op.f("pk_notify_outbox_leaders")),
    )


def downgrade() -> None:
    op.drop_table("notify_outbox_leaders")
    op.drop_index(op.f("ix_notify_outbox_user_id"), table_name="notify_outbox")
    op.drop_index("ix_notify_outbox_state_next", table_name="notify_outbox")
    op.drop_table("notify_outbox")
    op.drop_table("notify_preferences")
