"""Lists and comparisons computed from the whole fact table: sides, figure lists, sentence lists
and article lists."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from bot import compose
from bot.answer import Alternatives, Answer
from bot.asked import SPAN_KINDS, STAT_KINDS, years_in
from bot.engine.rules import (
    ACROSS_ARTICLES,
    ACROSS_ARTICLES_SHARE,
    ARTICLE_LIST_SHARE,
    ARTICLE_LIST_WORDS,
    CHANGE_DIRECTION,
    EVENT_REACH,
    FACT_LIST_LINES,
    FACT_LIST_SHARE,
    FACT_LIST_WORDS,
    FIGURE_ASKED,
    GENERIC_LIST_TERMS,
    HEADING_CHARS,
    JOINED,
    LIST_LINES,
    LONG_HEADING_CHARS,
    SENTENCE_LIST_LINES,
    SENTENCE_LIST_SHARE,
    SENTENCES_PER_ARTICLE,
    SIDE_SUMMARY_CHARS,
    SNIPPET_CHARS,
    SUGGESTIONS,
    TITLE_LIKE,
    TOLD_CUES,
    UNIT,
    UNIT_ASKED,
    alike,
    kind_of,
    sayer,
    span_in,
)
from bot.lexicon import stopwords, within
from bot.match import Scored, score_candidates, text_coverage
from bot.query import GENERIC_UNIT, ORDER_CUES, Query, order_asked, parse, strip_cues
from bot.sides import PERSON, Side, person_forms, split_asks, split_sides
from bot.view import BYLINE_ROLES, Loaded
from knowledge.numerals import numeral_value
from knowledge.outcome import STORY_OPENER
from knowledge.store import ArticleView, FactView, SentenceView

Item = TypeVar("Item", FactView, SentenceView)
# "…，对比下" / "比较一下吧": a closing request to compare, which joins no sides
# "哪几个派出所所长", "哪些部门": what the "which" asks for, its last two characters the head noun
WHICH_NOUN = re.compile(r"哪(?:些|几个|几位|几家|几名|几)([\u4e00-\u9fff]{2,8}?)(?:[？?，,。]|$|呢|啊|吗)")
# "专业队都有哪几支": the noun asked of before the question word
WHICH_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,6}?)(?:都|一共|共|分别)?(?:有|是)哪(?:些|几[个支家名位种类项条]?)(?:[？?，,。]|$|呢|啊|吗)")
ENUMERATION = re.compile(r"、[^，。；]{1,12}等")  # 食药监、工商、畜牧…等部门
_DIGIT = re.compile(r"\d")
# "哪三方面", "哪四个": which of so many parts an article announces
_PARTS = r"(?:个|项|条|大|种|类)?(?:方面|环节|步|措施|举措|任务|点|条|项|种|类|个)"
_NUMERAL = "[两二三四五六七八九十]"
WHICH_COUNT = re.compile(rf"哪({_NUMERAL}|几){_PARTS}")
ANNOUNCER_REACH = 3  # of the best sentences, those that may announce the parts asked for
ENUMERATION_REACH = 3  # sentences per announced part within which its heading is looked for
ITEM_CHARS = 16  # a part's heading is a short sentence of its own
STORY_SHARE = 0.75  # of the low band, what a figure in the story the message is about needs
SIDE_CANDIDATES = 30  # a side (a short question of its own) is searched among fewer candidates
# "哪几个地方…", "各地…": the question asks across places
ACROSS_PLACES = re.compile(r"(哪些|哪几个|哪几)(地方|地|单位|城市|县|区)|各地|各个地方|各单位")
# "都去了哪些地方": the places a story went to, told in its sentences
EVENT_PLACES = re.compile(r"(?<![提说谈讲])(去|到|走|跑|查)(了|过)?((哪些|哪几个)[^，。？?]{0,5}?(地方|场所)|哪儿|哪里)")
EVENT_OPENING_REACH = 4  # sentences back from an article's best line where its event's opening is looked for
_COUNT_OF_SIDES = re.compile(r"[这那哪]?几[个起件位项篇]|多少个")  # "几个诈骗案": how many sides follow
_CLOSING_CUE = re.compile(
    r"(?:[，,。\s]*(?:(对比|比较|比|比一比|比比)(一)?(下|一下)?(吧|呢|看看)?"
    # "…，哪个降得多": which side is larger is asked of the sides' figures, not a side's words
    r"|(哪个|哪家|哪边|哪里|谁)(的)?[降升涨跌减增]?(得|的)?(更|最)?[多少大小高低快](一些|一点|些)?(呢)?"
    # "按金额从大到小排": the order of the lines, asked of the list
    rf"|{ORDER_CUES.pattern}|(按|按照)[^，,。]{{0,6}}?(排序|排列|排一下|排个序|排)(一下)?"
    r")[?？。!！]*)+$"
)


def _by_article(
    kb: Loaded, items: list[Item], position: Callable[[Item], tuple[int, ...]], line: Callable[[Item], str]
) -> tuple[list[Item], list[str]]:
    """Facts or sentences grouped by article (in the order each article first came), in reading
    order within it: numbered lines, each article's 来源 line before its first."""
    order = {aid: i for i, aid in enumerate(dict.fromkeys(x.article_id for x in items))}
    items = sorted(items, key=lambda x: (order[x.article_id], *position(x)))
    lines: list[str] = []
    current: int | None = None
    for i, item in enumerate(items, 1):
        if item.article_id != current:
            current = item.article_id
            article = kb.snapshot.article(current)
            assert article is not None
            lines.append(compose.source_line(compose.citation_for(kb.snapshot, article)))
        lines.append(f"{i}. {line(item)}")
    return items, lines


