"""dashboard users: local accounts, roles, consultant assignments

Revision ID: 0004_users
Revises: 0003_tip_feedback
"""

from alembic import op
import sqlalchemy as sa
import lasna.store.schema


revision = '0004_users'
down_revision = '0003_tip_feedback'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=300), nullable=True),
    sa.Column('created_at', lasna.store.schema.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['leader_id'], ['leaders.id'], name=op.f('fk_users_leader_id_leaders'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('name', name=op.f('uq_users_name'))
    )
    op.create_table('user_leaders',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['leader_id'], ['leaders.id'], name=op.f('fk_user_leaders_leader_id_leaders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_leaders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'leader_id', name=op.f('pk_user_leaders'))
    )
    op.create_table('user_cohorts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_user_cohorts_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_cohorts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'cohort_id', name=op.f('pk_user_cohorts'))
    )


def downgrade() -> None:
    op.drop_table('user_cohorts')
    op.drop_table('user_leaders')
    op.drop_table('users')
