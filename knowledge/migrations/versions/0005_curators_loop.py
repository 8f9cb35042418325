"""The curators' loop: question links, synonyms and their revisions, the question log, votes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tables() -> dict[str, tuple]:
    updated = ("updated_at", sa.DateTime(timezone=True))
    return {
        "question_links": (
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key", sa.String(length=200), nullable=False),
            sa.Column("phrase", sa.String(length=200), nullable=False),
            sa.Column("target", sa.String(length=10), nullable=False),
            sa.Column("fact_id", sa.Integer(), nullable=True),
            sa.Column("article_key", sa.String(length=300), nullable=True),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column(*updated, nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("key"),
        ),
        "synonyms": (
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("word", sa.String(length=40), nullable=False),
            sa.Column("target", sa.String(length=40), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column(*updated, nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("word"),
        ),
        "teaching_revisions": (
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("item", sa.String(length=10), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column("action", sa.String(length=10), nullable=False),
            sa.Column("actor", sa.String(length=100), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("detail", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        ),
        "unanswered_questions": (
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key", sa.String(length=300), nullable=False),
            sa.Column("text", sa.String(length=300), nullable=False),
            sa.Column("chat_type", sa.String(length=20), nullable=False),
            sa.Column("outcome", sa.String(length=10), nullable=False),
            sa.Column("count", sa.Integer(), nullable=False),
            sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("key", "chat_type", name="uq_unanswered_questions_key_chat_type"),
        ),
        "question_days": (
            sa.Column("day", sa.String(length=10), nullable=False),
            sa.Column("answered", sa.Integer(), nullable=False),
            sa.Column("chose", sa.Integer(), nullable=False),
            sa.Column("refused", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("day"),
        ),
        "answer_votes": (
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("answer_ref", sa.String(length=64), nullable=False),
            sa.Column("user_ref", sa.String(length=64), nullable=False),
            sa.Column("vote", sa.Integer(), nullable=False),
            sa.Column("question", sa.String(length=300), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("ids", sa.JSON(), nullable=False),
            sa.Column("answer", sa.Text(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.CheckConstraint("vote in (-1, 1)", name="ck_answer_votes_vote"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("answer_ref", "user_ref", name="uq_answer_votes_answer_user"),
        ),
    }


INDEXES = (
    ("ix_question_links_active", "question_links", ["active"]),
    ("ix_synonyms_active", "synonyms", ["active"]),
    ("ix_teaching_revisions_actor", "teaching_revisions", ["actor"]),
    ("ix_unanswered_questions_last_at", "unanswered_questions", ["last_at"]),
    ("ix_answer_votes_at", "answer_votes", ["at"]),
)


def upgrade() -> None:
    # a database made by create_all (stamped at the baseline by init_db) may already have them
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, columns in _tables().items():
        if name not in existing:
            op.create_table(name, *columns)
    for index, table, columns in INDEXES:
        op.create_index(index, table, columns, unique=False, if_not_exists=True)


def downgrade() -> None:
    for index, table, _ in INDEXES:
        op.drop_index(index, table_name=table)
    for name in reversed(list(_tables())):
        op.drop_table(name)
