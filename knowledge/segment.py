"""Cut one cleaned page into articles, sentences, agency and place.

A page holds a feature plus briefs, or several features; the only reliable cues are the
headline hierarchy and where bylines sit, so boundaries are decided from line kinds
(:mod:`knowledge.clean`), never from file names or known titles.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import jieba.posseg as pseg

from knowledge import gazetteer
from knowledge.clean import (
    AD_MARK,
    ASIDE,
    CJK,
    ROLE_GAP,
    Line,
    clean_lines,
    dangles,
    in_reading_order,
    is_opening_byline,
    starts_mid_sentence,
)
from knowledge.outcome import STORY_OPENER
from knowledge.types import ArticleDraft, SentenceDraft

SENTENCE_STOPS = "。！？；"
CLOSERS = "”’」』）"
INFERRED_TOPIC_MAX = 24

# ---------------------------------------------------------------- sentences


def _plain_split(text: str) -> list[str]:
    """Split on stops with no regard to quotes (fallback for unbalanced quotes)."""
    return [s for s in re.findall(rf"[^{SENTENCE_STOPS}]*[{SENTENCE_STOPS}]+[{CLOSERS}]*|.+$", text) if s]


_QUOTE_OR_STOP = re.compile(f"[“”{SENTENCE_STOPS}]")
# who said the quote before it: “…。”所长王建明说，… / “…。”队长扎西说。 — one sentence with it
# (据…介绍 after a quote opens the next sentence)
_SAID_BY = re.compile(r"(?!据)[^“”。！？；，：]{1,20}?(?:说|表示|介绍|称|告诉记者|坦言|感叹|感慨|强调|指出|说道|笑道)(?=[，。：])")


def _quote_split(text: str) -> list[str]:
    """Split on 。！？； outside “”; 。” ends the sentence with its quote attached.

    Only quotes and stops change anything, so the scan jumps from one to the next.
    """
    pieces: list[str] = []
    start = depth = 0
    n = len(text)
    m = _QUOTE_OR_STOP.search(text)
    while m:
        i = m.start()
        ch = text[i]
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
        else:
            end = i + 1
            while end < n and text[end] in SENTENCE_STOPS:
                end += 1
            if depth == 1 and end < n and text[end] == "”" and ch != "；":
                depth, end = 0, end + 1
                if _SAID_BY.match(text, end):
                    m = _QUOTE_OR_STOP.search(text, end)
                    continue
            if depth == 0:
                while end < n and text[end] in CLOSERS and text[end] != "”":
                    end += 1
                pieces.append(text[start:end])
                start = end
                m = _QUOTE_OR_STOP.search(text, end)
                continue
        m = _QUOTE_OR_STOP.search(text, i + 1)
    pieces.append(text[start:])
    return pieces


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, quote-aware; empty pieces dropped."""
    out: list[str] = []
    for piece in _quote_split(paragraph):
        if piece.count("“") != piece.count("”"):
            out.extend(_plain_split(piece))
        else:
            out.append(piece)
    return [s.strip() for s in out if s.strip()]


# ---------------------------------------------------------------- agencies and places

# units whose name starts with a place: 济宁市公安局, 海曙公安分局, 湖北省公安厅, (国家)公安部
_HEAD = re.compile(r"公安部|公安厅|公安分局|公安局|公安处|公安交警部门|公安交通管理局")
_SQUADS = r"(?:交警|交巡警|巡特警|特警|刑侦|刑警|经侦|治安|网安|禁毒|交通警察)(?:总队|支队|大队|中队)"
# units named by a place or a local word: 鼓楼派出所, 徐州交警支队, 重庆交巡警, 市110指挥中心
_LONE_UNIT = re.compile(rf"分局|派出所|{_SQUADS}|交巡警|巡特警|110(?:情报|应急)?指挥中心")
_SUB_WORDS = r"分局|派出所|总队|大队|支队|中队|警务站|警务室|指挥中心|反诈中心|政治部|交巡警|巡特警"
_SUB_UNIT = re.compile(rf"[{CJK}\d]{{0,8}}?(?:{_SUB_WORDS})")
# units that take their name from a street or a village, not from an administrative division
_LOCAL_UNITS = ("派出所", "警务站", "警务室", "中队")
_UNIT_WORD = re.compile(rf"{_HEAD.pattern}|{_SQUADS}|{_LONE_UNIT.pattern}|{_SUB_WORDS}")
# characters that cannot be part of a unit's proper name: function words and verbs around it
_STOP = set(
    "的是在了和与及到由对将被向从经据该为个年月日天时后前上下里等并且而或即其这那此各每全本我你他她它们称说接会同联于给让把以就都也还又再已来自回去往令请受赴所名余多"
)
_GENERIC = {"辖区", "城区", "基层", "属地", "当地", "所在", "农村", "一线", "指令", "支援", "综合"}
# a national unit's story is the country's, wherever its dateline was filed (新华社北京…电)
NATIONAL = {"公安部": "全国"}
_BARE = re.compile(r"^([省市县区])(?=公安)")
_NON_NAME_FLAGS = set("vpcdurmtqfy")


