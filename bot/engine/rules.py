"""The engine's tunable numbers, cue words and small judgements of a question against a fact or a
sentence: one place to read why an answer was chosen, shared by the answering modules."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.asked import DAY_ASKED, NUMBER_NOUNS, STAT_KINDS, find_span, measure_fits
from bot.query import Query
from knowledge import gazetteer
from knowledge.store import FactView


@dataclass(frozen=True)
class Bands:
    """Where answer, "您是不是想问" choices and refusal divide. Fitted on question files (the dev set
    and the project's own): ``python -m bot eval --calibrate`` prints accuracy against answer rate."""

    high: float = 40.0  # at or above: answer, if no other article comes close
    low: float = 27.0  # below: say plainly there is no such information
    sole: float = 33.0  # below ``high``, still an answer when no other article reaches ``low``
    margin: float = 4.0  # how far the best answer must lead the best one from another article
    certain: float = 70.0  # so close a match that a runner-up does not make it ambiguous
    sentence: float = 45.0  # where no figure answers, a sentence alone answers from here
    # "…那事后来咋样": an event told in the user's words matches few of the article's words, but one
    # article still stands out. Asked for what happened, that article answers from ``told`` up when
    # it scores ``dominance`` times the best other article.
    told: float = 12.0
    dominance: float = 1.5


SUGGESTIONS = 3
# Words of a list request that name no topic: "有哪些地方的报道" lists everything.
GENERIC_LIST_TERMS = frozenset(
    {"地方", "地区", "报道", "文章", "城市", "单位", "新闻", "哪里", "各地", "所有", "全部", "数据", "数字", "统计"}
)
RELATED_FACTS = 2
THANKS_REPLY = "不客气！还想了解哪方面的数据或报道，直接问我就行。"
# A request to make something up ("编一个破案率", "随便说个数", "make up a number") is refused in
# so many words: the answers only ever quote the reports.
FABRICATE_CUES = re.compile(
    r"(编一个|编个|编一下|瞎编|胡编|编造|捏造|杜撰|虚构|随便(说|给|写|报)[个一]|make up|made up|invent|fabricate)", re.I
)
FABRICATE_REPLY = "抱歉，我只引用报道里的原文和数据，不会编造内容。可以问我报道里写到的事情。"
# "那个骗子最后抓到了吗": whether someone was caught, told only by a story saying they were
ARREST_ASKED = re.compile(r"(抓到|抓住|抓着|逮到|逮住|落网|抓获|归案)(了)?(吗|没|没有|否)|有没有(被)?(抓|落网)|caught\b.*\?|arrested\b.*\?")
ARRESTED = re.compile(r"抓获|落网|归案|拘留|刑拘|抓捕|被抓|抓到|擒|控制起来|羁押|逮捕")
# "马云那堂课具体讲了哪些内容": what someone said or taught, in detail
DETAIL_ASKED = re.compile(r"具体(?:讲|说|介绍|谈|教)|(?:讲|说|谈|教)了(?:哪些|些什么|什么内容)|哪些内容|什么内容|哪几个例子|哪些例子")
TELLS_DETAIL = re.compile(r"[、：:“”]")  # a sentence listing or quoting what was said tells it
# "明天天气怎么样", "下周会降温吗": a forecast; the reports tell what happened, not what will
FORECAST = re.compile(r"(明天|后天|下周|下星期|明早|明晚|未来几天|tomorrow|next week).{0,8}(天气|下雨|下雪|降温|升温|气温|温度|刮风|weather|rain)", re.I)
FORECAST_REPLY = "抱歉，天气预报之类的问题我答不了：我只知道报道里写到的事情，可以问我其中的数据、摘要或原文。"
NO_CONTEXT_REPLY = "请先提一个具体的问题，例如某地某项数据是多少、某篇报道讲了什么，我再告诉您原文和出处。"
DETAIL_CHARS = 1200  # "详细点" after a summary: this much of the article's own text
MAX_ALTERNATIVES = 10
LIST_LINES = 20  # a list answer names this many articles; /articles pages through all of them
FACT_LIST_LINES = 40
# The change words the extractor writes, by the direction a question's hint names.
CHANGE_DIRECTION = {w: "上升" for w in ("上升", "增长", "提升", "提高", "增加")} | {
    w: "下降" for w in ("下降", "减少", "降低")
}  # how many next matches "还有吗" can walk through
OWN_WORDS_SHARE = 0.25  # how much of a fact's score depends on the question naming its own subject
ARTICLE_FROM_PARTS = 0.9  # an article scores by its own doc or, slightly less, by its best part


SPAN_BONUS = 8.0  # a sentence that states the asked kind (an age, a date …) over one that does not
KIND_BONUS = 8.0  # a fact of the asked kind (money, a rate …) over one of another kind
PERIOD_BONUS = 4.0  # a figure of the year the question names (今年 → 今年以来), over one of no stated time
COUNTED_REACH = 8  # characters after a count where the thing counted is named
_COUNT_LEAD = re.compile(r"(达到?|为|共|约|近|超过|逾|有)$")
COUNTED_MISS = 100.0  # a fact counting another thing than the one asked for answers nothing
MEASURE_MISS = 100.0  # a figure in another measure than the one asked for answers nothing
ARTICLE_FACT_SHARE = 0.8
TITLE_COVERAGE = 0.5  # a question naming less of the article's title than this asks about a passage
PASSAGE_CHARS = 300
EVENT_REACH = 8  # sentences past a passage where the event it tells may still end
STORY_START_SHARE = 0.9  # a passage starts at the first sentence scoring this share of the best
SPEECH_REACH = 12  # ranked sentences whose articles may hold the words asked for
SPEECH_ARTICLES = 2
SPEECH_WINDOW = 1  # a quoted sentence is read with this many sentences on each side
SPEECH_SHARE = 0.7  # direct speech answers when, so read, it scores this share of the best sentence
RANKED_DOCS = 40  # candidates (of bot.match.CANDIDATES) whose facts and sentences are ranked
PASSAGE_SHARE = 0.7  # a passage's match, lent to its sentences and figures
FACT_LIST_SHARE = 0.85  # an article in a list shows its figures scoring this share of its best one
ARTICLE_LIST_SHARE = 0.6
ACROSS_ARTICLES = re.compile(r"几篇|各篇|每篇|这些报道|所有报道|各个报道")
ACROSS_ARTICLES_SHARE = 0.5  # of the best, when the question asks across the reports
SNIPPET_CHARS = 60
SENTENCE_LIST_SHARE = 0.8  # a "which …" list quotes the sentences scoring this share of the best one
SENTENCE_LIST_LINES = 8
SENTENCES_PER_ARTICLE = 4
# A list of articles or places, not of things the articles name.
ARTICLE_LIST_WORDS = re.compile(
    r"(哪(些|几)[^，,。？?]{0,8}?(报道|文章|新闻|篇|稿|地方|地区|城市|县|市|区)|(报道|文章|新闻|篇)(有|是)?(哪些|几篇)|"
    r"各地|各县|哪里|哪儿|\b(articles?|stories|places|reports)\b)"
)
# "分别是哪个派出所破的", "谁办的": the unit that handled each story is asked
UNIT_ASKED = re.compile(r"哪(?:个|家|些)(?:派出所|分局|单位|部门|大队|支队)|谁(?:破|办|抓|处理)的")
UNIT = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:派出所|分局|大队|支队)")
TITLE_LIKE = re.compile(r"^[^，。！？]{0,30}$")  # a headline or subhead says no more than its article
SIDE_SUMMARY_CHARS = 160
PHASE = re.compile(r"([一二三四五六七八九十\d]+)期(?:工程|建设|项目)?")  # 天网工程三期: which stage of a project
HEADING_CHARS = 10  # "抓人速度对比：…": a short run before a colon heads the sides that follow
LONG_HEADING_CHARS = 30  # "110情报指挥中心今年以来几项成绩帮我列全：…" heads them too, naming no sides of its own
# Words of a list question that want figures, not articles: "各地的探头数量", "战果列一下".
FACT_LIST_WORDS = re.compile(r"(多少|数量|数目|数据|数字|战果|战绩|成果|成绩|业绩|降幅|增幅|幅度|金额|(?<!哪)几[个名人起次家项]|\bnumbers\b|\bfigures\b|\bstats\b)")  # an article's figure of the asked kind, scored by the article


