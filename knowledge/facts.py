"""Turn sentences into FactDrafts: one per statistic a reader could ask about.

Newspaper statistics follow a few fixed shapes, so rules beat a parser here:

* ``[period，][agency][adverbs]<subject><number>`` — "今年以来，鼓楼派出所已抓获…嫌疑人42名";
* a follow-up clause without a subject inherits it — "…1336起，同比下降28.78%";
* ``A、B<head>…分别<change>x、y`` distributes values — "刑事、治安发案同比分别下降29.8%、26.7%";
* ``<verb><number><noun>`` counts the noun after the number — "促成40余家企业迁出辖区".

Numbers themselves (and what is *not* a statistic) come from :mod:`knowledge.numbers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import jieba
import jieba.posseg as pseg

from knowledge.numbers import QuantityMatch, find_quantities
from knowledge.types import ArticleDraft, FactDraft

__all__ = ["extract_facts", "extract_from_sentence"]

_SPACE = re.compile(r"[ \t\u3000\r\n]+")
_CLAUSE_BREAK = re.compile(r"[，,；;。！!？?：:]")
_CJK = re.compile(r"[\u4e00-\u9fff]")

_PERIOD_PREFIX = r"^(?:而|但|另外|此外|其中|同时|据统计|据了解|据悉|自)?"
_PERIOD_RE = re.compile(
    _PERIOD_PREFIX + r"(?P<p>"
    r"(?:今年|去年|前年)?\d{4}年\d{1,2}[-－—~至到]\d{1,2}月份?(?:以来)?"
    r"|(?:今年|去年)\d{1,2}[-－—~至到]\d{1,2}月份?(?:以来)?"
    r"|(?:今年|去年)\d{1,2}月(?:份|初|底|中旬|上旬|下旬)?(?:以来)?(?!\d)"
    r"|\d{4}年\d{1,2}月(?:份|初|底)?(?:以来)?(?!\d)"
    r"|(?:今年|去年)(?:上半年|下半年|前三季度|一季度|全年|年初|以来)"
    r"|\d{4}年(?:上半年|下半年|全年|初|以来|来)?(?![\d月])"
    r"|近\d+年来|近[一二三四五六七八九十两]+年来|\d+年来|[一二三四五六七八九十两]+年来|近年来|多年来"
    r"|截[至止]目前|截[至止]\d{4}年\d{1,2}月(?:底|末)?|截[至止]\d{1,2}月(?:底|末)?"
    r")"
)
# "夏季治安打击整治行动以来": a whole short clause ending in 以来 is a period too.
_SINCE_CLAUSE = re.compile(r"^(?:自)?(?P<p>[^，,。；;]{2,20}以来)$")

_AGENCY_SUFFIX = (
    r"(?:公安分局|公安局|公安厅|公安处|公安机关|分局|派出所|指挥中心|实战中心|大队|支队|中队|警务站|刑警队)"
)
_AGENCY_SUFFIX_RE = re.compile(_AGENCY_SUFFIX)
_AGENCY_RE = re.compile(rf"(?:[\u4e00-\u9fff0-9]{{0,12}}?{_AGENCY_SUFFIX})+")
# Words that cannot sit inside a unit's name: the name starts after the last of them.
_AGENCY_STOP = re.compile(
    r".*(?:接到|会同|来自|按照|根据|进一步|建构了|协助|联合|指令|组织|围绕|依托|通过|介绍|了解|统计|以来|目前"
    r"|[了的和与及对向在由据经被让将是给到从为把同等称说])"
)
_AGENCY_LEAD = re.compile(r"^(?:\d{4}年|今年|去年|当年|近日|随后|同时|其中)+")
_AGENCY_REACH = 20
_GENERIC_AGENCY = re.compile(
    rf"^(?:各|该|本|辖区|城区|全局|各地|基层|属地|相关|有关|上级|公安)*{_AGENCY_SUFFIX}$"
)

_CHANGE_TAIL = re.compile(
    r"(?P<cmp>同比|环比|比去年同期|较去年同期|与去年同期相比)?(?:分别)?"
    r"(?P<chg>上升|下降|增长|减少|提升|提高|降低|增加|下滑|回落|上涨|下跌)(?:了)?(?:分别)?(?:达|为)?$"
)
_VERB_TAIL = re.compile(
    r"(?:已经|已|共|累计|总计|合计|分别)?"
    r"(?:达到|[高多共约竟]?达|为|是|扩充至|增至|增加到|增加至|突破|降至|升至|至|计|共|[现拥尚还只另仍]?有)$"
)
_LEAD_JUNK = (
    "据统计",
    "据了解",
    "据悉",
    "其中",
    "同时",
    "此外",
    "另外",
    "并且",
    "而且",
    "他们",
    "甚至",
    "从",
    "我们",
    "该所",
    "该局",
    "全县",
    "全市",
    "全区",
    "全省",
    "全局",
    "全国",
    "辖区",
    "当年",
    "今年",
    "已经",
    "累计",
    "先后",
    "成功",
    "共计",
    "总共",
    "结果",
    "目前",
    "共",
    "已",
    "并",
    "还",
    "又",
    "而",
    "将",
    "由",
    "对",
    "在",
    "有",
    "就",
    "均",
    "都",
    "的",
    "、",
    "和",
    "及",
)
# openers that say nothing about what was counted: reported speech (对方称其), stance (但是觉得),
# agents (民警), pronouns (自己) and rhetoric (背后却是) ahead of the noun phrase
_LEAD_CLAUSE = re.compile(
    r"^(?:(?:[\u4e00-\u9fff]{0,4}?(?<![名简统俗号])(?:又|还|随即)?称(?:有|其)?)(?=[\u4e00-\u9fff]{2})"
    r"|[\u4e00-\u9fff]{0,4}?(?:却是|就是|正是|便是)|[\u4e00-\u9fff]{0,3}?自己"
    r"|但是|觉得|这只是|这只|本次|凡是|未料|围绕|针对|对照|按照|经查询|经查|民警|警方|我县|我市|我区|今明两年|今明)"
)
_PROTECTED_STARTS = ("有效", "有关", "对方", "对象", "将来", "在线", "并非", "由于", "全县公安", "全市公安")
_LEAD_NAMED_ACTION = re.compile(r"^[“\"][^”\"]{1,15}[”\"](?:专项)?(?:行动|活动|战役)")
_FOLLOW_STOP = re.compile(
    r"[后时前内对在向将把从并等被，,让使是每]|中(?![心队层央国])|(?<![参给赋])与|(?<![以涉普危])及"
)
_FOLLOW_SKIP = re.compile(r"^(?:[后前内里]|[中时](?=[，,的]|$))")
_FOLLOW_MAX = 20
_SEPARATORS = ("、", "和", "及", "以及", "，", ",")
_RATE_WORD = re.compile(r"([\u4e00-\u9fff]{2}率)")


@dataclass
class _Context:
    """What a clause inherits from earlier clauses of the same sentence."""

    period: str | None = None
    last_subject: str | None = None


def _nospace(text: str) -> str:
    return _SPACE.sub("", text)


def _clause_spans(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of every clause, breaks excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_BREAK.finditer(sentence):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(sentence)))
    return spans


@lru_cache(maxsize=8192)
def _period_of(clause: str) -> str | None:
    """Period phrase opening a clause ("2016年1-10月份", "今年以来", "3年来"), spaces removed.

    Kept per clause: every clause is read for it twice (its facts, and the period a sentence
    ending in ； passes on), and clauses recur.
    """
    text = _nospace(clause)
    m = _SINCE_CLAUSE.match(text)
    if m:
        return m.group("p")
    m = _PERIOD_RE.match(text)
    return m.group("p") if m else None


def _agency_before(sentence: str, pos: int) -> str | None:
    """Nearest specific police unit named before pos; generic ones (辖区派出所) don't count.

    A name is grown leftwards from its suffix (派出所, 分局 …) through earlier units
    (荆门市公安局东宝分局龙泉派出所) but stops at verbs and prepositions (来自县公安局).
    """
    text = _nospace(sentence[:pos])
    found: str | None = None
    for m in _AGENCY_SUFFIX_RE.finditer(text):
        window = re.split(r"[^\u4e00-\u9fff0-9]", text[max(0, m.start() - _AGENCY_REACH) : m.start()])[-1]
        stop = _AGENCY_STOP.match(window)
        if stop:
            window = window[stop.end() :]
        name = _AGENCY_LEAD.sub("", window + m.group(0))
        if name and not _GENERIC_AGENCY.match(name):
            found = name
    return found


def _strip_lead(text: str, period: str | None, agency: str | None) -> str:
    """Drop period, agency, named operations and adverbs from the front of a subject."""
    changed = True
    while changed and text:
        changed = False
        for prefix in ([period] if period else []) + ([agency] if agency else []):
            if text.startswith(prefix):
                text = text[len(prefix) :]
                changed = True
        m = _LEAD_NAMED_ACTION.match(text)
        if m:
            text = text[m.end() :]
            changed = True
        m = _PERIOD_RE.match(text)
        if m and m.group("p"):
            text = text[m.end() :]
            changed = True
        m = _AGENCY_RE.match(text)
        if m and not _GENERIC_AGENCY.match(m.group(0)) and len(m.group(0)) < len(text):
            stop = _AGENCY_STOP.match(m.group(0))
            if stop is None:
                text = text[m.end() :]
                changed = True
        m = _LEAD_CLAUSE.match(text)
        if m and m.end() < len(text):
            text = text[m.end() :]
            changed = True
        for junk in _LEAD_JUNK:
            if text.startswith(junk) and not text.startswith(_PROTECTED_STARTS):
                text = text[len(junk) :]
                changed = True
                break
    return text


def _strip_tail(text: str) -> tuple[str, str | None, str | None]:
    """Remove trailing 同比下降/达/为 …; return (subject, change, comparison)."""
    change = comparison = None
    m = _CHANGE_TAIL.search(text)
    if m:
        change = m.group("chg")
        if m.group("cmp"):
            comparison = "同比" if m.group("cmp") != "环比" else "环比"
        text = text[: m.start()]
    text = _VERB_TAIL.sub("", text)
    text = re.sub(r"(?:分别|同比|环比)+$", "", text)
    if comparison is None and re.search(r"同比|环比", text):
        found = re.search(r"同比|环比", text)
        assert found is not None
        comparison = found.group(0)
        text = text[: found.start()] + text[found.end() :]
    text = re.sub(r"了$", "", text)
    return text, change, comparison


def _following_noun(sentence: str, end: int, clause_end: int, next_start: int | None) -> str:
    """Noun counted after the number: 40余家|企业迁出辖区, 10余部|手机(后)."""
    stop = min(clause_end, next_start if next_start is not None else clause_end)
    text = _nospace(sentence[end:stop])
    if text.startswith("的"):
        text = text[1:]
    if _FOLLOW_SKIP.match(text):
        return ""
    if not text or not (_CJK.match(text[0]) or text[0] in '“"'):
        return ""
    cut = text.find("、")
    if cut >= 0:
        text = text[:cut]
    m = _FOLLOW_STOP.search(text, 1)
    if m:
        text = text[: m.start()]
    de = text.find("的", 2)
    if de > 0:
        text = text[:de]  # 五个方面|的问题: the measure's own noun comes before 的
    text = re.sub(r"[的里上]+$", "", text[:_FOLLOW_MAX])
    return text


# verbs of having and forming (再配上两台电脑, 组成两个督导组) say nothing about what was counted
_LIGHT_VERBS = ("配上", "配有", "配备", "组成", "拥有", "设有", "共有", "只有", "下设", "包括", "含有", "有")
# words that govern the number as a preposition would (围绕五个方面, 针对三类问题)
_GOVERNING_PREPS = ("围绕", "针对", "对照", "按照", "关于", "对", "从", "就", "由", "向", "给")
_CO_AGENT = ("与", "同", "跟", "和")
# verbs an object fronted by 对 takes (对25个小事进行评议): the action is the preposition's
_DUMMY_VERBS = ("进行", "予以", "加以", "开展", "实施", "作出", "做出")
# verbs whose object acts in turn (促成40余家企业迁出辖区): what the counted noun does is the point
_CAUSATIVE = re.compile(r"促成|促使|推动|帮助|帮|动员|引导|使|让|督促|指导")


def _split_predicate(follow: str) -> tuple[str, str]:
    """督导组|深入各单位: the counted noun phrase and the verb phrase that tells what it did.

    A verb inside a compound noun (电子|巡更|点, 巡|控|网格) is no predicate: single characters
    around it are a word the dictionary lacks.
    """
    noun, seen_noun = "", False
    words = _tagged(follow)
    for k, w in enumerate(words):
        rest = words[k:]
        verbal = w.flag.startswith(("v", "d", "i", "p")) and w.flag != "vn"
        compound = (
            len(rest) == 2 and len(rest[1].word) == 1 or len(w.word) == 1 and len(words[k - 1].word) == 1
        )
        if seen_noun and verbal and not compound:
            return noun, "".join(x.word for x in rest)
        noun += w.word
        seen_noun = seen_noun or w.flag.startswith(("n", "j", "zg")) or w.word == "”"
    return noun, ""


def _with_counted(before: str, follow: str, segment: str) -> str:
    """Subject of ``<before><number><follow>``: the noun counted after the number and what governs it.

    打掉|3个|涉黑团伙 → 打掉涉黑团伙; 组成|两个|督导组深入各单位 → 督导组 (a light verb);
    围绕|五个|大的方面 → 大的方面 (a preposition); 由|百余名|警官认领 → 警官 (the agent of a
    passive); 与华为等|9家|知名企业共建联创中心 → 共建联创中心的知名企业 (partners in an action);
    促成|40余家|企业迁出辖区 → 促成企业迁出辖区 (what the noun was brought to do).
    ``segment`` is the clause up to the number before its lead was stripped (由 is a lead word).
    """
    noun, predicate = _split_predicate(follow)
    if not noun:
        return before + follow
    if predicate and _tagged(predicate)[0].flag == "p":
        follow, predicate = noun, ""  # 12个重点项目|由…认领: a new clause starts
    if not before:
        return noun if predicate and segment.endswith(("由", "被")) else follow
    if before.endswith("的") and not _CAUSATIVE.search(before):
        return before + follow
    words = _tagged(before)
    if before.endswith(_LIGHT_VERBS) or words[-1].word in _GOVERNING_PREPS or words[-1].flag == "p":
        return noun
    preps = [k for k, w in enumerate(words) if w.flag == "p" or w.word in _GOVERNING_PREPS + _CO_AGENT]
    if preps and not any(w.flag.startswith("v") and w.flag != "vn" for w in words[preps[-1] + 1 :]):
        if words[preps[-1]].word in _CO_AGENT and predicate and len(predicate) + len(noun) < _SUBJECT_MAX:
            return predicate + "的" + noun
        if not predicate or predicate.startswith(_DUMMY_VERBS):
            return noun  # 对中层干部|五个大的方面, 对…25个小事进行评议: the preposition's noun
        return before + follow
    if _CAUSATIVE.search(before):
        return before + follow
    return before + noun


def _split_parallel(subject: str, n: int) -> list[str] | None:
    """'刑事、治安发案' → ['刑事发案', '治安发案'] for 分别 with n values."""
    parts = [p for p in re.split(r"、|和|及", subject) if p]
    if len(parts) != n:
        return None
    last = parts[-1]
    first_len = len(parts[0])
    if all(len(p) <= first_len for p in parts[:-1]) and len(last) > first_len:
        head = last[first_len:]
        return [p if p.endswith(head) else p + head for p in parts[:-1]] + [last]
    return parts


def _parallel_group(sentence: str, qs: list[QuantityMatch], i: int) -> int:
    """How many quantities from qs[i] on are an 'x、y、z' list (for 分别)."""
    n = 1
    while i + n < len(qs):
        gap = _nospace(sentence[qs[i + n - 1].end : qs[i + n].start])
        if gap not in {"、", "和", "及", ","}:
            break
        n += 1
    return n


_SUBJECT_MAX = 20
# a bracket holding a figure (（其中刑事案件12起）) and the words opening its part of the whole
_FIGURE_BRACKET = re.compile(r"（[^（）]*\d[^（）]*）")
_BRACKET_LEAD = re.compile(r"^\s*(?:其中|内含|含|包括|包含|另有|分别为|分别是|即)?\s*")
_BASE_PERIOD = re.compile(r"^(?:去年同期|上年同期|去年|上年|同期|前年)$")
_PAIR = re.compile(r"^[两二俩]\s*[人名]$")


def _pair_part(q: QuantityMatch) -> bool:
    """两人/二人 who share something (差价平分两人, 郭王二人) are the parts of a pair, not a statistic."""
    return q.kind == "count" and bool(_PAIR.match(q.value_text))


def _age_subject(text: str, q: QuantityMatch, c_start: int, subject: str) -> str:
    """Whose age: 90岁的|耳聋老人 → 耳聋老人年龄; 张某某（男，30岁 → 张某某年龄."""
    after = _nospace(text[q.end :])
    if after.startswith("的"):
        noun = re.match(r"的([\u4e00-\u9fff]{2,8}?)(?=[，。；、上下被在从找不将把和与向]|$)", after)
        if noun:
            return noun.group(1) + "年龄"
    bracket = text.rfind("（", 0, q.start)
    if bracket >= 0 and "）" not in text[bracket : q.start]:
        name = re.search(r"[\u4e00-\u9fff]{2,10}$", _nospace(text[:bracket]))
        if name:
            return _strip_lead(name.group(0), None, None) + "年龄"
    if len(subject) < 3 or subject[0] in "多为至约":
        return "人员年龄"  # 多为20岁以上至四五十岁: the people just counted
    return subject if subject.endswith("年龄") else subject + "年龄"


_ELAPSED_BEFORE = re.compile(r"(?:经过|历时|用时|耗时|仅用|只用)$")
_ELAPSED_ONLY = re.compile(r"^(?:仅|只|仅仅|短短|前后)?(?:用时|历时|耗时|用了|用)?$")
_EFFORT_AFTER = re.compile(
    r"^的(?:连续|全力|不懈)?(?:努力|奋战|侦查|工作|追踪|追查|调查|排查|侦办|蹲守|搜寻|搜救|攻坚|核查)"
)
_WITHIN = re.compile(r"^(?:之内|以内|内)(?:就|便|即|已)?(?:成功)?")
_DIMENSION = {"长": "长度", "高": "高度", "宽": "宽度", "深": "深度", "占地": "面积", "面积": "面积"}
_LENGTHS = {"米", "公里", "平方米", "平方公里", "亩"}
_MONEY_NOUNS = ("钱", "现金", "钱款", "资金", "款", "钱财")
_CATEGORY_UNITS = {"类": "类别", "大类": "类别", "种": "种类", "方面": "方面"}


# 被骗的钱财完璧归赵 / 被盗手机物归原主: what was taken came back, whatever idiom says so
_RETURNED = re.compile(
    r"(被[骗盗抢偷扒][走去]?)的?([\u4e00-\u9fff]{1,4}?)"
    r"(?:完璧归赵|物归原主|失而复得|(?:被|已|已经|全部|全数|如数|悉数)*(?:追回|退还|返还|找回|追缴))"
)
# 传回了嫌疑人已全部落网的画面: the news a clause reports is the outcome
_REPORTED = re.compile(
    r"(?:传回|传来|发回|收到|得到|接到)了?(?P<x>[\u4e00-\u9fff]{3,16}?)的(?:画面|消息|捷报|喜讯|视频|信息|反馈)"
)


def _outcome(clause: str) -> str:
    """破获一起网络诈骗案 out of 成功破获一起网络诈骗案: the result a duration led to.

    李叔某被骗的钱财完璧归赵 → 追回被骗钱财; 传回了嫌疑人已全部落网的画面 → 嫌疑人全部落网.
    """
    returned = _RETURNED.search(clause)
    if returned:
        return "追回" + re.sub(r"[走去]$", "", returned.group(1)) + returned.group(2)
    reported = _REPORTED.search(clause)
    if reported:
        clause = re.sub(
            r"(?<=[\u4e00-\u9fff])(?:已经|已|均|都|便|就)(?=[\u4e00-\u9fff])", "", reported.group("x")
        )
    else:
        clause = re.sub(
            r"^[\u4e00-\u9fff]{2,8}?(?:便|就|即|随即)(?=[\u4e00-\u9fff]{3})", "", clause
        )  # 民警便…
    clause = re.sub(r"^(?:就|便|即|已|终于|最终|成功)+", "", clause)
    return re.sub(r"一[起个名次件宗]", "", clause)


def _nouns_after_de(text: str) -> str:
    """高清大屏 out of 的高清大屏显示着…: the noun phrase that follows the next 的."""
    at = text.find("的")
    if at < 0:
        return ""
    out, has_noun = "", False
    for w in _tagged(text[at + 1 : at + 13]):
        nounish = w.flag.startswith(("n", "a", "b")) or w.flag == "vn"
        if w.word in ("里", "上", "中") or not (nounish or (w.flag == "v" and not has_noun)):
            break
        out, has_noun = out + w.word, has_noun or w.flag.startswith("n")
    return out if has_noun else ""


_NOT_ACTIONS = {"觉得", "认为", "表示", "知道", "发现", "称为"}


@lru_cache(maxsize=8192)
def _tagged(text: str) -> tuple[pseg.pair, ...]:
    """Words with their part of speech; dictionary only (the HMM costs ten times as much)."""
    return tuple(pseg.cut(text, HMM=False))


def _is_noun(text: str) -> bool:
    words = list(_tagged(text))
    return bool(words) and words[-1].flag.startswith("n")


def _last_verb(text: str) -> str:
    words = [w for w in _tagged(text) if w.flag.startswith("v") and len(w.word) >= 2 and w.word not in _NOT_ACTIONS]
    return words[-1].word if words else ""


def _reader_subject(
    subject: str, text: str, qs: list[QuantityMatch], i: int, c_end: int, spans: list[tuple[int, int]], c: int
) -> str:
    """What a reader would call the figure, from the shapes statistics are written in.

    经过3小时的努力，X → X用时; 1小时内便锁定… → 锁定…用时; 长10米高6米的高清大屏 → 高清大屏长度;
    20大类288个模型 → 模型类别; 采购4000元的消毒液 → 采购消毒液金额; 挽回12万元 → 挽回金额.
    """
    q = qs[i]
    before, after = _nospace(text[spans[c][0] : q.start]), _nospace(text[q.end : c_end])
    lead = _LEAD_CLAUSE.match(subject)
    if lead and lead.end() < len(subject):
        subject = subject[lead.end() :]
    follow = _following_noun(text, q.end, c_end, qs[i + 1].start if i + 1 < len(qs) else None)
    if q.kind == "duration" and follow and not _EFFORT_AFTER.match(after):
        if follow.startswith("“"):
            return follow  # 20年“扒窃生涯”
        verb = _last_verb(before)
        if after.startswith("的") and verb:
            return follow + verb + "时长"  # 潜逃20年以上的命案逃犯
    if q.kind == "duration" and _ELAPSED_ONLY.match(before) and not after and c + 1 < len(spans):
        return _outcome(_nospace(text[slice(*spans[c + 1])])) + "用时"  # 不到10分钟，民警…
    if q.kind == "duration":
        within = _WITHIN.match(after)
        if within and len(after) > within.end() + 1:
            return _outcome(after[within.end() :]) + "用时"
        if _ELAPSED_BEFORE.search(before) and _EFFORT_AFTER.match(after) and c + 1 < len(spans):
            return _outcome(_nospace(text[slice(*spans[c + 1])])) + "用时"
        if _EFFORT_AFTER.match(after) and subject and not subject.endswith("用时"):
            return subject + "用时"
    if q.unit in _LENGTHS:
        lead = re.sub(r"(?:近|约|超过|不到)$", "", before)
        word = next((w for w in _DIMENSION if lead.endswith(w)), None)
        noun = _nouns_after_de(after) if word else ""
        if noun:
            return noun + _DIMENSION[word]
    nxt = qs[i + 1] if i + 1 < len(qs) else None
    if nxt is not None and nxt.start == q.end and q.unit in _CATEGORY_UNITS:
        noun = _following_noun(text, nxt.end, c_end, qs[i + 2].start if i + 2 < len(qs) else None)
        if noun:
            return noun + _CATEGORY_UNITS[q.unit]
    if q.kind == "money":
        passive = re.match(r"^(钱款|钱财|现金|资金|钱)(被[\u4e00-\u9fff]{1,2}?[走掉光])?", after)
        if passive and passive.group(2) and subject.endswith(passive.group(1)):
            base = subject[: -len(passive.group(1))].removesuffix("的")
            return f"{base}{passive.group(2)}的{passive.group(1)}"  # 卡内的1万元现金被转走
        noun = _nouns_after_de(after) if after.startswith("的") else ""
        if noun and not noun.startswith(_MONEY_NOUNS):
            return _last_verb(before) + noun + "金额"
        if follow and not after.startswith("的") and not follow.startswith(_MONEY_NOUNS) and _is_noun(follow):
            return follow + "金额"  # 一张12万元银行转账记录
        if subject and len(subject) <= 4 and all(w.flag[:1] in "vp" for w in _tagged(subject)):
            return re.sub(r"[走掉了]$", "", subject) + "金额"  # 挽回12万元, 被骗走8万余元
    if q.unit in _CATEGORY_UNITS and c > 0 and subject and all(w.flag.startswith("v") for w in _tagged(subject)):
        return _nospace(text[slice(*spans[c - 1])]) + _CATEGORY_UNITS[q.unit]  # 查找问题，从三方面入手
    if q.unit in ("人", "名") and subject and len(subject) <= 4 and not subject.endswith("人数"):
        if re.match(r"^每[\u4e00-\u9fff]{1,3}$", subject):
            return subject + "人数"
        if all(w.flag.startswith("v") for w in _tagged(subject)):
            return subject + "人员"  # 抓获处理30多人
    return subject


def _counted_noun(subject: str) -> str:
    """A subject of at most 20 characters: the noun phrase at the end of a long clause.

    排摸出恒隆中心大楼内的小额贷款公司 → 小额贷款公司: what was counted comes last, after 的/等/”.
    """
    subject = subject.lstrip("、，,；：")
    if len(subject) <= _SUBJECT_MAX:
        return subject
    close = subject.rfind("”")
    opening = subject.rfind("“", 0, close) if close >= 0 else -1
    if opening >= 0:
        tail = subject[close + 1 :]
        listed = opening > 0 and subject[opening - 1] in "和、”及"  # “1分钟控制圈”和“3分钟控制圈”
        if len(tail) >= 2 and not re.search(r"[等的、，]", tail) and not listed:
            if close - opening <= 8 and len(subject) - opening <= _SUBJECT_MAX:
                return subject[opening:]  # a short quoted name belongs to the noun: “打防管控服”新举措
            verb = _last_verb(subject[:opening])
            if len(verb + tail) <= _SUBJECT_MAX:
                return verb + tail  # 整合“社区网格员、公益律师、治安积极分子”力量 → 整合力量
    for mark in ("的", "等", "”"):
        cut = subject.rfind(mark)
        tail = _strip_lead(subject[cut + 1 :].lstrip("、，,；："), None, None) if cut >= 0 else ""
        if 2 <= len(tail) <= _SUBJECT_MAX:
            return tail
    words = jieba.lcut(subject)
    out = ""
    for w in reversed(words):
        if len(out) + len(w) > _SUBJECT_MAX:
            break
        out = w + out
    return out or subject[-_SUBJECT_MAX:]


def extract_from_sentence(
    text: str, position: int, article_agency: str | None, *, period: str | None = None
) -> list[FactDraft]:
    """Facts in one sentence; ``article_agency`` is the fallback when the sentence names no unit.

    ``period`` is one inherited from a previous sentence that ended in "；" (same statement).
    """
    inherited = period
    quantities = find_quantities(text)
    if not quantities:
        return []
    spans = _clause_spans(text)
    clause_of = [next(k for k, (a, b) in enumerate(spans) if a <= q.start <= b) for q in quantities]
    periods = [_period_of(text[a:b]) for a, b in spans]

    facts: list[FactDraft] = []
    ctx = _Context()
    seg_raw_of: dict[int, str] = {}
    distributed: dict[int, tuple[str, str | None, str | None]] = {}
    for i, q in enumerate(quantities):
        c = clause_of[i]
        period = next((periods[k] for k in range(c, -1, -1) if periods[k]), inherited)  # forward only
        c_start, c_end = spans[c]
        prev = i - 1 if i > 0 and clause_of[i - 1] == c else None
        if prev is None:
            seg = text[c_start : q.start]
        else:
            gap = text[quantities[prev].end : q.start]
            stripped = _nospace(gap)
            if stripped.startswith(_SEPARATORS):
                seg = gap
            elif "（" in gap or "）" in gap:
                seg = re.split(r"[（）]", gap)[-1]  # 30起（其中|刑事案件12起）, 12起）|抓获嫌疑人21名
            elif "、" in gap:
                seg = gap[gap.rfind("、") + 1 :]  # 40余家企业迁出辖区、|24家异地经营企业
            else:
                seg = seg_raw_of[prev] + gap  # inline: 抓获潜逃20年以上的|命案逃犯4名
        seg_raw_of[i] = seg
        seg = _FIGURE_BRACKET.sub("", seg)  # a bracketed figure before this one is a fact of its own
        opened = text[c_start : q.start]
        in_bracket = opened.rfind("（") > opened.rfind("）")
        if in_bracket:
            seg = _BRACKET_LEAD.sub("", seg[seg.rfind("（") + 1 :])  # （其中|刑事案件12起）: the part
        seg_clean = _nospace(seg)

        named = _agency_before(text, q.start)
        agency = named or article_agency
        subject, change, comparison = _strip_tail(seg_clean)
        subject = _strip_lead(subject, period, named)
        subject, change2, comparison2 = _strip_tail(subject)
        change, comparison = change or change2, comparison or comparison2

        if i in distributed:
            subject, change, comparison = distributed[i]
        elif "分别" in seg_clean:
            n = _parallel_group(text, quantities, i)
            parts = _split_parallel(subject, n) if n > 1 else None
            if parts:
                for k, part in enumerate(parts[1:], start=1):
                    distributed[i + k] = (part, change, comparison)
                subject = parts[0]

        next_start = quantities[i + 1].start if i + 1 < len(quantities) else None
        follow = _following_noun(text, q.end, c_end, next_start)
        if follow and i not in distributed:
            subject = _with_counted(subject, follow, seg_clean)
        subject = re.sub(r"的$", "", subject)
        if q.kind == "duration" and _nospace(text[q.end : c_end]).startswith("后") and c + 1 < len(spans):
            # "15分钟后，抓捕小组传来消息": the clause after says what took that long
            a, b = spans[c + 1]
            subject = _strip_lead(_nospace(text[a:b]), period, None)[:_FOLLOW_MAX]

        if q.kind == "rate":
            rate = _RATE_WORD.findall(_nospace(text[c_start : q.start]))
            if rate:
                subject = rate[-1]
        base = _BASE_PERIOD.match(subject) if in_bracket else None
        if base and ctx.last_subject:
            # 1.2万起（去年同期为1.3万起）: the same count in the period compared with
            subject, period = ctx.last_subject, base.group(0)
        if not subject and ctx.last_subject:
            subject = ctx.last_subject  # "…1336起，同比下降28.78%" speaks of the same thing
        elif not subject and c > 0:
            a, b = spans[c - 1]
            subject, _, _ = _strip_tail(_strip_lead(_nospace(text[a:b]), period, agency))
        if q.kind == "age":
            subject = _age_subject(text, q, c_start, subject)
        if len(subject) <= 1 and ctx.last_subject:
            subject = ctx.last_subject  # 每队有百余人，甚至三四百人: the same thing again
        subject = _reader_subject(subject, text, quantities, i, c_end, spans, c)
        subject = _counted_noun(subject)
        if not subject or _pair_part(q):
            continue
        facts.append(
            FactDraft(
                subject=subject,
                value=q.value,
                value_text=q.value_text,
                unit=q.unit,
                sentence=text,
                sentence_position=position,
                approximate=q.approximate,
                change=change,
                comparison=comparison,
                period=period,
                agency=agency,
                kind=q.kind,
            )
        )
        ctx.last_subject = subject
    return facts


def extract_facts(article: ArticleDraft) -> list[FactDraft]:
    """All facts of an article, in sentence order."""
    facts: list[FactDraft] = []
    carried: str | None = None
    previous_paragraph: int | None = None
    for sentence in article.sentences:
        if sentence.paragraph != previous_paragraph:
            carried = None
        previous_paragraph = sentence.paragraph
        facts.extend(extract_from_sentence(sentence.text, sentence.position, article.agency, period=carried))
        own = [p for p in (_period_of(sentence.text[a:b]) for a, b in _clause_spans(sentence.text)) if p]
        ends_with_semicolon = sentence.text.rstrip().endswith(("；", ";"))
        carried = (own[-1] if own else carried) if ends_with_semicolon else None
    return facts