_CJK_CHAR = re.compile(f"[{CJK}]")


_DIVISION_ENDS = "省市区县州旗盟"
_DIVISION_REACH = 4  # characters past a unit's name window that a division's name may still need
STRAY_PREFIX_MAX = 2  # characters before a division's full name that are no part of it (——记阆中市…)


def _name_before(text: str, end: int, max_len: int) -> str:
    """Proper-name prefix ending at `end`: CJK run, cut at the last stop character."""
    start = end
    while start > 0 and end - start < max_len and _CJK_CHAR.match(text[start - 1]):
        start -= 1
    name = text[start:end]
    cut = max((i for i, ch in enumerate(name) if ch in _STOP), default=-1)
    trimmed = _trim_non_names(name[cut + 1 :])
    # a division's own name may hold a stop character (成都市, 天河), or run past the window
    # (西双版纳州勐海县): the gazetteer vouches for it
    while start > 0 and end - start < max_len + _DIVISION_REACH and _CJK_CHAR.match(text[start - 1]):
        start -= 1
    wide = text[start:end]
    placed = next((wide[i:] for i in range(len(wide) - 1) if gazetteer.chain_of(wide[i:])), "")
    if placed and len(trimmed) > len(placed) and trimmed.endswith(placed):
        # the window cut a longer division's name (宁夏回族自治区青铜峡市 → 治区 + 青铜峡市): its tail is no name
        rest = trimmed[: -len(placed)]
        if rest[-1] in _DIVISION_ENDS and not gazetteer.chain_of(rest):
            return placed
        if len(rest) <= STRAY_PREFIX_MAX and not gazetteer.chain_of(rest):
            return placed  # ——记阆中市公安局…: a word before the division's full name is no part of it
    return placed if len(placed) > len(trimmed) else trimmed


@lru_cache(maxsize=4096)
def _trim_non_names(prefix: str) -> str:
    """Drop everything up to the last verb/preposition/etc. (依托|分局, 政工室结合|分局).

    Kept per prefix: a page names the same units again and again, and jieba's tagger is slow.
    """
    if not prefix:
        return prefix
    words = list(pseg.cut(prefix))
    last = max((i for i, w in enumerate(words) if w.flag[:1] in _NON_NAME_FLAGS), default=-1)
    return "".join(w.word for w in words[last + 1 :])


def _extend_units(text: str, pos: int) -> int:
    """Consume sub-units chained after a head (…公安局 + 市中分局 + 龙泉派出所)."""
    while True:
        m = _SUB_UNIT.match(text, pos)
        if not m:
            return pos
        name = _UNIT_WORD.split(m.group(0))[0]
        if any(ch in _STOP for ch in name) and not gazetteer.chain_of(name):
            return pos
        pos = m.end()