# A side asking what happened ("各是怎么回事"), told by its article's summary; "分别是什么" may want figures.
TOLD_CUES = re.compile(r"(怎么回事|咋回事|讲了什么|讲的什么|讲了啥|说了什么|什么情况|啥情况|经过|来龙去脉|怎么样了|后来)")
FIGURE_ASKED = re.compile(rf"多少|几|how (many|much)|{NUMBER_NOUNS}")
NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万亿]+[个名人起次项件家所条万亿元岁年天]")  # a text stating some figure
# A prison term asked ("判了几年", "获刑多久") is told by a sentence saying so (判处…有期徒刑), not by
# how long the case took.
SENTENCED = re.compile(r"被判|判了|判处|判刑|判决|判[几多]|获刑|刑期|坐牢|徒刑|sentenced")  # not 研判
RELATIVE_YEAR = re.compile(r"今年|去年|前年")  # a year named from the report's own
# "骗子拿什么理由忽悠她的": the pretext a scam used, told where the other side claims something
PRETEXT_ASKED = re.compile(r"(什么|啥)(理由|借口|名义|名头|幌子|由头|说辞|套路|话术)|以什么为由|怎么(骗|忽悠|哄)(的|了)")
PRETEXT_SAID = re.compile(r"对方称|对方又称|自称|谎称|冒充|声称|称其|并称|以[^，。]{1,12}为(由|名|幌子)")
# "总共装了多少" is not answered by a figure of what was added (新增探头2000个)
TOTAL_ASKED = re.compile(r"总共|一共|总数|总量|累计|共计|in total|altogether")
ADDED = re.compile(r"新增|新建|新装|增加|加了|添了|多装|增了")  # (asked of, "一共加了多少" asks the sum added)
# "全年受理了多少" is not answered by a figure of 1-10月份 or 上半年: part of a year is no year
WHOLE_YEAR = re.compile(r"全年|整年|一整年|全年度|一年下来|一年到头|whole year|full year")
PART_OF_YEAR = re.compile(r"\d{1,2}\s*[-—–~至到]\s*\d{1,2}月|[上下]半年|前[一二三两]季度|第[一二三四]季度|\d{1,2}月(?:份)?以来|今年以来|截至")
ROLE = re.compile(r"(副|常务)?(局长|所长|队长|政委|教导员|指导员|主任|书记|科长|站长|部长|处长|厅长|警长)")  # an office


