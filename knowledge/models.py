"""SQLAlchemy 2 schema of the knowledge base.

Extracted rows (articles, sentences, facts with ``origin='extracted'``) are derived from
``seeds/`` and may be rebuilt; moderator work (facts they added, edited or retired, every
revision, the moderators themselves) is never derived and so never rebuilt away.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class SourceFile(Base):
    """One file of ``seeds/``; its hash makes rebuilds incremental."""

    __tablename__ = "source_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    chars: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    articles: Mapped[list[Article]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="Article.ordinal"
    )


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)  # "<file stem>#<ordinal>"
    source_id: Mapped[int] = mapped_column(ForeignKey("source_files.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    title_inferred: Mapped[bool] = mapped_column(Boolean, default=False)
    place: Mapped[str | None] = mapped_column(String(100))
    agency: Mapped[str | None] = mapped_column(String(200))
    byline: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")

    source: Mapped[SourceFile] = relationship(back_populates="articles")
    sentences: Mapped[list[Sentence]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="Sentence.position"
    )


class Sentence(Base):
    __tablename__ = "sentences"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # a column break cut it off (…提升对案件的攻坚能): kept in the text, never quoted by an answer
    cut: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    article: Mapped[Article] = relationship(back_populates="sentences")


class Fact(Base):
    """A statistic. ``fingerprint`` ties an extracted fact to its source across rebuilds."""

    __tablename__ = "facts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Extracted facts keep pointing at their article's stable key, so a rebuild that
    # recreates the article rows cannot orphan a moderator-curated fact.
    article_key: Mapped[str] = mapped_column(String(300), index=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True)
    origin: Mapped[str] = mapped_column(String(20), default="extracted")  # extracted | moderator
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | retired
    curated: Mapped[bool] = mapped_column(Boolean, default=False)  # a moderator touched it
    version: Mapped[int] = mapped_column(Integer, default=1)
    subject: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Float)
    value_text: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), default="")
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    change: Mapped[str | None] = mapped_column(String(20))
    comparison: Mapped[str | None] = mapped_column(String(20))
    period: Mapped[str | None] = mapped_column(String(100))
    agency: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="count")
    sentence: Mapped[str] = mapped_column(Text, default="")
    sentence_position: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # The knowledge revision whose commit last changed this row (set by ``bump_revision`` in the
    # same transaction): running bots read the facts changed after the revision they saw.
    changed_in: Mapped[int | None] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (Index("ix_facts_status", "status"), Index("ix_facts_changed_in", "changed_in"))


class FactRevision(Base):
    """One field change of one fact: the audit trail that history and undo read."""

    __tablename__ = "fact_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    fact_id: Mapped[int] = mapped_column(ForeignKey("facts.id", ondelete="CASCADE"), index=True)
    batch: Mapped[str] = mapped_column(String(36), index=True)  # one edit = one batch of fields
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    field: Mapped[str] = mapped_column(String(50))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")


class Moderator(Base):
    __tablename__ = "moderators"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    added_by: Mapped[str] = mapped_column(String(100), default="cli")
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ChatContext(Base):
    """Per-chat conversation state, in the database so restarts and workers share it."""

    __tablename__ = "chat_contexts"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ModeratorDialogue(Base):
    """A moderator's unfinished multi-step work, in the database so any worker can continue it.

    One row per slot: ``slot="addfact"`` is the /addfact draft (its step and answers so far), any
    other slot is a confirmation token waiting for ✅/❌ (``kind`` says what it applies). ``data``
    is JSON written and validated by ``bot.dialogues``; ``version`` lets two workers
    compare-and-set a draft; ``updated_at`` is when it was last touched, for expiry.
    """

    __tablename__ = "moderator_dialogues"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    slot: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # draft | add | edit | retire | restore | undo
    chat_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_moderator_dialogues_updated_at", "updated_at"),)


class QuestionLink(Base):
    """A phrasing a moderator tied to one fact or one article's summary (the curators' loop).

    ``key`` is the phrase as ``knowledge.teach.question_key`` reads it, so any message that reads
    the same is answered with the target. One row per key: unlinking deactivates it, a later
    link of the same phrase reuses it. Articles are named by their stable key, so a rebuild that
    recreates the article rows keeps the link.
    """

    __tablename__ = "question_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    phrase: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(10))  # fact | article
    fact_id: Mapped[int | None] = mapped_column(Integer)
    article_key: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}
    # engines read the active ones after each revision: by index, not a scan (tests/bot/test_query_plans)
    __table_args__ = (Index("ix_question_links_active", "active"),)


class Synonym(Base):
    """``word`` (what people say) is read as ``target`` (what the reports say) before matching."""

    __tablename__ = "synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(40), unique=True)
    target: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_synonyms_active", "active"),)


class TeachingRevision(Base):
    """One change of a link or a synonym (added, removed), with who, when and why: undo reads it."""

    __tablename__ = "teaching_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item: Mapped[str] = mapped_column(String(10))  # link | synonym
    item_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))  # add | remove
    actor: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")  # what it was, for people: "电诈 → 电信诈骗"


class UnansweredQuestion(Base):
    """A question that got a refusal or "您是不是想问" choices: its normalized text and how often.

    No user, no name, no chat id: only the chat's type. Deleted ``FACTBOT_LOG_DAYS`` after it was
    last asked.
    """

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(String(300))
    chat_type: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(10))  # none | choose (the latest)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("key", "chat_type", name="uq_unanswered_questions_key_chat_type"),
        Index("ix_unanswered_questions_last_at", "last_at"),
    )


class QuestionDay(Base):
    """How many questions a day were answered, offered choices or refused: /stats reads it."""

    __tablename__ = "question_days"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, UTC
    answered: Mapped[int] = mapped_column(Integer, default=0)
    chose: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)


class AnswerVote(Base):
    """👍/👎 on one answer by one user: the user and the answer only as salted hashes."""

    __tablename__ = "answer_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_ref: Mapped[str] = mapped_column(String(64))
    user_ref: Mapped[str] = mapped_column(String(64))
    vote: Mapped[int] = mapped_column(Integer)  # +1 | -1
    question: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    ids: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("answer_ref", "user_ref", name="uq_answer_votes_answer_user"),
        CheckConstraint("vote in (-1, 1)", name="ck_answer_votes_vote"),
        Index("ix_answer_votes_at", "at"),
    )


class Meta(Base):
    """Small key/value facts about the knowledge base (last build time, …)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
