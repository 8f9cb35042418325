"""index facts.updated_at: running bots read just the facts changed since their last look.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # if_not_exists: a database made by create_all after this index was added already has it
    op.create_index("ix_facts_updated_at", "facts", ["updated_at"], unique=False, if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_facts_updated_at", table_name="facts")