def holds_office(asked: re.Match[str], text: str) -> bool:
    """Whether ``text`` names someone in the office a question asks of (``ROLE``'s match): a
    所长 is not the 副所长, nor the other way round."""
    deputy, office = asked.groups()
    return any(m.group(2) == office and m.group(1) == deputy for m in ROLE.finditer(text))


# "派出所是怎么管的": how something was done is told by the passage of the measures, not the lead
HOW_ASKED = re.compile(r"(怎么|如何|咋)(管|做|办|处理|应对|解决|破|抓|查|治|帮|搞|追|找|清)|靠什么|凭什么|用了?什么(办法|方法|手段|招)|为什么(最后|最终)?能")
HOW_PASSAGE_CHARS = 600  # "怎么做到3小时追回的": the method runs from the scene to how it ended
# "派出所是咋管的", "怎么帮的": the measures a unit took (not how a case was cracked)
MANAGED_ASKED = re.compile(r"(怎么|如何|咋)(管|帮|治理|应对|解决)")
MEASURE_REACH = 4  # sentences after the one setting the scene where the unit's measures may start
SPAN_CLOSE = 10.0  # points within which sentences stating the asked kind are told apart by the question's words
STORY_BEFORE = 3  # sentences before a duration that may tell what took that long
TIME_OF_DAY = re.compile(r"早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜里|半夜|凌晨|白天|当天|那天")
# a measure asked that no figure of the story gives is not told (what the reply says is missing)
UNTOLD_MEASURES = {"money": "涉及的金额", "duration": "用了多长时间"}
NAMED_STORY_BONUS = 15.0  # points for a duration of the one story a word of the question names alone (演练)
TOLD_BEFORE_BONUS = 10.0  # points for a duration whose story says all of the question
SENTENCE_TOLD = re.compile(r"判处|判决|被判|判了|获刑|刑期|徒刑|拘役|缓刑")
FIGURE_KINDS = STAT_KINDS | {"age", "length", "phone", "ordinal"}
JOINED = re.compile(r"[和与跟及、]|\bvs\b|\band\b")
_TAGS = re.compile(r"<[^>]*>?")  # markup a user typed is not echoed back


