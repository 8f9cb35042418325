"""facts.changed_in: the revision whose commit last changed a fact, replacing the clock-based read.

Running bots used to read the facts with ``updated_at`` after their last look (minus a margin);
``updated_at`` is set at flush, not at commit, so a long transaction's change could be missed.
The revision is written in the same transaction as the change, so it follows commit order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database made by create_all after this revision (then stamped at 0001) already has these.
    inspector = sa.inspect(op.get_bind())
    if "changed_in" not in {c["name"] for c in inspector.get_columns("facts")}:
        op.add_column("facts", sa.Column("changed_in", sa.Integer(), nullable=True))
    op.create_index("ix_facts_changed_in", "facts", ["changed_in"], unique=False, if_not_exists=True)
    op.drop_index("ix_facts_updated_at", table_name="facts", if_exists=True)


def downgrade() -> None:
    op.create_index("ix_facts_updated_at", "facts", ["updated_at"], unique=False)
    op.drop_index("ix_facts_changed_in", table_name="facts")
    with op.batch_alter_table("facts") as batch:
        batch.drop_column("changed_in")
