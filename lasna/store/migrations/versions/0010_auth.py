"""dashboard auth: sessions that survive a reload, failed logins shared by processes, server keys

Revision ID: 0010_auth
Revises: 0006_interaction_predictions
"""

import sqlalchemy as sa
from alembic import op

import lasna.store.schema

revision = "0010_auth"
down_revision = "0009_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("handoff_hash", sa.String(length=64), nullable=True),
        sa.Column("handoff_expires", lasna.store.schema.UTCDateTime(), nullable=True),
        sa.Column("created_at", lasna.store.schema.UTCDateTime(), nullable=False),
        sa.Column("expires_at", lasna.store.schema.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", lasna.store.schema.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_dashboard_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_sessions")),
        sa.UniqueConstraint("handoff_hash", name=op.f("uq_dashboard_sessions_handoff_hash")),
    )
    op.create_index("ix_dashboard_sessions_user_id", "dashboard_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("at", lasna.store.schema.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_name_at", "login_failures", ["name", "at"])
    op.create_table(
        "auth_keys",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", lasna.store.schema.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_auth_keys")),
    )


def downgrade() -> None:
    op.drop_table("auth_keys")
    op.drop_index("ix_login_failures_name_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_dashboard_sessions_user_id", table_name="dashboard_sessions")
    op.drop_table("dashboard_sessions")
