"""Summaries, passages and excerpts: the answers that quote an article's own text."""

from __future__ import annotations

from bot import compose
from bot.answer import Alternatives, Answer, Quote
from bot.engine.rules import (
    ARTICLE_FROM_PARTS,
    EVENT_REACH,
    HOW_ASKED,
    HOW_PASSAGE_CHARS,
    MANAGED_ASKED,
    MAX_ALTERNATIVES,
    MEASURE_REACH,
    PASSAGE_CHARS,
    PRETEXT_ASKED,
    PRETEXT_SAID,
    QUOTED_WORDS,
    ROLE,
    SPEECH_ARTICLES,
    SPEECH_REACH,
    SPEECH_SHARE,
    SPEECH_WINDOW,
    STORY_START_SHARE,
    TITLE_COVERAGE,
    WHICH_NAMED,
    is_speech,
    quotes_name_of,
    roles_named,
)
from bot.match import Scored, text_coverage
from bot.query import ARTICLE_END, ARTICLE_WORDS, SPEECH_CUES, WRITTEN_CUES, Query
from bot.view import Loaded
from knowledge.outcome import takes_measures, tells_outcome
from knowledge.store import ArticleView, SentenceView


class TextAnswers:
    """Answers made of an article's own words (mixed into ``Engine``)."""

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
        if band != "answer" and query.intent_hint == "summary" and self._stands_out(ranked):
            band = "answer"
        whole = ARTICLE_WORDS.search(query.text) is not None  # "那篇讲了什么" asks for the article
        if band != "answer" and whole:
            # "教育整顿那篇": the one article whose title the question names, among its candidates
            titled = [pair for pair in ranked[:MAX_ALTERNATIVES] if self._title_named(kb, query, pair[0])]
            if len(titled) == 1:
                ranked = titled + [pair for pair in ranked if pair != titled[0]]
                band = "answer"
        if band != "answer":
            return self._unsure(kb, query, scored, band, choices)
        article_id, score = ranked[0]
        article = kb.snapshot.article(article_id)
        assert article is not None
        alternatives = Alternatives(
            "article", tuple(aid for aid, s in ranked if s >= self.bands.low)[:MAX_ALTERNATIVES]
        )
        inside = [(sent, s) for sent, s in self._rank_sentences(kb, query, scored) if sent.article_id == article_id]
        head = " ".join(x for x in (article.title, article.place, article.agency) if x)
        how = HOW_ASKED.search(query.text) is not None  # "派出所是怎么管的": the measures, in their passage
        if inside and not whole and (how or text_coverage(kb.index, query, head) < TITLE_COVERAGE):
            # "…那件事是怎么回事" asks about one event of the article: its passage answers.
            start = self._story_start(kb, query, inside)
            if MANAGED_ASKED.search(query.text) and not takes_measures(start.text, article.agency):
                # "派出所是咋管的": from where the unit takes its measures (召集…召开座谈会), if the
                # sentence best matching the question only sets the scene
                later = (kb.sentence_at(article_id, start.position + d) for d in range(1, MEASURE_REACH + 1))
                start = next((t for t in later if t is not None and takes_measures(t.text, article.agency)), start)
            return self._passage(kb, query, article, start, score, scored, onward=start is not inside[0][0], through=how)
        return self.summary_of(
            kb, article, query=query, confidence=score, alternatives=alternatives, debug=self._debug(scored)
        )

    @staticmethod
    def _story_start(kb: Loaded, query: Query, inside: list[tuple[SentenceView, float]]) -> SentenceView:
        """Where a story is told from: the first sentence before the best one that matches and
        says about as much of the question (the letter asking for help, not the arrest after it)."""
        best, top = inside[0]
        said = text_coverage(kb.index, query, best.text) * STORY_START_SHARE
        earlier = (
            t
            for t, s in inside
            if t.position < best.position and s >= top * STORY_START_SHARE and text_coverage(kb.index, query, t.text) >= said
        )
        return min(earlier, key=lambda t: t.position, default=best)

    def _stands_out(self, ranked: list[tuple[int, float]]) -> bool:
        """One article far ahead of every other, though its own score is low (only where the
        question asked outright for a summary or the wording: chit-chat asks for neither)."""
        if not ranked or ranked[0][1] < self.bands.told:
            return False
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        return ranked[0][1] >= self.bands.dominance * runner_up

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
            reply=compose.summary_reply(article, citation, kb.key_terms(article.id)),
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
        *,
        onward: bool = False,
        through: bool = False,
    ) -> Answer:
        """The best sentence and the ones around it that tell the same event, up to PASSAGE_CHARS
        (``onward``: from where the story starts, the ones after it only); when the event ends
        further on (抓获, 挽回, 最终找到 …), "……" and the sentence that ends it, or (``through``,
        a question asking how it was done) every sentence on to it, the method being between."""
        texts = [sentence.text]
        before, after = sentence.position - 1, sentence.position + 1
        limit = HOW_PASSAGE_CHARS if through else PASSAGE_CHARS
        while sum(map(len, texts)) < PASSAGE_CHARS or (
            through and sum(map(len, texts)) < limit and not any(tells_outcome(t) for t in texts[texts.index(sentence.text) + 1 :])
        ):
            nxt = kb.sentence_at(article.id, after)
            # (asked how: the one sentence before that names the event, then on to how it ended)
            back = not onward and (not through or before == sentence.position - 1)
            prev = kb.sentence_at(article.id, before) if back and (len(texts) > 1 or nxt is None) else None
            if prev is None and nxt is None:
                break
            if nxt is not None:
                texts.append(nxt.text)
                after += 1
            if prev is not None and sum(map(len, texts)) < PASSAGE_CHARS:
                texts.insert(0, prev.text)
                before -= 1
        if not any(tells_outcome(t) for t in texts[texts.index(sentence.text):]):
            ending = next(
                (t for p in range(after, after + EVENT_REACH) if (t := kb.sentence_at(article.id, p)) and tells_outcome(t.text)),
                None,
            )
            if ending is not None:
                texts += ["……", ending.text]
        citation = compose.citation_for(kb.snapshot, article, sentence.text)
        return Answer(
            intent="summary",
            reply=compose.passage_reply(citation, texts),
            confidence=round(score, 1),
            citation=citation,
            suggestions=[compose.article_question(article)],
            context=self._context("summary", query, article.id, sentence_id=sentence.id),
            debug=self._debug(scored),
            quote=Quote(sentence.text),
        )

    def _excerpt(self, kb: Loaded, query: Query, scored: list[Scored]) -> Answer:
        ranked: list[tuple[SentenceView, float]] = []
        seen: set[int] = set()
        for s in scored:
            sentence = self._doc_sentence(kb, s.doc)
            if sentence is not None and sentence.id not in seen:
                seen.add(sentence.id)
                ranked.append((sentence, s.score))
        if ranked and (which := WHICH_NAMED.search(query.text)):
            # "假扮成哪家外卖平台的员工": of the sentences about as good, one quoting a name beside
            # the noun asked about (‘饿了么’外卖制服)
            naming = [
                pair for pair in ranked
                if pair[1] >= ranked[0][1] - self.bands.margin and quotes_name_of(pair[0].text, which.group(2))
            ]
            ranked = naming[:1] + [pair for pair in ranked if pair not in naming[:1]]
        band = self._band(kb, [(sent.article_id, score) for sent, score in ranked])
        articles = self._article_scores(kb, scored)
        choices = self._article_choices(kb, articles)
        band = self._sole(band, choices, ranked[0][1] if ranked else 0.0)
        if band != "answer" and query.intent_hint == "excerpt" and self._stands_out(articles):
            # The words asked for, described in the user's own: the article far ahead quotes them.
            ranked = [(t, sc) for t, sc in ranked if t.article_id == articles[0][0]]
            band = "answer" if ranked else band
        if band != "answer":
            return self._unsure(kb, query, scored, band, choices)
        sentence, score = ranked[0]
        if (unnamed := self._unnamed(kb, query, sentence)) is not None:
            return unnamed
        if WRITTEN_CUES.search(query.text) and not QUOTED_WORDS.search(sentence.text):
            # "锦旗上写的什么字": the report says a banner was made, not what it reads
            return self._not_told(kb, query, sentence, "上面写的是什么")
        if (end := ARTICLE_END.search(query.text)) is not None:
            # "那篇结尾最后一句", "开头第一句": where in the article, not which words
            own = kb.sentences_in_article(sentence.article_id)
            if own:
                sentence = own[0] if end.group("first") else own[-1]
        elif SPEECH_CUES.search(query.text) and not is_speech(sentence.text):
            sentence = self._speech_near(kb, query, ranked) or sentence
        elif PRETEXT_ASKED.search(query.text):
            # "骗子拿什么理由忽悠她的": the story's first sentence telling what the other side claimed
            claimed = [t for t in kb.sentences_in_article(sentence.article_id) if PRETEXT_SAID.search(t.text)]
            sentence = claimed[0] if claimed else sentence
        alternatives = Alternatives(
            "sentence", tuple(sent.id for sent, s in ranked if s >= self.bands.low)[:MAX_ALTERNATIVES]
        )
        # The sentence that matches often introduces the words asked for ("…常挂嘴边的顺口溜。"),
        # or follows them: the quote carries its neighbours.
        return self.excerpt_of(
            kb,
            sentence,
            query=query,
            confidence=score,
            alternatives=alternatives,
            context_sentences=0 if end else 1,
            debug=self._debug(scored),
        )

    def _speech_near(self, kb: Loaded, query: Query, ranked: list[tuple[SentenceView, float]]) -> SentenceView | None:
        """The direct speech the question asks for, in the articles that match best: a quoted
        sentence read with the sentences beside it (which name the speaker and the occasion),
        if so read it matches about as well as the best sentence read the same way."""

        roles: dict[int, dict[str, str]] = {}

        def read_with_neighbours(sent: SentenceView) -> float:
            text = self._around(kb, sent)
            # the speaker by the role the story gives them elsewhere ("教导员说的原话": 顾亚军告诉记者)
            if sent.article_id not in roles:
                roles[sent.article_id] = roles_named(t.text for t in kb.sentences_in_article(sent.article_id))
            text += "".join(role for name, role in roles[sent.article_id].items() if name in text)
            return text_coverage(kb.index, query, text)

        articles = list(dict.fromkeys(sent.article_id for sent, _ in ranked[:SPEECH_REACH]))[:SPEECH_ARTICLES]
        found = [
            (read_with_neighbours(sent), -sent.id, sent)
            for article_id in articles
            for sent in kb.sentences_in_article(article_id)
            if is_speech(sent.text)
        ]
        if not found:
            return None
        # "唐海钢描述…的原话": the question names the speaker, so their words are the ones signed by them
        people = [pair for article_id in articles for pair in roles.get(article_id, {}).items()]
        asked = {name for name, _ in people if name in query.text}
        # or by their post, which one person alone holds here ("副所长描述…的那段话")
        by_post = {name for name, post in people if ROLE.fullmatch(post) and post in query.text}
        asked = asked or (by_post if len(by_post) == 1 else set())
        signed = [f for f in found if any(name in self._around(kb, f[2]) for name in asked)]
        if signed:
            return max(signed, key=lambda f: f[:2])[2]
        score, _, speech = max(found, key=lambda f: f[:2])
        return speech if score >= read_with_neighbours(ranked[0][0]) * SPEECH_SHARE else None

    @staticmethod
    def _around(kb: Loaded, sent: SentenceView) -> str:
        """A sentence with its neighbours, which name who spoke and when."""
        around = range(sent.position - SPEECH_WINDOW, sent.position + SPEECH_WINDOW + 1)
        return "".join(t.text for p in around if (t := kb.sentence_at(sent.article_id, p)) is not None)

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
            quote=Quote(sentence.text),
        )
