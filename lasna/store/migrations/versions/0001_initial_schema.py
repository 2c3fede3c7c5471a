"""initial schema

Revision ID: 0001
Revises: 
"""

from alembic import op
import sqlalchemy as sa
import lasna.store.schema


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('cohorts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohorts')),
    sa.UniqueConstraint('name', name=op.f('uq_cohorts_name'))
    )
    op.create_table('collection_runs',
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('started_at', lasna.store.schema.UTCDateTime(), nullable=False),
    sa.Column('finished_at', lasna.store.schema.UTCDateTime(), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=True),
    sa.Column('host', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_collection_runs'))
    )
    op.create_table('leaders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', lasna.store.schema.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaders')),
    sa.UniqueConstraint('name', name=op.f('uq_leaders_name'))
    )
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('handle', sa.String(length=500), nullable=False),
    sa.Column('stable_id', sa.String(length=500), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('added_at', lasna.store.schema.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['leader_id'], ['leaders.id'], name=op.f('fk_accounts_leader_id_leaders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('leader_id', 'platform', 'handle', name='uq_accounts_leader_platform_handle'),
    sa.UniqueConstraint('platform', 'stable_id', name='uq_accounts_platform_stable_id')
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_leader_id'), ['leader_id'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=100), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['leader_id'], ['leaders.id'], name=op.f('fk_goals_leader_id_leaders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_leader_id'), ['leader_id'], unique=False)

    op.create_table('leader_cohorts',
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_leader_cohorts_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['leader_id'], ['leaders.id'], name=op.f('fk_leader_cohorts_leader_id_leaders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('leader_id', 'cohort_id', name=op.f('pk_leader_cohorts'))
    )
    op.create_table('session_notes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('baseline_start', sa.Date(), nullable=True),
    sa.Column('baseline_end', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('next_session', sa.Date(), nullable=True),
    sa.Column('consultant', sa.String(length=200), nullable=True),
    sa.Column('created_at', lasna.store.schema.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['leader_id'], ['leaders.id'], name=op.f('fk_session_notes_leader_id_leaders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_notes'))
    )
    with op.batch_alter_table('session_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_notes_leader_id'), ['leader_id'], unique=False)

    op.create_table('collection_run_accounts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('leader', sa.String(length=200), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('account', sa.String(length=500), nullable=False),
    sa.Column('new_posts', sa.Integer(), nullable=False),
    sa.Column('new_interactions', sa.Integer(), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('finished_at', lasna.store.schema.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_collection_run_accounts_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['leader_id'], ['leaders.id'], name=op.f('fk_collection_run_accounts_leader_id_leaders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['collection_runs.run_id'], name=op.f('fk_collection_run_accounts_run_id_collection_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_run_accounts'))
    )
    with op.batch_alter_table('collection_run_accounts', schema=None) as batch_op:
        batch_op.create_index('ix_run_accounts_run', ['run_id'], unique=False)

    op.create_table('collection_state',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('updated_at', lasna.store.schema.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_collection_state_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'key', name=op.f('pk_collection_state'))
    )
    op.create_table('interactions',
    sa.Column('id', sa.String(length=500), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('author_id', sa.String(length=500), nullable=False),
    sa.Column('author_handle', sa.String(length=500), nullable=True),
    sa.Column('author_name', sa.String(length=500), nullable=True),
    sa.Column('created_at', lasna.store.schema.UTCDateTime(), nullable=False),
    sa.Column('indexed_at', lasna.store.schema.UTCDateTime(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('parent_id', sa.String(length=500), nullable=True),
    sa.Column('root_id', sa.String(length=500), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_interactions_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['leader_id'], ['leaders.id'], name=op.f('fk_interactions_leader_id_leaders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions'))
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_leader_created', ['leader_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_parent_id'), ['parent_id'], unique=False)

    op.create_table('posts',
    sa.Column('id', sa.String(length=500), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('author_id', sa.String(length=500), nullable=False),
    sa.Column('created_at', lasna.store.schema.UTCDateTime(), nullable=False),
    sa.Column('indexed_at', lasna.store.schema.UTCDateTime(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('reply_parent_id', sa.String(length=500), nullable=True),
    sa.Column('reply_root_id', sa.String(length=500), nullable=True),
    sa.Column('reply_parent_author_id', sa.String(length=500), nullable=True),
    sa.Column('quote_of_id', sa.String(length=500), nullable=True),
    sa.Column('is_repost', sa.Boolean(), nullable=False),
    sa.Column('repost_of_id', sa.String(length=500), nullable=True),
    sa.Column('mentions', sa.JSON(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('like_count', sa.Integer(), nullable=False),
    sa.Column('reply_count', sa.Integer(), nullable=False),
    sa.Column('repost_count', sa.Integer(), nullable=False),
    sa.Column('quote_count', sa.Integer(), nullable=False),
    sa.Column('replies_restricted', sa.Boolean(), nullable=False),
    sa.Column('quotes_disabled', sa.Boolean(), nullable=False),
    sa.Column('hidden_replies', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('thread_checked_replies', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_posts_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['leader_id'], ['leaders.id'], name=op.f('fk_posts_leader_id_leaders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts'))
    )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index('ix_posts_account_created', ['account_id', 'created_at'], unique=False)
        batch_op.create_index('ix_posts_leader_created', ['leader_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_reply_parent_id'), ['reply_parent_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posts_reply_parent_id'))
        batch_op.drop_index('ix_posts_leader_created')
        batch_op.drop_index('ix_posts_account_created')

    op.drop_table('posts')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interactions_parent_id'))
        batch_op.drop_index('ix_interactions_leader_created')

    op.drop_table('interactions')
    op.drop_table('collection_state')
    with op.batch_alter_table('collection_run_accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_run_accounts_run')

    op.drop_table('collection_run_accounts')
    with op.batch_alter_table('session_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_notes_leader_id'))

    op.drop_table('session_notes')
    op.drop_table('leader_cohorts')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_leader_id'))

    op.drop_table('goals')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_leader_id'))

    op.drop_table('accounts')
    op.drop_table('leaders')
    op.drop_table('collection_runs')
    op.drop_table('cohorts')