def kind_of(fact: FactView) -> str:
    return "percent" if fact.kind == "rate" else fact.kind



_SPEECH = re.compile(r"[“「]([^”」]{8,})[”」]")
_PERSONAL = re.compile(r"你|我(?![市县省区国局所])")


QUOTED_WORDS = re.compile(r"[“「][^”」]{2,}[”」]")  # words a text gives in quotation marks
NAME_QUOTED = re.compile(r"[“「‘]([^”」’，。]{2,12})[”」’]")  # a name a text quotes: ‘饿了么’, “平安联盟”


def quotes_name_of(text: str, head: str) -> bool:
    """A name quoted beside the noun asked about: ‘饿了么’外卖制服 for "哪家外卖平台"."""
    parts = {head[i : i + 2] for i in range(len(head) - 1)}
    return any(text[m.end() : m.end() + 2] in parts or text[max(0, m.start() - 2) : m.start()] in parts for m in NAME_QUOTED.finditer(text))


def is_speech(text: str) -> bool:
    """Quotes words of some length (“嫌疑人反侦察意识很强，…”, a slogan), not a term (“伪装大盗”);
    or speaks in the first or second person, which a report's own voice does not (救护车已经在路上
    了，你再坚持一下: the quotation marks lost on the page; 我市 is the paper's own city)."""
    return any(re.search(r"[，。！？；、,!?]", m.group(1)) for m in _SPEECH.finditer(text)) or bool(
        _PERSONAL.search(text)
    )


# "哪家医院", "哪个小区": a sentence answers only if it names one; 某医院, 其医院 and 自称医院采购员
# name none (a report keeps it anonymous).
WHICH_NAMED = re.compile(r"哪(家|个|所|座|一家|一个)([\u4e00-\u9fff]{2,4}?)(?:的|呢|啊|吗|[？?。，,]|$)")
_NO_NAME_BEFORE = frozenset("某该其这那此称家个的一本我")


def leaves_unnamed(question: str, text: str) -> str | None:
    """What a "哪家/哪个X" question asks to name ("哪家医院") when ``text`` speaks of it only
    without a name; None when it names one or does not speak of it."""
    which = WHICH_NAMED.search(question)
    if which is None:
        return None
    measure, noun = which.groups()
    spots = [m.start() for m in re.finditer(re.escape(noun), text)]
    if spots and all(at == 0 or text[at - 1] in _NO_NAME_BEFORE for at in spots):
        return f"哪{measure}{noun}"
    return None


def says_some(query: Query, entity: str | None, text: str) -> bool:
    """Whether ``text`` says one of the question's own words (a synonym or a part will do), its
    place or unit aside; a question with no other word passes."""
    return sayer(query, entity)(text)


