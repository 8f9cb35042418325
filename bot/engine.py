"""The answer engine: message in, cited ``Answer`` out, with no knowledge of any transport.

Flow: normalize → parse (intent cue, topic terms, place) → index candidates → rapidfuzz
scores → three bands: answer (high score, clear margin over another article), "您是不是想问"
choices (middle), plain refusal (low). The engine watches the knowledge base's revision and
reloads its snapshot when a build or a moderator edit changes it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import compose, followup
from bot.answer import Answer, Intent
from bot.asked import SPAN_KINDS, STAT_KINDS, find_span, measure_fits, shares_bigram, years_in
from bot.index import PASSAGE_SENTENCES, Doc
from bot.lexicon import stopwords, within
from bot.match import Scored, score_candidates, text_coverage
from bot.normalize import normalize
from bot.query import Query, parse, strip_cues
from bot.sides import Side, split_sides
from bot.taught import TaughtKeeper
from bot.tokenize import Tokenizer
from bot.view import Loaded, ViewKeeper
from knowledge.db import get_engine, init_db, session_factory
from knowledge.paths import seeds_dir as corpus_dir
from knowledge.store import ArticleView, FactView, SentenceView, Snapshot, is_built

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class Bands:
    """Where answer, "您是不是想问" choices and refusal divide. Fitted on question files (the dev set
    and the project's own): ``python -m bot eval --calibrate`` prints accuracy against answer rate."""

    high: float = 45.0  # at or above: answer, if no other article comes close
    low: float = 27.0  # below: say plainly there is no such information
    sole: float = 35.0  # below ``high``, still an answer when no other article reaches ``low``
    margin: float = 4.0  # how far the best answer must lead the best one from another article
    certain: float = 70.0  # so close a match that a runner-up does not make it ambiguous


SUGGESTIONS = 3
# Words of a list request that name no topic: "有哪些地方的报道" lists everything.
GENERIC_LIST_TERMS = frozenset(
    {"地方", "地区", "报道", "文章", "城市", "单位", "新闻", "哪里", "各地", "所有", "全部"}
)
RELATED_FACTS = 2
THANKS_REPLY = "不客气！还想了解哪方面的数据或报道，直接问我就行。"
NO_CONTEXT_REPLY = "请先提一个具体的问题，例如某地某项数据是多少、某篇报道讲了什么，我再告诉您原文和出处。"
DETAIL_CHARS = 1200  # "详细点" after a summary: this much of the article's own text
MAX_ALTERNATIVES = 10
LIST_LINES = 20  # a list answer names this many articles; /articles pages through all of them
# The change words the extractor writes, by the direction a question's hint names.
CHANGE_DIRECTION = {w: "上升" for w in ("上升", "增长", "提升", "提高", "增加")} | {
    w: "下降" for w in ("下降", "减少", "降低")
}  # how many next matches "还有吗" can walk through
OWN_WORDS_SHARE = 0.25  # how much of a fact's score depends on the question naming its own subject
ARTICLE_FROM_PARTS = 0.9  # an article scores by its own doc or, slightly less, by its best part


Alternatives = tuple[str, list[int]]  # ("fact" | "article" | "sentence", ranked ids)
SPAN_BONUS = 8.0  # a sentence that states the asked kind (an age, a date …) over one that does not
KIND_BONUS = 8.0  # a fact of the asked kind (money, a rate …) over one of another kind
ARTICLE_FACT_SHARE = 0.8
ARTICLE_WORDS = re.compile(r"(那篇|这篇|一篇|全文|整篇|文章|报道|新闻|稿子)")
TITLE_COVERAGE = 0.5  # a question naming less of the article's title than this asks about a passage
PASSAGE_CHARS = 220
RANKED_DOCS = 40  # candidates (of bot.match.CANDIDATES) whose facts and sentences are ranked
PASSAGE_SHARE = 0.7  # a passage's match, lent to its sentences and figures
FACT_LIST_SHARE = 0.85  # an article in a list shows its figures scoring this share of its best one
ARTICLE_LIST_SHARE = 0.6
SNIPPET_CHARS = 60
# Words of a list question that want figures, not articles: "各地的探头数量", "战果列一下".
FACT_LIST_WORDS = re.compile(r"(多少|数量|数目|数据|数字|战果|成果|成绩|降幅|增幅|幅度|金额|(?<!哪)几[个名人起次家项])")  # an article's figure of the asked kind, scored by the article


_TAGS = re.compile(r"<[^>]*>?")  # markup a user typed is not echoed back


def _kind(fact: FactView) -> str:
    return "percent" if fact.kind == "rate" else fact.kind



def own_words(fact: FactView) -> str:
    """What tells the facts of one sentence apart: their own subject, agency and change."""
    return " ".join(x for x in (fact.subject, fact.agency, fact.change, fact.comparison) if x)


class Engine:
    """Thread-safe; one per process is enough. ``answer`` is the whole public surface."""

    def __init__(self, factory: sessionmaker[Session], bands: Bands | None = None) -> None:
        self.bands = bands or Bands()
        self._factory = factory
        self._view = ViewKeeper(factory)
        self._taught = TaughtKeeper(factory)  # moderators' links and synonyms (bot.taught)

    @classmethod
    def open(
        cls,
        url: str | None = None,
        seeds_dir: Path | None = None,
        *,
        build: bool = True,
        progress: bool = False,
    ) -> Engine:
        """Engine on ``url`` (default: ``DATABASE_URL`` or the SQLite file), built on first use
        from ``seeds_dir`` (default: ``FACTBOT_SEEDS`` or the sample corpus)."""
        engine = get_engine(url)
        init_db(engine)
        factory = session_factory(engine)
        if build and not is_built(factory):
            from knowledge.build import build as build_kb  # the pipeline's imports only when it runs

            build_kb(factory, corpus_dir(seeds_dir), progress=progress)
        return cls(factory)

    @property
    def factory(self) -> sessionmaker[Session]:
        return self._factory

    def loaded(self) -> Loaded:
        """The current view of the knowledge base; edits and rebuilds show on the next call."""
        return self._view.current()

    def settle(self, timeout: float | None = None) -> None:
        """Wait for the next corpus revision's view if one is compiling in the background."""
        self._view.settle(timeout)

    @property
    def snapshot(self) -> Snapshot:
        return self.loaded().snapshot

    # ------------------------------------------------------------------ answering

    def answer(self, message: str, context: dict[str, Any] | None = None) -> Answer:
        kb = self.loaded()
        text = normalize(message)
        if not text:
            return self._help(kb, empty=True)
        taught = self._taught.current(kb.revision)
        if (linked := taught.answer(self, kb, message, text)) is not None:
            return linked
        text = taught.rewrite(text)
        follow = followup.resolve(text, context, kb.lexicon)
        if follow is not None:
            if follow.action == "ask":
                log.debug("follow-up %r rewritten as %r", text, follow.text)
                text = follow.text
            else:
                answer = self._follow_up(kb, follow.action, context or {})
                if answer is None:
                    return self._no_more(NO_CONTEXT_REPLY, context)
                # Keep the thread: what the follow-up did not replace stays for the next one.
                for key, value in (context or {}).items():
                    answer.context.setdefault(key, value)
                return answer
        query = parse(text, self._tokenizer_or_fail(), kb.lexicon, kb.index.knows)
        if query.intent_hint == "help":
            return self._help(kb)
        if query.intent_hint == "thanks":
            examples = self.examples(kb)
            return Answer(intent="help", reply=THANKS_REPLY, confidence=100.0, suggestions=examples)
        if query.foreign_place and query.intent_hint != "list":
            return self._unsure(kb, query, [], "none")
        scored = score_candidates(kb.index, kb.snapshot, query)
        log.debug(
            "query %r hint=%s place=%s top=%s",
            text,
            query.intent_hint,
            query.place,
            [(s.doc.kind, s.doc.ref, round(s.score, 1)) for s in scored[:5]],
        )
        if query.intent_hint == "list":
            return self._list(kb, query, scored)
        # "…是哪天举行的", "…姓什么": a question asking for a kind of answer wants a fact.
        intent = query.intent_hint or ("fact" if query.asked else self._guess_intent(kb, scored))
        if intent == "fact":
            return self._fact(kb, query, scored)
        if intent == "summary":
            return self._summary(kb, query, scored)
        return self._excerpt(kb, query, scored)

    def _follow_up(self, kb: Loaded, action: str, ctx: dict[str, Any]) -> Answer | None:
        """Answer a follow-up from the previous answer's context; None when the context lacks it."""
        article = kb.snapshot.article(ctx.get("article_id"))
        if action in {"prev_article", "next_article"}:
            articles = kb.snapshot.articles
            ids = [a.id for a in articles]
            if article is None or article.id not in ids:
                return self._no_more("请先问一篇报道，再说“上一篇”或“下一篇”。", ctx)
            i = ids.index(article.id) + (1 if action == "next_article" else -1)
            if not 0 <= i < len(articles):
                return self._no_more("已经是第一篇了。" if i < 0 else "已经是最后一篇了。", ctx)
            return self.summary_of(kb, articles[i])
        if action == "more":
            alt = ctx.get("alternatives") or {}
            ids, offset = list(alt.get("ids") or []), int(ctx.get("offset", 0)) + 1
            while offset < len(ids):
                answer = self._alternative(kb, alt.get("kind", ""), ids[offset], ids, offset)
                if answer is not None:
                    answer.context.update({k: ctx[k] for k in ("query", "terms", "place") if k in ctx})
                    return answer
                offset += 1
            return self._no_more("没有更多相关内容了。可以换个问题试试。", ctx)
        if action in {"source", "detail"}:
            sentence = self._context_sentence(kb, ctx)
            if action == "detail" and ctx.get("intent") in {"summary", "list"} and article is not None:
                return self._article_text(kb, article)
            if sentence is not None:
                return self.excerpt_of(kb, sentence, context_sentences=1 if action == "detail" else 0)
            if article is not None:
                return self._article_text(kb, article)
        return None

    def _article_text(self, kb: Loaded, article: ArticleView) -> Answer:
        """The article's own wording from the start, as much as one reply comfortably holds."""
        texts: list[str] = []
        for sentence in kb.sentences_in_article(article.id):
            if texts and sum(map(len, texts)) + len(sentence.text) > DETAIL_CHARS:
                break
            texts.append(sentence.text)
        citation = compose.citation_for(kb.snapshot, article, texts[0] if texts else None)
        return Answer(
            intent="excerpt",
            reply=compose.excerpt_reply(citation, texts),
            confidence=100.0,
            citation=citation,
            suggestions=[compose.article_question(article)],
            context=self._context("excerpt", None, article.id),
        )

    def _context_sentence(self, kb: Loaded, ctx: dict[str, Any]) -> SentenceView | None:
        if (sid := ctx.get("sentence_id")) is not None:
            return kb.sentences.get(sid)
        for fid in ctx.get("fact_ids") or []:
            fact = kb.facts.get(fid)
            if fact is not None and fact.article_id is not None and fact.sentence_position is not None:
                return kb.sentence_at(fact.article_id, fact.sentence_position)
        return None

    def _alternative(self, kb: Loaded, kind: str, ref: int, ids: list[int], offset: int) -> Answer | None:
        alternatives = (kind, ids)
        if kind == "fact" and (fact := kb.facts.get(ref)) is not None and fact.article_id is not None:
            return self.fact_of(kb, fact, alternatives=alternatives, offset=offset)
        if kind == "article" and (article := kb.snapshot.article(ref)) is not None:
            return self.summary_of(kb, article, alternatives=alternatives, offset=offset)
        if kind == "sentence" and (sentence := kb.sentences.get(ref)) is not None:
            return self.excerpt_of(kb, sentence, alternatives=alternatives, offset=offset)
        return None

    @staticmethod
    def _no_more(reply: str, context: dict[str, Any] | None) -> Answer:
        """A follow-up that cannot go further; the chat's context stays as it was."""
        return Answer(intent="none", reply=reply, context=dict(context or {}))

    def _tokenizer_or_fail(self) -> Tokenizer:
        assert self._view.tokenizer is not None, "loaded() sets the tokenizer"
        return self._view.tokenizer

    # ------------------------------------------------------------------ intents

    def _guess_intent(self, kb: Loaded, scored: list[Scored]) -> Intent:
        """No cue word: a title-like message wants the summary, else the best kind wins."""
        if not scored:
            return "none"
        best = scored[0]
        article_doc = next((s for s in scored if s.doc.kind == "article"), None)
        if article_doc is not None and article_doc.score >= best.score:
            return "summary"
        return "fact" if best.doc.kind == "fact" else "excerpt"

    def _fact(self, kb: Loaded, query: Query, scored: list[Scored]) -> Answer:
        ranked = self._rank_facts(kb, query, scored)
        sentences = self._rank_sentences(kb, query, scored)
        if self._wants_sentence(query, ranked, sentences):
            return self._sentence_answer(kb, query, scored, sentences)
        band = self._band(kb, [(f.article_id, s) for f, s in ranked])
        choices = [compose.fact_question(f, self._place_of(kb, f)) for f, s in ranked if s >= self.bands.low]
        band = self._sole(band, choices, ranked[0][1] if ranked else 0.0)
        if band != "answer":
            if sentences and band == "none" and sentences[0][1] >= self.bands.high:
                return self._sentence_answer(kb, query, scored, sentences)
            return self._unsure(kb, query, scored, band, choices)
        fact, score = ranked[0]
        if (miss := self._near_miss(kb, query, fact)) is not None:
            return miss
        related = [f for f, s in ranked[1:] if f.article_id == fact.article_id and s >= self.bands.high]
        alternatives = ("fact", [f.id for f, s in ranked if s >= self.bands.low][:MAX_ALTERNATIVES])
        return self.fact_of(
            kb,
            fact,
            related[:RELATED_FACTS],
            query=query,
            confidence=score,
            alternatives=alternatives,
            debug=self._debug(scored),
        )

    def _wants_sentence(
        self, query: Query, ranked: list[tuple[FactView, float]], sentences: list[tuple[SentenceView, float]]
    ) -> bool:
        """A name, a date, an ordinal …: no statistic answers it, the best sentence does. So does a
        sentence stating the asked kind (为期一周) when the facts found are of another kind."""
        if not sentences:
            return False
        if query.asked and query.asked not in STAT_KINDS:
            return True  # _sentence_answer refuses when no sentence states it
        if not ranked:
            # No figure: a sentence answers a count only if it states one of the asked kind.
            stated = query.asked not in STAT_KINDS or find_span(query.asked, sentences[0][0].text)
            return bool(stated) and sentences[0][1] >= self.bands.low
        fact, score = ranked[0]
        sentence, s_score = sentences[0]
        if query.asked and _kind(fact) != query.asked and find_span(query.asked, sentence.text):
            return s_score >= score - self.bands.margin
        return False

    def _rank_sentences(self, kb: Loaded, query: Query, scored: list[Scored]) -> list[tuple[SentenceView, float]]:
        """Sentences by their own score, their facts' or their passage's; one stating the asked kind first."""
        best: dict[int, tuple[SentenceView, float]] = {}

        def keep(sentence: SentenceView, score: float) -> None:
            if sentence.id not in best or score > best[sentence.id][1]:
                best[sentence.id] = (sentence, score)

        for s in scored:
            if s.doc.kind == "passage":
                # A passage vouches for its sentences, most for one stating the asked kind.
                for member in self._passage_sentences(kb, s.doc):
                    stated = bool(query.asked) and find_span(query.asked, member.text)
                    if stated or not query.asked:
                        keep(member, s.score * PASSAGE_SHARE + (SPAN_BONUS if stated else 0.0))
                continue
            sentence = self._doc_sentence(kb, s.doc)
            if sentence is None:
                continue
            score = s.score
            if query.asked and find_span(query.asked, sentence.text):
                score += SPAN_BONUS
            keep(sentence, score)
        ranked = sorted(best.values(), key=lambda pair: (-pair[1], pair[0].id))
        if query.place:
            # Another place's sentence answers another question, however well it matches.
            ranked = [(t, sc) for t, sc in ranked if self._about(kb, t.article_id, query.place)]
        return ranked

    @staticmethod
    def _doc_sentence(kb: Loaded, doc: Doc) -> SentenceView | None:
        """The sentence a sentence or fact document stands for."""
        if doc.kind == "sentence":
            return kb.sentences.get(doc.ref)
        if doc.kind == "fact":
            fact = kb.facts.get(doc.ref)
            if fact and fact.article_id is not None and fact.sentence_position is not None:
                return kb.sentence_at(fact.article_id, fact.sentence_position)
        return None

    @staticmethod
    def _passage_sentences(kb: Loaded, doc: Doc) -> list[SentenceView]:
        first = kb.sentences.get(doc.ref)
        if first is None:
            return []
        window = (kb.sentence_at(first.article_id, first.position + i) for i in range(PASSAGE_SENTENCES))
        return [t for t in window if t is not None]

    def _sentence_answer(
        self, kb: Loaded, query: Query, scored: list[Scored], ranked: list[tuple[SentenceView, float]]
    ) -> Answer:
        """Answer a question no statistic answers with the sentence that does, its span marked."""
        if query.asked in SPAN_KINDS and query.asked not in STAT_KINDS:
            # An age, a date, a phone number …: only a sentence that states one answers.
            ranked = [(sent, score) for sent, score in ranked if find_span(query.asked, sent.text)]
        band = self._band(kb, [(sent.article_id, score) for sent, score in ranked])
        choices = self._article_choices(kb, self._article_scores(kb, scored))
        band = self._sole(band, choices, ranked[0][1] if ranked else 0.0)
        if band != "answer":
            return self._unsure(kb, query, scored, band, choices)
        sentence, score = ranked[0]
        article = kb.snapshot.article(sentence.article_id)
        assert article is not None
        if query.years and not self._of_year(kb, sentence.article_id, sentence.text, query.years):
            years = "、".join(f"{y}年" for y in query.years)
            reply = f"抱歉，报道里没有{article.place or ''}{years}的相关内容，我不会编造。"
            return Answer(
                intent="none",
                reply=reply,
                suggestions=[compose.article_question(article)],
                context=self._context("none", query, None),
            )
        citation = compose.citation_for(kb.snapshot, article, sentence.text)
        span = find_span(query.asked, sentence.text)
        facts = kb.facts_in_sentence(sentence.article_id, sentence.position)
        alternatives = ("sentence", [sent.id for sent, s in ranked if s >= self.bands.low][:MAX_ALTERNATIVES])
        return Answer(
            intent="fact",
            reply=compose.sentence_reply(citation, sentence.text, span),
            confidence=round(score, 1),
            citation=citation,
            fact_ids=[f.id for f in facts],
            suggestions=[compose.article_question(article)],
            context=self._context(
                "fact", query, article.id, sentence_id=sentence.id, alternatives=alternatives
            ),
            debug=self._debug(scored),
        )

    def _near_miss(self, kb: Loaded, query: Query, fact: FactView) -> Answer | None:
        """A place or year the question names that the figure is not of: say what the reports have."""
        place = self._place_of(kb, fact) or ""
        if query.place and not self._about(kb, fact.article_id, query.place, fact.agency):
            missing = query.place
        elif (
            query.other_place
            and query.other_place not in fact.sentence
            and not (place and within(place, query.other_place))
        ):
            missing = query.other_place
        elif query.years and not self._of_year(
            kb, fact.article_id, " ".join(x for x in (fact.period, fact.sentence) if x), query.years
        ):
            missing = place + "、".join(f"{y}年" for y in query.years)
        else:
            return None
        article = kb.snapshot.article(fact.article_id)
        assert article is not None
        reply = "\n".join(
            [
                f"抱歉，报道里没有{missing}的这项数据。",
                f"报道里有的是：{compose.fact_line(fact)}",
                compose.source_line(compose.citation_for(kb.snapshot, article)),
            ]
        )
        return Answer(
            intent="none",
            reply=reply,
            suggestions=[compose.fact_question(fact, place or None)],
            context=self._context("none", query, None),
        )

    @staticmethod
    def _of_year(kb: Loaded, article_id: int | None, said: str, years: tuple[str, ...]) -> bool:
        """Whether what ``said`` states is of one of ``years``: by the years it names, or, when it
        names none ("今年1-10月份"), by the year the article's figures are mostly of."""
        if any(year in said for year in years):
            return True
        if years_in(said):
            return False
        counts: dict[str, int] = {}
        for other in kb.facts_in_article(article_id):
            for year in years_in(other.period or ""):
                counts[year] = counts.get(year, 0) + 1
        return bool(counts) and max(counts, key=lambda y: counts[y]) in years

    def fact_of(
        self,
        kb: Loaded,
        fact: FactView,
        related: list[FactView] | None = None,
        *,
        query: Query | None = None,
        confidence: float = 100.0,
        alternatives: Alternatives | None = None,
        offset: int = 0,
        debug: list[str] | None = None,
    ) -> Answer:
        article = kb.snapshot.article(fact.article_id)
        assert article is not None
        related = related or []
        citation = compose.citation_for(kb.snapshot, article, fact.sentence)
        return Answer(
            intent="fact",
            reply=compose.fact_reply(fact, citation, related),
            confidence=round(confidence, 1),
            citation=citation,
            fact_ids=[fact.id] + [r.id for r in related],
            suggestions=[compose.article_question(article)],
            context=self._context(
                "fact", query, article.id, fact_ids=[fact.id], alternatives=alternatives, offset=offset
            ),
            debug=debug or [],
        )

    def _rank_facts(self, kb: Loaded, query: Query, scored: list[Scored]) -> list[tuple[FactView, float]]:
        best: dict[int, float] = {}
        adjust: dict[int, tuple[float, float]] = {}
        for s in scored[:RANKED_DOCS]:
            if s.doc.kind == "fact":
                candidates = [(kb.facts.get(s.doc.ref), s.score)]
            elif s.doc.kind == "sentence":
                sentence = kb.sentences.get(s.doc.ref)
                found = kb.facts_in_sentence(sentence.article_id, sentence.position) if sentence else []
                candidates = [(f, s.score * 0.95) for f in found]
            elif s.doc.kind == "passage":
                # Only a figure of the asked kind: a passage matches more words than any one figure.
                members = self._passage_sentences(kb, s.doc) if query.asked in STAT_KINDS else []
                found = [f for t in members for f in kb.facts_in_sentence(t.article_id, t.position)]
                candidates = [(f, s.score * PASSAGE_SHARE) for f in found if _kind(f) == query.asked]
            elif s.doc.kind == "article" and query.asked in STAT_KINDS:
                # "骗了周先生多少": the article is clear, its figure of the asked kind answers.
                found = [f for f in kb.facts_in_article(s.doc.ref) if _kind(f) == query.asked]
                candidates = [(f, s.score * ARTICLE_FACT_SHARE) for f in found]
            else:
                continue
            for fact, score in candidates:
                if fact is None or fact.article_id is None:
                    continue
                if fact.id not in adjust:  # a fact reached through several documents is judged once
                    own = text_coverage(kb.index, query, own_words(fact))
                    adjust[fact.id] = (1 - OWN_WORDS_SHARE + OWN_WORDS_SHARE * own, self._fact_bonus(query, fact))
                factor, bonus = adjust[fact.id]
                score = score * factor + bonus
                if score > best.get(fact.id, -1.0):
                    best[fact.id] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(kb.facts[fid], score) for fid, score in ranked]

    @staticmethod
    def _fact_bonus(query: Query, fact: FactView) -> float:
        """Prefer the kind of figure the question asks for: a fall, a rise, a rate, money, a duration."""
        bonus = 0.0
        if query.change_hint:
            bonus += 6 if CHANGE_DIRECTION.get(fact.change or "") == query.change_hint else -4
        asked = query.asked if query.asked in STAT_KINDS else None
        if asked:
            bonus += KIND_BONUS if _kind(fact) == asked else -KIND_BONUS / 2
        if query.measure and not measure_fits(query.measure, fact.unit):
            bonus -= KIND_BONUS  # "多少支暴走队" is not answered by "每队百余人"
        if fact.kind == "age" and query.asked != "age":
            bonus -= KIND_BONUS  # "被判了几年" is not answered by "张某某（30岁）"
        if query.counted_variants and not any(shares_bigram(v, fact.subject) for v in query.counted_variants):
            bonus -= 2 * KIND_BONUS  # "几起命案" is not answered by "受理刑事案件1336起"
        return bonus

    def _article_scores(self, kb: Loaded, scored: list[Scored]) -> list[tuple[int, float]]:
        best: dict[int, float] = {}
        for s in scored:
            if s.doc.article_id is None:
                continue
            score = s.score if s.doc.kind == "article" else s.score * ARTICLE_FROM_PARTS
            if score > best.get(s.doc.article_id, -1.0):
                best[s.doc.article_id] = score
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))

    def _summary(self, kb: Loaded, query: Query, scored: list[Scored]) -> Answer:
        ranked = self._article_scores(kb, scored)
        band = self._band(kb, ranked)
        choices = self._article_choices(kb, ranked)
        band = self._sole(band, choices, ranked[0][1] if ranked else 0.0)
        if band != "answer":
            return self._unsure(kb, query, scored, band, choices)
        article_id, score = ranked[0]
        article = kb.snapshot.article(article_id)
        assert article is not None
        alternatives = ("article", [aid for aid, s in ranked if s >= self.bands.low][:MAX_ALTERNATIVES])
        inside = [sent for sent, _ in self._rank_sentences(kb, query, scored) if sent.article_id == article_id]
        head = " ".join(x for x in (article.title, article.place, article.agency) if x)
        whole = ARTICLE_WORDS.search(query.text) is not None  # "那篇讲了什么" asks for the article
        if inside and not whole and text_coverage(kb.index, query, head) < TITLE_COVERAGE:
            # "…那件事是怎么回事" asks about one event of the article: its passage answers.
            return self._passage(kb, query, article, inside[0], score, scored)
        return self.summary_of(
            kb, article, query=query, confidence=score, alternatives=alternatives, debug=self._debug(scored)
        )

    def summary_of(
        self,
        kb: Loaded,
        article: ArticleView,
        *,
        query: Query | None = None,
        confidence: float = 100.0,
        alternatives: Alternatives | None = None,
        offset: int = 0,
        debug: list[str] | None = None,
    ) -> Answer:
        citation = compose.citation_for(kb.snapshot, article)
        facts = kb.facts_in_article(article.id)
        suggestions = [compose.fact_question(facts[0], article.place)] if facts else []
        return Answer(
            intent="summary",
            reply=compose.summary_reply(article, citation),
            confidence=round(confidence, 1),
            citation=citation,
            suggestions=suggestions,
            context=self._context("summary", query, article.id, alternatives=alternatives, offset=offset),
            debug=debug or [],
        )

    def _passage(
        self,
        kb: Loaded,
        query: Query,
        article: ArticleView,
        sentence: SentenceView,
        score: float,
        scored: list[Scored],
    ) -> Answer:
        """The best sentence and the ones around it that tell the same event, up to PASSAGE_CHARS."""
        texts = [sentence.text]
        before, after = sentence.position - 1, sentence.position + 1
        while sum(map(len, texts)) < PASSAGE_CHARS:
            nxt = kb.sentence_at(article.id, after)
            prev = kb.sentence_at(article.id, before) if len(texts) > 1 or nxt is None else None
            if prev is None and nxt is None:
                break
            if nxt is not None:
                texts.append(nxt.text)
                after += 1
            if prev is not None and sum(map(len, texts)) < PASSAGE_CHARS:
                texts.insert(0, prev.text)
                before -= 1
        citation = compose.citation_for(kb.snapshot, article, sentence.text)
        return Answer(
            intent="summary",
            reply=compose.passage_reply(citation, texts),
            confidence=round(score, 1),
            citation=citation,
            suggestions=[compose.article_question(article)],
            context=self._context("summary", query, article.id, sentence_id=sentence.id),
            debug=self._debug(scored),
        )

    def _excerpt(self, kb: Loaded, query: Query, scored: list[Scored]) -> Answer:
        ranked: list[tuple[SentenceView, float]] = []
        seen: set[int] = set()
        for s in scored:
            sentence = self._doc_sentence(kb, s.doc)
            if sentence is not None and sentence.id not in seen:
                seen.add(sentence.id)
                ranked.append((sentence, s.score))
        band = self._band(kb, [(sent.article_id, score) for sent, score in ranked])
        choices = self._article_choices(kb, self._article_scores(kb, scored))
        band = self._sole(band, choices, ranked[0][1] if ranked else 0.0)
        if band != "answer":
            return self._unsure(kb, query, scored, band, choices)
        sentence, score = ranked[0]
        alternatives = ("sentence", [sent.id for sent, s in ranked if s >= self.bands.low][:MAX_ALTERNATIVES])
        # The sentence that matches often introduces the words asked for ("…常挂嘴边的顺口溜。"),
        # or follows them: the quote carries its neighbours.
        return self.excerpt_of(
            kb,
            sentence,
            query=query,
            confidence=score,
            alternatives=alternatives,
            context_sentences=1,
            debug=self._debug(scored),
        )

    def excerpt_of(
        self,
        kb: Loaded,
        sentence: SentenceView,
        *,
        query: Query | None = None,
        confidence: float = 100.0,
        alternatives: Alternatives | None = None,
        offset: int = 0,
        context_sentences: int = 0,
        debug: list[str] | None = None,
    ) -> Answer:
        """The original sentence, with ``context_sentences`` neighbours on each side when asked for more."""
        article = kb.snapshot.article(sentence.article_id)
        assert article is not None
        citation = compose.citation_for(kb.snapshot, article, sentence.text)
        facts = kb.facts_in_sentence(sentence.article_id, sentence.position)
        around = range(sentence.position - context_sentences, sentence.position + context_sentences + 1)
        texts = [t.text for p in around if (t := kb.sentence_at(sentence.article_id, p)) is not None]
        return Answer(
            intent="excerpt",
            reply=compose.excerpt_reply(citation, texts),
            confidence=round(confidence, 1),
            citation=citation,
            fact_ids=[f.id for f in facts],
            suggestions=[compose.article_question(article)],
            context=self._context(
                "excerpt",
                query,
                article.id,
                sentence_id=sentence.id,
                alternatives=alternatives,
                offset=offset,
            ),
            debug=debug or [],
        )

    def _list(self, kb: Loaded, query: Query, scored: list[Scored]) -> Answer:
        """Lists and comparisons come from the whole fact table and every article, not the top hit."""
        tokens = self._tokenizer_or_fail().cut(strip_cues(query.text))
        stop = stopwords()
        sides = split_sides(
            tokens, lambda run: self._entity(kb, run), lambda t: t not in stop and (len(t) > 1 or not t.isascii())
        )
        if sides:
            answer = self._sides(kb, query, sides, scored)
            if answer is not None:
                return answer
        if query.asked in STAT_KINDS or FACT_LIST_WORDS.search(query.text):
            answer = self._fact_list(kb, query, scored)
            if answer is not None:
                return answer
        return self._article_list(kb, query, scored)

    @staticmethod
    def _entity(kb: Loaded, run: list[str]) -> str | None:
        """The place or unit a run of words is about: one the corpus knows, else any place name."""
        words = [w for w in run if w.strip()]
        place = kb.lexicon.place_in(words, "".join(words))
        units = sorted((w for w in words if w in kb.lexicon.names and w not in kb.lexicon.places), key=len)
        if units:
            return units[-1]
        if place:
            return place
        return next((w for w in words if w in kb.lexicon.world_places), None)

    @staticmethod
    def _about(kb: Loaded, article_id: int | None, entity: str, agency: str | None = None) -> bool:
        article = kb.snapshot.article(article_id)
        if article is None:
            return False
        short = entity.rstrip("市县区") or entity
        said = " ".join(x for x in (article.place, article.agency, article.title, agency) if x)
        return short in said or (bool(article.place) and article.place in short)

    def _side(self, kb: Loaded, query: Query, side: Side, taken: set[int]) -> tuple[str, Any] | None:
        """The best fact (or, for what no statistic says, sentence) answering one side."""
        sub = parse(side.text, self._tokenizer_or_fail(), kb.lexicon, kb.index.knows)
        sub.asked = sub.asked or query.asked
        sub.change_hint = sub.change_hint or query.change_hint
        scored = score_candidates(kb.index, kb.snapshot, sub)
        facts = [
            (f, s)
            for f, s in self._rank_facts(kb, sub, scored)
            if f.id not in taken and (side.entity is None or self._about(kb, f.article_id, side.entity, f.agency))
        ]
        sentences = [
            (t, s)
            for t, s in self._rank_sentences(kb, sub, scored)
            if side.entity is None or self._about(kb, t.article_id, side.entity)
        ]
        if facts and facts[0][1] >= self.bands.low and not self._wants_sentence(sub, facts, sentences):
            return "fact", facts[0][0]
        if sentences and sentences[0][1] >= self.bands.low:
            return "sentence", sentences[0][0]
        return None

    def _sides(self, kb: Loaded, query: Query, sides: list[Side], scored: list[Scored]) -> Answer | None:
        found: list[tuple[Side, tuple[str, Any] | None]] = []
        taken: set[int] = set()
        for side in sides:
            pick = self._side(kb, query, side, taken)
            if pick is not None and pick[0] == "fact":
                taken.add(pick[1].id)
            found.append((side, pick))
        if sum(pick is not None for _, pick in found) < 2:
            return None
        lines = [f"{compose.COMPARE_ICON if query.compare else compose.LIST_ICON} 分项来看："]
        fact_ids: list[int] = []
        first_article: ArticleView | None = None
        for i, (side, pick) in enumerate(found, 1):
            label = side.entity or side.text
            if pick is None:
                lines.append(f"{i}. {label}：报道里没有找到这项内容。")
                continue
            kind, item = pick
            article = kb.snapshot.article(item.article_id)
            assert article is not None
            first_article = first_article or article
            citation = compose.citation_for(kb.snapshot, article)
            if kind == "fact":
                fact_ids.append(item.id)
                where = self._place_of(kb, item) or ""
                who = item.agency or where
                if where and item.agency and where not in item.agency:
                    who = where + item.agency if item.agency[0] in "省市县区" else f"{where} · {item.agency}"
                lines.append(f"{i}. {who or label}：{compose.fact_line(item)}")
                lines.append(f"   {compose.source_line(citation)}；原文：“{item.sentence}”")
            else:
                span = find_span(query.asked, item.text)
                lines.append(f"{i}. {label}：{span + '，' if span else ''}原文：“{item.text}”")
                lines.append(f"   {compose.source_line(citation)}")
        if query.compare:
            facts = [item for _, pick in found if pick and pick[0] == "fact" for item in [pick[1]]]
            if len(facts) == 2:
                lines.append(compose.comparison_line(facts[0], facts[1]))
        assert first_article is not None
        return Answer(
            intent="list",
            reply="\n".join(lines),
            confidence=100.0,
            citation=compose.citation_for(kb.snapshot, first_article),
            fact_ids=fact_ids,
            suggestions=[compose.article_question(first_article)],
            context=self._context("list", query, first_article.id, fact_ids=fact_ids),
            debug=self._debug(scored),
        )

    def _fact_list(self, kb: Loaded, query: Query, scored: list[Scored]) -> Answer | None:
        """Every figure that answers the question, grouped by article, one line each."""
        ranked = self._rank_facts(kb, query, scored)
        if query.asked in STAT_KINDS:
            ranked = [(f, s) for f, s in ranked if _kind(f) == query.asked] or ranked
        if query.place:
            ranked = [(f, s) for f, s in ranked if self._about(kb, f.article_id, query.place, f.agency)]
        if not ranked or ranked[0][1] < self.bands.low:
            return None
        # Each article that answers, with the figures that answer about as well as its best one.
        cut = max(self.bands.low, ranked[0][1] * ARTICLE_LIST_SHARE)
        article_best: dict[int | None, float] = {}
        for fact, score in ranked:
            article_best.setdefault(fact.article_id, score)
        chosen = [
            f for f, s in ranked if article_best[f.article_id] >= cut and s >= article_best[f.article_id] * FACT_LIST_SHARE
        ][:LIST_LINES]
        order = {aid: i for i, aid in enumerate(dict.fromkeys(f.article_id for f in chosen))}
        chosen.sort(key=lambda f: (order[f.article_id], f.sentence_position or 0, f.id))
        lines = [f"{compose.LIST_ICON} 共找到 {len(chosen)} 条相关数据："]
        current: int | None = None
        for i, fact in enumerate(chosen, 1):
            article = kb.snapshot.article(fact.article_id)
            assert article is not None
            if fact.article_id != current:
                current = fact.article_id
                lines.append(compose.source_line(compose.citation_for(kb.snapshot, article)))
            lines.append(f"{i}. {compose.fact_line(fact)}")
        top = kb.snapshot.article(chosen[0].article_id)
        assert top is not None
        ids = [f.id for f in chosen]
        return Answer(
            intent="list",
            reply="\n".join(lines),
            confidence=round(ranked[0][1], 1),
            citation=compose.citation_for(kb.snapshot, top, chosen[0].sentence),
            fact_ids=ids,
            suggestions=[compose.article_question(top)],
            context=self._context("list", query, top.id, fact_ids=ids, alternatives=("fact", ids)),
            debug=self._debug(scored),
        )

    def _article_list(self, kb: Loaded, query: Query, scored: list[Scored]) -> Answer:
        articles = kb.snapshot.articles
        best_sentence: dict[int, SentenceView] = {}
        if set(query.terms) - GENERIC_LIST_TERMS:
            ranked = self._article_scores(kb, scored)
            cut = max(self.bands.low, ranked[0][1] * ARTICLE_LIST_SHARE) if ranked else self.bands.low
            chosen = [a for a in (kb.snapshot.article(aid) for aid, s in ranked if s >= cut) if a is not None]
            if where := query.place or query.other_place:
                # "济宁下面各县区的新闻": the articles from a place inside it, best matches first.
                inside = [
                    a for a in articles if self._about(kb, a.id, where) or (a.place and within(a.place, where))
                ]
                chosen = sorted(inside, key=lambda a: a not in chosen) or chosen
            for sentence, _ in self._rank_sentences(kb, query, scored):
                best_sentence.setdefault(sentence.article_id, sentence)
        else:
            chosen = list(articles)
        if not chosen:
            return self._unsure(kb, query, scored, "none")
        lines = [f"{compose.LIST_ICON} 共找到 {len(chosen)} 篇相关报道："]
        for i, article in enumerate(chosen[:LIST_LINES], 1):
            where = " · ".join(x for x in (article.place, article.agency) if x) or "—"
            count = kb.fact_count(article.id)
            lines.append(f"{i}. 《{article.title}》（{where}，数据 {count} 条）")
            if (sentence := best_sentence.get(article.id)) is not None:
                lines.append(f"   “{compose.clip(sentence.text, SNIPPET_CHARS)}”")
        if len(chosen) > LIST_LINES:
            lines.append(f"……以上是前 {LIST_LINES} 篇。发送 /articles 可翻页查看全部，或把问题问得更具体些。")
        top = chosen[0]
        return Answer(
            intent="list",
            reply="\n".join(lines),
            confidence=100.0,
            citation=compose.citation_for(kb.snapshot, top),
            suggestions=[compose.article_question(a) for a in chosen[:SUGGESTIONS]],
            context=self._context("list", query, top.id, alternatives=("article", [a.id for a in chosen])),
            debug=self._debug(scored),
        )

    def _help(self, kb: Loaded, *, empty: bool = False) -> Answer:
        snap = kb.snapshot
        examples = self.examples(kb)
        lines = ["请输入您想了解的问题。"] if empty else []
        lines += [
            f"我是警务快答 FactBot，可以回答 {len(snap.articles)} 篇公安改革报道里的问题，每个回答都注明出处：",
            "· 问数据：某地某项数字是多少、同比下降了多少",
            "· 要摘要：某篇报道讲了什么",
            "· 查原文：某件事报道原文怎么说的",
            "· 列报道：有哪些地方的报道",
            "例如：",
        ]
        lines += [f"· {e}" for e in examples]
        return Answer(intent="help", reply="\n".join(lines), confidence=100.0, suggestions=examples)

    def examples(self, kb: Loaded | None = None) -> list[str]:
        """Example questions drawn from the knowledge base itself, so they always have answers."""
        kb = kb or self.loaded()
        if kb.example_questions:
            return list(kb.example_questions)
        out: list[str] = []
        fact = next((f for f in kb.snapshot.facts if f.agency and f.change), None)
        if fact is not None:
            out.append(compose.fact_question(fact, self._place_of(kb, fact)))
        if kb.snapshot.articles:
            out.append(compose.article_question(kb.snapshot.articles[-1]))
        if any(a.place for a in kb.snapshot.articles):
            out.append("有哪些地方的报道？")
        kb.example_questions = out
        return list(out)

    # ------------------------------------------------------------------ bands

    def _sole(self, band: str, choices: list[str], best: float) -> str:
        """A menu of one is no choice: the user would only tap it (or loop back to it). It is the
        answer when the match is good enough for one, else a plain refusal."""
        if band != "choose" or len(set(choices)) != 1:
            return band
        return "answer" if best >= self.bands.sole else "none"

    def _band(self, kb: Loaded, ranked: list[tuple[int | None, float]]) -> str:
        """answer | choose | none, judged on the best score and its lead over another article."""
        if not ranked:
            return "none"
        best_article, best = ranked[0]
        if best < self.bands.low:
            return "none"
        runner_up = next((s for aid, s in ranked[1:] if aid != best_article), 0.0)
        if best < self.bands.high:
            # The only plausible article: a one-item menu would only make the user tap it.
            return "answer" if best >= self.bands.sole and runner_up < self.bands.low else "choose"
        if best >= self.bands.certain and best - runner_up > 0.5:
            return "answer"
        return "answer" if best - runner_up >= self.bands.margin else "choose"

    def _unsure(
        self, kb: Loaded, query: Query, scored: list[Scored], band: str, choices: list[str] | None = None
    ) -> Answer:
        """Middle band: offer the closest questions; low band: say plainly there is nothing."""
        choices = list(dict.fromkeys(choices or []))[:SUGGESTIONS] if band == "choose" else []
        if choices:
            reply = "您是不是想问：\n" + "\n".join(f"{i}. {c}" for i, c in enumerate(choices, 1))
        else:
            # The user's own words, not the joined search terms ("howmuchmoney…").
            topic = query.foreign_place or _TAGS.sub("", strip_cues(query.text)).strip() or query.topic
            nearby = [compose.article_question(a) for a in self._nearby_articles(kb, scored)]
            choices = nearby or self.examples(kb)
            wanted_figure = query.intent_hint == "fact" or query.asked is not None
            reply = (
                f"抱歉，知识库里没有关于“{compose.clip(topic, 40)}”的信息"
                + ("，我不会编造数字。\n" if wanted_figure else "。\n")
                + "您可以换个说法，或者试试：\n"
                + "\n".join(f"· {c}" for c in choices)
            )
        return Answer(
            intent="none",
            reply=reply,
            confidence=round(scored[0].score, 1) if scored else 0.0,
            suggestions=choices,
            context=self._context("none", query, None),
            debug=self._debug(scored),
        )

    @staticmethod
    def _place_of(kb: Loaded, fact: FactView) -> str | None:
        article = kb.snapshot.article(fact.article_id)
        return article.place if article is not None else None

    def _article_choices(self, kb: Loaded, ranked: list[tuple[int, float]]) -> list[str]:
        articles = (kb.snapshot.article(aid) for aid, score in ranked if score >= self.bands.low)
        return [compose.article_question(a) for a in articles if a is not None]

    def _nearby_articles(self, kb: Loaded, scored: list[Scored]) -> list[ArticleView]:
        ids: list[int] = []
        for s in scored:
            if s.doc.article_id is not None and s.doc.article_id not in ids and s.coverage > 0:
                ids.append(s.doc.article_id)
            if len(ids) >= SUGGESTIONS:
                break
        return [a for a in (kb.snapshot.article(i) for i in ids) if a is not None]

    # ------------------------------------------------------------------ context & diagnostics

    @staticmethod
    def _context(
        intent: str,
        query: Query | None,
        article_id: int | None,
        *,
        fact_ids: list[int] | None = None,
        sentence_id: int | None = None,
        alternatives: Alternatives | None = None,
        offset: int = 0,
    ) -> dict[str, Any]:
        """What a follow-up may inherit; JSON-safe because it is stored per chat in the database."""
        ctx: dict[str, Any] = {"intent": intent, "article_id": article_id}
        if query is not None:
            ctx.update(query=query.text, terms=query.terms, place=query.place, change=query.change_hint)
        if fact_ids:
            ctx["fact_ids"] = fact_ids
        if sentence_id is not None:
            ctx["sentence_id"] = sentence_id
        if alternatives:
            ctx["alternatives"] = {"kind": alternatives[0], "ids": alternatives[1]}
            ctx["offset"] = offset
        return ctx

    @staticmethod
    def _debug(scored: list[Scored]) -> list[str]:
        return [
            f"{s.doc.kind}:{s.doc.ref} score={s.score:.1f} cov={s.coverage:.2f} fuzz={s.fuzzy:.2f}"
            for s in scored[:5]
        ]
