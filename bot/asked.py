"""What a question asks for (a count, money, an age, a date, a name …) and where a sentence says it.

The fact table holds statistics; many questions ask for something a sentence states that is no
statistic (a name, a date, an ordinal, a duration in words, an age). Both the question side (which
kind is asked) and the answer side (the span of that kind in a sentence) live here, so the engine
can prefer the facts of the asked kind and otherwise quote the sentence with the span marked.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "ASKED_KINDS",
    "DAY_ASKED",
    "NUMBER_NOUNS",
    "SPAN_KINDS",
    "STAT_KINDS",
    "asked_kind",
    "asked_measure",
    "counted_noun",
    "find_span",
    "measure_fits",
    "years_in",
]

_NUM = r"[\d.]+|[零〇一二两三四五六七八九十百千万]+"

# "探头数量", "人数": a number of things asked by its noun
NUMBER_NOUNS = "数量|数目|个数|人数|起数|户数|次数"

# Question words by the kind of answer they want, most specific first ("热线救回了多少钱" asks money).
_ASKED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("money", re.compile(r"(多少钱|金额|钱款|钱数|损失|资金|骗了多少(?![个名人位次起家户])|转走|how much money|\bmoney\b)")),
    # "打了几次电话" counts calls: a number of times asked before 电话 asks no phone number
    # "接到的那个骗子电话" is a call: only a number asked ("电话是多少", 号码, 热线) asks a phone number
    ("phone", re.compile(r"(电话号|电话是|电话多少|打什么电话|哪个电话|号码|热线|手机号|联系方式|hotline|phone number|\bphone\b(?! ?calls?))")),
    # "占地多大", "大屏多大" ask a size: a place or a thing before 多大 is no person
    ("area", re.compile(r"(面积|平方米|占地|(?:厅|场地|房|院|馆|室|中心)[^，,。？?]{0,3}多大)")),
    ("length", re.compile(r"(屏[^，,。？?]{0,4}多大)")),
    ("age", re.compile(r"(几岁|多大岁数|多大年纪|多少岁|年龄|岁数|年纪|多大了?$|how old|\bage\b)")),
    ("clock", re.compile(r"(几点|几时几分|什么时间点|what time)")),
    ("ordinal", re.compile(r"(第几|排第|排名|名次|排几|which time)")),
    (
        "date",
        re.compile(
            r"(几号|哪天|哪一天|哪[两几]天|哪些天|什么时候|何时|几月几[日号]|哪一年|哪年|什么日子|日期|when\b|what date)"
        ),
    ),
    ("name", re.compile(r"(叫啥|叫什么|是谁|姓名|名字|哪位|姓什么|姓啥|谁(?![家的更比])|\bwho\b|\bname)")),
    # where someone is from: "张某某（男，30岁，广东省潮州市饶平县人）"
    ("hometown", re.compile(r"(老家|籍贯|哪里人|哪儿人|哪的人|哪里的人|是哪人|何地人|[从打]?哪(?:里|儿)?来的|where .* from)")),
    (
        "where",
        re.compile(
            r"(哪里|哪儿|哪的|什么地方|从哪|在哪|去哪|老家|籍贯|哪个地方|哪个省|哪个县|哪个市|\bwhere\b)"
        ),
    ),
    (
        "duration",
        re.compile(
            r"(多久|多长时间|多少时间|几天|几个小时|几小时|几分钟|多少天|多少个?小时|多少个?钟头|几个钟头|多少分钟|多少年|(?<![近前这那头后])几年|"
            r"几个月|多少个月|几周|几个星期|多少周|用时|为期|how long)"
        ),
    ),
    ("percent", re.compile(r"(比例|百分|幅度|降幅|增幅|涨幅|[^效]率|percent|rate\b)")),
    ("area", re.compile(r"(面积|平方米|占地|多大的?(地方|场地|面积))")),
    ("length", re.compile(r"(多长|多高|多宽|长度|高度|尺寸|多大的?屏)")),
    # "被骗的钱比一比": money named by what befell it, when no other question word asks
    # ("几个小时把被骗的钱追回来" asks how long)
    # ("被骗的钱转到了哪家银行" asks which bank)
    ("money", re.compile(r"^(?!.*哪(?:家|个|一家))(?:.*?)(?:[骗偷丢损花追挽赔][走了掉去回]?的钱|(?:被骗[走了去]?|骗[走去]|追回了?|挽回了?|追缴了?|退还了?)多少(?![次起个名人回件家辆台部只]))")),
    # "哪几条/哪几个地方" asks which, not how many.
    # A bare 多少 may want a rate or money as well: only a measure word makes it a count.
    # "多少嫌疑人/多少案子": a noun after 多少 is what is counted (多少钱/万/倍 … were taken above).
    (
        "count",
        re.compile(
            r"((多少|(?<!哪)几)[个名人起家次项处只张部条件类所队支辆台户例宗笔本批]|"
            r"多少(?![钱万亿元倍岁年天月周分秒小平米公度成比呢吧啊呀嘛哪])[\u4e00-\u9fff]|how many|"
            rf"(?<=[\u4e00-\u9fff])(?:{NUMBER_NOUNS}))"
        ),
    ),
)
ASKED_KINDS: tuple[str, ...] = tuple(k for k, _ in _ASKED)
# Kinds the fact table holds (its ``kind`` column, "rate" read as "percent").
STAT_KINDS = frozenset({"count", "money", "percent", "duration", "area"})

# No bare 月/日 (8月13日 is a date) and no four-digit number before 年 (2019年 is a year).
_TIME_UNIT = r"(?:个多|个|多)?(?:小时|分钟|秒钟|天|周|星期|个月|年)(?:内|多|左右|之内)?(?!\d)"
_MEASURES = "个|名|人|位|起|件|宗|例|家|所|次|场|回|支|队|辆|台|户|笔|本|批|类|项|处|只|张|部|条"
_SPANS: dict[str, re.Pattern[str]] = {
    "phone": re.compile(r"\d{5,}"),
    "age": re.compile(rf"(?:{_NUM})(?:多)?岁(?:左右|以上)?|[一二三四五六七八九]{{2}}十岁"),
    "ordinal": re.compile(r"(?:倒数)?第[\d一二三四五六七八九十百]+[次名位个届期批轮]?"),
    "date": re.compile(
        r"(?:\d{4}年)?\d{1,2}月\d{1,2}[日号](?:[至到-]\d{1,2}[日号])?|每[月周]\d{1,2}[日号](?:[、和至到]\d{1,2}[日号])*|"
        r"\d{1,2}[日号](?:[、和至到]\d{1,2}[日号])+|\d{4}年(?:\d{1,2}月)?|[上本下]月\d{1,2}[日号]|"
        r"(?:今年|去年|前年)\d{1,2}月(?:份|初|中旬|上旬|下旬|底|末)?|\d{1,2}月(?:份|初|中旬|上旬|下旬|底|末)"
    ),
    # A day, when the question asks which day ("哪天落网的"): 2015年 states no day.
    "day": re.compile(
        r"\d{1,2}月\d{1,2}[日号](?:[至到-]\d{1,2}[日号])?|每[月周]\d{1,2}[日号](?:[、和至到]\d{1,2}[日号])*|"
        r"\d{1,2}[日号](?:[、和至到]\d{1,2}[日号])+|[上本下]月\d{1,2}[日号]"
    ),
    "duration": re.compile(
        rf"(?:不到|不足|仅用|用时|历时|为期|近|约|短短)?(?<!\d)(?:\d{{1,3}}(?:\.\d+)?|[零〇一二两三四五六七八九十百]+|半){_TIME_UNIT}"
    ),
    "clock": re.compile(
        r"(?:凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|当晚|夜里)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:点|时(?!间|期|候|代))(?:\d{1,2}分|半|多|许|左右)?"
    ),
    # the last division before 人 in "广东省潮州市饶平县人": a native place, most precisely
    "hometown": re.compile(r"(?<=[省市县区镇乡村，,（(、是])[^省市县区镇乡村，,（(、是\s]{1,5}[省市县区镇乡村](?=人[，,。；）)、])"),
    "percent": re.compile(r"[\d.]+%"),
    "count": re.compile(rf"(?:{_NUM})(?:余|多)?[万亿]?(?:余|多)?(?:{_MEASURES})"),  # 2万多名, 1.2万余人
    "money": re.compile(rf"(?:{_NUM})(?:余|多)?[万亿]?(?:余|多)?元"),
    "area": re.compile(rf"(?:近|约)?(?:{_NUM})(?:余|多)?平方米"),
    "length": re.compile(rf"(?:{_NUM})(?:余|多)?(?:米|厘米|公里)"),
}
SPAN_KINDS = frozenset(_SPANS)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|(?=\D|$))")


DAY_ASKED = re.compile(r"(哪天|哪一天|哪[两几]天|哪些天|哪日|几号|几月几|什么日子)")


def question_words() -> tuple[str, ...]:
    """The words in characters that ask for a kind of answer (几岁, 多少钱, 哪天 …): the plain
    alternatives of the patterns above, so that a question typed in pinyin can be spelled."""
    words: list[str] = []
    for pattern in (*(p for _, p in _ASKED), DAY_ASKED):
        for part in re.split(r"[|()]", pattern.pattern):
            if re.fullmatch(r"[\u4e00-\u9fff]{2,}", part):
                words.append(part)
    return tuple(dict.fromkeys(words))


def asked_kind(text: str) -> str | None:
    """The kind of answer a normalized question asks for, or None when it names none."""
    return next((kind for kind, pattern in _ASKED if pattern.search(text)), None)


@lru_cache(maxsize=1 << 16)  # the same candidate sentences come up for question after question
def find_span(kind: str | None, sentence: str) -> str | None:
    """The first stretch of ``sentence`` that states an answer of ``kind``."""
    pattern = _SPANS.get(kind or "")
    match = pattern.search(sentence) if pattern else None
    return match.group(0) if match else None


# What a "多少X" question counts, and the units that count the same thing.
_MEASURE = re.compile(r"(?:多少|(?<!哪)几)([名人位起件宗例家所次场回个支队辆台户笔本批类项处只张部条])")
_SAME_MEASURE = ({"名", "人", "位"}, {"起", "件", "宗", "例"}, {"家", "所"}, {"次", "场", "回"}, {"支", "队"})


def asked_measure(text: str, words: list[str] | None = None) -> str | None:
    """The measure word of "多少名/几起…", or None (个 measures anything).

    With the question's words (jieba), a measure is a word of its own: "多少本地案件" has 本地, not 本.
    """
    if words is not None:
        for i, word in enumerate(words):
            if word.startswith("几") and i and words[i - 1].endswith("哪"):
                continue  # 哪几起: which cases, none counted
            if word in ("多少", "几") and i + 1 < len(words):
                text = word + words[i + 1] if len(words[i + 1]) == 1 else ""
            elif word.startswith(("多少", "几")) and len(word) <= 3:
                text = word
            else:
                continue
            match = _MEASURE.fullmatch(text)
            if match:
                return match.group(1) if match.group(1) != "个" else None
        return None
    match = _MEASURE.search(text)
    return match.group(1) if match and match.group(1) != "个" else None


def measure_fits(measure: str, unit: str) -> bool:
    """Whether a figure in ``unit`` counts what "多少{measure}" asks about."""
    if not unit or measure in unit:
        return True
    last = unit[-1]
    if last == "个" and measure not in _SAME_MEASURE[0]:
        return True  # "多少条背街小巷" is told by 122个背街小巷: 个 measures any thing, if no person
    return any(measure in group and last in group for group in _SAME_MEASURE)


_COUNTED = re.compile(
    r"(?:多少|(?<!哪)几)[名人位起件宗例家所次场回个支队辆台户笔本批类项处只张部条]?([\u4e00-\u9fff]{2,8})"
)
_UNIT_WORD = re.compile(
    r"^(分钟|小时|秒|天|年|个月|月|周|星期|岁|元|万|亿|平方|米|公里|倍|成|百分)"
)  # 几分钟: a unit
_COUNTED_END = re.compile(r"(的|了|呢|吗|啊|呀|是|有|被|在|一起|一块|一同|共同|联合|跟|和|与|都|各|参与|参加|出动|到场|报名|投票|接受|受到|获得|使用|进行|发生).*$")


# "几个数据", "几个点", "哪几方面": no particular thing counted
_NOTHING_COUNTED = re.compile(r"^(数据|数字|方面|内容|问题|情况|事情|百分点|点|项目?数据)")
_MEASURE_CHARS = "名人位起件宗例家所次场回个支队辆台户笔本批类项处只张部条"


# "how many police officers does…": the words before the verb name what is counted (officers)
_COUNTED_EN = re.compile(r"how many ((?:[a-z-]+ ?){1,4})")
_EN_VERB = re.compile(r"^(?:does|do|did|were|are|was|is|have|has|had|work|works|in|of|at|for|from|by|the|can|will|got|get)$")


def counted_noun(text: str) -> str | None:
    """What "多少X / 几起X" counts (命案 in "发生了几起命案"), when the question names it."""
    if english := _COUNTED_EN.search(text):
        words = english.group(1).split()
        cut = next((i for i, w in enumerate(words) if _EN_VERB.match(w)), len(words))
        return " ".join(words[:cut]) or None  # the query picks the word it can read (bot.query)
    match = _COUNTED.search(text)
    noun = _COUNTED_END.sub("", match.group(1)) if match else ""
    if noun[:1] in _MEASURE_CHARS and len(noun) < 3:
        return None  # "几个点": the measure and one character, no noun
    if _NOTHING_COUNTED.match(noun.lstrip(_MEASURE_CHARS)):
        return None
    return noun if len(noun) >= 2 and not _UNIT_WORD.match(noun) else None


def years_in(text: str) -> tuple[str, ...]:
    """Four-digit years a text names (2019年, 2019), in order, without repeats."""
    return tuple(dict.fromkeys(m.group(1) for m in _YEAR.finditer(text)))
