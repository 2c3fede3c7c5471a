"""tip feedback: tips a leader dismissed or marked done

Revision ID: 0003_tip_feedback
Revises: 0002_post_predictions
"""

from alembic import op
import sqlalchemy as sa
import lasna.store.schema


revision = "0003_tip_feedback"
down_revision = "0002_post_predictions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tip_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("tip_key", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("at", lasna.store.schema.UTCDateTime(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"], name=op.f("fk_tip_feedback_leader_id_leaders"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_feedback")),
    )
    with op.batch_alter_table("tip_feedback", schema=None) as batch_op:
        batch_op.create_index("ix_tip_feedback_leader_at", ["leader_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tip_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_tip_feedback_leader_at")
    op.drop_table("tip_feedback")
