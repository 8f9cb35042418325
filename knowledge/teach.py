"""Moderators teach the bot: question links (a phrasing → a fact or an article) and synonyms.

Transport-free like :mod:`knowledge.curate`: Telegram (``bot.curation``) and the CLI
(``python -m knowledge questions …``) both call :class:`Teacher`, so every rule lives here.

Guarantees of every change, the same as fact edits have:

* all input is validated first and refused with one Chinese sentence (:class:`CurationError`);
  then nothing is written;
* each change is one transaction that writes a :class:`TeachingRevision` (who, when, why, what)
  and bumps the knowledge revision, so every running engine picks it up (``bot.taught``);
* the transaction starts by taking the revision row's write lock, so two moderators at once are
  serialized: both changes are kept, and a check (a cycle, a phrase already linked) always sees
  the other's committed change; unique keys back this up;
* links and synonyms live in their own tables, which a build never touches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.curate import CurationError, NotFoundError, check_text
from knowledge.models import Article, Fact, Meta, QuestionLink, Synonym, TeachingRevision
from knowledge.phrases import question_key, word_key
from knowledge.store import REVISION_KEY, bump_revision

__all__ = [
    "MAX_PHRASE",
    "MAX_WORD",
    "LinkView",
    "SynonymView",
    "Teacher",
    "TeachingView",
    "question_key",
    "word_key",
]

MAX_PHRASE = 100  # characters of a linked question
MAX_WORD = 20  # characters of a synonym's word
MAX_REASON = 500


@dataclass(frozen=True)
class LinkView:
    id: int
    phrase: str
    key: str
    target: str  # fact | article
    fact_id: int | None
    article_key: str | None
    active: bool
    by: str = ""
    at: datetime | None = None

    def describe(self) -> str:
        where = f"数据 #{self.fact_id}" if self.target == "fact" else f"文章 {self.article_key} 的摘要"
        return f"“{self.phrase}” → {where}"


@dataclass(frozen=True)
class SynonymView:
    id: int
    word: str
    target: str
    active: bool
    by: str = ""
    at: datetime | None = None

    def describe(self) -> str:
        return f"{self.word} = {self.target}"


@dataclass(frozen=True)
class TeachingView:
    """One revision: what changed, by whom, when and why."""

    id: int
    item: str
    item_id: int
    action: str
    actor: str
    at: datetime
    reason: str
    detail: str


class Teacher:
    """Links and synonyms over a sessionmaker; stateless, safe to share."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    # ----- reads

    def links(self, include_removed: bool = False) -> list[LinkView]:
        with self.factory() as session:
            stmt = select(QuestionLink).order_by(QuestionLink.id)
            if not include_removed:
                stmt = stmt.where(QuestionLink.active.is_(True))
            rows = list(session.scalars(stmt))
            last = self._last_changes(session, "link")
            return [_link_view(r, *last.get(r.id, ("", None))) for r in rows]

    def synonyms(self, include_removed: bool = False) -> list[SynonymView]:
        with self.factory() as session:
            stmt = select(Synonym).order_by(Synonym.id)
            if not include_removed:
                stmt = stmt.where(Synonym.active.is_(True))
            rows = list(session.scalars(stmt))
            last = self._last_changes(session, "synonym")
            return [_synonym_view(r, *last.get(r.id, ("", None))) for r in rows]

    def history(self, limit: int = 50) -> list[TeachingView]:
        """The latest changes of links and synonyms, newest first."""
        with self.factory() as session:
            rows = session.scalars(select(TeachingRevision).order_by(TeachingRevision.id.desc()).limit(limit))
            return [_revision_view(r) for r in rows]

    # ----- writes

    def link(self, actor: str, phrase: str, *, fact_id: int | str | None = None,
             article: str | None = None, reason: str = "") -> LinkView:  # fmt: skip
        """Answer ``phrase`` (and whatever reads the same) with a fact, or with an article's summary."""
        actor, reason = _actor_reason(actor, reason or "新增问句链接")
        phrase, key = _phrase(phrase)
        if (fact_id is None) == (article is None):
            raise CurationError("请指定一条数据编号，或者“文章 文章编号”")

        def change(session: Session) -> tuple[str, int, str]:
            target_fact = _active_fact(session, fact_id) if fact_id is not None else None
            target_article = _article_key(session, article) if article is not None else None
            row = session.scalar(select(QuestionLink).where(QuestionLink.key == key))
            if row is not None and row.active:
                raise CurationError(
                    f"问句“{_clip(row.phrase)}”已经链接过了（链接 #{row.id}），如要改链接请先 /unlink {row.id}"
                )
            if row is None:
                row = QuestionLink(key=key)
                session.add(row)
            row.phrase, row.active = phrase, True
            row.target = "fact" if target_fact is not None else "article"
            row.fact_id, row.article_key = target_fact, target_article
            session.flush()
            return "link", row.id, _link_view(row).describe()

        item_id = self._change(actor, reason, "add", change).item_id
        return next(v for v in self.links() if v.id == item_id)

    def unlink(self, actor: str, link_id: int | str, reason: str = "") -> LinkView:
        """Remove a link, named by its number or by its question."""
        actor, reason = _actor_reason(actor, reason or "删除问句链接")

        def change(session: Session) -> tuple[str, int, str]:
            row = _by_id_or(session, QuestionLink, link_id, "链接", QuestionLink.key, question_key)
            if not row.active:
                raise CurationError(f"链接 #{row.id} 已经删除了")
            row.active = False
            return "link", row.id, _link_view(row).describe()

        item_id = self._change(actor, reason, "remove", change).item_id
        return next(v for v in self.links(include_removed=True) if v.id == item_id)

    def synonym(self, actor: str, word: str, target: str, reason: str = "") -> SynonymView:
        """From now on ``word`` in a question is read as ``target`` (``电诈 = 电信诈骗``)."""
        actor, reason = _actor_reason(actor, reason or "新增同义词")
        word, target = _word(word, "词"), _word(target, "同义词")
        if word == target:
            raise CurationError(f"“{word}”不能作自己的同义词")

        def change(session: Session) -> tuple[str, int, str]:
            row = session.scalar(select(Synonym).where(Synonym.word == word))
            if row is not None and row.active:
                raise CurationError(
                    f"“{word}”已经有同义词了（#{row.id}：{row.word} = {row.target}），请先 /unsynonym {row.id}"
                )
            _refuse_cycle(session, word, target)
            if row is None:
                row = Synonym(word=word)
                session.add(row)
            row.target, row.active = target, True
            session.flush()
            return "synonym", row.id, f"{word} = {target}"

        item_id = self._change(actor, reason, "add", change).item_id
        return next(v for v in self.synonyms() if v.id == item_id)

    def unsynonym(self, actor: str, synonym_id: int | str, reason: str = "") -> SynonymView:
        """Remove a synonym, named by its number or by its word."""
        actor, reason = _actor_reason(actor, reason or "删除同义词")

        def change(session: Session) -> tuple[str, int, str]:
            row = _by_id_or(session, Synonym, synonym_id, "同义词", Synonym.word, word_key)
            if not row.active:
                raise CurationError(f"同义词 #{row.id} 已经删除了")
            row.active = False
            return "synonym", row.id, f"{row.word} = {row.target}"

        item_id = self._change(actor, reason, "remove", change).item_id
        return next(v for v in self.synonyms(include_removed=True) if v.id == item_id)

    def undo(self, actor: str, reason: str = "") -> TeachingView:
        """Take back ``actor``'s latest link or synonym change; undoing twice redoes it."""
        actor, reason = _actor_reason(actor, reason or "撤销上一次修改")
        action_of: dict[str, str] = {}

        def change(session: Session) -> tuple[str, int, str]:
            last = session.scalar(
                select(TeachingRevision)
                .where(TeachingRevision.actor == actor)
                .order_by(TeachingRevision.id.desc())
                .limit(1)
            )
            if last is None:
                raise CurationError("您还没有新增或删除过问句链接、同义词，没有可撤销的修改")
            model = QuestionLink if last.item == "link" else Synonym
            row = session.get(model, last.item_id)
            restore = last.action == "remove"
            what = "链接" if last.item == "link" else "同义词"
            if row is None or row.active == restore:
                raise CurationError(f"{what} #{last.item_id} 之后又被改过，无法撤销：{last.detail}")
            if restore and isinstance(row, Synonym):
                _refuse_cycle(session, row.word, row.target)
            if restore and isinstance(row, QuestionLink) and row.target == "fact":
                _active_fact(session, row.fact_id)
            row.active = restore
            action_of["action"] = "add" if restore else "remove"
            return last.item, last.item_id, last.detail

        return self._change(actor, reason, lambda: action_of["action"], change)

    # ----- plumbing

    def _change(
        self,
        actor: str,
        reason: str,
        action: str | Callable[[], str],
        change: Callable[[Session], tuple[str, int, str]],
    ) -> TeachingView:
        """Lock, change, record, bump, commit — or raise with nothing written."""
        for attempt in range(2):
            try:
                with self.factory() as session, session.begin():
                    _lock(session)
                    item, item_id, detail = change(session)
                    revision = TeachingRevision(
                        item=item,
                        item_id=item_id,
                        action=action if isinstance(action, str) else action(),
                        actor=actor,
                        reason=reason,
                        detail=detail,
                    )
                    session.add(revision)
                    bump_revision(session)
                return _revision_view(revision)
            except IntegrityError:
                # A knowledge base without a revision row yet cannot be locked: a concurrent
                # insert of the same key lands here; the retry sees it and words the refusal.
                if attempt:
                    raise CurationError("另一位管理员刚刚做了相同的修改，请刷新后再试") from None
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _last_changes(session: Session, item: str) -> dict[int, tuple[str, datetime]]:
        rows = session.execute(
            select(TeachingRevision.item_id, TeachingRevision.actor, TeachingRevision.at)
            .where(TeachingRevision.item == item)
            .order_by(TeachingRevision.id)
        )
        return {item_id: (actor, at) for item_id, actor, at in rows}