def find_agencies(text: str) -> list[str]:
    """Every police-unit mention in reading order (济宁市公安局市中分局, 鼓楼派出所, 县公安局 …).

    Shared with the fact extractor and the bot's domain dictionary; bare 派出所/公安局 without
    a name are skipped because they identify nothing.
    """
    found: list[str] = []
    pos = 0
    while True:
        head = _HEAD.search(text, pos)
        lone = _LONE_UNIT.search(text, pos)
        m = min((x for x in (head, lone) if x), key=lambda x: x.start(), default=None)
        if m is None:
            return found
        is_head = m.re is _HEAD
        prefix = _name_before(text, m.start(), 6 if is_head else 5)
        ok = len(prefix) >= _min_prefix(m.group(0), is_head) and prefix not in _GENERIC
        if ok and not is_head:
            ok = not prefix.endswith(tuple(_GENERIC))
        end = _extend_units(text, m.end()) if ok else m.end()
        if ok:
            found.append(prefix + text[m.start() : end])
        pos = end


def _min_prefix(unit: str, is_head: bool) -> int:
    """公安部 needs no name, 县公安局 and 市110指挥中心 one character, 鼓楼派出所 two."""
    if unit == "公安部":
        return 0
    return 1 if is_head or unit.startswith("110") else 2


def _expand(mention: str, mentions: list[str]) -> str:
    """Short form → the longest mention in the same article that ends with it (县公安局 → 新昌县公安局)."""
    longer = [x for x in mentions if x != mention and x.endswith(mention)]
    return max(longer, key=len) if longer else mention


def _parent_unit(mention: str) -> str:
    """市公安局巡特警支队 → 市公安局: the mention up to its first head unit."""
    head = _HEAD.search(mention)
    return mention[: head.end()] if head else mention


def pick_agency(text: str) -> str | None:
    """Most frequent unit after expanding short forms; ties go to the more specific (longer)."""
    mentions = find_agencies(text)
    if not mentions:
        return None
    counts = Counter(_expand(m, mentions) for m in mentions)
    first = {m: i for i, m in reversed(list(enumerate(_expand(x, mentions) for x in mentions)))}
    # a sub-unit's mention also names its parent: 市公安局巡特警支队 speaks for 市公安局 too
    parents = Counter(_expand(_parent_unit(x), mentions) for x in counts.elements() if _parent_unit(x) != x)
    covers = {m: parents[m] for m in counts}
    return max(counts, key=lambda m: (counts[m], covers[m], len(m), -first[m]))


def agency_chain(agency: str) -> list[gazetteer.Division]:
    """The divisions an agency's name is built from: 济宁市公安局市中分局 → [济宁市, 市中区].

    Names before 派出所/警务站 are streets or villages (鼓楼派出所), not divisions, and are skipped;
    a name the gazetteer does not know (高新区) is skipped too.
    """
    chain: list[gazetteer.Division] = []
    pos = 0
    for m in _UNIT_WORD.finditer(agency):
        part = agency[pos : m.start()]
        pos = m.end()
        if not part or m.group(0).endswith(_LOCAL_UNITS):
            continue
        longer = gazetteer.chain_of("".join(d.name for d in chain) + part)
        if longer:
            chain = longer
    return chain


def place_of_agency(agency: str) -> str | None:
    """海曙公安分局… → 海曙; 济宁市公安局任城分局 → 任城; 济宁市公安局市中分局 → 济宁市中; 广州市公安局 → 广州."""
    return gazetteer.place_name(agency_chain(agency))


def dateline_place(datelines: list[str]) -> str | None:
    """本报金乡讯 → 金乡, 新华社郑州5月3日电 → 郑州, 杭州网讯 → 杭州 (a dateline names where it was filed)."""
    for d in datelines:
        if d.startswith("【") and (place := gazetteer.place_name(gazetteer.chain_of(d.strip("【】")))):
            return place  # 【三亚】
        m = re.match(rf"([{CJK}]{{2,8}}?)(?:\d|讯|网讯|电)", re.sub(r"^(?:本报|新华社|中新社|人民网)", "", d))
        if not m:
            continue
        name = m.group(1).removesuffix("网")
        place = gazetteer.place_name(gazetteer.chain_of(name))
        if place:
            return place
        if d.startswith("本报") and d.endswith("讯"):
            return name
    return None


def _named_city(agency: str, texts: list[str]) -> str | None:
    """A bare 市公安局/县公安局 takes the city or county the text names with that suffix (徐州市)."""
    bare = _BARE.match(agency)
    if not bare:
        return None
    # a 市 is a prefecture's city or a county-level one (林州市公安局110指挥中心)
    levels = {"省": (0,), "市": (1, 2)}.get(bare.group(1), (2,))
    for text in texts:
        named = [d for d in gazetteer.mentions(text) if d.level in levels and d.name.endswith(bare.group(1))]
        if named:
            return Counter(d.name for d in named).most_common(1)[0][0] + agency[1:]
    return None


