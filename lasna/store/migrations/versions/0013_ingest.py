"""ingest without history scans: the enrichment queue a batch fills, each account's language counts, and
an index for the first contacts of the accounts a leader replied to

Revision ID: 0013_ingest
Revises: 0012_coverage
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_ingest"
down_revision = "0012_coverage"
branch_labels = None
depends_on = None

LONG_MIN_WORDS = 3  # lasna.store.enrichment.LONG_MIN_WORDS when this migration was written


def upgrade() -> None:
    for name, key, source in (("post_enrichment_queue", "post_id", "posts"),
                              ("interaction_enrichment_queue", "interaction_id", "interactions")):
        op.create_table(
            name,
            sa.Column(key, sa.String(length=500), nullable=False),
            sa.Column("leader_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint([key], [f"{source}.id"], name=op.f(f"fk_{name}_{key}_{source}"),
                                    ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"], name=op.f(f"fk_{name}_leader_id_leaders"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint(key, name=op.f(f"pk_{name}")),
        )
        op.create_index(op.f(f"ix_{name}_leader_id"), name, ["leader_id"])
    op.create_table(
        "account_languages",
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=500), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("short", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"], name=op.f("fk_account_languages_leader_id_leaders"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("leader_id", "author_id", "lang", "short", name=op.f("pk_account_languages")),
    )
    op.create_index("ix_posts_reply_parent_author", "posts", ["reply_parent_author_id", "leader_id"])
    # what is pending now goes into the queue; the counts start from the stored enrichment
    op.execute("INSERT INTO post_enrichment_queue (post_id, leader_id) SELECT p.id, p.leader_id FROM posts p "
               "LEFT JOIN post_enrichment e ON e.post_id = p.id WHERE e.post_id IS NULL")
    op.execute("INSERT INTO interaction_enrichment_queue (interaction_id, leader_id) SELECT i.id, i.leader_id "
               "FROM interactions i LEFT JOIN interaction_enrichment e ON e.interaction_id = i.id "
               "WHERE e.interaction_id IS NULL")
    op.execute("INSERT INTO account_languages (leader_id, author_id, lang, short, n) "
               f"SELECT p.leader_id, p.author_id, COALESCE(e.lang_detected, ''), e.n_words < {LONG_MIN_WORDS}, "
               "count(*) FROM posts p JOIN post_enrichment e ON e.post_id = p.id "
               f"GROUP BY p.leader_id, p.author_id, COALESCE(e.lang_detected, ''), e.n_words < {LONG_MIN_WORDS}")


def downgrade() -> None:
    op.drop_index("ix_posts_reply_parent_author", table_name="posts")
    op.drop_table("account_languages")
    for name in ("interaction_enrichment_queue", "post_enrichment_queue"):
        op.drop_index(op.f(f"ix_{name}_leader_id"), table_name=name)
        op.drop_table(name)