# --------------------------------------------------------------------------- validation


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _actor_reason(actor: str, reason: str) -> tuple[str, str]:
    actor = check_text("actor", actor or "", 100, required=True)
    return actor, check_text("reason", reason, MAX_REASON, required=True, multiline=True)


def _phrase(raw: str) -> tuple[str, str]:
    text = (raw or "").strip()
    if len(text) > MAX_PHRASE:
        raise CurationError(f"问句过长（{len(text)} 字，最多 {MAX_PHRASE} 字）")
    text = check_text("phrase", text, MAX_PHRASE)
    key = question_key(text)
    if not key:
        raise CurationError("问句不能为空（只有标点和空格也不行）")
    return text, key


def _word(raw: str, label: str) -> str:
    text = (raw or "").strip()
    if len(text) > MAX_WORD:
        raise CurationError(f"{label}过长（{len(text)} 字，最多 {MAX_WORD} 字）")
    text = check_text("word", text, MAX_WORD)
    word = word_key(text)
    if not question_key(word):
        raise CurationError(f"{label}不能为空（只有标点和空格也不行）")
    if any(ch in word for ch in "=,，"):
        raise CurationError(f"{label}里不能有“=”或逗号，写法是 /synonym 词 = 同义词")
    return word


def _refuse_cycle(session: Session, word: str, target: str) -> None:
    """``word → target`` must not lead back to ``word`` through the active synonyms."""
    edges = dict(session.execute(select(Synonym.word, Synonym.target).where(Synonym.active.is_(True))).all())
    edges.pop(word, None)
    path, at = [word, target], target
    while at in edges:
        at = edges[at]
        path.append(at)
        if at == word:
            raise CurationError(f"这样会形成循环（{' → '.join(path)}），未保存")
        if len(path) > len(edges) + 2:
            break  # an old cycle elsewhere (cannot be made through here): stop walking it


