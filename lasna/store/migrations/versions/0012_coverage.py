"""coverage ledger: reply losses reported by collectors, posts awaiting a coverage refresh, and the
coverage facts per leader × account × ISO week

Revision ID: 0012_coverage
Revises: 0011_notify
"""

import sqlalchemy as sa
from alembic import op

import lasna.store.schema

revision = "0012_coverage"
down_revision = "0011_notify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_losses",
        sa.Column("post_id", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("observed_at", lasna.store.schema.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"], name=op.f("fk_reply_losses_leader_id_leaders"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_reply_losses_account_id_accounts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "reason", name=op.f("pk_reply_losses")),
    )
    op.create_index(op.f("ix_reply_losses_leader_id"), "reply_losses", ["leader_id"])
    op.create_table(
        "coverage_dirty",
        sa.Column("post_id", sa.String(length=500), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"], name=op.f("fk_coverage_dirty_leader_id_leaders"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_coverage_dirty")),
    )
    op.create_index(op.f("ix_coverage_dirty_leader_id"), "coverage_dirty", ["leader_id"])
    counts = ["posts", "reported", "collected", "hidden", "deleted", "blocked", "not_found", "depth_cut",
              "other_instance", "withheld", "detached", "explained", "unexplained"]
    op.create_table(
        "leader_week_coverage",
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in counts],
        sa.Column("updated_at", lasna.store.schema.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"],
                                name=op.f("fk_leader_week_coverage_leader_id_leaders"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_leader_week_coverage_account_id_accounts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("leader_id", "account_id", "week_start", name=op.f("pk_leader_week_coverage")),
    )
    op.create_index("ix_leader_week_coverage_week", "leader_week_coverage", ["week_start"])


def downgrade() -> None:
    op.drop_index("ix_leader_week_coverage_week", table_name="leader_week_coverage")
    op.drop_table("leader_week_coverage")
    op.drop_index(op.f("ix_coverage_dirty_leader_id"), table_name="coverage_dirty")
    op.drop_table("coverage_dirty")
    op.drop_index(op.f("ix_reply_losses_leader_id"), table_name="reply_losses")
    op.drop_table("reply_losses")
