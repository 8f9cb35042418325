"""sentences.cut: a sentence a column break cut off, kept in the text but never quoted.

OCR'd pages lose the other part of a paragraph where a column ends (…提升对案件的攻坚能 / 今年1月，…).
The build flags such sentences; this revision adds the column and flags the rows already stored
by the main case of the rule (a paragraph's last sentence that stops on a letter or a digit), so a
knowledge base need not be rebuilt for its answers to stop quoting fragments.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DANGLES = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff0-9A-Za-z]$")


def upgrade() -> None:
    # A database made by create_all after this revision (then stamped at 0001) already has it.
    inspector = sa.inspect(op.get_bind())
    if "cut" not in {c["name"] for c in inspector.get_columns("sentences")}:
        with op.batch_alter_table("sentences") as batch:
            batch.add_column(sa.Column("cut", sa.Boolean(), nullable=False, server_default=sa.false()))
    sentences = sa.table(
        "sentences",
        sa.column("id", sa.Integer()),
        sa.column("article_id", sa.Integer()),
        sa.column("paragraph", sa.Integer()),
        sa.column("position", sa.Integer()),
        sa.column("text", sa.Text()),
        sa.column("cut", sa.Boolean()),
    )
    bind = op.get_bind()
    last: dict[tuple[int, int], tuple[int, str]] = {}
    rows = bind.execute(
        sa.select(sentences.c.id, sentences.c.article_id, sentences.c.paragraph, sentences.c.text).order_by(
            sentences.c.article_id, sentences.c.position
        )
    )
    for sid, article_id, paragraph, text in rows:
        last[(article_id, paragraph)] = (sid, text)
    cut = [sid for sid, text in last.values() if _DANGLES.search(text or "")]
    for start in range(0, len(cut), 500):
        bind.execute(
            sa.update(sentences).where(sentences.c.id.in_(cut[start : start + 500])).values(cut=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("sentences") as batch:
        batch.drop_column("cut")
