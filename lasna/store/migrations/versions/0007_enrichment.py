"""stored enrichment: per-post features and post type, per-interaction flags, stance and answer link

Revision ID: 0007_enrichment
Revises: 0006_interaction_predictions
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_enrichment"
down_revision = "0006_interaction_predictions"
branch_labels = None
depends_on = None

POST_FLAGS = ("emoji_only", "low_substance", "first_person_singular", "first_person_plural", "question", "crediting",
              "has_link", "results_marker", "is_reply", "reply_to_other", "self_thread", "is_root")


def upgrade() -> None:
    op.create_table(
        "post_enrichment",
        sa.Column("post_id", sa.String(length=500), nullable=False),
        sa.Column("features_version", sa.String(length=100), nullable=False),
        sa.Column("lang_detected", sa.String(length=8), nullable=True),
        sa.Column("n_words", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Boolean(), nullable=False) for name in POST_FLAGS),
        sa.Column("post_type", sa.String(length=40), nullable=True),
        sa.Column("post_type_proba", sa.Float(), nullable=True),
        sa.Column("type_version", sa.String(length=100), nullable=False),
        sa.Column("enriched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_post_enrichment_post_id_posts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_enrichment")),
    )
    op.create_table(
        "interaction_enrichment",
        sa.Column("interaction_id", sa.String(length=500), nullable=False),
        sa.Column("features_version", sa.String(length=100), nullable=False),
        sa.Column("emoji_only", sa.Boolean(), nullable=False),
        sa.Column("low_substance", sa.Boolean(), nullable=False),
        sa.Column("stance", sa.String(length=40), nullable=True),
        sa.Column("stance_proba", sa.Float(), nullable=True),
        sa.Column("stance_version", sa.String(length=100), nullable=False),
        sa.Column("answered_by", sa.String(length=500), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("response_seconds", sa.Float(), nullable=True),
        sa.Column("link_version", sa.String(length=100), nullable=False),
        sa.Column("enriched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["interaction_id"], ["interactions.id"],
                                name=op.f("fk_interaction_enrichment_interaction_id_interactions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("interaction_id", name=op.f("pk_interaction_enrichment")),
    )
    op.create_index(op.f("ix_interaction_enrichment_answered_by"), "interaction_enrichment", ["answered_by"])


def downgrade() -> None:
    op.drop_index(op.f("ix_interaction_enrichment_answered_by"), table_name="interaction_enrichment")
    op.drop_table("interaction_enrichment")
    op.drop_table("post_enrichment")
