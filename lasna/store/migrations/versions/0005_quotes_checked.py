"""posts.quotes_checked: quoteCount when the post's quotes were last fetched

Revision ID: 0005_quotes_checked
Revises: 0004_users
"""

from alembic import op
import sqlalchemy as sa


revision = '0005_quotes_checked'
down_revision = '0004_users'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('posts', sa.Column('quotes_checked', sa.Integer(), nullable=True))


def downgrade() -> None:
    # a plain ALTER TABLE .. DROP COLUMN (SQLite >= 3.35): no table copy, so no cascade into post_predictions
    op.drop_column('posts', 'quotes_checked')
