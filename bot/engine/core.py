"""The answer engine: message in, cited ``Answer`` out, with no knowledge of any transport.

Flow: normalize → parse (intent cue, topic terms, place) → index candidates → rapidfuzz
scores → three bands: answer (high score, clear margin over another article), "您是不是想问"
choices (middle), plain refusal (low). The engine watches the knowledge base's revision and
reloads its snapshot when a build or a moderator edit changes it.
"""

from __future__ import annotations

import logging
from itertools import takewhile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import compose, followup
from bot.answer import Alternatives, Answer, Choice, FollowUp, Intent, Quote
from bot.asked import SPAN_KINDS, STAT_KINDS, measure_fits, years_in
from bot.engine.lists import ListAnswers
from bot.engine.rules import (
    _TAGS,
    ADDED,
    ARREST_ASKED,
    ARRESTED,
    ARTICLE_FACT_SHARE,
    CHANGE_DIRECTION,
    COUNTED_MISS,
    DETAIL_ASKED,
    DETAIL_CHARS,
    FABRICATE_CUES,
    FABRICATE_REPLY,
    FIGURE_ASKED,
    FIGURE_KINDS,
    FORECAST,
    FORECAST_REPLY,
    JOINED,
    KIND_BONUS,
    MAX_ALTERNATIVES,
    MEASURE_MISS,
    NAMED_STORY_BONUS,
    NO_CONTEXT_REPLY,
    NUMBER,
    OWN_WORDS_SHARE,
    PART_OF_YEAR,
    PASSAGE_SHARE,
    PERIOD_BONUS,
    PERSON_ASKED,
    PERSON_NOUN,
    PHASE,
    RANKED_DOCS,
    RELATED_FACTS,
    RELATIVE_YEAR,
    ROLE,
    SENTENCE_TOLD,
    SENTENCED,
    SPAN_BONUS,
    SPAN_CLOSE,
    STORY_BEFORE,
    SUGGESTIONS,
    TELLS_DETAIL,
    THANKS_REPLY,
    TIME_OF_DAY,
    TITLE_COVERAGE,
    TOLD_BEFORE_BONUS,
    TOTAL_ASKED,
    UNTOLD_MEASURES,
    WHICH_NAMED,
    WHOLE_YEAR,
    Bands,
    asks_withheld_name,
    clause_of,
    holds_office,
    kind_of,
    leaves_unnamed,
    names_person,
    own_words,
    sayer,
    span_in,
)
from bot.engine.texts import TextAnswers
from bot.index import PASSAGE_SENTENCES, Doc
from bot.lexicon import place_named, within
from bot.match import ANCHOR_MAX_DOCS, OTHER_PLACE_FACTOR, Scored, score_candidates, text_coverage
from bot.normalize import normalize
from bot.query import Query, parse, strip_cues
from bot.sides import asked_clause, split_asks
from bot.taught import TaughtKeeper
from bot.tokenize import Tokenizer
from bot.view import Loaded, ViewKeeper
from knowledge.db import get_engine, init_db, session_factory
from knowledge.paths import seeds_dir as corpus_dir
from knowledge.store import ArticleView, FactView, SentenceView, Snapshot, is_built

log = logging.getLogger(__name__)
PLACES_KEPT = 20_000