def sayer(query: Query, entity: str | None) -> Callable[[str], bool]:
    """``says_some`` for one question and entity, its words gathered once for many texts."""
    short = (entity or "").rstrip("市县区")
    words = [w for w in query.terms if not (short and (short in w or w in (entity or "")))]
    if not words:
        return lambda text: True
    checks = [
        (
            [v for v in query.variants.get(word, ()) if not v.startswith("py:")],
            [p for g in query.parts.get(word, ()) for p in g],
        )
        for word in words
    ]

    def says(text: str) -> bool:
        return any(any(v in text for v in plain) or any(p in text for p in parts) for plain, parts in checks)

    return says


def span_in(query: Query, text: str, where: Callable[[str], str | None] | None = None) -> str | None:
    """Where ``text`` states what the question asks for: its span of the asked kind, for
    "多少支…" a count in that measure (每队百余人 states no number of teams), for "从哪来的" the
    place ``where`` finds."""
    if query.asked == "where":
        return where(text) if where else None
    if text in query.spans:
        return query.spans[text]
    span = query.spans[text] = _span(query, text)
    return span


# "从什么时候开始…": the date a thing started from is the one said with 从/开始/起
SINCE_ASKED = re.compile(r"(什么时候|何时|哪年|哪个月|几月)(开始|起)|从(什么时候|何时|哪年|哪个月|几月)")
_SINCE_SAID = re.compile(r"(?<=从)[^，。；]{2,12}?(?=开始|起|以来)")


# "老人是滕州的", "来自湖南": where someone is from, said without 人 (a division's name only)
_FROM_PLACE = re.compile(r"(?:是|来自)([\u4e00-\u9fff]{2,5}?)(?:的|人)?(?=[，,。；])")


# 郑某, 张某某: a suspect the report names by surname only, told as one (抓获…郑某, 嫌疑人吴某,
# 郑某对…供认不讳), when the question asks for an offender's name (那个贼姓啥, 嫌疑人叫什么)
_WITHHELD_NAME = re.compile(
    r"(?:(?<=抓获)|(?<=疑人)|(?<=嫌犯)|(?<=大盗)|(?<=窃贼)|(?<=[”」]))(?![人者犯的名将对把被和与及])[\u4e00-\u9fff]{1,2}某{1,2}"
    r"|(?<![一该其某每任])(?![人者犯的名将对把被和与及])[\u4e00-\u9fff]{1,2}某{1,2}(?=对[^，。]{0,20}供认|落网|被抓|被刑拘|被依法)"
)
OFFENDER_ASKED = re.compile(r"(贼|小偷|窃贼|大盗|嫌疑人|嫌犯|骗子|凶手|歹徒|罪犯|逃犯|犯人)")


def _span(query: Query, text: str) -> str | None:
    day = query.asked == "date" and DAY_ASKED.search(query.text)
    span = find_span("day" if day else query.asked, text)
    if span is None and query.asked == "hometown":
        span = next((m.group(1) for m in _FROM_PLACE.finditer(text) if gazetteer.lookup(m.group(1))), None)
    if span is None and query.asked == "name" and OFFENDER_ASKED.search(query.text):
        span = m.group(0) if (m := _WITHHELD_NAME.search(text)) else None
    if span and query.asked == "date" and SINCE_ASKED.search(query.text):
        since = next((m.group(0) for m in _SINCE_SAID.finditer(text) if find_span("date", m.group(0))), None)
        span = find_span("date", since) if since else span
    if span and query.asked == "count" and query.measure and not measure_fits(query.measure, span[-1]):
        return None
    counted = query.counted_variants
    if span and query.asked == "count" and counted:
        # the thing counted stands by the number: "济宁有多少人口" is not told by a sentence counting
        # 探头, "多少个民警" not by "民警又一次…"
        at = text.find(span)
        after = text[at + len(span) : at + len(span) + COUNTED_REACH]  # 42名嫌疑人
        before = _COUNT_LEAD.sub("", text[max(0, at - COUNTED_REACH) : at])  # 嫌疑人42名, 警情达2482起
        if not (any(b in after for b in query.counted_marks) or before.endswith(counted)):
            return None
    return span


