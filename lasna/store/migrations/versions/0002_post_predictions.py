"""post type predictions cache

Revision ID: 0002_post_predictions
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_post_predictions"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_predictions",
        sa.Column("post_id", sa.String(length=500), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("proba", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_predictions_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "model_version", name=op.f("pk_post_predictions")),
    )


def downgrade() -> None:
    op.drop_table("post_predictions")
