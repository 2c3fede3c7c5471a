"""facts per leader x ISO week, first contacts, and the indexes their refresh reads by

Revision ID: 0008_facts
Revises: 0006_interaction_predictions
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_facts"
down_revision = "0007_enrichment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leader_week_facts",
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("first_t", sa.BigInteger(), nullable=True),
        sa.Column("n_posts", sa.Integer(), nullable=False),
        sa.Column("n_interactions", sa.Integer(), nullable=False),
        sa.Column("posts", sa.LargeBinary(), nullable=False),
        sa.Column("interactions", sa.LargeBinary(), nullable=False),
        sa.Column("mentions", sa.LargeBinary(), nullable=False),
        sa.Column("ids", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"], name=op.f("fk_leader_week_facts_leader_id_leaders"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("leader_id", "week_start", name=op.f("pk_leader_week_facts")),
    )
    op.create_index("ix_leader_week_facts_first_t", "leader_week_facts", ["leader_id", "first_t"])
    op.create_table(
        "leader_contacts",
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=500), nullable=False),
        sa.Column("first_t", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"], name=op.f("fk_leader_contacts_leader_id_leaders"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("leader_id", "account", name=op.f("pk_leader_contacts")),
    )
    op.create_index("ix_leader_contacts_first", "leader_contacts", ["leader_id", "first_t"])
    op.create_table(
        "facts_state",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_facts_state")),
    )
    op.create_index("ix_posts_leader_indexed", "posts", ["leader_id", "indexed_at"])
    op.create_index("ix_posts_reply_root", "posts", ["reply_root_id"])
    op.create_index("ix_interactions_leader_indexed", "interactions", ["leader_id", "indexed_at"])
    op.create_index("ix_interactions_root", "interactions", ["root_id"])


def downgrade() -> None:
    op.drop_index("ix_interactions_root", table_name="interactions")
    op.drop_index("ix_interactions_leader_indexed", table_name="interactions")
    op.drop_index("ix_posts_reply_root", table_name="posts")
    op.drop_index("ix_posts_leader_indexed", table_name="posts")
    op.drop_table("facts_state")
    op.drop_index("ix_leader_contacts_first", table_name="leader_contacts")
    op.drop_table("leader_contacts")
    op.drop_index("ix_leader_week_facts_first_t", table_name="leader_week_facts")
    op.drop_table("leader_week_facts")
