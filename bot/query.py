"""Read a normalized message: what kind of answer it wants and which terms carry its topic."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.asked import asked_kind, asked_measure, counted_noun, years_in
from bot.lexicon import (
    PLACE_TERM_PREFIX,
    Lexicon,
    divisions_by_pinyin,
    pinyin_key,
    pinyin_stopwords,
    stopwords,
    synonym_groups,
)
from bot.tokenize import Tokenizer
from knowledge import gazetteer
from knowledge.numerals import numeral_value

MAX_QUERY_CHARS = 300  # longer messages are read by their first part only
MAX_QUERY_TERMS = 40
PLACE_TERM_WEIGHT = 2.0

# Cue patterns, checked in this order; the first that matches names the intent.
THANKS_CUES = re.compile(
    r"^(谢谢|谢了|多谢|感谢|谢谢你|谢谢您|thanks|thank you|thx|好的|好|ok|再见|拜拜|bye)$"
)
HELP_CUES = re.compile(
    r"^(/?help|/?start|帮助|使用说明|怎么用|如何使用|你好|您好|hi|hello|在吗|你是谁|你能做什么|你会什么|能问什么|可以问什么)$"
)
# Comparisons are lists of two: both figures, then which is larger when they are comparable.
COMPARE_CUES = re.compile(
    r"(哪(个|一个|边|家|里)[^，,。？?]{0,12}?(更)?(大|多|高|少|低|小|快|强)(些|一些|点)?[?？]?$|哪个(更)?(大|多|高|少|低|小|快|强)|哪一个(更)?(大|多|高)|谁(更)?(大|多|高|少|低)|比一比|比比|比一下|比较一下|比较|对比|相比|\bvs\b|versus|compare|which one|bigger|higher|more than)"
)
JOIN_CUES = re.compile(r"(\bvs\b|versus|compare[sd]?|对比一下|对比|相比|比一比|比一下|比较一下|比较)")
WHICH_CUES = re.compile(r"(哪(一)?(个|边|家|里)(更)?|which one( is)?|谁(更)?|bigger|higher|more than)")
LIST_CUES = re.compile(
    r"((?<=[\u4e00-\u9fff])的(?:各项|几个|那些)?(?:数字|数据|统计)(?=[吧呢啊？?。]*$)|哪些|哪几(?![天日号])|哪[两二三四五六七八九十]+(?:个|项|条|种|类|点|大|方面|环节|步)|各地|各个地方|各县|各区|各市|各有|各自|各搞|各是|各(?=为|占|达|下降|上升|增长|增加|减少|降|升|多少|几|抓|破|打|用|花|被|骗|涉|追|挽|损)|分别|(?:一条条|一项项|一个个|逐条|逐项|挨个)?(?:列出来|列出|列一下|列举|列表|列个表|列全|全列|都列)|一条条|一项项|逐条|逐项|所有文章|全部文章|文章目录|有几篇|几篇报道|(?:这|那)?几篇(?:里|中|当中|报道里)|都是哪(?:个|些|家|位)|\blist\b|which places)"
)
# "是怎么管那些暴走队的": how something was done to what the question names (kept as its topic)
HOW_DONE = re.compile(r"是?(?:怎么|怎样|如何|咋)(?:管|抓|破|办|处理|帮|救|找|查|治)(?=[^，,。？?]{1,8}的[?？]?$)")
# "按金额从大到小排一下": the order a list is asked in (bot.engine.lists sorts by it), no topic
_DOWNWARD = "从大到小|由大到小|从高到低|由高到低|从多到少|由多到少"
_UPWARD = "从小到大|由小到大|从低到高|由低到高|从少到多|由少到多"
ORDER_CUES = re.compile(rf"(?:按|按照)?[^，,。？?\s]{{0,4}}?(?:{_DOWNWARD}|{_UPWARD})(?:排序|排列|排一下|排个序|排一排|排)?(?:一下)?")
_DESCENDING = re.compile(f"{_DOWNWARD}|降序")
_ASCENDING = re.compile(f"{_UPWARD}|升序")


def order_asked(text: str) -> int:
    """-1 for "从大到小", 1 for "从小到大", 0 when the question asks no order."""
    return -1 if _DESCENDING.search(text) else 1 if _ASCENDING.search(text) else 0


SUMMARY_CUES = re.compile(
    r"(讲了什么|讲的什么|讲的是什么|讲了啥|讲的啥|说了什么|说了啥|写了什么|写了啥|讲什么|讲啥|[讲说写]了些(?:什么|啥)|总结|概括|摘要|主要内容|大意|简介|介绍一下|介绍下|简单介绍|是关于什么|什么内容|"
    r"怎么回事|咋回事|什么情况|啥情况|是啥[?？]?$|是什么[?？]?$|是怎样的|是干嘛的|干嘛的|干什么的|做什么的|是做什么|怎么搞的|咋搞的|怎么做的|怎么管的|怎么找回|怎么做到|如何做到|靠什么|凭什么|用了?什么(?:办法|方法|手段|招)|为什么(?:最后|最终)?能|怎么破的|怎么抓的|(?:怎么|咋|怎样|如何)[\u4e00-\u9fff]{1,2}的$|经过|来龙去脉|"
    r"讲讲|说说|聊聊|(?<=[\u4e00-\u9fff]{6})(讲一下|说一下|聊一下)|总结下|summar(?:y|ies|i[sz]e[ds]?)?|tell me about|what happened|tl;?dr|"
    # 用两三句话说下, 简要说一下, 大致讲讲: how long the telling may be
    r"[一两三几]{1,2}句话|(简要|简单|大致|大概|粗略)地?(说|讲|介绍|聊|描述)(下|一下|说|讲)?|\bgist\b|overview|in brief|briefly|sum (?:it )?up|^what(?:'?s| is| was)\b(?=.{0,40}\babout\s*[?？]?$)|\babout\s*[?？]?$|"
    # how a story ended: 后来咋样了, 结果怎样, 钱追回来没, 抓到了吗, 破了吗, 搞得咋样, 有啥成果
    r"(后来|结果|结局|最后|最终|搞得|弄得|处理得?)[^，,。？?]{0,6}?(咋样|怎样|怎么样|如何|呢)|后来呢|结局是?(什么|啥)|"
    # "…的那次", "…那个场面": the user names an event by telling it
    r"那(个|次|件事|回|一幕|个场面|件)[?？]?$|"
    r"(?<=[抓找追破捉逮要到回住获])(来|了)*(吗|没|没有|么)[?？]?$|有(啥|什么)(成果|成效|效果)|then what|what was the outcome)"
)
# "概括一下那一节", "总结下": a summing up asked outright, whatever list it is of
ONE_ARTICLE = re.compile(r"[那这该此]篇|[那这该此][份则个]报道")
SUMMED_UP = re.compile(r"概括|总结|归纳|摘要|那一节|那部分|那一部分|那一段")
# "找到女儿没有", "追回钱了吗": whether a story ended so; only the question's tail is no topic.
OUTCOME_ASKED = re.compile(r"(找到|找回|抓到|抓住|逮住|追回|要回)([^，,。？?]{1,4}?)了?(吗|没|没有)[?？]?$")
# "锦旗上写的什么字": the words written on something, which only a quotation gives
WRITTEN_CUES = re.compile(r"(上面?|上头)(写|印|绣|题|刻)(的是?|了|着)(什么|啥)|(哪几个|什么|啥)字")
EXCERPT_CUES = re.compile(
    r"(原文|原话|原句|原本|怎么说的|怎么写的|说的啥|说了句|那句话|哪句话|那句(?=[^，,。？?]{0,4}(说法|口号|标语|顺口溜|话))|出处|引用|报道原文|原始报道|原稿|\bquote|original wording|exact words|\bexact(?:ly)?\b|verbatim|word for word)"
)
SAID_CUES = re.compile(r"(说了什么|说了啥|说的什么|讲了句|喊了什么|怎么说)")
# The words someone said: an excerpt of direct speech (“……”), which the report attributes in
# the sentence beside it (唐海钢说，… / 据X介绍).
SPEECH_CUES = re.compile(
    r"(原话|说了|说的话|说啥|讲了啥|形容|描述|那段话|那番话|评价|感叹|安慰|喊|承诺|称赞|夸|\bsaid\b|\bsay|\bwords\b|"
    r"(?:所长|教导员|局长|政委|队长|主任|书记|负责人|民警)(?:讲|说|提到|表示)(?!明))"  # 教导员说…那句话
)
# A place in the article asked for: its first or its last sentence.
ARTICLE_END = re.compile(r"(?P<first>开头|第一句|开篇|首句|导语)|(?P<last>结尾|最后一句|末尾|结束语|收尾|最后那句)")
FIGURE_WORDS = re.compile(r"(多少|几[起名人个次家项处只张部条年天岁]|多久|多长|多大|比例|百分|率)")
# Words naming the report itself: "那篇讲了什么" asks for the article, not a passage of it.
ARTICLE_WORDS = re.compile(r"(那篇|这篇|一篇|全文|整篇|文章|报道|新闻|稿子|\barticle\b|\bstory\b|\breport\b)")
FACT_CUES = re.compile(
    r"(多少|几[起名人个次家项处只张部条年天小时分钟]?|比例|百分|下降|上升|增长|减少|降低|提高|提升|比率|[^\w]?率|数据|统计|数字|(?<=[件案人次起户家])数|金额|多久|多长时间|多大|涉案|同比|环比|(?<!\d)(?!(?:19|20)\d\d(?!\d))\d|how (?:many|much|old|long|big|large)|what (?:percentage|percent|share)|\bwhen\b)"
)

CHANGE_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(下降|减少|降低|少了|降了|降得|降幅|下滑)"), "下降"),
    (re.compile(r"(上升|增长|增加|提高|提升|多了|升得|增幅|涨)"), "上升"),
)


@dataclass
class Query:
    text: str  # normalized message
    intent_hint: str | None  # explicit cue: help/list/summary/excerpt/fact, or None
    topic: str  # the message without its cue words: what rapidfuzz compares
    terms: list[str]  # content terms, in order
    weights: dict[str, float]  # terms plus synonym and pinyin expansions, for the index
    variants: dict[str, frozenset[str]]  # each content word → the index terms that cover it whole
    # each content word → its sub-words, each with its synonyms (诈骗案 → {诈骗, 骗, 被骗 …}, {骗案}), for partial credit
    parts: dict[str, tuple[frozenset[str], ...]]
    place: str | None = None
    foreign_place: str | None = None  # a place name the knowledge base has never heard of
    other_place: str | None = None  # a place no article is about, though the corpus may mention it
    unheard: str | None = None  # what the question asks about, when no word of it is in the reports
    change_hint: str | None = None
    asked: str | None = None  # the kind of answer asked for (bot.asked.ASKED_KINDS)
    measure: str | None = None  # the measure word of "多少名 …", when it says what is counted
    counted: str | None = None  # the noun "多少X" counts, with its synonyms below
    counted_variants: tuple[str, ...] = ()
    # what names the counted noun in a phrase: its variants' two-character runs (暴走队 / 暴走团队),
    # and the stem of a noun in 子/儿 (案子: 破案254起 counts 案)
    counted_marks: tuple[str, ...] = ()
    years: tuple[str, ...] = ()  # years the question names
    quoted: tuple[str, ...] = ()  # words the question puts in quotation marks: the text's own words
    recurring: tuple[str, int] | None = None  # 五个“在”: a character and how often the text repeats it
    compare: bool = False  # "哪个大", "比一比", "vs": a comparison of the sides it names
    # per index: each word's weight, variants and parts (bot.match computes it once per query)
    weights_cache: dict[int, list] = field(default_factory=dict, repr=False, compare=False)
    # (index, the query terms a candidate contains) → its coverage (bot.match.coverage)
    coverage_cache: dict[tuple[int, frozenset[str]], float] = field(default_factory=dict, repr=False, compare=False)
    # text → what it states of the asked kind (bot.engine.rules.span_in): a sentence is met as a
    # fact's, a sentence's and a passage's document, and again by the steps after the ranking
    spans: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)
    typed: str = ""  # the message as typed, before pinyin question words were spelled (read_pinyin)


def strip_cues(text: str) -> str:
    """The message without its list cue words; a comparison cue ("vs", "比一比") joins sides like 和,
    and "哪个…多" keeps what is compared (刑事发案降得) while losing its question words."""
    text = JOIN_CUES.sub("和", text)
    text = WHICH_CUES.sub(" ", text)
    return LIST_CUES.sub(" ", text).strip()


@lru_cache(maxsize=65_536)
def _synonyms_of(term: str) -> set[str]:
    """The other members of every synonym group holding ``term``: a scan of all the groups, so
    kept (a question's words recur). The set itself is kept, not a copy, so it iterates in the
    order it always did (the query's weights follow it); callers only read it."""
    out: set[str] = set()
    for group in synonym_groups():
        if term in group:
            out.update(group)
    if not out and _LATIN.match(term):
        # an English word inflected otherwise than the table lists it (drops, scammed, handles)
        for group in _english_stems().get(english_stem(term), ()):
            out.update(group)
    out.discard(term)
    return out


def english_stem(word: str) -> str:
    """Snowball's English stem: drops → drop, scammed → scam, incidents → incid."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer  # only for an English word the synonym table does not list as typed

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _english_stems() -> dict[str, list[tuple[str, ...]]]:
    """Stem of each English member of the synonym groups → the groups holding it."""
    stems: dict[str, list[tuple[str, ...]]] = {}
    for group in synonym_groups():
        for member in group:
            if _LATIN.match(member):
                bucket = stems.setdefault(english_stem(member), [])
                if group not in bucket:
                    bucket.append(group)
    return stems


# "市公安局" names no particular unit: it does not vouch for a place the corpus lacks.
GENERIC_UNIT = re.compile(r"^(市|县|区)?(公安局|公安分局|分局|派出所|指挥中心|大队|支队)$")

# "多少次", "几起": the question's own measure words carry no topic.
_QUESTION_MEASURE = re.compile(r"^(多少|几)(?:[\u4e00-\u9fff]|分钟|小时|个月|星期|礼拜)?$")  # 几分钟 asks, it names nothing
# "那封", "这起", "那次": a demonstrative and a measure word point back, they name nothing.
_DEMONSTRATIVE = re.compile(r"^[那这哪该此][个位件起次封条张篇段句种家所场名人块场回俩栋座幢间辆台]?$")
# Nouns a list question asks figures by ("各项战果", "哪些数字"): what it wants, not what it is about
FIGURES_ASKED = frozenset({"战果", "战绩", "各项", "数字", "数据", "成果", "成绩", "业绩", "统计", "numbers", "figures", "stats"})
# "五个", "哪五句", "三条": how many parts the answer has, which the text's own words do not say
_PARTS_COUNTED = re.compile(r"^[一二两三四五六七八九十]+[句条项点种类字]$")
_NUMBERED = re.compile(r"^[一二两三四五六七八九十]+个$")
# "三地", "两家", "两个地方": the sides of a list counted, naming none of them.
_SIDES_COUNTED = re.compile(r"^[两二三四五六七八九十几]+(地|家|县|市|区|者|方|个地方|个单位)$")


_LATIN = re.compile(r"^[a-z]+$")
# "今年的几项成绩列一下": the items are listed, not counted (多少 would count them)
_ENUMERATED = re.compile(r"几[项条个种类件].{0,12}?(列一下|列出|列举|列全|逐条|一条条|一项项|说说|讲讲)")
_QUOTED = re.compile(r'[“"]([^”"“]{2,12})[”"]')
# 五个“在”, 三个“一”, 一串“XX在X”: a slogan told by how often one character recurs in it
# (感知在初、预警在早…), the others written as placeholders (X, 某)
_COUNTED_QUOTE = re.compile(r'([一二两三四五六七八九十\d]+)个?[“"]([\u4e00-\u9fff])[”"]')
_TEMPLATE_QUOTE = re.compile(r'([一二两三四五六七八九十\d]+)?个?[“"][xX某]*([\u4e00-\u9fff])[xX某]*[”"]')
_PLACEHOLDER = re.compile(r"[xX某]")
TEMPLATE_RUN = 3  # a slogan "a series of X在X" repeats its character at least this often


# 五个什么在什么, 那几个X在X: the template unquoted, a placeholder on each side of its character
_TEMPLATE_BARE = re.compile(r"([一二两三四五六七八九十\d]+)?个?(?:什么|啥|[xX某])+([\u4e00-\u9fff])(?:什么|啥|[xX某])+")


def _recurring(text: str) -> tuple[str, int] | None:
    m = _COUNTED_QUOTE.search(text)
    if m is None:
        m = _TEMPLATE_QUOTE.search(text)
        if m is None or not _PLACEHOLDER.search(m.group(0)):
            m = _TEMPLATE_BARE.search(text)
        if m is None:
            return None
    count = m.group(1)
    if not count:
        return m.group(2), TEMPLATE_RUN
    return m.group(2), int(count) if count.isdigit() else int(numeral_value(count) or 0)


def _joined_pinyin(words: list[str], known: Callable[[str], bool]) -> list[str]:
    """Pinyin typed syllable by syllable ("po an lv") joined into the word the corpus knows (破案率),
    longest first, before "an" is taken for English."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in (4, 3, 2):
            run = words[i : i + size]
            if len(run) == size and all(_LATIN.match(w) for w in run) and known("py:" + "".join(run)):
                out.append("".join(run))
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def _counted_marks(variants: tuple[str, ...]) -> tuple[str, ...]:
    runs = [v[i : i + 2] for v in variants for i in range(len(v) - 1)]
    stems = [v[0] for v in variants if len(v) == 2 and v[1] in "子儿"]
    return tuple(dict.fromkeys(runs + stems))


def _counted_in(text: str, tokenizer: Tokenizer) -> str | None:
    """What a question counts; of English words ("police officers"), the last one a synonym
    reads as Chinese (officers → 民警), else none. A word and its verb's first character
    ("多少市民投了票") are the word."""
    counted = counted_noun(text)
    if counted and counted.isascii():
        return next((w for w in reversed(counted.split()) if _synonyms_of(w)), None)
    if counted and len(counted) >= 3 and not tokenizer.frequency(counted) and tokenizer.frequency(counted[:-1]):
        return counted[:-1]
    return counted


def _differs_by_one(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _by_sound(words: list[str], lexicon: Lexicon, known: Callable[[str], bool]) -> list[str]:
    """A word typed by its sound with one character wrong (管里员, 警管制) as the corpus's word:
    a word no dictionary knows (``known``: the corpus's and jieba's; 结队 is a word, only not the
    corpus's), or a character and the next word's first, that sound like one of its words."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if _CJK.fullmatch(word) and 2 <= len(word) <= 4 and not known(word):
            fix = lexicon.word_by_sound(word)
            if fix and _differs_by_one(fix, word):
                out.append(fix)
                i += 1
                continue
        after = words[i + 1] if i + 1 < len(words) else ""
        if len(word) == 1 and _CJK.fullmatch(word) and len(after) > 1 and _CJK.fullmatch(after):
            pair = word + after[0]
            fix = None if known(pair) else lexicon.word_by_sound(pair)
            if fix and _differs_by_one(fix, pair):
                out.extend([fix, after[1:]])  # 警 / 管制 → 警官 / 制
                i += 2
                continue
        out.append(word)
        i += 1
    return out


def _place_by_sound(word: str, lexicon: Lexicon, known: Callable[[str], bool]) -> str:
    """The corpus's place or unit a word no text of it uses sounds like, else the word."""
    if len(word) < 2 or not _CJK.match(word) or known(word) or word in lexicon.names:
        return word
    name = lexicon.name_by_pinyin(pinyin_key(word))
    return name if name and name != word and len(name) == len(word) else word
_LONGEST_WORD = 6
SPANNING_MIN = 3  # a corpus word this long that jieba's cut crosses is read whole


def _usable_at(run: str, pos: int, usable: Callable[[str], bool]) -> bool:
    return any(usable(run[pos : pos + n]) for n in range(2, min(_LONGEST_WORD, len(run) - pos) + 1))


def _spanning(words: list[str], known: Callable[[str], bool]) -> list[str]:
    """Where jieba cut across a longer word of the corpus's ("偷电/动车" → 偷, 电动车), the corpus's
    word wins: a cut beside a word the corpus never uses is a slip."""
    out = list(words)
    i = 0
    while i < len(out) - 1:
        a, b = out[i], out[i + 1]
        if _CJK.match(a) and _CJK.match(b) and not (known(a) and known(b)):
            run = a + b
            found = next(
                (
                    (at, n)
                    for at in range(1, len(a))
                    for n in range(min(_LONGEST_WORD, len(run) - at), SPANNING_MIN - 1, -1)
                    if at + n > len(a) and known(run[at : at + n])
                ),
                None,
            )
            if found:
                at, n = found
                out[i : i + 2] = [x for x in (run[:at], run[at : at + n], run[at + n :]) if x]
        i += 1
    return out


def _resegmented(words: list[str], known: Callable[[str], bool], stop: frozenset[str]) -> list[str]:
    """Cut again, by the corpus's own words, where jieba cut the question into words the corpus
    never uses ("黄/赌警/情降" → 黄, 赌, 警情, 降): a segmentation slip must not lose 警情."""

    def usable(word: str) -> bool:  # a synonym's word (小贷公司) finds the corpus's through it
        return known(word) or word in stop or (len(word) > 2 and bool(_synonyms_of(word)))

    def loose(word: str) -> bool:  # may join a neighbouring unknown word
        return bool(_CJK.match(word)) and (len(word) == 1 or not usable(word))

    out: list[str] = []
    done = 0  # words before this index are in ``out``, one entry each unless re-cut
    i = 0
    while i < len(words):
        word = words[i]
        if not (_CJK.match(word) and len(word) > 1 and not usable(word)):
            out.append(word)
            i += 1
            continue
        start, end = i, i + 1
        while start > done and loose(words[start - 1]):
            start -= 1
            out.pop()
        while end < len(words) and loose(words[end]):
            end += 1
        if all(len(w) > 1 for w in words[start:end]):
            # No stray character beside it: jieba did not slip, the word is simply not the corpus's.
            out.extend(words[start:end])
            i = done = end
            continue
        run = "".join(words[start:end])
        pos = 0
        while pos < len(run):
            size = next((n for n in range(min(_LONGEST_WORD, len(run) - pos), 1, -1) if usable(run[pos : pos + n])), 0)
            # No corpus word starts here: jieba's word when one starts here ("颜色"), else the character.
            # (Unless a corpus word starts inside it: 黄/赌警/情降 gives 黄, 赌, 警情, 降.)
            starts = [
                w
                for w in words[start:end]
                if run.startswith(w, pos) and not any(_usable_at(run, pos + k, usable) for k in range(1, len(w)))
            ]
            piece = run[pos : pos + size] if size else (starts[0] if starts else run[pos])
            out.append(piece)
            pos += len(piece)
        i = done = end
    return out


_SYLLABLES = re.compile(r"[a-z]+")
_ANY_CJK = re.compile(r"[\u4e00-\u9fff]")
# measure words by their sound, for "duo shao ren" (多少人), "ji ge" (几个)
_MEASURE_SOUNDS = {"ren": "人", "qian": "钱", "sui": "岁", "tian": "天", "nian": "年", "ming": "名", "ge": "个", "qi": "起", "jia": "家", "ci": "次", "tiao": "条", "jian": "件", "zhi": "只", "tai": "台", "liang": "辆", "hu": "户", "wei": "位", "xiang": "项", "chu": "处", "zhang": "张", "bu": "部", "suo": "所"}


def read_pinyin(text: str, known: Callable[[str], bool], reported: Callable[[str], bool] = lambda _: False) -> str:
    """A message typed all in pinyin ("jiaxiang zhang moumou ji sui") with its question words
    spelled in characters (几岁), so that what it asks is read as in Chinese; syllables that spell a
    corpus word stay for its pinyin key ("wo dian" is 窝点, no 我). English is left as it is."""
    if _ANY_CJK.search(text) or not text.isascii() and not _SYLLABLES.search(text):
        return text  # most messages: nothing to spell, and no word sets built for them
    found = list(_SYLLABLES.finditer(text))
    words = [m.group(0) for m in found]
    english = {w for w in stopwords() if w.isascii()}
    if not words or any(w in english for w in words):
        return text
    table = pinyin_stopwords()
    foreign: dict[int, tuple[int, str]] = {}
    kept = {
        i
        for size in range(2, 5)
        for start in range(len(words) - size + 1)
        if known("py:" + "".join(words[start : start + size]))
        for i in range(start, start + size)
    }
    places = divisions_by_pinyin()
    # "shanghai jingcha …": a province or city the reports are not about, in characters, so that the
    # question is read as one about a place elsewhere (``reported`` tells the reports' own places)
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            span = range(start, start + size)
            place = places.get("".join(words[start : start + size]))
            if place and not kept & set(span) and not reported(place):
                kept.update(span)
                foreign[start] = (size, place)
    spelled: dict[int, tuple[int, str]] = {}  # first syllable → (syllables taken, characters)
    asked_before = -1  # the syllable after a spelled 多少/几, which may be its measure word
    i = 0
    while i < len(words):
        if i in foreign:
            spelled[i] = foreign[i]
            i += foreign[i][0]
            continue
        size = next(
            (
                n
                for n in range(min(4, len(words) - i), 0, -1)
                # a question word of three syllables or more (ji yue ji) outweighs a corpus word
                if "".join(words[i : i + n]) in table and (n >= 3 or not kept & set(range(i, i + n)))
            ),
            0,
        )
        if not size and asked_before == i and words[i] in _MEASURE_SOUNDS:
            spelled[i] = (1, _MEASURE_SOUNDS[words[i]])  # duo shao ren → 多少人: the measure counted
        elif size:
            spelled[i] = (size, chars := table["".join(words[i : i + size])])
            asked_before = i + size if chars.endswith(("多少", "几")) else -1
        i += size or 1
    out, at = [], 0
    i = 0
    while i < len(found):
        m = found[i]
        out.append(text[at : m.start()])
        if i in spelled:
            size, chars = spelled[i]
            out.append(chars)
            at = found[i + size - 1].end()
            i += size
        else:
            out.append(m.group(0))
            at = m.end()
            i += 1
    out.append(text[at:])
    # 几 月 几 号 → 几月几号: words spelled in characters side by side are read together
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", "".join(out))


def parse(text: str, tokenizer: Tokenizer, lexicon: Lexicon, known: Callable[[str], bool]) -> Query:
    """Split a message into cue, topic words and slots; ``known`` tells words the corpus uses."""
    typed = text[:MAX_QUERY_CHARS]
    text = lexicon.spelled_out(read_pinyin(typed, known, lambda p: lexicon.place_in([p], p) is not None))
    hint: str | None = None
    topic = text
    compare = False
    if THANKS_CUES.match(text):
        hint = "thanks"
    elif HELP_CUES.match(text):
        hint = "help"
    else:
        compare = bool(COMPARE_CUES.search(text))
        if compare:
            hint = "list"
            topic = COMPARE_CUES.sub(" ", topic)
        if WRITTEN_CUES.search(text):
            hint = "excerpt"
        for name, pattern in (("excerpt", EXCERPT_CUES), ("list", ORDER_CUES), ("list", LIST_CUES), ("summary", SUMMARY_CUES)):
            if pattern.search(text):
                hint = hint or name
                topic = pattern.sub(" ", topic)
        if hint is None and HOW_DONE.search(text):
            hint = "summary"  # "警察是怎么管那些暴走队的": how it was done, told by its passage
            topic = HOW_DONE.sub(" ", topic)
        if hint is None and OUTCOME_ASKED.search(text):
            hint = "summary"
            topic = OUTCOME_ASKED.sub(r"\1\2", topic)
        if hint == "list" and SUMMED_UP.search(text) and not compare:
            hint = "summary"  # "…搞了哪些名堂，概括一下那一节": a part of an article summed up
        if hint == "list" and ONE_ARTICLE.search(text) and SUMMARY_CUES.search(text) and not compare:
            hint = "summary"  # "…那篇文章，简单说说都干了哪些事": one article told
        if ARTICLE_END.search(text):
            hint = hint or "excerpt"  # "那篇的结尾": a sentence of the article by its place in it
            topic = ARTICLE_END.sub(" ", topic)
        if hint == "summary" and SAID_CUES.search(text) and not ARTICLE_WORDS.search(text):
            hint = "excerpt"  # "民警安慰老人时说了什么" wants the words said; "那篇报道说了什么", a summary
    fact_cue = bool(FACT_CUES.search(text))
    if hint is None and SPEECH_CUES.search(text) and not FIGURE_WORDS.search(text):
        hint = "excerpt"  # "周先生怎么评价反诈热线的": the words said, not the hotline's number
    if hint is None and fact_cue:
        hint = "fact"
    stop = stopwords()
    words: list[str] = []
    recurring = _recurring(text)
    for word in _resegmented(_spanning(_joined_pinyin(tokenizer.words(topic), known), known), known, stop):
        if (
            word in stop
            or _QUESTION_MEASURE.match(word)
            or _DEMONSTRATIVE.match(word)
            or _SIDES_COUNTED.match(word)
            or _PARTS_COUNTED.match(word)
            or (recurring is not None and (_NUMBERED.match(word) or not _PLACEHOLDER.sub("", word)))  # 五个“X在X”
            or word in words
        ):
            continue
        words.append(word)
        if len(words) >= MAX_QUERY_TERMS:
            break
    if hint == "list" and (content := [w for w in words if w.lower() not in FIGURES_ASKED]):
        words = content  # "云剑行动的各项战果都有哪些数字": the figures are asked, 战果 is no word of them
    # A place typed with a homophone (京门, 新常, 家祥) is the corpus's place of that sound.
    words = _by_sound([_place_by_sound(w, lexicon, known) for w in words], lexicon, lambda w: known(w) or tokenizer.frequency(w) > 0)
    unheard = [
        w
        for w in words
        # a place jieba knows, or a division written in full (柯桥区, jieba has no 柯桥)
        if (w in lexicon.world_places or any(d.name == w for d in gazetteer.lookup(w)))
        and lexicon.place_in([w], w) is None
        and not known(w)
        and not known(w.rstrip("市县区省"))
    ]
    foreign = unheard[0] if unheard else None
    # A place the corpus mentions only in passing ("上海银联…") is no article's place: an answer
    # must then be about it or say it (checked against the answer, not here). A name of one of
    # the corpus's units (兴隆 of 兴隆派出所, also a county elsewhere) is that unit's.
    elsewhere = next(
        (
            w
            for w in words
            if w in lexicon.world_places and lexicon.place_in([w], w) is None and w not in unheard
            and w not in lexicon.names
            and gazetteer.lookup(w)  # a division: jieba also tags 治安 and 江滨公园 as places
        ),
        None,
    )
    if foreign and any(w in lexicon.names and not GENERIC_UNIT.match(w) for w in words):
        # A place the corpus never names ("宁波") does not sink a question that names a unit it
        # knows ("宁波鼓楼派出所"): the page may simply not have printed the city.
        words = [w for w in words if w not in unheard]
        foreign, elsewhere = None, unheard[0]  # the answer's place must lie in it (bot.lexicon.within)
    weights: dict[str, float] = {}
    variants: dict[str, frozenset[str]] = {}
    parts: dict[str, tuple[frozenset[str], ...]] = {}
    for word in words:
        cover = {word}
        weights[word] = 1.0
        for syn in _synonyms_of(word):
            cover.add(syn)
            weights[syn] = max(weights.get(syn, 0.0), 0.8)
        if len(word) > 1 or word.isascii():
            key = "py:" + (pinyin_key(word) if not word.isascii() else word)
            cover.add(key)
            weights.setdefault(key, 0.5)
        variants[word] = frozenset(cover)
        subwords = sorted({p for p in tokenizer.terms(word) if p != word and len(p) > 1})
        groups = []
        for sub in subwords:
            weights.setdefault(sub, 0.6)
            synonyms = _synonyms_of(sub) if sub not in variants[word] else set()
            for syn in synonyms:
                weights.setdefault(syn, 0.5)
            groups.append(frozenset({sub} | synonyms))
        parts[word] = tuple(groups)
    change_hint = next((c for p, c in CHANGE_HINTS if p.search(text)), None)
    place = lexicon.place_in(words, text)
    # What a question naming a place, unit or year asks about, when the reports never use any word
    # of it (荆门2019年的GDP, 人均收入): the place or year alone would otherwise pick a figure of theirs.
    content = [
        w for w in words
        if len(w) > 1 and not w.isdigit() and w not in lexicon.places and w not in lexicon.names
        and not (w.isascii() and w in divisions_by_pinyin())  # a city in pinyin (shaoxing) is a place named
        and not any(p.fullmatch(w) for p, _ in CHANGE_HINTS)  # 增长 of what is what it asks
    ]
    heard = (known(v) for w in content for v in variants[w].union(*parts[w]))
    named = len(content) < len([w for w in words if len(w) > 1])
    unheard = content[0] if named and content and not any(heard) else None
    if place:
        # Every document of an article carries its place as a term: the place then helps
        # nominate candidates, not only filter the few that made the cut.
        weights[PLACE_TERM_PREFIX + place] = PLACE_TERM_WEIGHT
    return Query(
        text=text,
        typed=typed,
        intent_hint=hint,
        topic="".join(words) or topic.strip(),
        terms=words,
        weights=weights,
        variants=variants,
        parts=parts,
        place=place,
        foreign_place=foreign,
        other_place=elsewhere,
        unheard=unheard,
        change_hint=change_hint,
        asked=(asked := None if _ENUMERATED.search(text) else asked_kind(text)),
        # "那几起诈骗案分别骗了多少钱" asks money: 几起 says which cases, it measures no answer
        measure=asked_measure(text, tokenizer.words(text)) if asked in (None, "count") and not _ENUMERATED.search(text) else None,
        # "那几起诈骗案分别骗了多少钱" counts nothing: it asks for money.
        # an English noun counts only through the Chinese words it stands for (officers → 民警)
        counted=(counted := _counted_in(text, tokenizer) if asked == "count" else None),
        counted_variants=(counted_variants := tuple(sorted(_synonyms_of(counted) | {counted})) if counted else ()),
        counted_marks=_counted_marks(counted_variants),
        years=years_in(text),
        quoted=tuple(m.group(1) for m in _QUOTED.finditer(text) if not _PLACEHOLDER.search(m.group(1))),
        recurring=recurring,
        compare=compare,
    )