# ---------------------------------------------------------------- article assembly


_SEQ = itertools.count()


@dataclass
class _Builder:
    """An article while its lines are being collected."""

    title: str | None = None
    level: int = 0
    kicker: str | None = None
    decks: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    datelines: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    closed: bool = False  # a closing byline signed it off
    # headings read as its sections' (no byline under them): where each starts, and its text
    sections: list[tuple[int, str]] = field(default_factory=list)
    after_signed: bool = False  # its headline came right after a story signed off by its credit
    jumped: bool = False  # it breaks off (（下转第三栏）) to go on further down the page
    continued: bool = False  # the rest of a story begun on another page (（上接第1版）): it has its headline there
    seq: int = field(default_factory=lambda: next(_SEQ))  # its place on the page

    @property
    def empty(self) -> bool:
        return not (self.title or self.kicker or self.paragraphs or self.decks or self.bylines)

    @property
    def empty_body(self) -> bool:
        """Nothing under its headline yet: no subtitle, byline, dateline or text."""
        return not (self.paragraphs or self.decks or self.bylines or self.datelines)


def _next_content(lines: list[Line], i: int) -> Line | None:
    """The next line that is part of the text flow (captions sit outside it)."""
    return next((ln for ln in lines[i + 1 :] if ln.kind not in ASIDE), None)


def _prev_content(lines: list[Line], i: int) -> Line | None:
    return next((ln for ln in reversed(lines[:i]) if ln.kind not in ASIDE), None)


# a headline naming the police of a place: 昌吉交警把…, 宝鸡警方破获…
_PLACE_POLICE = re.compile(rf"^([{CJK}]{{2,4}}?)(?:警方|交警|公安|民警|警察|巡特警|特警|派出所|：)")
BRIEF_PARAGRAPHS = 2  # a story with no credit and this few paragraphs is a brief: it has no sections


def _police_of_elsewhere(cur: _Builder, heading: str) -> bool:
    """The heading names the police of a place the story under way never mentions: a new story's."""
    m = _PLACE_POLICE.match(heading)
    return bool(m and gazetteer.lookup(m.group(1)) and not any(m.group(1) in p for p in cur.paragraphs))


def _heading_starts_article(cur: _Builder, ln: Line, nxt: Line | None) -> bool:
    """Does this heading open a new article (True) or a section of the current one (False)?"""
    if cur.closed or ln.level == 1:
        return True
    if not cur.paragraphs:
        return False
    if nxt is not None and nxt.kind in ("byline", "dateline", "deck"):
        return True
    if _police_of_elsewhere(cur, ln.text):
        return True
    if cur.title is None and not _heading_is_title(cur):
        return True  # a story printed without a headline (本报讯 …) has no sections either
    if cur.after_signed and not (cur.bylines or cur.datelines) and len(cur.paragraphs) <= BRIEF_PARAGRAPHS:
        return True  # a column of briefs (简讯), each under its own headline, not all of them signed
    return ln.level > 0 and cur.level > 0 and ln.level <= cur.level


def _heading_is_title(cur: _Builder) -> bool:
    """An untitled article with at most a lead paragraph adopts the next headline as its own."""
    return cur.title is None and len(cur.paragraphs) <= 1 and not cur.closed and not cur.continued