def _naming(ranked: list[tuple[SentenceView, float]], head: str, variants: Iterable[str]) -> list[tuple[SentenceView, float]]:
    """The ranked sentences naming ``head``; where some story names it, the other stories' that
    say it as they do (案子 in one, 案件 in another)."""
    exact = [(t, sc) for t, sc in ranked if head in t.text]
    if not exact:
        return []
    told = {t.article_id for t, _ in exact}
    said = [v for v in variants if not v.isascii() and v != head]
    return [(t, sc) for t, sc in ranked if (t, sc) in exact or (t.article_id not in told and any(v in t.text for v in said))]


class ListAnswers:
    """Answers that gather several facts, sentences or articles (mixed into ``Engine``)."""

    def _list(self, kb: Loaded, query: Query) -> Answer:
        """Lists and comparisons come from the whole fact table and every article, not the top hit."""
        # "A和B各…" or, when the sides are questions of their own ("济宁加了多少探头，新昌装了多少
        # 监控，对比下"), one question each; each side is searched on its own, so the whole
        # question is searched only when no side answers.
        for sides in (self._split(kb, query), self._asks(kb, query)):
            if sides and ACROSS_PLACES.search(query.text) and not any(side.entity for side in sides):
                continue  # "哪几个地方说了发案数、刑事案件下降了": every place's figures, not one per word
            answer = self._sides(kb, query, sides) if sides else None
            if answer is not None:
                return answer
        if query.foreign_place and not query.place and not self._articles_inside(kb, query.foreign_place):
            return self._unsure(kb, query, [], "none")  # "武汉推的三大警务是哪三个": no report is of 武汉
        scored = self._scored(kb, query)
        if query.asked in STAT_KINDS or FACT_LIST_WORDS.search(query.text):
            answer = self._fact_list(kb, query, scored)
            if answer is not None:
                return answer
        if not ARTICLE_LIST_WORDS.search(query.text) and set(query.terms) - GENERIC_LIST_TERMS:
            # "新昌出了哪些网红警察", "跟哪些部门合作": the sentences that name them, not titles.
            sentences = self._rank_sentences(kb, query, scored)
            answer = self._sentence_list(kb, query, scored, sentences)
            if answer is None and (split := self._described_split(kb, query)) is not None:
                # "新昌那个小女孩失踪案，赶去现场的有哪几个部门": the asking clause, in the story described
                asked, story = split
                asked_scored = self._scored(kb, asked)
                in_story = [(t, sc) for t, sc in self._rank_sentences(kb, asked, asked_scored) if t.article_id == story]
                answer = self._sentence_list(kb, asked, asked_scored, in_story)
            if answer is not None:
                return answer
            return self._article_list(kb, query, scored, sentences)
        listed = self._article_list(kb, query, scored)
        alternatives = listed.context.alternatives
        if alternatives is not None and len(alternatives.ids) == 1 and EVENT_PLACES.search(query.text):
            # "第三次夏夜巡查都去了哪些地方": where one story went, not which places report
            answer = self._sentence_list(kb, query, scored, self._rank_sentences(kb, query, scored))
            if answer is not None:
                return answer
        return listed

    def _sentence_list(
        self, kb: Loaded, query: Query, scored: list[Scored], sentences: list[tuple[SentenceView, float]]
    ) -> Answer | None:
        """The sentences that answer a "which …" question, grouped by article, in reading order."""
        ranked = [(t, sc) for t, sc in sentences if not TITLE_LIKE.match(t.text)]
        if not ranked or ranked[0][1] < self.bands.high:
            return None
        limit = SENTENCES_PER_ARTICLE
        items = self._announced(kb, query, [t for t, _ in ranked[:ANNOUNCER_REACH]])
        if items:
            # "从哪三方面查找问题": the sentence announcing three and the three after it
            ranked, limit = [(t, ranked[0][1]) for t in items], len(items)
        elif EVENT_PLACES.search(query.text):
            # where the story went: its sentences enumerating places (深入夜市、广场、村BA篮球场等)
            listed = [t for t in kb.sentences_in_article(ranked[0][0].article_id) if ENUMERATION.search(t.text)]
            if listed:
                ranked = [(t, ranked[0][1]) for t in listed] + [pair for pair in ranked if pair[0] not in listed]
        elif (which := WHICH_NOUN.search(query.text) or WHICH_BEFORE.search(query.text)) is not None:
            # "哪几个派出所所长": the sentences naming one (所长), however the rest of them match
            # its head noun ends the phrase (派出所所长) or starts it before a verb (部门合作): the
            # one that picks out fewer of the sentences found
            heads = {which.group(1)[-2:], which.group(1)[:2]}
            namings = [_naming(ranked, h, query.variants.get(h, ())) for h in sorted(heads)]
            naming = min((n for n in namings if n), key=len, default=[])
            if naming:
                # an enumeration of them first: "与食药监、工商、畜牧…等部门"
                listed = [pair for pair in naming if ENUMERATION.search(pair[0].text)]
                naming = listed + [pair for pair in naming if pair not in listed]
                ranked = [(t, ranked[0][1]) for t, _ in naming]
        # Every article answering about as well as the best, each with its sentences near its own best.
        # "几篇报道里…": the user asks across the reports, so each story answering fairly well counts
        cut = ranked[0][1] * (ACROSS_ARTICLES_SHARE if ACROSS_ARTICLES.search(query.text) else ARTICLE_LIST_SHARE)
        article_best: dict[int, float] = {}
        chosen: list[SentenceView] = []
        for sentence, score in ranked:
            best = article_best.setdefault(sentence.article_id, score)
            same = sum(t.article_id == sentence.article_id for t in chosen)
            if best >= cut and score >= best * SENTENCE_LIST_SHARE and same < limit:
                chosen.append(sentence)
        shown = chosen[: max(SENTENCE_LIST_LINES, limit)]
        if not items and UNIT_ASKED.search(query.text):
            # "分别是哪个派出所破的": each story's line with the sentence opening its event before it,
            # where that names the unit (今年5月初，县公安局城西派出所民警… / …电动车确实被偷了)
            opened: list[SentenceView] = []
            for t in shown:
                if all(x.article_id != t.article_id for x in opened):  # the story's first line
                    opening = self._event_opening(kb, query, t)
                    if opening is not t and opening not in shown and (unit := UNIT.search(opening.text)) and unit.group(0) not in t.text:
                        opened.append(opening)
                opened.append(t)
            shown = opened
        chosen, grouped = _by_article(kb, shown, lambda t: (t.position,), lambda t: f"“{t.text}”")
        lines = [f"{compose.LIST_ICON} 报道里是这样说的：", *grouped]
        first = kb.snapshot.article(chosen[0].article_id)
        assert first is not None
        ids = [t.id for t in chosen]
        return Answer(
            intent="list",
            reply="\n".join(lines),
            confidence=round(ranked[0][1], 1),
            citation=compose.citation_for(kb.snapshot, first, chosen[0].text),
            suggestions=[compose.article_question(first)],
            context=self._context("list", query, first.id, sentence_id=chosen[0].id, alternatives=Alternatives("sentence", tuple(ids))),
            debug=self._debug(scored),
        )

    def _announced(self, kb: Loaded, query: Query, best: list[SentenceView]) -> list[SentenceView]:
        """For "哪三方面…": the best sentence announcing so many parts, with the parts; none when a
        better one names them itself (对照“心态状态、率先垂范…”等五个方面)."""
        which = WHICH_COUNT.search(query.text)
        for sentence in best if which else []:
            if ENUMERATION.search(sentence.text):
                return []
            if items := self._enumerated(kb, sentence, which.group(1)):
                return items
        return []

    @staticmethod
    def _enumerated(kb: Loaded, sentence: SentenceView, numeral: str) -> list[SentenceView]:
        """A sentence announcing so many parts ("从三方面入手") with the parts told after it: the
        short sentences that head them (干部自己查。民警帮着找。…), else the sentences that follow."""
        # the parts follow an announcement that ends its sentence ("从三方面入手。", "…如下：")
        count_of = _NUMERAL if numeral == "几" else numeral
        announced = re.search(rf"({count_of}){_PARTS}[^，。；]{{0,4}}[。：:]$", sentence.text)
        if announced is None:
            return []
        count = int(numeral_value(announced.group(1)) or 0)
        after = [t for p in range(sentence.position + 1, sentence.position + 1 + ENUMERATION_REACH * count)
                 if (t := kb.sentence_at(sentence.article_id, p)) is not None]
        short = [t for t in after if len(t.text) <= ITEM_CHARS]
        return [sentence, *(short if len(short) >= count else after)[:count]]

    def _split(self, kb: Loaded, query: Query) -> list[Side]:
        """The sides of a list or comparison question; [] for a question about one thing."""
        text = strip_cues(_CLOSING_CUE.sub("", query.text))
        head, colon, body = re.split(r"([：:])", text, maxsplit=1) if re.search(r"[：:]", text) else (text, "", "")
        asked_of_each = ""
        if colon and (len(head) <= HEADING_CHARS or (len(head) <= LONG_HEADING_CHARS and not JOINED.search(head))):
            text = body  # "抓人速度对比：A、B、C各用了多久": the heading names no side
            # "几个诈骗案的金额：A、B、C": what the heading asks is asked of each side
            asked_of_each = _COUNT_OF_SIDES.sub("", head).strip()
        stop = stopwords()

        def sides_of(part: str) -> list[Side]:
            return split_sides(
                self._tokenizer_or_fail().cut(part),
                lambda run: self._entity(kb, run),
                lambda t: t not in stop and (len(t) > 1 or not t.isascii()),
            )

        lead, comma, last = text.rpartition("，") if "，" in text else text.rpartition(",")
        named = sides_of(last) if comma else []
        if len({side.entity for side in named} - {None}) >= 2:
            # "楼宇和小区治理方面，鼓楼和荆门各有啥数字": the sides are in the last clause; what
            # comes before it is asked of each
            return [Side(lead + side.text, side.entity, side.label) for side in named]
        # (before each side: after it, "…多少" + "天网工程" would read as 多少天)
        return [Side(asked_of_each + side.text, side.entity, side.label) for side in sides_of(text)]

    def _asks(self, kb: Loaded, query: Query) -> list[Side]:
        """The questions of their own a list or comparison message is made of, [] for one."""
        cut = self._tokenizer_or_fail().cut
        asks = split_asks(_CLOSING_CUE.sub("", query.text), lambda clause: self._entity(kb, cut(clause)))
        # "哪些…，都是啥情况" asks one list: only questions about different places or units are sides
        return asks if len({side.entity for side in asks} - {None}) >= 2 else []

    @staticmethod
    def _entity(kb: Loaded, run: list[str]) -> str | None:
        """The place or unit a run of words is about: one the corpus knows, else any place name."""
        words = [w for w in run if w.strip()]
        place = kb.lexicon.place_in(words, "".join(words))
        # "济宁那版里金乡": of two places, the one inside the other is the side's
        inner = [p for w in words if (p := kb.lexicon.places.get(w)) and place and p != place and within(p, place)]
        place = inner[-1] if inner else place
        units = sorted((w for w in words if w in kb.lexicon.names and w not in kb.lexicon.places), key=len)
        if units:
            return units[-1]
        if place:
            return place
        if typed := next((n for w in words if w.isascii() and (n := kb.lexicon.name_by_pinyin(w))), None):
            return typed  # "gulou vs xinchang": the unit typed in pinyin
        return next((w for w in words if w in kb.lexicon.world_places), None)

    @staticmethod
    def _about(kb: Loaded, article_id: int | None, entity: str, agency: str | None = None) -> bool:
        article = kb.snapshot.article(article_id)
        if article is None:
            return False
        short = entity.rstrip("市县区") or entity
        names = kb.article_names(article)
        said = f"{names} {agency}" if names and agency else names or agency or ""
        return short in said or (bool(article.place) and article.place in short)

    def _inside(self, kb: Loaded, article_id: int | None, where: str, agency: str | None = None) -> bool:
        """Whether an article is about ``where`` or a place inside it (鼓楼 in 海曙, 金乡 in 山东)."""
        if self._about(kb, article_id, where, agency):
            return True
        article = kb.snapshot.article(article_id)
        return bool(article and article.place and within(article.place, where))

    def _articles_inside(self, kb: Loaded, where: str) -> list[ArticleView]:
        """``[a for a in articles if self._inside(kb, a.id, where)]``, without a test per article:
        one substring search over all the articles' names and one test per distinct place (a
        province holds thousands of the 10,000 articles; testing each took 10–40 ms)."""
        articles = kb.snapshot.articles
        short = where.rstrip("市县区") or where
        if "\0" in short:
            return [a for a in articles if self._inside(kb, a.id, where)]
        text, starts = kb.all_article_names()
        hits: set[int] = set()
        at = text.find(short)
        while at >= 0:
            row = bisect_right(starts, at) - 1
            hits.add(row)
            at = text.find(short, starts[row + 1])  # the next article on
        for place, rows in kb.articles_by_place().items():
            if place in short or within(place, where):
                hits.update(rows)
        return [articles[row] for row in sorted(hits)]

    def _side(
        self,
        kb: Loaded,
        query: Query,
        side: Side,
        taken: set[int],
        like: FactView | None = None,
        story: int | None = None,
    ) -> tuple[str, Any] | None:
        """The best fact (or, for what no statistic says, sentence) answering one side; inside the
        ``story`` (an article) where it has one."""
        sub = parse(side.text, self._tokenizer_or_fail(), kb.lexicon, kb.index.knows)
        sub.asked = sub.asked or query.asked
        sub.change_hint = sub.change_hint or query.change_hint
        scored = score_candidates(kb.index, kb.snapshot, sub, SIDE_CANDIDATES)
        if TOLD_CUES.search(query.text) and not sub.asked:
            # "金乡和嘉祥的案子各是怎么回事": each side is told by its article's summary.
            articles = [
                (aid, s)
                for aid, s in self._article_scores(kb, scored)
                if side.entity is None or self._about(kb, aid, side.entity)
            ]
            if articles and articles[0][1] >= self.bands.low:
                return "article", kb.snapshot.article(articles[0][0])
            return None
        entity = side.entity
        about: dict[tuple[int | None, str | None], bool] = {}  # (article, unit) → about the side's entity
        # "…、周先生 各被骗多少": a side naming a person is about the story that names them
        named = PERSON.search(side.label) if entity is None else None
        # by the surname with any title: the 周老板 a user remembers is the report's 周先生
        person_articles = set().union(*(kb.index.articles_with(p) for p in person_forms(named.group(0)))) if named else set()

        def on_side(article_id: int | None, agency: str | None = None) -> bool:
            if person_articles:
                return article_id in person_articles
            if entity is None:
                return True
            key = (article_id, agency)
            if key not in about:
                about[key] = self._about(kb, article_id, entity, agency)
            return about[key]

        ranked = self._rank_facts(kb, sub, scored)
        facts = [(f, s) for f, s in ranked if f.id not in taken and on_side(f.article_id, f.agency)]
        sentences = [(t, s) for t, s in self._rank_sentences(kb, sub, scored) if on_side(t.article_id)]
        low = self.bands.low
        if story is not None:
            # "那次演练模拟了几个嫌疑人，多久全抓了": the second question is about the same story,
            # which vouches for a figure of it matching a little less
            in_story = [(f, s) for f, s in facts if f.article_id == story]
            facts, low = (in_story, low * STORY_SHARE) if in_story else (facts, low)
            sentences = [(t, s) for t, s in sentences if t.article_id == story] or sentences
        # A side's figure is about what the side asks: "荆门的视频监控" is not answered by 荆门's 新举措.
        says = sayer(sub, side.entity)
        if sub.asked == "duration":
            # How long something took is often told beside the sentence telling what it was (the
            # thieves in one sentence, "不足两小时" in the next): the figure whose sentence and its
            # neighbours say most of the side's words first.
            # (its subject names what took the time too: 追回被骗钱财用时)
            near = {f.id: f.subject + "，" + self._story_of(kb, f) for f, s in facts if s >= low}
            told = [(f, s, text_coverage(kb.index, sub, near[f.id])) for f, s in facts if f.id in near]
            told.sort(key=lambda t: (-t[2], -t[1]))
            facts = [(f, s) for f, s, cov in told if cov > 0 and says(near[f.id])]
        else:
            said = [(f, s) for f, s in facts if says(f.sentence)]
            if not said and sub.asked in STAT_KINDS:
                # "金乡奶粉那个" names its story by a detail told sentences before its figure
                said = [(f, s) for f, s in facts if s >= low and says(f.subject + "，" + self._story_of(kb, f))]
            facts = said
        # a figure asked for, or a rise or fall compared, is no sentence without a number
        figure = FIGURE_ASKED.search(side.text) or (query.compare and sub.change_hint)
        sentences = [
            (t, s)
            for t, s in sentences
            if (not figure or _DIGIT.search(t.text)) and says(t.text)
        ]
        if sub.asked in SPAN_KINDS and sub.asked not in STAT_KINDS | {"hometown"}:
            # a date, an age, a name …: only a sentence stating one answers the side
            sentences = self._event_dated_first(kb, sub, [(t, s) for t, s in sentences if span_in(sub, t.text)])
        if sub.asked in STAT_KINDS:
            # Every side answers the same measure: "嘉祥破了多少案子" is no duration.
            facts = [(f, s) for f, s in facts if kind_of(f) == sub.asked]
            sentences = [(t, s) for t, s in sentences if span_in(sub, t.text)]
        elif sub.asked and sentences and side.label != side.text:
            # "…小姑娘几岁，几点接回来的": of the sentences near the best one that state the asked
            # kind, the one saying most of this side's own words (接回)
            best, vouched = sentences[0]  # the event's best sentence vouches for those near it
            own = parse(side.label, self._tokenizer_or_fail(), kb.lexicon, kb.index.knows)
            near = [
                (t, vouched) for t, s in sentences
                if t.article_id == best.article_id and abs(t.position - best.position) <= EVENT_REACH
                and self._stated(kb, sub, t)
            ]
            near.sort(key=lambda pair: -text_coverage(kb.index, own, pair[0].text))
            sentences = near + [pair for pair in sentences if pair[0] not in {t for t, _ in near}]
        if facts and facts[0][1] >= low and not self._wants_sentence(sub, facts, sentences):
            if like is not None:
                # Of figures about as good, the one measured like the other side's (同比 with 同比).
                close = [f for f, s in facts if s >= facts[0][1] - self.bands.margin]
                return "fact", max(close, key=lambda f: alike(f, like))  # max keeps the first of equals
            return "fact", facts[0][0]
        if sentences and sentences[0][1] >= low:
            return "sentence", (sentences[0][0], self._stated(kb, sub, sentences[0][0]))
        if sub.asked in STAT_KINDS and side.entity is None:
            # "…、还有那个化工店老板，各涉及多少钱": the side names its story, not the figure's
            # sentence: the story it matches best, and that story's best figure of the kind asked
            stories = [(aid, s) for aid, s in self._article_scores(kb, scored) if on_side(aid)]
            if stories and stories[0][1] >= low:
                of_story = [f for f, _ in ranked if f.article_id == stories[0][0] and f.id not in taken and kind_of(f) == sub.asked]
                if of_story:
                    # the figure its headline gives first (挽回12万元), else the best matching
                    title = (article.title if (article := kb.snapshot.article(stories[0][0])) else "") or ""
                    return "fact", min(of_story, key=lambda f: f.value_text not in title)
        return None

    @staticmethod
    def _article_picked(pick: tuple[str, Any]) -> int | None:
        """The article a side's answer (an article, a fact, or a sentence with its span) is from."""
        kind, item = pick
        if kind == "sentence":
            item = item[0]
        return item.id if kind == "article" else item.article_id

    def _sides(self, kb: Loaded, query: Query, sides: list[Side], one_story: bool = False) -> Answer | None:
        """Each side answered in turn; with ``one_story`` (questions about one thing, "骗了多少钱、
        多久追回来的") the later ones inside the article the first was answered from."""
        found: list[tuple[Side, tuple[str, Any] | None]] = []
        taken: set[int] = set()
        like: FactView | None = None
        story: int | None = None
        for side in sides:
            pick = self._side(kb, query, side, taken, like, story)
            if pick is not None and pick[0] == "fact":
                taken.add(pick[1].id)
                like = like or pick[1]
            if pick is not None and one_story and story is None:
                story = self._article_picked(pick)
            found.append((side, pick))
        if not any(pick is not None for _, pick in found):
            return None
        facts_found = [pick[1] for _, pick in found if pick is not None and pick[0] == "fact"]
        order = order_asked(query.text)
        if order and len(facts_found) == len(found) and len({f.unit for f in facts_found}) == 1:
            # "按金额从大到小排": figures of one unit in the order asked
            found.sort(key=lambda pair: order * pair[1][1].value)
        lines = [f"{compose.COMPARE_ICON if query.compare else compose.LIST_ICON} 分项来看："]
        fact_ids: list[int] = []
        first_article: ArticleView | None = None
        for i, (side, pick) in enumerate(found, 1):
            label = side.label or side.text
            if pick is None:
                lines.append(f"{i}. {label}：报道里没有找到这项内容。")
                continue
            kind, item = pick
            span = None
            if kind == "sentence":
                item, span = item  # with the span of what this side asked ("几点": 晚上7点)
            article = kb.snapshot.article(self._article_picked(pick))
            assert article is not None
            first_article = first_article or article
            citation = compose.citation_for(kb.snapshot, article)
            if kind == "article":
                lines.append(f"{i}. {label}：{compose.clip(article.summary, SIDE_SUMMARY_CHARS)}")
                lines.append(f"   {compose.source_line(citation)}")
            elif kind == "fact":
                fact_ids.append(item.id)
                where = self._place_of(kb, item) or ""
                who = item.agency or where
                if where and item.agency and where not in item.agency:
                    who = where + item.agency if item.agency[0] in "省市县区" else f"{where} · {item.agency}"
                lines.append(f"{i}. {who or label}：{compose.fact_line(item)}")
                lines.append(f"   {compose.source_line(citation)}；原文：“{item.sentence}”")
            else:
                if query.asked == "where" and not span:
                    span = " · ".join(x for x in (article.place, article.agency) if x)
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
            debug=[f"side {side.text!r}: {pick[0] if pick else 'none'}" for side, pick in found],
            facts=[compose.figure_of(kb.facts[i], self._place_of(kb, kb.facts[i])) for i in fact_ids],
        )

    def _fact_list(self, kb: Loaded, query: Query, scored: list[Scored]) -> Answer | None:
        """Every figure that answers the question, grouped by article, one line each."""
        ranked = self._rank_facts(kb, query, scored)
        where = query.place or query.other_place or query.foreign_place
        if where and not [t for t in query.terms if t not in GENERIC_LIST_TERMS and kb.lexicon.place_in([t], t) is None]:
            # "荆门的所有数据": every figure of the place, in the order the reports give them.
            ranked = [(f, 100.0) for a in self._articles_inside(kb, where) for f in kb.facts_in_article(a.id)]
        if query.asked in STAT_KINDS:
            ranked = [(f, s) for f, s in ranked if kind_of(f) == query.asked] or ranked
        if where := query.place or query.other_place or query.foreign_place:
            # "山东各地破案多少起": the figures from places inside it (by the gazetteer).
            ranked = [(f, s) for f, s in ranked if self._inside(kb, f.article_id, where, f.agency)]
        elif unit := next((t for t in query.terms if t in kb.lexicon.names and not GENERIC_UNIT.match(t)), None):
            # "鼓楼那边哪几类案子下降了": the figures of the unit the question names
            ranked = [(f, s) for f, s in ranked if self._about(kb, f.article_id, unit, f.agency)] or ranked
            if query.change_hint and ranked:
                # "…哪几类下降了": every figure of the unit that fell, however its subject is worded
                best = ranked[0][1]
                ranked = [
                    (f, max(s, best * FACT_LIST_SHARE) if CHANGE_DIRECTION.get(f.change or "") == query.change_hint else s)
                    for f, s in ranked
                ]
        if not ranked or ranked[0][1] < self.bands.low:
            return None
        # Each article that answers, with the figures that answer about as well as its best one;
        # inside a place the question named, about as well is enough (the place already chose).
        # "几篇报道里…": the user asks across the reports, so each story answering fairly well counts
        cut = ranked[0][1] * (ACROSS_ARTICLES_SHARE if ACROSS_ARTICLES.search(query.text) else ARTICLE_LIST_SHARE)
        cut = cut if where else max(self.bands.low, cut)
        article_best: dict[int | None, float] = {}
        for fact, score in ranked:
            article_best.setdefault(fact.article_id, score)
        found = [
            f for f, s in ranked if article_best[f.article_id] >= cut and s >= article_best[f.article_id] * FACT_LIST_SHARE
        ]
        # one line per figure: an article telling the same 1万元 four ways lists it once
        found = list({(f.article_id, f.value_text, f.change): f for f in reversed(found)}.values())[::-1]
        if (order := order_asked(query.text)) and len({f.unit for f in found}) == 1:
            # "按金额从高到低排一下": one list in the order asked, each figure with its source
            chosen = sorted(found, key=lambda f: order * f.value)[:FACT_LIST_LINES]
            grouped = []
            for i, f in enumerate(chosen, 1):
                article = kb.snapshot.article(f.article_id)
                assert article is not None
                grouped += [f"{i}. {compose.fact_line(f)}", f"   {compose.source_line(compose.citation_for(kb.snapshot, article))}"]
        else:
            # The transports split a long reply into several messages.
            chosen, grouped = _by_article(
                kb, found[:FACT_LIST_LINES], lambda f: (f.sentence_position or 0, f.id), compose.fact_line
            )
        lines = [f"{compose.LIST_ICON} 共找到 {len(found)} 条相关数据：", *grouped]
        if len(found) > len(chosen):
            lines.append(f"……以上是前 {len(chosen)} 条。把问题问得更具体些（地点、年份、哪项数据）可以缩小范围。")
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
            context=self._context(
                "list", query, top.id, fact_ids=ids, alternatives=Alternatives("fact", tuple(ids))
            ),
            debug=self._debug(scored),
            facts=[compose.figure_of(f, self._place_of(kb, f)) for f in chosen],
        )

    @staticmethod
    def _event_opening(kb: Loaded, query: Query, sentence: SentenceView) -> SentenceView:
        """The sentence a few before ``sentence`` that opens its event with a time ("今年5月初，城西
        派出所民警…发现…电瓶已经不见了" before "陈先生表示，自己的电动车确实被偷了") and says a
        word of the question that ``sentence`` does not; ``sentence`` itself when it opens one or
        none does."""
        if STORY_OPENER.match(sentence.text):
            return sentence
        for back in range(1, EVENT_OPENING_REACH + 1):
            earlier = kb.sentence_at(sentence.article_id, sentence.position - back)
            if earlier is not None and STORY_OPENER.match(earlier.text):
                # it says a word of the question the line does not (电瓶 beside 被偷)
                said = [v for t in query.terms for v in query.variants.get(t, {t}) if len(v) > 1 and v in earlier.text]
                return earlier if any(v not in sentence.text for v in said) else sentence
        return sentence

    @staticmethod
    def _signed_by(kb: Loaded, query: Query) -> list[ArticleView]:
        """The articles whose byline names a person the question names."""
        by_writer = kb.articles_by_writer()
        found = {a.id for t in query.terms if not BYLINE_ROLES.fullmatch(t) for a in by_writer.get(t, ())}
        return [a for a in kb.snapshot.articles if a.id in found] if found else []

    def _article_list(
        self,
        kb: Loaded,
        query: Query,
        scored: list[Scored],
        sentences: list[tuple[SentenceView, float]] | None = None,
    ) -> Answer:
        articles = kb.snapshot.articles
        best_sentence: dict[int, SentenceView] = {}
        years = years_in(query.text)
        if signed := self._signed_by(kb, query):
            chosen = signed  # "记者张贻富写了哪几篇": every article the byline names them in
        elif years and ARTICLE_LIST_WORDS.search(query.text):
            # "哪几篇写了2016年": the articles whose text names the year
            holding = set().union(*(kb.index.articles_with(y) for y in years))
            chosen = []
            for a in articles:
                if a.id not in holding:
                    continue
                if len(chosen) >= LIST_LINES:
                    chosen.append(a)  # counted; only the articles shown are read for their sentence
                    continue
                naming = [t for t in kb.sentences_in_article(a.id) if any(y + "年" in t.text for y in years)]
                if naming:
                    best_sentence[a.id] = naming[0]
                    chosen.append(a)
        elif set(query.terms) - GENERIC_LIST_TERMS:
            ranked = self._article_scores(kb, scored)
            cut = max(self.bands.low, ranked[0][1] * ARTICLE_LIST_SHARE) if ranked else self.bands.low
            chosen = [a for a in (kb.snapshot.article(aid) for aid, s in ranked if s >= cut) if a is not None]
            if where := query.place or query.other_place or query.foreign_place:
                # "济宁下面各县区的新闻": the articles from a place inside it, best matches first.
                inside = self._articles_inside(kb, where)
                matched = {a.id for a in chosen}  # thousands of articles inside a province
                chosen = sorted(inside, key=lambda a: a.id not in matched) or chosen
            # Each article's line quotes its first sentence about as good as its best: the one that
            # introduces the event ("破获了一系列盗窃电瓶案件，抓获郑某"), not a later detail.
            top: dict[int, float] = {}
            if sentences is None:
                sentences = self._rank_sentences(kb, query, scored)
            for sentence, score in sentences:
                top.setdefault(sentence.article_id, score)
                if score >= top[sentence.article_id] - self.bands.margin:
                    shown = best_sentence.get(sentence.article_id)
                    if shown is None or sentence.position < shown.position:
                        best_sentence[sentence.article_id] = sentence
            for aid, sentence in list(best_sentence.items()):
                best_sentence[aid] = self._event_opening(kb, query, sentence)
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
            context=self._context(
                "list", query, top.id, alternatives=Alternatives("article", tuple(a.id for a in chosen))
            ),
            debug=self._debug(scored),
        )
