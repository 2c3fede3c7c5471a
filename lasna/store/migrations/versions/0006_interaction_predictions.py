"""reply-stance predictions cache for incoming interactions

Revision ID: 0006_interaction_predictions
Revises: 0005_quotes_checked
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_interaction_predictions"
down_revision = "0005_quotes_checked"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interaction_predictions",
        sa.Column("interaction_id", sa.String(length=500), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("proba", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"], ["interactions.id"],
            name=op.f("fk_interaction_predictions_interaction_id_interactions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("interaction_id", "model_version", name=op.f("pk_interaction_predictions")),
    )


def downgrade() -> None:
    op.drop_table("interaction_predictions")