def _assemble(lines: list[Line]) -> list[_Builder]:
    """Walk the typed lines and group them into articles."""
    arts: list[_Builder] = [_Builder()]
    resumed: _Builder | None = None  # a story taken up again after a brief set into its column
    for i, ln in enumerate(lines):
        cur = arts[-1]
        if ln.kind != "paragraph":
            resumed = None
        nxt, prev = _next_content(lines, i), _prev_content(lines, i)
        if ln.kind == "kicker":
            if not cur.empty:
                arts.append(_Builder())
            arts[-1].kicker = ln.text
        elif ln.kind == "heading":
            if _heading_is_title(cur):
                cur.title, cur.level = ln.text, ln.level
            elif cur.title and cur.empty_body and ln.level == cur.level:
                # two headlines and no text between: the first was a photo's caption or a kicker
                cur.kicker, cur.title = cur.kicker or cur.title, ln.text
            elif _heading_starts_article(cur, ln, nxt):
                arts.append(_Builder(title=ln.text, level=ln.level, after_signed=cur.closed))
            else:
                cur.sections.append((len(cur.paragraphs), ln.text))
        elif ln.kind == "deck":
            cur.decks.append(ln.text)
        elif ln.kind == "byline":
            _add_byline(arts, ln, prev, nxt)
        elif ln.kind == "dateline":
            if cur.closed or (cur.paragraphs and prev is not None and prev.kind == "paragraph"):
                arts.append(_Builder())
            arts[-1].datelines.append(ln.text)
        elif ln.kind == "jump" and not ln.level:
            cur.jumped = cur.closed = True  # （下转第三栏）: what follows is another story, until it resumes
        elif ln.kind == "jump":
            broken = next((a for a in reversed(arts) if a.jumped), None)
            if broken is not None:  # （上接第一栏）: the story broken off takes up the lines again
                arts.remove(broken)
                arts.append(broken)
                broken.jumped = broken.closed = False
            else:
                if not cur.empty:
                    arts.append(_Builder())
                arts[-1].continued = True
        elif ln.kind == "paragraph":
            if resumed is not None:
                resumed.paragraphs.append(ln.text)
                continue
            broken = next((a for a in reversed(arts[:-1]) if a.paragraphs), None) if cur.closed else None
            if broken is not None and dangles(broken.paragraphs[-1]) and not STORY_OPENER.match(ln.text):
                # the rest of a story a column break cut off, after a brief set into the gap
                broken.paragraphs[-1] += ln.text
                resumed = broken
                continue
            if cur.closed or (ln.level and cur.paragraphs):
                arts.append(_Builder())
            arts[-1].paragraphs.append(ln.text)
    return sorted((a for a in arts if a.paragraphs), key=lambda a: a.seq)


def _add_byline(arts: list[_Builder], ln: Line, prev: Line | None, nxt: Line | None) -> None:
    """Opening bylines join the article they head; closing ones sign the current one off."""
    cur = arts[-1]
    after_head = prev is None or prev.kind in ("heading", "deck", "kicker", "byline", "dateline")
    if after_head or not cur.paragraphs:
        cur.bylines.append(ln.text)
    elif is_opening_byline(ln) and nxt is not None and nxt.kind == "heading":
        arts.append(_Builder(bylines=[ln.text]))
    elif cur.sections and cur.bylines:
        # A story credited under its headline is not signed off again: the credit closing the text
        # after its last "section" heading signs off a story of its own that the heading opened.
        start, title = cur.sections.pop()
        arts.append(_Builder(title=title, level=cur.level, paragraphs=cur.paragraphs[start:], bylines=[ln.text], closed=True))
        del cur.paragraphs[start:]
        cur.closed = True
    else:
        cur.bylines.append(ln.text)
        cur.closed = True


# 文/图 本报记者 X, 文/广州日报全媒体记者 X
_CREDIT_MARK = re.compile(r"^(?:文/图|文／图|图/文|图文|文/?)\s*[:：]?\s*(?=\S{0,12}?(?:记者|通讯员)|特约)")
_BRACKETED = re.compile(r"^[（(]\s*(.*?)\s*[）)]$")
_PHOTO_BY = re.compile(r"(?<![文/])\s*摄(?:影)?$|^摄影")


