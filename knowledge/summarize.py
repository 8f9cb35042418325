"""Extractive summaries: pick 2–3 central sentences of an article.

TextRank over a sentence-similarity graph finds what the article keeps talking about;
a boost for figures and for the agency/title words pulls in the sentences users ask
about (how many, which unit). Everything is deterministic so rebuilds give the same text.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from operator import mul

import jieba

from knowledge.outcome import tells_outcome
from knowledge.types import ArticleDraft

DAMPING = 0.85
ITERATIONS = 60
MAX_SENTENCES = 3
FIGURE_BOOST = 0.6  # per figure, up to FIGURE_CAP figures
FIGURE_CAP = 3
LEAD_BOOST = 0.5  # news leads carry the story: decays linearly over the lead window
LEAD_WINDOW = 0.2  # share of the article counted as its lead
CHANGE_BOOST = 0.4  # a figure with a trend (同比下降28.78%) is the story's result
LEAD_STAT_BOOST = 1.0  # inverted pyramid: the first trend figure is the headline number
TOPIC_BOOST = 0.15
TOPIC_BOOST_CAP = 0.6
FRAGMENT_PENALTY = 0.3
SHORT_PENALTY = 0.1
QUESTION_PENALTY = 0.3
MIN_USEFUL_CHARS = 12
FIRST_PICK_SHARE = 0.6  # the lead pick leaves room for at least one more sentence
REDUNDANCY = 0.5  # per unit of TextRank similarity to a sentence already picked
RETELLING_SHARE = 0.6  # a sentence with this share of its words in a picked one is not picked
RETELLING_MIN_WORDS = 6  # a short one (张某某已被刑事拘留) names the same people to say something new
OUTCOME_BOOST = 0.5  # how the story ended: 成功挽回12万元, 将其一举抓获

_UNITS = "%名起人个家次元件只辆部项处张期户宗台条所支"
# a quantity, not a date: 1336起, 28.78%, 2万余元, 十余名 (2016年 / 7月 do not count)
_FIGURE = re.compile(rf"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千两]+)[万亿]?(?:余|多)?[{_UNITS}]")
_NUMERIC = re.compile(r"^[\d.%]+$")  # numbers rarely recur, so they only dilute similarity
_CHANGE = re.compile(r"同比|环比|上升|下降|增长|减少|提高|降低")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
STOPWORDS = frozenset(
    {
        "的",
        "了",
        "和",
        "与",
        "及",
        "在",
        "是",
        "为",
        "对",
        "将",
        "把",
        "被",
        "从",
        "到",
        "等",
        "并",
        "也",
        "都",
        "就",
        "还",
        "又",
        "而",
        "或",
        "其",
        "该",
        "这",
        "那",
        "此",
        "各",
        "每",
        "我们",
        "他们",
        "你们",
        "一个",
        "一些",
        "进行",
        "开展",
        "通过",
        "以及",
        "已经",
        "同时",
        "今年",
        "以来",
        "目前",
        "近日",
        "据",
        "了解",
        "介绍",
        "工作",
        "不断",
        "进一步",
        "全面",
        "积极",
        "有效",
        "加强",
        "推进",
        "实现",
        "提升",
        "持续",
        "深入",
        "切实",
    }
)


def _tokens(text: str) -> set[str]:
    """Content words of a sentence: jieba words minus stopwords, punctuation and single characters.

    jieba cuts a text block by block (runs of characters its ``re_han_default`` takes, between
    punctuation), each on its own, so the words of a block are the same wherever it stands.
    """
    words: set[str] = set()
    for block in jieba.re_han_default.split(text):
        if block:
            words.update(_block_words(block))
    return words


@lru_cache(maxsize=32768)
def _block_words(block: str) -> tuple[str, ...]:
    """The content words of one jieba block; kept, since clauses recur (今年以来, 同比下降28.78%)."""
    out = []
    for w in jieba.lcut(block):
        w = w.strip()
        if len(w) >= 2 and _WORD.match(w) and w not in STOPWORDS and not _NUMERIC.match(w):
            out.append(w)
    return tuple(out)


def _similarity(a: set[str], b: set[str]) -> float:
    """Classic TextRank overlap normalised by log lengths (long sentences don't dominate)."""
    if len(a) < 2 or len(b) < 2:
        return 0.0
    return len(a & b) / (math.log(len(a)) + math.log(len(b)))


def _weights(token_sets: list[set[str]]) -> list[list[float]]:
    """:func:`_similarity` of every pair (0 on the diagonal), each set's log length taken once."""
    logs = [math.log(len(a)) if len(a) >= 2 else None for a in token_sets]
    rows = []
    for i, a in enumerate(token_sets):
        la = logs[i]
        row = []
        for j, b in enumerate(token_sets):
            lb = logs[j]
            row.append(len(a & b) / (la + lb) if i != j and la is not None and lb is not None else 0.0)
        rows.append(row)
    return rows


def textrank(token_sets: list[set[str]]) -> list[float]:
    """PageRank over the weighted similarity graph, fixed iterations for determinism.

    Each sentence's incoming weights are divided by their source's out-sum once, not in every
    iteration, and only the non-zero ones are kept (most pairs share no word): the products
    are summed in the same order and adding 0.0 changes no sum, so the scores are the same floats.
    """
    n = len(token_sets)
    if n == 0:
        return []
    weights = _weights(token_sets)
    out_sum = [sum(row) for row in weights]
    incoming = []
    for i in range(n):
        sources = [j for j in range(n) if out_sum[j] > 0 and weights[j][i] != 0.0]
        incoming.append((sources, [weights[j][i] / out_sum[j] for j in sources]))
    scores = [1.0] * n
    for _ in range(ITERATIONS):
        get = scores.__getitem__
        scores = [(1 - DAMPING) + DAMPING * sum(map(mul, shares, map(get, sources))) for sources, shares in incoming]
    return scores


def _topic_words(article: ArticleDraft) -> set[str]:
    """Words of the title and agency: sentences mentioning them are on-topic."""
    words = _tokens(article.title.replace(" ", ""))
    if article.agency:
        words |= _tokens(article.agency) | {article.agency}
    return words


def sentence_scores(article: ArticleDraft) -> list[float]:
    """Centrality plus bonuses, scaled by sentence shape.

    Additive rather than multiplicative: a short statistic sentence has few words to share
    with the rest (low TextRank), yet it is exactly what a reader asks for.
    """
    return _scored(article)[0]


def _scored(article: ArticleDraft) -> tuple[list[float], list[set[str]]]:
    """Each sentence's score and its content words (which the picks also compare)."""
    texts = [s.text for s in article.sentences]
    token_sets = [_tokens(t) for t in texts]
    base = textrank(token_sets)
    mean = sum(base) / len(base) if base else 1.0
    topic = _topic_words(article)
    lead_stat = next((i for i, t in enumerate(texts) if _is_statistic(t)), None)
    scores = []
    for pos, (text, toks, score) in enumerate(zip(texts, token_sets, base, strict=True)):
        bonus = _lead_boost(pos, len(texts)) + FIGURE_BOOST * min(len(_FIGURE.findall(text)), FIGURE_CAP)
        bonus += CHANGE_BOOST if _is_statistic(text) else 0.0
        bonus += LEAD_STAT_BOOST if pos == lead_stat else 0.0
        hits = len(toks & topic) + (1 if article.agency and article.agency in text else 0)
        bonus += min(TOPIC_BOOST * hits, TOPIC_BOOST_CAP)
        scores.append((score / mean + bonus) * _shape_factor(text))
    return scores, token_sets


def _retells(words: set[str], chosen: list[int], words_of: list[set[str]]) -> bool:
    """Most of a sentence's content words are already in one picked sentence: it says it again."""
    return len(words) >= RETELLING_MIN_WORDS and any(len(words & words_of[c]) >= RETELLING_SHARE * len(words) for c in chosen)


def _is_statistic(text: str) -> bool:
    """A figure with a trend word: 同比下降28.78%."""
    return bool(_FIGURE.search(text) and _CHANGE.search(text))


def _lead_boost(pos: int, n: int) -> float:
    """Extra weight for the opening sentences, fading to zero at the end of the lead window."""
    window = max(2.0, n * LEAD_WINDOW)
    return LEAD_BOOST * max(0.0, 1 - pos / window)


def _shape_factor(text: str) -> float:
    """Penalise OCR fragments (no closing stop), stubs (行动开始。) and questions: poor summary lines."""
    factor = 1.0
    if not re.search(r"[。！？；…][”’）]?$", text):
        factor *= FRAGMENT_PENALTY
    if len(text) < MIN_USEFUL_CHARS:
        factor *= SHORT_PENALTY
    if text.rstrip("”’").endswith("？"):  # rhetorical questions (成绩如何？) tell nothing
        factor *= QUESTION_PENALTY
    return factor


def is_whole(text: str) -> bool:
    """Ends like a sentence (。！？… or a closing quote after one), not where a column broke off."""
    return bool(re.search(r"[。！？…][”’）」]?$", text))


def _whole_sentences(article: ArticleDraft) -> list[list[int]]:
    """Indices of the pieces of each whole sentence: a piece ending in ； runs on into the next.

    Splitting at ； keeps facts apart, but a summary quoting half a sentence splices unrelated
    clauses (…；今年1月，…), so summaries pick whole sentences only.
    """
    units: list[list[int]] = []
    for i, s in enumerate(article.sentences):
        prev = article.sentences[i - 1] if i else None
        if prev is not None and prev.text.endswith("；") and prev.paragraph == s.paragraph:
            units[-1].append(i)
        else:
            units.append([i])
    return units


def summarize(article: ArticleDraft, max_chars: int = 150) -> list[int]:
    """Positions of 2–3 top sentences in article order, ≤ max_chars together where possible.

    The best sentence is always taken (even if alone it is longer than max_chars); further
    picks are added best-first while they still fit. Ties go to the earlier sentence. A sentence
    that ； cut into pieces is taken whole or not at all; one that tells how the story ended
    (破获, 抓获, 挽回 …) is preferred, so the summary carries the outcome as well as the lead.
    """
    sentences = article.sentences
    if not sentences:
        return []
    scores, token_sets = _scored(article)
    units = _whole_sentences(article)
    text_of = ["".join(sentences[i].text for i in u) for u in units]
    words_of = [set().union(*(token_sets[i] for i in u)) for u in units]
    ends = [tells_outcome(t) for t in text_of]  # how the story ended, once per sentence
    score_of = [max(scores[i] for i in u) + (OUTCOME_BOOST if ends[k] else 0.0)
                for k, u in enumerate(units)]
    ranked = sorted(range(len(units)), key=lambda k: (-round(score_of[k], 9), k))
    # a paragraph cut off by a column break (…警务跟) would splice into whatever follows it;
    # a sentence flagged cut (starting mid-sentence too) is never quoted, not even as a last resort
    intact = [k for k in ranked if not any(sentences[i].cut for i in units[k])]
    whole = [k for k in intact if is_whole(text_of[k])]
    ranked = whole or intact or ranked
    roomy = [k for k in ranked if len(text_of[k]) <= max_chars * FIRST_PICK_SHARE]
    first = roomy[0] if roomy else ranked[0]
    chosen = [first]
    used = len(text_of[first])
    while len(chosen) < MAX_SENTENCES:
        fitting = [
            k for k in ranked
            if k not in chosen and used + len(text_of[k]) <= max_chars and not _retells(words_of[k], chosen, words_of)
        ]
        if not fitting:
            break
        # a sentence retelling what is already picked adds nothing: its overlap costs it
        k = max(fitting, key=lambda k: (
            round(score_of[k] - REDUNDANCY * max(_similarity(words_of[k], words_of[c]) for c in chosen), 9), -k))
        chosen.append(k)
        used += len(text_of[k])
    outcomes = [k for k in ranked if ends[k] and k not in chosen]
    if outcomes and not any(ends[k] for k in chosen):
        while len(chosen) > 1 and (len(chosen) >= MAX_SENTENCES or used + len(text_of[outcomes[0]]) > max_chars):
            used -= len(text_of[chosen.pop()])  # the weakest pick makes room for how it ended
        if used + len(text_of[outcomes[0]]) <= max_chars:
            chosen.append(outcomes[0])
    return sorted(sentences[i].position for k in chosen for i in units[k])


def summary_text(article: ArticleDraft, max_chars: int = 150) -> str:
    """The summary sentences joined in article order; the pieces of one sentence keep their ；."""
    by_position = {s.position: s.text for s in article.sentences}
    picked = summarize(article, max_chars)
    return "".join(
        by_position[p] if p + 1 in picked else _as_sentence(by_position[p]) for p in picked
    )


# A term the report coins in quotation marks (“情指行”, “一室引领三队”): no clause, no speech.
_COINED = re.compile(r"[“\"]([^“”\"，。；：？！、\s]{2,12})[”\"]")
KEY_TERMS = 5


# What a unit sets up and the story keeps naming (视频抓捕小队, 联勤联动机制, 信息化实战中心)
_MEASURE_NAME = re.compile(
    r"(?:小队|队伍|中心|平台|机制|系统|工程|模式|工作室|实验室|指挥室|警务站|服务站|专班|小组|联盟|制度|警官制|行动)"
)
_CJK_RUN = re.compile("[\u4e00-\u9fff]+")
_NOT_A_NAME_START = "的了在是和与及将对把被从向为以等一支个这那该其"
_UNIT_IN_NAME = re.compile(r"公安局|分局|派出所|公安厅|^[局州市县区]")
_TIME_AFTER = "前后中时期间"
MEASURE_NAME_CHARS = (4, 9)
MEASURE_TERMS = 2


def named_measures(texts: list[str], limit: int = MEASURE_TERMS) -> list[str]:
    """The names of what a story's unit set up and keeps naming (视频抓捕小队 twice, 视频小队 three
    times), unquoted: each the longest run ending in such a word (小队, 机制, 中心 …) that recurs."""
    text = "".join(texts)
    found: dict[str, int] = {}
    for m in _MEASURE_NAME.finditer(text):
        best, whole = "", False
        for start in range(m.end() - MEASURE_NAME_CHARS[0], max(-1, m.end() - MEASURE_NAME_CHARS[1] - 1), -1):
            run = text[start : m.end()]
            if not _CJK_RUN.fullmatch(run) or text.count(run) < 2:
                whole = True  # the name starts where the recurring run does
                break
            best = run
        if not whole:
            continue  # still recurring at the longest: part of a longer phrase (…夏季治安打击整治行动)
        best = best.lstrip(_NOT_A_NAME_START)
        if _UNIT_IN_NAME.search(best) or text[m.end() : m.end() + 1] in _TIME_AFTER:
            continue  # a unit's own name (…分局反诈中心) or a time (行动前): no measure it set up
        if len(best) >= MEASURE_NAME_CHARS[0]:
            found[best] = text.count(best)
    # a name inside a longer one (联动机制 in 联勤联动机制) says nothing more
    whole = [t for t in found if not any(t != other and t in other for other in found)]
    return sorted(whole, key=lambda t: (-found[t], text.find(t)))[:limit]


def key_terms(texts: list[str], limit: int = KEY_TERMS) -> list[str]:
    """The terms an article coins and keeps using (“双师”, “项目警官制”), and the names of what it
    set up (视频抓捕小队): what a reader remembers of it and what its summary's figures leave out.
    Most used first (quoted or not), then earliest."""
    measures = named_measures(texts)
    coined = [t for t in _coined_terms(texts) if not any(t in m or m in t for m in measures)]
    return measures + coined[:limit]


def _coined_terms(texts: list[str]) -> list[str]:
    text = "".join(texts)
    first: dict[str, int] = {}
    for m in _COINED.finditer(text):
        term = m.group(1)
        if not term.isdigit():
            first.setdefault(term, m.start())
    # a term inside a longer one (“天网” in “天网工程”) says nothing more
    whole = [t for t in first if not any(t != other and t in other for other in first)]
    return sorted(whole, key=lambda t: (-text.count(t), first[t]))


def _as_sentence(text: str) -> str:
    return text[:-1] + "。" if text.endswith("；") else text