def _lock(session: Session) -> None:
    """Take the revision row's write lock first: concurrent changes wait and then see each other."""
    session.execute(update(Meta).where(Meta.key == REVISION_KEY).values(value=Meta.value))


def _number(raw: int | str, what: str) -> int:
    text = str(raw).strip().lstrip("#")
    if not text.isdigit() or len(text) > 9:
        raise CurationError(f"{what}编号“{_clip(str(raw), 20)}”不是数字")
    return int(text)


def _get(session: Session, model: type, raw: int | str, what: str):  # type: ignore[no-untyped-def]
    number = _number(raw, what)
    row = session.get(model, number)
    if row is None:  # NotFoundError for a fact: the bot adds how to find a fact's id
        raise (NotFoundError if model is Fact else CurationError)(f"找不到编号为 #{number} 的{what}")
    return row


def _by_id_or(
    session: Session, model: type, raw: int | str, what: str, column: Any, key: Callable[[str], str]
):  # type: ignore[no-untyped-def]
    """A link or synonym by its number, or by its phrase or word (what /links and /synonyms show)."""
    text = str(raw).strip()
    if text.lstrip("#").isdigit():
        return _get(session, model, text, what)
    row = session.scalar(select(model).where(column == key(text))) if key(text) else None
    if row is None:
        raise CurationError(
            f"找不到“{_clip(text)}”的{what}（{what}编号可用 /{'links' if model is QuestionLink else 'synonyms'} 查看）"
        )
    return row


def _active_fact(session: Session, raw: int | str | None) -> int:
    fact = _get(session, Fact, raw if raw is not None else "", "数据")
    if fact.status != "active":
        raise CurationError(f"数据 #{fact.id} 已停用，不能用来回答")
    return fact.id


def _article_key(session: Session, ref: str) -> str:
    ref = (ref or "").strip()
    if ref.isdigit() and len(ref) <= 9:
        key = session.scalar(select(Article.key).where(Article.id == int(ref)))
    else:
        key = session.scalar(select(Article.key).where(Article.key == ref))
    if key is None:
        raise NotFoundError(f"找不到文章“{_clip(ref, 40)}”（/articles 可查看文章编号）")
    return key


def _link_view(row: QuestionLink, by: str = "", at: datetime | None = None) -> LinkView:
    return LinkView(row.id, row.phrase, row.key, row.target, row.fact_id, row.article_key, row.active, by, at)


def _synonym_view(row: Synonym, by: str = "", at: datetime | None = None) -> SynonymView:
    return SynonymView(row.id, row.word, row.target, row.active, by, at)


def _revision_view(r: TeachingRevision) -> TeachingView:
    return TeachingView(r.id, r.item, r.item_id, r.action, r.actor, r.at, r.reason, r.detail)