def _byline_text(bylines: list[str]) -> str | None:
    """□ 记者 尹彤 / 通讯员 王力 屈标 报道 → 记者 尹彤 通讯员 王力 屈标."""
    parts = [_CREDIT_MARK.sub("", ROLE_GAP.sub(r"\1\2", re.sub(r"\s+", " ", b.replace("□", ""))).strip()) for b in bylines]
    parts = [_BRACKETED.sub(r"\1", p) for p in parts]  # （记者 段玉 通讯员 岩罕） signing a story off
    # 本报讯（记者 X 通讯员 Y） repeats the □ 记者 X above it: keep the fuller credit only
    parts = [p for n, p in enumerate(parts) if not any(p in q and p != q for q in parts) and p not in parts[:n]]
    # a photo's credit (本报记者 何雯 摄, 文/图 marks aside) is the writer's byline only when no other is
    written = [p for p in parts if not _PHOTO_BY.search(p)]
    parts = written or parts
    text = " ".join(parts)
    text = re.sub(r"\s*报道$", "", re.sub(r"\s+", " ", text)).strip()
    return text or None


def _first_clause(text: str) -> str:
    """The opening clause of a sentence, for a made-up title."""
    clause = re.split(r"[，。！？；：]", text, maxsplit=1)[0].strip("“”‘’ ")
    return clause[:INFERRED_TOPIC_MAX]


def infer_title(kicker: str | None, agency: str | None, first_sentence: str) -> str:
    """Title for a story the page printed without one: kicker/agency plus the opening clause."""
    topic = _first_clause(first_sentence)
    if kicker:
        return f"{kicker}：{agency or topic}"
    if agency and agency not in topic:
        return f"{agency}：{topic}"
    return topic


def _sentences(paragraphs: list[str]) -> list[SentenceDraft]:
    """Sentences in reading order; the ends of a paragraph a column break cut off are flagged.

    A paragraph that stops mid-clause (…警务跟) or starts mid-sentence (的意见，…) lost its other
    part to the page: those sentences stay in the text but no answer may quote them.
    """
    out: list[SentenceDraft] = []
    for p_idx, para in enumerate(paragraphs):
        sents = split_sentences(para)
        for n, sent in enumerate(sents):
            cut = (n == len(sents) - 1 and dangles(para)) or (n == 0 and starts_mid_sentence(para))
            out.append(SentenceDraft(position=len(out), paragraph=p_idx, text=sent, cut=cut))
    return out


def _draft(source: str, ordinal: int, b: _Builder, sentences: list[SentenceDraft]) -> ArticleDraft:
    """Freeze one builder and its :func:`_sentences` into an ArticleDraft, resolving agency, place and title."""
    search_text = "\n".join([b.title or "", *b.decks, *b.paragraphs])
    agency = pick_agency(search_text)
    if agency:
        agency = _named_city(agency, [search_text]) or agency
    place = place_of_agency(agency) if agency else None
    place = place or NATIONAL.get(agency or "") or dateline_place(b.datelines)
    if place is None:
        others = [p for p in map(place_of_agency, find_agencies(search_text)) if p]
        place = Counter(others).most_common(1)[0][0] if others else None
    title, inferred = b.title, False
    if not title:
        title, inferred = infer_title(b.kicker, agency, sentences[0].text if sentences else ""), True
    return ArticleDraft(
        source=source,
        ordinal=ordinal,
        title=title,
        title_inferred=inferred,
        place=place,
        agency=agency,
        paragraphs=list(b.paragraphs),
        sentences=sentences,
        byline=_byline_text(b.bylines),
        dateline=b.datelines[0] if b.datelines else None,
    )


def segment_file(source: str, raw: str) -> list[ArticleDraft]:
    """All articles of one page file, ordinals 0..n-1 in page order.

    Articles with no place of their own inherit the file's first one (same page, same paper), and
    a bare 市公安局 the city that the page names.
    """
    lines = clean_lines(raw)
    builders = _assemble(lines)
    for b in builders:
        b.paragraphs = in_reading_order(b.paragraphs)
    kept = [(b, sentences) for b in builders if (sentences := _sentences(b.paragraphs))]
    drafts = [_draft(source, n, b, sentences) for n, (b, sentences) in enumerate(kept)]
    for d in drafts:
        named = _named_city(d.agency, [ln.text for ln in lines]) if d.agency and _BARE.match(d.agency) else None
        if named:
            d.agency, d.place = named, d.place or place_of_agency(named)
    file_place = next((d.place for d in drafts if d.place), None)
    for d in drafts:
        if not (d.agency is None and AD_MARK.search(d.title)):  # a public notice (倡导…) is no report of the place
            d.place = d.place or file_place
    return drafts