class Engine(ListAnswers, TextAnswers):
    """Thread-safe; one per process is enough. ``answer`` is the whole public surface."""

    def __init__(self, factory: sessionmaker[Session], bands: Bands | None = None) -> None:
        self.bands = bands or Bands()
        self._factory = factory
        self._view = ViewKeeper(factory)
        self._taught = TaughtKeeper(factory)  # moderators' links and synonyms (bot.taught)
        self._places: dict[tuple[str, str | None], str | None] = {}  # where-spans found, by sentence

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

    def answer(self, message: str, context: FollowUp | None = None) -> Answer:
        """The answer to ``message``; a follow-up of ``context`` (the chat's last answer) if it reads as one."""
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
                previous = context or FollowUp()
                answer = self._follow_up(kb, follow.action, previous)
                if answer is None:
                    return self._no_more(NO_CONTEXT_REPLY, context)
                # Keep the thread: what the follow-up did not replace stays for the next one.
                answer.context = answer.context.inherit(previous)
                return answer
        query = parse(text, self._tokenizer_or_fail(), kb.lexicon, kb.index.knows)
        if query.intent_hint == "help":
            return self._help(kb)
        if query.intent_hint == "thanks":
            examples = self.examples(kb)
            return Answer(intent="help", reply=THANKS_REPLY, confidence=100.0, suggestions=examples)
        declined = FABRICATE_REPLY if FABRICATE_CUES.search(query.text) else FORECAST_REPLY if FORECAST.search(query.text) else None
        if declined is not None:
            return Answer(
                intent="none",
                reply=declined,
                suggestions=self.examples(kb),
                context=self._context("none", query, None),
            )
        if query.foreign_place and query.intent_hint != "list":
            return self._unsure(kb, query, [], "none")
        if query.unheard and query.intent_hint in (None, "fact"):
            # nothing of it in the reports: say so, and offer the stories of the place it names
            return self._unsure(kb, query, self._scored(kb, query), "none")
        if asks_withheld_name(query.text) and (sentences := kb.sentences_in_article(self._top_story(kb, query))):
            return self._not_told(kb, query, sentences[0], "其全名（报道只写了姓）")  # 张某某全名叫什么
        asks_arrest = query.intent_hint in (None, "fact", "summary") and ARREST_ASKED.search(query.text)
        if asks_arrest and (untold := self._arrest_untold(kb, query)) is not None:
            return untold
        if DETAIL_ASKED.search(query.text) and (untold := self._detail_untold(kb, query)) is not None:
            return untold
        if query.intent_hint == "list":
            return self._list(kb, query)
        if query.intent_hint in (None, "fact") and (asks := split_asks(query.text)):
            # "被骗多少钱、民警多久追回来的": each question answered in turn.
            answer = self._sides(kb, query, asks, one_story=True)
            if answer is not None:
                return answer
        if query.intent_hint in (None, "fact") and JOINED.search(query.text):
            # "荆门和新昌的破案率": two places or units asked at once is a list without its cue word.
            sides = self._split(kb, query)
            if len({side.entity for side in sides} - {None}) >= 2:
                answer = self._sides(kb, query, sides)
                if answer is not None:
                    return answer
        scored = self._scored(kb, query)
        # "…是哪天举行的", "…姓什么": a question asking for a kind of answer wants a fact.
        intent = query.intent_hint or ("fact" if query.asked else self._guess_intent(kb, query, scored))
        if intent == "summary" and query.intent_hint is None and WHICH_NAMED.search(query.text):
            intent = "excerpt"  # "冒充的是哪家医院" asks for a name, which a sentence gives, not a summary
        if intent == "fact":
            return self._fact(kb, query, scored)
        if intent == "summary":
            return self._summary(kb, query, scored)
        return self._excerpt(kb, query, scored)

    def _follow_up(self, kb: Loaded, action: str, ctx: FollowUp) -> Answer | None:
        """Answer a follow-up from the previous answer's context; None when the context lacks it."""
        article = kb.snapshot.article(ctx.article_id)
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
            alt = ctx.alternatives or Alternatives("fact", ())
            offset = ctx.offset + 1
            while offset < len(alt.ids):
                answer = self._alternative(kb, alt, offset)
                if answer is not None:
                    return answer  # answer() keeps the question it answers (FollowUp.inherit)
                offset += 1
            return self._no_more("没有更多相关内容了。可以换个问题试试。", ctx)
        if action in {"source", "detail"}:
            sentence = self._context_sentence(kb, ctx)
            if action == "detail" and ctx.intent in {"summary", "list"} and article is not None:
                return self._article_text(kb, article)
            if sentence is not None:
                return self.excerpt_of(kb, sentence, context_sentences=1 if action == "detail" else 0)
            if article is not None:
                return self._article_text(kb, article)
        return None

    def choose(self, choice: Choice) -> Answer | None:
        """The answer a chosen "您是不是想问" option names, directly (asking its question again could
        offer the same option again); None when the option no longer names it (a rebuild since)."""
        kb = self.loaded()
        query = parse(normalize(choice.question), self._tokenizer_or_fail(), kb.lexicon, kb.index.knows)
        if choice.kind == "fact" and (fact := kb.facts.get(choice.ref)) is not None:
            named = compose.fact_question(fact, self._place_of(kb, fact)) == choice.question
            if fact.article_id is not None and named:
                # the figures its sentence states beside it, as an answer to the question would show
                at = fact.sentence_position
                said = kb.facts_in_sentence(fact.article_id, at) if at is not None else []
                related = [f for f in said if f.id != fact.id][:RELATED_FACTS]
                return self.fact_of(kb, fact, related, query=query)
        elif choice.kind == "article" and (article := kb.snapshot.article(choice.ref)) is not None:
            if compose.article_question(article) == choice.question:
                return self.summary_of(kb, article, query=query)
        elif choice.kind == "sentence" and (sentence := kb.sentences.get(choice.ref)) is not None:
            return self.excerpt_of(kb, sentence, query=query)
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

    def _context_sentence(self, kb: Loaded, ctx: FollowUp) -> SentenceView | None:
        if ctx.sentence_id is not None:
            return kb.sentences.get(ctx.sentence_id)
        for fid in ctx.fact_ids:
            fact = kb.facts.get(fid)
            if fact is not None and fact.article_id is not None and fact.sentence_position is not None:
                return kb.sentence_at(fact.article_id, fact.sentence_position)
        return None

    def _alternative(self, kb: Loaded, alternatives: Alternatives, offset: int) -> Answer | None:
        kind, ref = alternatives.kind, alternatives.ids[offset]
        if kind == "fact" and (fact := kb.facts.get(ref)) is not None and fact.article_id is not None:
            return self.fact_of(kb, fact, alternatives=alternatives, offset=offset)
        if kind == "article" and (article := kb.snapshot.article(ref)) is not None:
            return self.summary_of(kb, article, alternatives=alternatives, offset=offset)
        if kind == "sentence" and (sentence := kb.sentences.get(ref)) is not None:
            return self.excerpt_of(kb, sentence, alternatives=alternatives, offset=offset)
        return None

    @staticmethod
    def _no_more(reply: str, context: FollowUp | None) -> Answer:
        """A follow-up that cannot go further; the chat's context stays as it was."""
        return Answer(intent="none", reply=reply, context=context or FollowUp())

    def _tokenizer_or_fail(self) -> Tokenizer:
        assert self._view.tokenizer is not None, "loaded() sets the tokenizer"
        return self._view.tokenizer

    # ------------------------------------------------------------------ intents

    def _guess_intent(self, kb: Loaded, query: Query, scored: list[Scored]) -> Intent:
        """No cue word: a title-like message wants the summary, else the best kind wins.

        An article level with the best part wants its summary too, unless that part is a figure
        and the title is not what the message names: an article's text holds every word of its
        figures, so "xinchang po an lv" meets both.
        """
        if not scored:
            return "none"
        best = scored[0]
        article_doc = next((s for s in scored if s.doc.kind == "article"), None)
        if article_doc is not None and article_doc.score >= best.score:
            level = takewhile(lambda s: s.score == best.score, scored)
            figure_level = article_doc.score == best.score and any(s.doc.kind == "fact" for s in level)
            if not figure_level or self._title_named(kb, query, article_doc.doc.article_id):
                return "summary"
        return "fact" if best.doc.kind == "fact" else "excerpt"

    @staticmethod
    def _unit_named(kb: Loaded, query: Query) -> str | None:
        """The police unit a question names by its own name (鼓楼派出所), the longest if several."""
        units = [t for t in query.terms if t in kb.lexicon.names and t not in kb.lexicon.places and len(t) > 3]
        return max(units, key=len) if units else None

    @staticmethod
    def _title_named(kb: Loaded, query: Query, article_id: int | None) -> bool:
        article = kb.snapshot.article(article_id)
        return article is not None and text_coverage(kb.index, query, article.title) >= TITLE_COVERAGE

    def _fact(self, kb: Loaded, query: Query, scored: list[Scored]) -> Answer:
        ranked = self._rank_facts(kb, query, scored)
        if query.asked == "duration":
            # How long something lasted is told beside what lasted: a figure whose sentence says none
            # of the question's own words is another story's (a passage lends its score to them all).
            says = sayer(query, query.place)
            sentenced = SENTENCED.search(query.text)
            # of the one story a word of the question names alone (演练), if there is one, a figure
            # its story says the question of (the time told after what took it)
            # (a word in many documents is no one story's: its postings are not read)
            named = {
                a for t in query.terms
                if len(t) > 1 and 0 < kb.index.df(t) <= ANCHOR_MAX_DOCS and len(ids := kb.index.articles_with(t)) == 1
                for a in ids
            }
            ranked = [
                (f, s)
                for f, s in ranked
                if (says(f.sentence) or (named == {f.article_id} and says(self._story_of(kb, f))))
                and (not sentenced or SENTENCE_TOLD.search(f.sentence))
            ]
            # a time asked is told by a figure of time where there is one (not 演练模拟的7名嫌疑人)
            ranked = [(f, s) for f, s in ranked if kind_of(f) == "duration"] or ranked
            if len(named) == 1:
                ranked = [(f, s) for f, s in ranked if f.article_id in named] or ranked
            # The time is told after what took it ("本次演练模拟…" three sentences before "不到10分钟…全部
            # 落网"): a figure whose story, so read, says more of the question ranks higher.
            told = [
                (f, s + TOLD_BEFORE_BONUS * text_coverage(kb.index, query, self._story_of(kb, f))
                 + (NAMED_STORY_BONUS if named == {f.article_id} else 0.0))
                for f, s in ranked
            ]
            ranked = sorted(told, key=lambda pair: -pair[1])
        if not query.place and (unit := self._unit_named(kb, query)):
            # "鼓楼派出所有多少名民警" is not answered by another unit's 百余名派出所警官.
            ranked = sorted(
                ((f, s if self._about(kb, f.article_id, unit, f.agency) else s * OTHER_PLACE_FACTOR) for f, s in ranked),
                key=lambda pair: -pair[1],
            )
        sentences = self._rank_sentences(kb, query, scored)
        if self._wants_sentence(query, ranked, sentences):
            return self._sentence_answer(kb, query, scored, sentences)
        band = self._band(kb, [(f.article_id, s) for f, s in ranked])
        choices = [compose.fact_choice(f, self._place_of(kb, f)) for f, s in ranked if s >= self.bands.low]
        band = self._sole(band, choices, ranked[0][1] if ranked else 0.0)
        if band != "answer":
            best = sentences[0] if sentences else None
            if best and band == "none" and best[1] >= self.bands.sentence and self._answers_figure(query, best[0].text):
                return self._sentence_answer(kb, query, scored, sentences)
            if band == "none" and (described := self._described(kb, query)) is not None:
                return described
            return self._unsure(kb, query, scored, band, choices)
        fact, score = ranked[0]
        if (miss := self._near_miss(kb, query, fact)) is not None:
            return miss
        if query.asked in UNTOLD_MEASURES and not any(kind_of(f) == query.asked for f, s in ranked if s >= self.bands.low):
            # "天网工程花了多少钱" when the report counts only its cameras, "过了几天才拿回来" when it
            # gives only the sum: no figure of it is the one asked
            sentence = kb.sentence_at(fact.article_id, fact.sentence_position)
            if sentence is not None:
                return self._not_told(kb, query, sentence, UNTOLD_MEASURES[query.asked])
        related = [f for f, s in ranked[1:] if f.article_id == fact.article_id and s >= self.bands.high]
        alternatives = Alternatives(
            "fact", tuple(f.id for f, s in ranked if s >= self.bands.low)[:MAX_ALTERNATIVES]
        )
        return self.fact_of(
            kb,
            fact,
            related[:RELATED_FACTS],
            query=query,
            confidence=score,
            alternatives=alternatives,
            debug=self._debug(scored),
        )

    @staticmethod
    def _event_dated_first(
        kb: Loaded, query: Query, ranked: list[tuple[SentenceView, float]]
    ) -> list[tuple[SentenceView, float]]:
        """"几月几号落网的": of dates about as good, the one whose clause tells the event asked first
        (最终于8月10日…将张某某抓获, not 7月29日…接到报警)."""
        if query.asked not in ("date", "clock") or len(ranked) < 2:
            return ranked
        close = [pair for pair in ranked if pair[1] >= ranked[0][1] - SPAN_CLOSE]
        told = max(close, key=lambda pair: text_coverage(kb.index, query, clause_of(pair[0].text, span_in(query, pair[0].text) or "")))
        return [told] + [pair for pair in ranked if pair is not told]

    def _described(self, kb: Loaded, query: Query) -> Answer | None:
        """A story described, then a question of it ("湾头大桥那次抓偷电动车的，视频小队前后忙了多久"):
        the words describing the story weigh down the few that ask, so the asking clause is answered
        alone, inside the story the description matches best; a time or a date asked of it with no
        other words of its own ("…是早上几点的事") is the one its sentences state."""
        split = self._described_split(kb, query)
        if split is None or split[0].intent_hint not in (None, "fact") or split[1] is None:
            return None
        asked, story = split
        sentences = kb.sentences_in_article(story)
        told = "".join(t.text for t in sentences)

        def of_story(term: str) -> bool:
            return term in told or any(v in told for v in asked.variants.get(term, ()))

        # what the clause names must be of that story
        if not all(of_story(t) for t in asked.terms if len(t) > 1 and kb.index.knows(t)):
            return None
        asked_scored = self._scored(kb, asked)
        answer = self._fact(kb, asked, asked_scored)
        if answer.intent != "none" and answer.context.article_id == story:
            return answer
        in_story = [(f, s) for f, s in self._rank_facts(kb, asked, asked_scored) if f.article_id == story]
        if in_story and in_story[0][1] >= self.bands.low and (not asked.asked or kind_of(in_story[0][0]) == asked.asked):
            # the asking clause's best figure is another story's: its best in the story described
            return self.fact_of(kb, in_story[0][0], query=asked, confidence=in_story[0][1])
        if asked.asked not in SPAN_KINDS or asked.asked in STAT_KINDS:
            return None
        stating = [t for t in sentences if span_in(asked, t.text)]
        # no word of its own besides the time ("…，几点下的雨" has one)
        if not stating or not all(of_story(t) or TIME_OF_DAY.fullmatch(t) for t in asked.terms):
            return None
        best = max(stating, key=lambda t: text_coverage(kb.index, query, t.text))
        return self._sentence_answer(kb, asked, asked_scored, [(best, self.bands.high)])

    def _described_split(self, kb: Loaded, query: Query) -> tuple[Query, int | None] | None:
        """The asking clause of a question that first describes its story, and the story the
        description matches best; None for a question of one clause."""
        split = asked_clause(query.text)
        if split is None:
            return None
        tokenizer = self._tokenizer_or_fail()
        described = parse(split[0], tokenizer, kb.lexicon, kb.index.knows)
        asked = parse(split[1], tokenizer, kb.lexicon, kb.index.knows)
        return asked, self._top_story(kb, described)

    def _top_story(self, kb: Loaded, query: Query) -> int | None:
        """The article the question matches best, by its best document."""
        return next((s.doc.article_id for s in self._scored(kb, query) if s.doc.article_id is not None), None)

    @staticmethod
    def _story_of(kb: Loaded, fact: FactView) -> str:
        """A figure's sentence read with the few sentences ahead of it and the one after: the
        story it ends, which names what the figure is of (a time, what took it)."""
        at = fact.sentence_position
        if at is None or fact.article_id is None:
            return fact.sentence
        around = range(at - STORY_BEFORE, at + 2)
        return "".join(t.text for p in around if (t := kb.sentence_at(fact.article_id, p)) is not None)

    @staticmethod
    def _answers_figure(query: Query, text: str) -> bool:
        """Whether a sentence can stand for the figure asked when no statistic answers: it states one
        of the asked kind, and "…有多少" one at all (马云身家有多少 is not told by 马云's lecture)."""
        if query.asked in STAT_KINDS:
            return bool(span_in(query, text))
        return not FIGURE_ASKED.search(query.text) or bool(NUMBER.search(text))

    def _wants_sentence(
        self, query: Query, ranked: list[tuple[FactView, float]], sentences: list[tuple[SentenceView, float]]
    ) -> bool:
        """A name, a date, an ordinal …: no statistic answers it, the best sentence does. So does a
        sentence stating the asked kind (为期一周) when the facts found are of another kind."""
        if not sentences:
            return False
        if query.asked and query.asked not in STAT_KINDS:
            return True  # _sentence_answer refuses when no sentence states it
        if not ranked or ranked[0][1] < self.bands.low:
            # No figure: a sentence answers a count only if it states one of the asked kind, and
            # "…有多少" only if it states some number ("马云身家有多少" is not told by 马云's lecture).
            return self._answers_figure(query, sentences[0][0].text) and sentences[0][1] >= self.bands.low
        fact, score = ranked[0]
        sentence, s_score = sentences[0]
        if query.asked and kind_of(fact) != query.asked and span_in(query, sentence.text):
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
                    stated = bool(query.asked) and self._stated(kb, query, member)
                    if stated or not query.asked:
                        keep(member, s.score * PASSAGE_SHARE + (SPAN_BONUS if stated else 0.0))
                continue
            sentence = self._doc_sentence(kb, s.doc)
            if sentence is None:
                continue
            score = s.score
            if query.asked and self._stated(kb, query, sentence):
                score += SPAN_BONUS
            keep(sentence, score)
        ranked = self._level_first(kb, query, sorted(best.values(), key=lambda pair: (-pair[1], pair[0].id)))
        if query.place:
            # Another place's sentence answers another question, however well it matches.
            ranked = [(t, sc) for t, sc in ranked if self._about(kb, t.article_id, query.place)]
        return ranked

    @staticmethod
    def _level_first(
        kb: Loaded, query: Query, ranked: list[tuple[SentenceView, float]], margin: float = 0.0
    ) -> list[tuple[SentenceView, float]]:
        """The sentences of one passage share its score: of those level with the best (within
        ``margin``), the one saying more of the question first ("哪天落网的": the sentence with 抓获
        and its date, not the one with the report's date)."""
        if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] - margin:
            level = [pair for pair in ranked if pair[1] >= ranked[0][1] - margin]
            # the place asked tells no sentence of its own article from another ("嘉祥…哪天在汕头逮到")
            place = query.place or "\0"
            level.sort(key=lambda pair: -text_coverage(kb.index, query, pair[0].text.replace(place, "")))
            ranked[: len(level)] = level
        return ranked

    def _stated(self, kb: Loaded, query: Query, sentence: SentenceView) -> str | None:
        """``span_in`` for a sentence of the corpus: a place asked for is not the article's own;
        a native place is the division before 人 (饶平县人), else any place the sentence names."""
        if query.asked == "hometown" and (native := span_in(query, sentence.text)):
            return native
        if query.asked not in ("where", "hometown"):
            return span_in(query, sentence.text)
        article = kb.snapshot.article(sentence.article_id)
        home = article.place if article else None
        key = (sentence.text, home)
        if key not in self._places:
            if len(self._places) >= PLACES_KEPT:
                self._places.clear()
            frequency = self._tokenizer_or_fail().frequency
            self._places[key] = place_named(sentence.text, home, frequency, kb.lexicon.world_places)
        return self._places[key]

    @staticmethod
    def _doc_sentence(kb: Loaded, doc: Doc) -> SentenceView | None:
        """The sentence a sentence or fact document stands for."""
        if doc.kind == "sentence":
            return kb.sentences.get(doc.ref)
        if doc.kind == "fact" and (placed := kb.facts.placed(doc.ref)) is not None:
            article_id, position = placed
            if article_id is not None and position is not None:
                return kb.sentence_at(article_id, position)
        return None

    @staticmethod
    def _passage_sentences(kb: Loaded, doc: Doc) -> tuple[SentenceView, ...]:
        return kb.passage(doc.ref, PASSAGE_SENTENCES)

    def _sentence_answer(
        self, kb: Loaded, query: Query, scored: list[Scored], ranked: list[tuple[SentenceView, float]]
    ) -> Answer:
        """Answer a question no statistic answers with the sentence that does, its span marked."""
        native = [(sent, score) for sent, score in ranked if span_in(query, sent.text)] if query.asked == "hometown" else []
        if native:
            ranked = native  # "老家是哪的": the sentence telling where someone is from (饶平县人)
        elif query.asked in SPAN_KINDS and query.asked not in STAT_KINDS | {"hometown"}:
            # An age, a date, a phone number …: only a sentence that states one answers.
            # of those about as good, the one saying more of the question (the date it was 抓获, not
            # the day it was reported)
            stating = [(sent, score) for sent, score in ranked if span_in(query, sent.text)]
            ranked = self._level_first(kb, query, stating, SPAN_CLOSE)
            ranked = self._event_dated_first(kb, query, ranked)
        elif query.asked == "name" and (role := ROLE.search(query.text)):
            # "局长是谁": a sentence naming someone in that office (副所长唐海钢), not any sentence
            # of the unit it names, if it names one (鼓楼派出所所长 is not 龙泉派出所所长)
            unit = None if query.place else self._unit_named(kb, query)
            ranked = [
                (sent, score)
                for sent, score in ranked
                if holds_office(role, sent.text) and (unit is None or unit in sent.text or self._about(kb, sent.article_id, unit))
            ]
        elif query.asked in ("where", "hometown") and ranked:
            # "从哪来的": a sentence naming another place first, if it matches about as well; the
            # article's own place may be the answer too ("…是哪儿搞的"), so none is ruled out.
            naming = [(sent, score) for sent, score in ranked if self._stated(kb, query, sent)]
            if naming and naming[0][1] >= ranked[0][1] - SPAN_BONUS:
                ranked = naming + [pair for pair in ranked if pair not in naming]
        band = self._band(kb, [(sent.article_id, score) for sent, score in ranked])
        choices = self._article_choices(kb, self._article_scores(kb, scored))
        band = self._sole(band, choices, ranked[0][1] if ranked else 0.0)
        if band == "none" and (described := self._described(kb, query)) is not None:
            return described
        if band != "answer":
            return self._unsure(kb, query, scored, band, choices)
        sentence, score = ranked[0]
        if (unnamed := self._unnamed(kb, query, sentence)) is not None:
            return unnamed
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
        span = self._stated(kb, query, sentence)
        if span is None and query.asked == "name" and (person := PERSON_ASKED.search(query.text)):
            # "老人的女儿叫啥名字": where the story names nobody near it, it does not say
            around = [kb.sentence_at(sentence.article_id, sentence.position + d) for d in (-1, 0, 1)]
            if not any(t is not None and names_person(t.text) for t in around):
                whose = PERSON_NOUN.findall(person.group(0))[-1]  # 老大爷的女儿: the daughter's
                return self._not_told(kb, query, sentence, f"{whose}的名字")
        facts = kb.facts_in_sentence(sentence.article_id, sentence.position)
        alternatives = Alternatives(
            "sentence", tuple(sent.id for sent, s in ranked if s >= self.bands.low)[:MAX_ALTERNATIVES]
        )
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
            quote=Quote(sentence.text, span),
        )

    def _unnamed(self, kb: Loaded, query: Query, sentence: SentenceView) -> Answer | None:
        """"冒充哪家医院" when the report says only 某医院: a refusal that says so, else None."""
        unnamed = leaves_unnamed(query.text, sentence.text)
        return None if unnamed is None else self._not_told(kb, query, sentence, f"是{unnamed}")

    def _arrest_untold(self, kb: Loaded, query: Query) -> Answer | None:
        """"金乡那个骗子最后抓到了吗": the story asked of never says anyone was caught (it tells the
        money got back): not told, rather than a sentence of it read as a yes."""
        sentences = kb.sentences_in_article(self._top_story(kb, query))
        if not sentences or any(ARRESTED.search(t.text) for t in sentences):
            return None
        return self._not_told(kb, query, sentences[0], "嫌疑人是否落网")

    def _detail_untold(self, kb: Loaded, query: Query) -> Answer | None:
        """"马云那堂课具体讲了哪些内容": the person asked of is named in one sentence of all the
        reports, which neither lists nor quotes what they said: the reports do not tell it."""
        for term in query.terms:
            if len(term) < 2 or not names_person(term):
                continue
            mentions = [
                t for article_id in sorted(kb.index.articles_with(term))
                for t in kb.sentences_in_article(article_id) if term in t.text
            ]
            if len(mentions) == 1 and not TELLS_DETAIL.search(mentions[0].text):
                return self._not_told(kb, query, mentions[0], f"{term}具体讲了什么")
        return None

    def _not_told(self, kb: Loaded, query: Query, sentence: SentenceView, what: str) -> Answer:
        """The report speaks of it but does not say ``what``: one sentence, and its article to ask."""
        article = kb.snapshot.article(sentence.article_id)
        return Answer(
            intent="none",
            reply=f"抱歉，报道里没有写明{what}。",
            suggestions=[compose.article_question(article)] if article else [],
            context=self._context("none", query, None),
        )

    def _near_miss(self, kb: Loaded, query: Query, fact: FactView) -> Answer | None:
        """A place or year the question names that the figure is not of: say what the reports have."""
        place = self._place_of(kb, fact) or ""
        said = " ".join(x for x in (fact.period, fact.sentence) if x)  # when the figure is of
        asked_years, said_years = set(RELATIVE_YEAR.findall(query.text)), set(RELATIVE_YEAR.findall(said))
        if query.place and not self._about(kb, fact.article_id, query.place, fact.agency):
            missing = query.place
        elif (
            query.other_place
            and fact.article_id not in kb.index.articles_with(query.other_place)  # 昭阳辖区为微山县新城区
            and not (place and within(place, query.other_place))
        ):
            missing = query.other_place
        elif query.years and not self._of_year(kb, fact.article_id, said, query.years):
            missing = place + "、".join(f"{y}年" for y in query.years)
        elif asked_years and said_years and not asked_years & said_years:
            # "去年抓了多少" is not answered by 今年以来的 42名
            missing = place + RELATIVE_YEAR.search(query.text).group(0)
        elif (whole := WHOLE_YEAR.search(query.text)) and PART_OF_YEAR.search(said):
            missing = place + whole.group(0)  # "2016年全年" is not 2016年1-10月份
        elif TOTAL_ASKED.search(query.text) and ADDED.search(fact.subject or "") and not ADDED.search(query.text):
            missing = place + "总数"  # "总共装了多少只" is not 新增探头2000个
        elif (asked_phases := set(PHASE.findall(query.text))) and (said := set(PHASE.findall(fact.sentence))) and not asked_phases & said:
            # "天网工程二期装了多少探头" is not answered by the 三期's 2000个
            missing = "、".join(f"{p}期" for p in sorted(asked_phases))
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
            facts=[compose.figure_of(fact, place or None)],
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
            headline=compose.figure_of(fact, article.place),
            facts=[compose.figure_of(f, self._place_of(kb, f)) for f in [fact, *related]],
            quote=Quote(fact.sentence) if fact.sentence else None,
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
                candidates = [(f, s.score * PASSAGE_SHARE) for f in found if kind_of(f) == query.asked]
            elif s.doc.kind == "article" and query.asked in STAT_KINDS:
                # "骗了周先生多少": the article is clear, its figure of the asked kind answers.
                found = [f for f in kb.facts_in_article(s.doc.ref) if kind_of(f) == query.asked]
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
            bonus += KIND_BONUS if kind_of(fact) == asked else -KIND_BONUS / 2
        if query.measure and not measure_fits(query.measure, fact.unit):
            bonus -= MEASURE_MISS  # "多少支暴走队" is not answered by "每队百余人", "多少名民警" not by "三次"
        if fact.kind == "age" and query.asked != "age":
            bonus -= KIND_BONUS  # "被判了几年" is not answered by "张某某（30岁）"
        if query.counted_variants and not any(b in fact.subject for b in query.counted_marks):
            bonus -= COUNTED_MISS  # "几起命案" is not answered by "受理刑事案件1336起", nor 民警 by 嫌疑人
        asked_times = RELATIVE_YEAR.findall(query.text) + [f"{y}年" for y in query.years]
        if asked_times and fact.period and any(t in fact.period for t in asked_times):
            bonus += PERIOD_BONUS  # "今年抓了多少": the figure 今年以来, not one of no stated time
        return bonus

    def _help(self, kb: Loaded, *, empty: bool = False) -> Answer:
        snap = kb.snapshot
        examples = self.examples(kb)
        lines = ["请输入您想了解的问题。"] if empty else []
        lines += [
            f"我是警务快答 FactBot，可以回答 {len(snap.articles)} 篇报道里的问题，每个回答都注明出处：",
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

    def _sole(self, band: str, choices: list[Choice], best: float) -> str:
        """A menu of one is no choice: the user would only tap it (or loop back to it). It is the
        answer when the match is good enough for one, else a plain refusal."""
        if band != "choose" or len({c.question for c in choices}) != 1:
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
        self, kb: Loaded, query: Query, scored: list[Scored], band: str, options: list[Choice] | None = None
    ) -> Answer:
        """Middle band: offer the closest questions; low band: say plainly there is nothing."""
        distinct: dict[str, Choice] = {}
        for option in options or []:
            distinct.setdefault(option.question, option)
        offered = list(distinct.values())[:SUGGESTIONS] if band == "choose" else []
        choices = [c.question for c in offered]
        if choices:
            reply = "您是不是想问：\n" + "\n".join(f"{i}. {c}" for i, c in enumerate(choices, 1))
        else:
            # The user's own words, not the joined search terms ("howmuchmoney…").
            topic = query.foreign_place or _TAGS.sub("", strip_cues(query.typed or query.text)).strip() or query.topic
            nearby = [compose.article_question(a) for a in self._nearby_articles(kb, scored)]
            choices = nearby or self.examples(kb)
            # "我不会编造数字" answers a question for a figure, not one for a name or a date.
            wanted_figure = query.asked in FIGURE_KINDS or (query.asked is None and bool(FIGURE_ASKED.search(query.text)))
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
            choices=offered,
        )

    @staticmethod
    def _place_of(kb: Loaded, fact: FactView) -> str | None:
        article = kb.snapshot.article(fact.article_id)
        return article.place if article is not None else None

    def _article_choices(self, kb: Loaded, ranked: list[tuple[int, float]]) -> list[Choice]:
        articles = (kb.snapshot.article(aid) for aid, score in ranked if score >= self.bands.low)
        return [compose.article_choice(a) for a in articles if a is not None]

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
    ) -> FollowUp:
        """What a follow-up may inherit (stored per chat in the database, see ``FollowUp.to_dict``)."""
        asked: dict[str, Any] = {}
        if query is not None:
            asked.update(query=query.text, terms=tuple(query.terms), place=query.place)
            asked["change"] = query.change_hint
        return FollowUp(
            intent=intent,
            article_id=article_id,
            **asked,
            fact_ids=tuple(fact_ids or ()),
            sentence_id=sentence_id,
            alternatives=alternatives,
            offset=offset if alternatives is not None else 0,
        )

    @staticmethod
    def _scored(kb: Loaded, query: Query) -> list[Scored]:
        """The candidates for the whole question, best first."""
        scored = score_candidates(kb.index, kb.snapshot, query)
        log.debug(
            "query %r hint=%s place=%s top=%s",
            query.text,
            query.intent_hint,
            query.place,
            [(s.doc.kind, s.doc.ref, round(s.score, 1)) for s in scored[:5]],
        )
        return scored

    @staticmethod
    def _debug(scored: list[Scored]) -> list[str]:
        return [
            f"{s.doc.kind}:{s.doc.ref} score={s.score:.1f} cov={s.coverage:.2f} fuzz={s.fuzzy:.2f}"
            for s in scored[:5]
        ]