def alike(fact: FactView, other: FactView) -> int:
    """How many of unit, comparison basis and direction two figures share."""
    return (fact.unit == other.unit) + (fact.comparison == other.comparison) + (fact.change == other.change)


def own_words(fact: FactView) -> str:
    """What tells the facts of one sentence apart: their own subject, agency and change."""
    return " ".join(x for x in (fact.subject, fact.agency, fact.change, fact.comparison) if x)


# 教导员顾亚军, 副所长唐海钢, 局长黄伦成: a person the story names with their post
_ROLE_NAMED = re.compile(
    r"(副?所长|教导员|副?局长|政委|副?大?队长|中队长|支队长|书记|主任|负责人|社区民警|警官)"
    r"([\u4e00-\u9fff]{2,3})(?=[，。、；：说介绍表示告诉称等和（”]|$)"
)


def roles_named(texts: Iterable[str]) -> dict[str, str]:
    """Each person a story names with a post → that post (顾亚军 → 教导员), the first it gives."""
    out: dict[str, str] = {}
    for text in texts:
        for m in _ROLE_NAMED.finditer(text):
            out.setdefault(m.group(2), m.group(1))
    return out


# "女儿叫啥名字", "那个骗子姓什么": the name of a person who is no officer (whose post ROLE reads)
PERSON_NOUN = re.compile(
    r"女儿|儿子|妻子|丈夫|家属|亲属|老人|大爷|大妈|老头|老太|孩子|小孩|骗子|小偷|司机|车主|店主|事主|受害人|报案人|男子|女子"
)
PERSON_ASKED = re.compile(rf"(?:{PERSON_NOUN.pattern})[^，。？?]{{0,6}}(?:叫|名字|姓|是谁)")


# "张某某全名叫什么": the report withholds it, so the name already asked with is all it tells
FULL_NAME_ASKED = re.compile(r"全名|真名|真实姓名|本名|原名|full name|real name")


def asks_withheld_name(text: str) -> bool:
    """The question names someone as the report does, by surname only (张某某), and asks the rest."""
    return bool(FULL_NAME_ASKED.search(text) and _WITHHELD_ANY.search(text))


_WITHHELD_ANY = re.compile(r"(?<![一该其某每])[\u4e00-\u9fff]某{1,2}(?![地处单位公司医院银行平台部门镇村小区市县])")


def names_person(text: str) -> bool:
    """The sentence names someone: a name jieba tags as one (刘铮, 何振杰), or a suspect's 郑某.
    jieba's tagger loads only for the rare question asking a person's name."""
    if _WITHHELD_ANY.search(text):
        return True
    import jieba.posseg as pseg

    # (jieba tags some places as names too: 滕州)
    return any(flag.startswith("nr") and len(word) > 1 and not gazetteer.lookup(word) for word, flag in pseg.cut(text))


FRONTED_TIME_EXTRA = 4  # "7月22日中午，…": a clause of the span and a time word or two fronts the next


def clause_of(text: str, span: str) -> str:
    """The clause of ``text`` (between ，。；) holding ``span``; the whole text if none does. A
    fronted time (7月22日中午，兴隆派出所接群众报警) is read with the clause it dates."""
    clauses = re.split(r"[，。；！？]", text)
    at = next((i for i, c in enumerate(clauses) if span and span in c), None)
    if at is None:
        return text
    if len(clauses[at]) <= len(span) + FRONTED_TIME_EXTRA and at + 1 < len(clauses):
        return clauses[at] + "，" + clauses[at + 1]
    return clauses[at]
