"""Turn one OCR'd newspaper page into typed, cleaned lines.

The seeds wrap lines mid-sentence, split paragraphs across blank lines, mix ASCII and
Chinese punctuation and carry page furniture (editor credits, ads, page labels).
Segmentation needs to know what each surviving line *is* (headline, byline, body …),
so the main entry point is :func:`clean_lines`; :func:`clean_text` renders it flat.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import jieba
import jieba.posseg as pseg

from knowledge import gazetteer
from knowledge.outcome import STORY_OPENER

LineKind = Literal[
    "heading", "deck", "kicker", "byline", "dateline", "paragraph", "caption", "furniture", "candidate", "jump"
]

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】…—·「」『』"
_CJK_RE = re.compile(f"[{CJK}]")
SENTENCE_END = "。！？…"
HEADING_MAX = 30
HEADLINE_MAX = 64  # a headline in two parts with figures runs past 30; body lines run longer
DECK_MAX = 80
CAPTION_MAX = 20
LABEL_MAX = 8


@dataclass(frozen=True)
class Line:
    """One logical line of a page after cleaning.

    kind: heading (level 1-6 from markdown, 0 when inferred from shape), deck (sub-headline),
    kicker (page/column label that is not a headline), byline, dateline (本报X讯),
    paragraph, caption (photo caption), furniture (kept only for debugging; clean_text drops it).
    candidate (a possible headline) exists only inside :func:`clean_lines`, until the layout decides.
    jump: where a story breaks off to go on in another column (（下转第三栏）, level 0) or where it
    resumes (（上接第一栏）, level 1); clean_text drops it, the segmenter joins the parts.
    A byline has level 1 when the page marked it with □ (printed above the story); a paragraph has
    level 1 when it opens an item of a column (■近日，… / 2. 5月15日，…), a story of its own.
    """

    text: str
    kind: LineKind
    level: int = 0


# ---------------------------------------------------------------- character level


def _is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK_RE.match(ch))


# what _normalize_width changes: ideographic and no-break spaces, U+FFFD, and full-width letters,
# digits and the few symbols of figures (not ，：（, which are in the same Unicode block)
_WIDTH_CHANGES = re.compile("[\u3000\u00a0\ufffd\uff10-\uff19\uff21-\uff3a\uff41-\uff5a％＋－．／＝＆＠＃]")


def _narrow(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in "\u3000\u00a0":
        return " "
    return "" if ch == "\ufffd" else unicodedata.normalize("NFKC", ch)


_BOX = re.compile("[\u2500-\u257f]+")  # ┌──┐ │ └──┘ ╔══╗: a box drawn round a label or a hotline


def _normalize_width(text: str) -> str:
    """NFKC only full-width letters/digits/%/+-./ and ideographic space; a box's lines dropped.

    Plain NFKC would also turn ，：（ into ASCII, losing the Chinese punctuation we keep.
    """
    return _WIDTH_CHANGES.sub(_narrow, _BOX.sub(" ", text))


_ASCII_TO_CN = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_ASCII_PUNCT = re.compile(r"[,;:?!()]")


def _cn_context(ch: str) -> bool:
    return _is_cjk(ch) or ch in CN_PUNCT or ch in '"'


def _neighbours(text: str, i: int) -> tuple[str, str]:
    """Nearest non-space characters left and right of position i."""
    j = i - 1
    while j >= 0 and text[j] == " ":
        j -= 1
    k = i + 1
    while k < len(text) and text[k] == " ":
        k += 1
    return (text[j] if j >= 0 else ""), (text[k] if k < len(text) else "")


def convert_ascii_punct(text: str) -> str:
    """ASCII , ; : ? ! ( ) next to Chinese text become their full-width forms.

    Sentence splitting and fact extraction then see one punctuation set; 1,336 or 10:30 stay.
    """
    if not _ASCII_PUNCT.search(text):
        return text
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch not in _ASCII_TO_CN:
            continue
        left, right = _neighbours(text, i)
        if ch == "(":
            ok = _cn_context(right) or _is_cjk(left)
        elif ch == ")":
            ok = _cn_context(left) or _is_cjk(right)
        else:
            ok = _cn_context(left) or _cn_context(right)
        if ok:
            chars[i] = _ASCII_TO_CN[ch]
    return "".join(chars)


def convert_straight_quotes(text: str, heading: bool = False) -> str:
    """Straight double quotes become “ ” by alternation.

    A heading with an odd count lost its opening quote to OCR (信息化实战警务"成果丰硕), so one is
    restored at the start; a paragraph with an odd count keeps its last quote open (quote runs on).
    """
    count = text.count('"')
    if count == 0:
        return text
    if heading and count % 2 == 1 and not text.startswith('"'):
        text = '"' + text
    out, opening = [], True
    for ch in text:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


_SPACE_RUN = re.compile(r"[ \t]+")


def _tight(ch: str) -> bool:
    return _is_cjk(ch) or ch in CN_PUNCT


def remove_cjk_spaces(text: str) -> str:
    """Drop whitespace touching CJK or Chinese punctuation (OCR wrap residue: 警 务, 1336 起)."""
    text = _SPACE_RUN.sub(" ", text.strip())
    if " " not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        if ch == " " and (_tight(text[i - 1]) or _tight(text[i + 1])):
            continue
        out.append(ch)
    return "".join(out)


def repair_doubled(text: str) -> str | None:
    """数字化数字化改革改革 → 数字化改革: OCR of a bold header printed twice (X X Y Y).

    Returns None when the line is not made of doubled runs; needs two runs (or one of ≥4 chars)
    so ordinary reduplication like 天天 or 一点一点 is left alone.
    """
    s = text.replace(" ", "")

    @cache
    def parts(i: int) -> tuple[str, ...] | None:
        if i == len(s):
            return ()
        for size in range(2, (len(s) - i) // 2 + 1):
            if s[i : i + size] == s[i + size : i + 2 * size]:
                rest = parts(i + 2 * size)
                if rest is not None:
                    return (s[i : i + size], *rest)
        return None

    found = parts(0) if len(s) >= 4 else None
    if not found or (len(found) == 1 and len(found[0]) < 4):
        return None
    return "".join(found)


def clean_body(text: str) -> str:
    """Body text: Chinese punctuation, curly quotes, no spaces next to CJK."""
    return remove_cjk_spaces(convert_straight_quotes(convert_ascii_punct(text)))


def clean_heading(text: str) -> str:
    """Headline text: like body, but single inner spaces between headline halves are kept."""
    text = convert_straight_quotes(convert_ascii_punct(_MD_MARKS.sub("", text)), heading=True)
    return _SPACE_RUN.sub(" ", text).strip()


# ---------------------------------------------------------------- line classification

_MD_HEADING = re.compile(r"^(#{1,6})\s*(.*)$")
_MD_MARKS = re.compile(r"\*\*|__|□|■|◆|◇|●")
_FURNITURE = re.compile(
    r"责编|责任编辑|美术编辑|联系电话|校对|版式|美编|编辑[:：]|版次|^第\s*[\d一二三四五六七八九十]+\s*版$"
    r"|^\d{4}年\d{1,2}月\d{1,2}日\s*(?:星期|周)[一二三四五六日天]$|^[（(]完[）)]$"
    # the imprint at a page's foot: publisher, hotline, licences, the paper's web address
    r"|社出版|新闻热线|广告许可证|出版物号|邮发代号|社(?:地)?址[:：]|^主办[:：]|邮编[:：]|^印刷[:：]|零售每份|全年定价|^本版(?:图片|稿件)|热线[:：]?\s*[\d-]{7,}$|^[^。！？，]{0,12}(?:www\.|epaper\.|https?://)\S+$"
    r"|^[A-Z][A-Z .·&'-]{4,}$"  # the paper's name in Latin letters under its masthead: BAOTOU DAILY
    r"|^[^。！？，]{0,6}天气$|-?\d+\s*℃?\s*[~～至-]\s*-?\d+\s*℃"  # a weather box: 今日天气 / 拉萨 晴 9℃~23℃
    r"|^!?\[[^\]]*\]\([^)]*\)$"  # a picture's place in markdown: ![](images/p4.jpg)
)
# （下转第三栏） / （上接第一栏）: where a story goes on, and where it is taken up again
_JUMP = re.compile(r"^[（(](?:(?P<resumes>上接|接上|紧接)|下转|转下)[^）)]{1,8}[）)]$")
# A masthead: the paper's name, the day with its weekday, the page (第5版, A07) and its section, in
# a line or a few short ones without a sentence mark.
_MASTHEAD = re.compile(
    r"\d{4}年\d{1,2}月\d{1,2}日\s*(?:星期|周)[一二三四五六日天]|第\s*[\d一二三四五六七八九十]+\s*版|农历[正一二三四五六七八九十冬腊]"
)
MASTHEAD_LINES, MASTHEAD_LINE_MAX = 6, 40
HEADLINE_STACK_MAX = 4  # kicker, a headline wrapped once, deck: what may stand under the furniture
_PAPER_NAME = re.compile(
    rf"^[{CJK}]{{2,8}}(?:日报|晚报|早报|晨报|时报|商报|都市报|法制报|法治报|公安报|报)(?:\s*[A-Z][A-Z .·]*)?$"
)
INDENTED_PAGE_LINES = 3
_END_MARK = re.compile(r"[（(]完[）)]$")
_SIGNED_OFF = re.compile(r"(?<=[。！？”])[（(]([^（()）]{2,24})[）)]$")
# 【平安云南】, 〖反诈〗, 《反诈课堂》, 〓警界风采〓: a column's label on a line of its own
_BRACKET_KICKER = re.compile(r"^(?:[【〖《](?P<a>[^】〗》]{2,10})[】〗》]|〓(?P<b>[^〓]{2,10})〓)$")
_BRACKET_LEAD = re.compile(r"^【([^】]{4,40})】(?=[^\s【])")
SUBHEAD_MAX = 12  # a section's heading inside a story is a short phrase
WRAPPED_HEADLINE_MAX = 40  # a headline printed on two lines, no clause break in it
KICKER_MAX = 14  # a kicker (引题) over its headline is short: 反诈一线, 一村一辅警 守好村寨门
_RULE = re.compile(r"^(?:[━─—=＝*＊~～_＿·•]{4,}|[-*_]{3,})$")  # a rule drawn across the column (--- in markdown)
# 本报记者 周敏 CQCB 通讯员 何亮 / 看看新闻Knews 记者 沈佳: an outlet's name in Latin letters
_OUTLET = re.compile(rf"^(?:[{CJK}]{{2,8}})?[A-Z][A-Za-z]{{1,9}}$")
_CLOSING_CREDIT = re.compile(r"^[（(]\s*(?:本报)?(?:特约)?(?:记者|通讯员)[^（()）]{2,40}[）)]$")
_SECTION_MARK = "▲■◆●★◎▍▌"
_PHOTO_BY = re.compile(r"(?<![文/])\s*摄(?:影)?$")
# a caption signed by its photographer: 图为巡特警队员在街头巡逻。  马晓琳 摄 / 民警清点牛羊。 张磊 摄
_PHOTO_BY_LINE = re.compile(rf"^.{{2,30}}[。 ]\s*[{CJK}·]{{2,4}}\s*(?:摄|摄影|供图)$")
_PHOTO_CREDIT = re.compile(rf"^(?:摄影|图|图片)\s*[/:：]?\s*[{CJK}·]{{2,4}}$|^(?:图为|图：|图:)")
# a caption marked as one: ▲民警正在走访。 / …办理身份证。（资料图） / …（受访者供图）
_MARKED_CAPTION = re.compile(r"^[▲△].{4,}$|[（(](?:资料图|资料图片|资料照片|图片来源[^）)]*|[^（()）]{0,10}供图|[^（()）]{0,8}摄)[）)]$")
MARKED_CAPTION_MAX = 50
_CREDIT_BOX = re.compile("[□■]")  # □ 记者 X, ■本报记者 X: a credit printed above the story
_INLINE_FURNITURE = re.compile(r"[(（]\s*(?:本文)?(?:编辑|责编|校对)[:：][^)）]*[)）]")
NOTICE_ITEMS, NOTICE_ITEM_MAX = 3, 14  # a public notice lists at least three things it asks, each short
AD_MARK = re.compile(r"公益广告|广告|倡导|文明出行")
_LABEL = re.compile(r"^(?:今日|本期|本版)\S{1,5}$|\S{1,6}(?:版|专刊|周刊|新闻)$")
_DATELINE = re.compile(
    rf"^(?P<line>本报(?!通讯员)(?P<place>[^\s讯]{{0,6}})讯|[{CJK}]{{2,8}}(?:网|日报|晚报|早报|晨报|时报|报)讯|(?:日报|晚报|早报|晨报|时报|本刊)讯|(?:新华社|中新社|本报|[{CJK}]{{2,4}}报)[{CJK}]{{0,8}}\d{{1,2}}月\d{{1,2}}日[电讯]|【(?P<bracketed>[{CJK}]{{2,6}})】(?=\S))"
    r"\s*(?:[（(](?P<by>[^)）]{1,30})[)）])?\s*"
)
# 记者, 本报记者, and an outlet's own: 广州日报全媒体记者, 南国早报N视频记者, 上游新闻·CQCB记者, 团结报记者
_ROLE = (
    rf"(?:本报|[{CJK}]{{1,6}}(?:报|新闻|日报|晚报|网)[·A-Za-z]{{0,6}})?(?:全媒体|融媒体|新媒体|N?视频|首席)?"
    r"(?:特约|实习|见习)?(?:记者|通讯员|实习生|摄影|作者|撰稿)"
)
_ORG_SUFFIX = r"(?:部|局|处|科|室|队|所|中心|办公室|委|厅|院)"
_NAME = re.compile(f"^[{CJK}·]{{2,4}}$")
BYLINE_MAX = 60
_NOT_IN_BYLINE = re.compile(r"[。，；！？、：,;!?]")
_ROLE_TOKEN = re.compile(f"^{_ROLE}$")
ROLE_GAP = re.compile(r"(通讯|记|实习|见习)\s+(员|者|生)")  # 通讯 员: a stray space in a role word
_ROLE_NAME = re.compile(f"^{_ROLE}[{CJK}·]{{2,4}}$")
_TERMINAL = re.compile(r"^(?:报道|摄|摄影|文/图|图/文|文|图|供图|整理)$")
_ORG_TOKEN = re.compile(f"^[{CJK}]{{2,14}}{_ORG_SUFFIX}$")
# a headline and a wide gap before a story's opening, on one line
_INLINE_HEADLINE = re.compile(r"^(\S{4,30}?)\s+")
_OPENER = re.compile(
    r"^(?:今年|去年|前年|近日|日前|近期|近年来?|目前|当前|此前|此后|如今|另外|此外|据|关于|如何|为了|随着|截至"
    r"|\d{2,4}年|\d{1,2}月\d|[^，。、“”]{1,10}后，|“[^”]*[。！？]”)"
)


@lru_cache(maxsize=16384)
def is_byline(text: str, marked: bool = False) -> bool:
    """记者 张三 / 通讯员 李四 王五 摄 / 荆门市公安局政治部 杨奎 / □ 尹彤 杨玉建 报道 / （记者 张三）.

    Kept per line: a page's lines are asked about again as the lines before them are read."""
    if len(text) > 2 * BYLINE_MAX or _NOT_IN_BYLINE.search(text):
        return False  # no token of a byline holds a sentence's punctuation
    if re.fullmatch(r"[（(][^（()）]+[)）]", text.strip()):
        text, marked = text.strip()[1:-1], True
    text = re.sub(r"^(文/图|图/文)(?=\S)", r"\1 ", ROLE_GAP.sub(r"\1\2", text.strip()))
    text = re.sub(r"^文/(?!图)", "文 ", text)  # 文/广州日报全媒体记者 黄丹彤
    text = re.sub(r"(?<=\s)图/(?!文)", "图 ", text)  # 文/梁宇 图/农志刚: the photographer after the writer
    # 刘 洋: a two-character name spaced out to the width of three
    tokens = re.sub(rf"(?<![{CJK}·])([{CJK}]) ([{CJK}])(?![{CJK}·])", r"\1\2", text).split()
    if not tokens or len(text) > BYLINE_MAX:
        return False
    has_role = has_name = has_terminal = has_org = False
    for n, tok in enumerate(tokens):
        if _ROLE_TOKEN.match(tok):
            has_role = True
        elif _ROLE_NAME.match(tok):
            has_role = has_name = True
        elif _TERMINAL.match(tok):
            has_terminal = True
        elif (n == 0 or tokens[n - 1] == "图") and _ORG_TOKEN.match(tok):  # 图/桐梓县公安局: a unit's photo
            has_org = True
        elif _OUTLET.match(tok) and (n > 0 or not tok.isascii()):
            continue
        elif _NAME.match(tok):
            has_name = True
        else:
            return False
    if not has_name:
        return False
    return has_role or marked or has_terminal or (has_org and len(tokens) >= 2)


def is_opening_byline(line: Line) -> bool:
    """Bylines printed above the story (□ … 报道) rather than signing it off at the end."""
    return line.level == 1 or line.text.rstrip().endswith("报道")


def _heading_shaped(text: str) -> bool:
    """Short, no sentence or clause punctuation: plausibly a headline in plain text."""
    if not 2 <= len(text) <= HEADING_MAX:
        return False
    return not re.search(r"[，。！？；：,.!?;:、]", text) and bool(_CJK_RE.search(text))


_ASKS_AT_END = re.compile(r"[？?！!]+$")
_ASKS_FIRST = re.compile(r"^([^？?！!]{2,20})[？?！!](?=[^？?！!]{4,}$)")
_SENTENCE_MARK = re.compile(r"[。！？…；;!?]")


def _headline_candidate(text: str) -> bool:
    """A line that may be a headline if the layout around it says so: no sentence end, not too long.

    Commas and colons are allowed (数字化改革：海曙公安分局鼓楼派出所); whether it heads a story is
    decided by what stands around it (:func:`_resolve_candidates`).
    """
    if not 2 <= len(text) <= HEADLINE_MAX or not _CJK_RE.search(text):
        return False
    text = _ASKS_AT_END.sub("", text)  # a headline may ask or exclaim: 网购退款还要先交“保证金”？
    text = _ASKS_FIRST.sub(r"\1", text)  # and ask before it answers: 谁动了我的电瓶？民警：蹲守三晚揪出“夜行侠”
    return bool(text) and not _SENTENCE_MARK.search(text) and text[-1] not in "，、：,:（(“"


def _deck_shaped(text: str) -> bool:
    """Long headline-like line (sub-headline / slogan): no punctuation, inner spaces."""
    return (
        HEADING_MAX < len(text) <= DECK_MAX
        and " " in text.strip()
        and not re.search(r"[，。！？；：,.!?;:、]", text)
    )


@dataclass
class _Block:
    """Lines between blank lines, before they become Lines."""

    lines: list[str]
    gap_before: int  # blank lines before this block
    md_level: int = 0
    marked: bool = False  # carried a □ marker
    item: bool = False  # opened an item of a column on a page without blank lines (■近日，… / 2. …)


def _join_wrapped(lines: list[str]) -> str:
    """Join physically wrapped lines: no space between CJK, one space between Latin words."""
    out = ""
    for line in lines:
        line = line.strip()
        if out and line and not (_tight(out[-1]) or _tight(line[0])):
            out += " "
        out += line
    return out


_INDENT = re.compile(r"^(?:\u3000| {2,}|\t)")


_RESUMED_INLINE = re.compile(r"^[（(](?:上接|接上|紧接)[^）)]{1,8}[）)]")
_HEAD_THEN_BYLINE = re.compile(r"^(\S.{3,40}?\S)(?:\s{2,}|\u3000+)(\S.*)$")
_PHOTO_SIGNED = re.compile(r"(?:摄|摄影|供图)$")


def _headline_then_byline(head: str, credit: str) -> bool:
    """A headline and a reporter's credit on one line, not two credits (记者 X  通讯员 Y) nor a
    caption and its photographer (图为…  巫公宣 供图)."""
    return (
        is_byline(credit) and not is_byline(_MD_MARKS.sub("", head).strip(), marked=True) and _headline_candidate(head)
        and not _PHOTO_CREDIT.search(head) and not _PHOTO_SIGNED.search(credit)
    )


_NUMBERED_ITEM = re.compile(r"^(?:\d{1,2}[.．、]|[（(]\d{1,2}[)）])\s*")
_NAMES_UNIT = re.compile(r"^[^，。]{0,16}(?:公安|派出所|交警|警方|分局|支队|大队)")


def _opens_item(line: str) -> str | None:
    """The line, as kept, when it opens an item of a column: a mark or a number before a story's
    opening (■近日，… / 2. 5月15日，… / 3. 某县公安局…), or a headline run in before its text (【…】…)."""
    if _BRACKET_LEAD.match(line):
        return line
    numbered = _NUMBERED_ITEM.match(line)
    rest = line[numbered.end() :] if numbered else line[1:].lstrip() if line[:1] in _SECTION_MARK else None
    if rest and (STORY_OPENER.match(rest) or _DATELINE.match(rest) or (numbered and _NAMES_UNIT.match(rest))):
        return rest if numbered else line
    return None


_CLAUSE_OR_FIGURE = re.compile(r"[，。！？；：、\d]")


def _is_label(line: str) -> bool:
    """A column's name on a line of its own (警务简讯, 法治快讯): short, no clause, no figure."""
    return 2 <= len(line) <= LABEL_MAX and not _CLAUSE_OR_FIGURE.search(line)


def _blocks(raw: str) -> list[_Block]:
    """Split on blank lines; markdown headings always form their own block."""
    blocks: list[_Block] = []
    current: list[str] = []
    gap = 0

    item = False

    def flush() -> None:
        nonlocal current, gap, item
        if current:
            blocks.append(_Block(current, gap, item=item))
            gap = 0
        current, item = [], False

    raw_lines = raw.splitlines()
    first_of_block = ""  # the current block's first line, as printed
    # A page that marks paragraphs by indenting them sets a headline apart by not indenting it.
    indented_page = sum(bool(_INDENT.match(x) and x.strip()) for x in raw_lines) >= INDENTED_PAGE_LINES
    for raw_line in raw_lines:
        line = _normalize_width(raw_line).strip()
        if not line or _RULE.match(line):
            flush()
            gap += 1 if not line else 2  # a rule (━━━━) sets stories apart as a wide gap does
            continue
        if _INDENT.match(raw_line):
            flush()  # an indented first line starts a paragraph where the page has no blank lines
        elif indented_page and current and _ends_sentence(current[-1]) and _INDENT.match(first_of_block):
            flush()
            gap += 2  # 吉首反诈中心“精准劝阻”… flush left between two indented paragraphs
        if (resumed := _RESUMED_INLINE.match(line)) and line[resumed.end() :].strip():
            # （上接第1版）人员以…: the rest of a story begun on another page, mid-sentence
            flush()
            blocks.append(_Block([resumed.group(0)], gap))
            gap, line = 0, line[resumed.end() :].strip()
        head_by = _HEAD_THEN_BYLINE.match(line)
        if head_by and _headline_then_byline(head_by.group(1), head_by.group(2)):
            # 青秀警方端掉一电诈“跑分”窝点      记者 韦丽萍: a headline with its credit set at the line's end
            flush()
            blocks.append(_Block([head_by.group(1)], gap))
            blocks.append(_Block([head_by.group(2)], 0))
            gap = 0
            continue
        opened = _opens_item(line) if not current or _ends_sentence(current[-1]) or _is_label(current[-1]) else None
        if opened is not None:
            # ■近日，… / 【标题】正文 / 2. 近日，… on a page without blank lines: an item of its own,
            # after its column's label (警务简讯)
            label = current.pop() if len(current) > 1 and _is_label(current[-1]) and _ends_sentence(current[-2]) else None
            flush()
            if label:
                blocks.append(_Block([_SECTION_MARK[1] + label], 1))  # read as ■ 警营动态 is: a column's name
            gap += 2
            line, item = opened, True
        md = _MD_HEADING.match(line)
        if md:
            flush()
            text = _MD_MARKS.sub("", md.group(2)).strip()
            blocks.append(_Block([text], gap, md_level=len(md.group(1))))
            gap = 0
            continue
        if not current:
            first_of_block = raw_line
        current.append(line)
    flush()
    return blocks


def _stands_alone(lines: list[str], i: int, raw: str) -> bool:
    """A line that is no part of a paragraph, wherever in a block it stands: a byline, a dateline
    credit (本报讯（通讯员 X）), a column's label, furniture, a photo caption, or a headline that a
    byline or dateline follows. Pages without blank lines print them between the paragraphs."""
    text = lines[i]
    if not text:
        return False
    if is_byline(text, _CREDIT_BOX.search(raw) is not None) or _BRACKET_KICKER.match(text) or _MASTHEAD.search(text):
        return True
    if text[:1] in _SECTION_MARK and len(text) <= LABEL_MAX + 2:
        return True
    if _FURNITURE.search(_INLINE_FURNITURE.sub("", text)) and not re.search(r"[。！？]", text) or _JUMP.match(text):
        return True
    if _PHOTO_CREDIT.search(text) and len(text) <= CAPTION_MAX + 12 or _PHOTO_BY_LINE.search(text):
        return True
    if _MARKED_CAPTION.search(text) and len(text) <= MARKED_CAPTION_MAX:
        return True
    if (m := _DATELINE.match(text)) and m.end() == len(text) and m.group("by"):
        return True
    if i == 0 and len(lines) > 1 and _headline_candidate(text) and STORY_OPENER.match(lines[1]) and not _OPENER.match(text):
        return True  # a brief's headline over its first line: 涿州警方破获一起入室盗窃案 / 近日，…
    return _headline_candidate(text) and any(
        is_byline(x) or _names_only(x) or ((m := _DATELINE.match(x)) is not None and m.group("by") is not None)
        for x in lines[i + 1 : i + 3]
    )


VERTICAL_MIN = 3  # a headline set upright runs down at least this many lines
HEADLINE_LINES = 3  # a headline wraps on at most this many lines
HEADLINE_SHARE_OF_COLUMN = 0.8  # a headline's lines stop well short of the text's column


def _headline_over_opening(lines: list[str], column: int = 0) -> int:
    """How many first lines of a block are a headline printed over the story's opening line: two
    or three with no sentence in them, then a byline or dateline (本报讯), or a line opening a story (近日，/6月17日，)
    when each is shorter than the column the text fills (a paragraph's lines run full width); 0 if
    not."""
    if not lines or _OPENER.match(lines[0]):
        return 0
    for n in range(1, min(HEADLINE_LINES, len(lines) - 1) + 1):
        # a headline may wrap at its comma: 农村群众反诈知晓率从52.4%提高到93.1%， / 全县电诈案件…
        if not all(_headline_candidate(x.rstrip("，,")) and not is_byline(x) for x in lines[:n]):
            return 0
        if not _headline_candidate("".join(lines[:n])):
            continue
        credit = is_byline(lines[n]) and n > 1  # (one line over a credit is left to _stands_alone)
        if (credit or _DATELINE.match(lines[n])) and not any(x.startswith(("—", "【")) for x in lines[:n]):
            return n  # a kicker, headline and dashless subtitle over the reporters' names or 本报讯
        column = max(column, *(len(x) for x in lines[n:]))
        if n > 1 and STORY_OPENER.match(lines[n]) and all(len(x) <= column * HEADLINE_SHARE_OF_COLUMN for x in lines[:n]):
            return n
    return 0


def _split_bylines(block: _Block) -> list[_Block]:
    """A block may hold bylines, headlines, captions and furniture as lines of their own: keep
    them apart from the paragraphs around them.

    Pages without blank lines put headline, byline and text in one block: a headline candidate
    followed by a byline line is split off, and so is that byline; so is a caption or a page line
    between two stories. The names of a byline carried on to the next line stay with it.
    """
    if block.md_level or len(block.lines) == 1:
        return [block]
    stripped = [_CREDIT_BOX.sub("", ln).replace("**", "").strip() for ln in block.lines]
    if all(is_byline(s, _CREDIT_BOX.search(ln) is not None) for s, ln in zip(stripped, block.lines, strict=True)):
        return [_Block([" ".join(block.lines)], block.gap_before, item=block.item)]
    if _is_masthead(block.lines) and not any(is_byline(x) for x in stripped):
        return [block]
    column = max(len(x) for x in stripped)
    head = _headline_over_opening(stripped, column)
    if head:
        # 涟源警方侦破一起 / 22年前命案积案 / 6月17日，随着…: a headline wrapped over the story's first line
        rest = _Block(block.lines[head:], 1)
        return [_Block(block.lines[:head], block.gap_before, item=block.item), *_split_bylines(rest)]
    # a page without blank lines: a headline over a story's opening after a finished sentence
    # or a line of furniture (…目前，案件正在进一步侦办中。 / 滨海新区 / 身份证办理 / 记者昨天从…)
    at = next(
        (
            i for i in range(1, len(stripped) - 1)
            if (_ends_sentence(stripped[i - 1]) or _stands_alone(stripped, i - 1, block.lines[i - 1]))
            and _headline_over_opening(stripped[i:], column)
        ),
        None,
    )
    if at is not None:
        before = _split_bylines(_Block(block.lines[:at], block.gap_before, item=block.item))
        return [*before, *_split_bylines(_Block(block.lines[at:], 1))]
    out: list[_Block] = []
    run: list[str] = []

    def emit(lines: list[str]) -> None:
        out.append(_Block(lines, block.gap_before if not out else 1, item=block.item and not out))

    for i, line in enumerate(block.lines):
        # 【平安云南】 over a headline wrapped on two lines is read with it (_classify)
        alone = _stands_alone(stripped, i, line) and not (i == 0 and _BRACKET_KICKER.match(stripped[0]))
        names = i > 0 and _names_only(stripped[i]) and _stands_alone(stripped, i - 1, block.lines[i - 1])
        closing = i == len(block.lines) - 1 and i > 0 and _CLOSING_CREDIT.match(stripped[i]) and is_byline(stripped[i])
        if alone or names or closing:
            if run:
                emit(run)
                run = []
            caption = out[-1].lines[0].strip() if out else ""
            if out and _PHOTO_BY.search(stripped[i]) and (_PHOTO_CREDIT.search(caption) or _MARKED_CAPTION.search(caption)):
                out[-1].lines.append(line)  # 图为… / 本报记者 金明哲 摄: the caption and its credit
            else:
                emit([line])
        else:
            run.append(line)
    if run:
        emit(run)
    return out


# A1 …  邕城晚报  2024年5月21日: a page's head line, its parts set wide apart, with the day in it
_SPREAD_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_WIDE_GAP = re.compile(r"\S\s{3,}\S")


def _is_masthead(lines: list[str]) -> bool:
    """A few short lines naming the day with its weekday or the page, and no sentence."""
    text = "".join(lines)
    dated = bool(_MASTHEAD.search(text)) or any(_SPREAD_DATE.search(x) and _WIDE_GAP.search(x) for x in lines)
    return (
        len(lines) <= MASTHEAD_LINES
        and all(len(_SPACE_RUN.sub(" ", x.strip())) <= MASTHEAD_LINE_MAX + 20 * bool(_WIDE_GAP.search(x)) for x in lines)
        and dated
        and not re.search(r"[。！？，；]", text)
    )


def _headline_under_furniture(block: _Block, opens_next: bool) -> list[Line] | None:
    """The page's furniture run straight into the first headline, on a page without blank lines
    (基层·警务 / 责任编辑：… / 小店警方远赴广西捣毁一电诈引流窝点): the furniture, then the
    headline (with its kicker and deck) read as a block of its own."""
    lines = [x.strip() for x in block.lines]
    n, furnished = 0, False
    while n < len(lines):
        marked = bool(_FURNITURE.search(lines[n]) or _MASTHEAD.search(lines[n]))
        if not (marked or _PAPER_NAME.match(lines[n]) or len(lines[n]) <= LABEL_MAX):
            break
        furnished, n = furnished or marked, n + 1
    rest = lines[n:]
    if not furnished or not rest or len(rest) > HEADLINE_STACK_MAX:
        return None
    if len(rest[0]) <= LABEL_MAX or any(_ends_sentence(x) for x in rest):
        return None
    return [Line(_join_wrapped(lines[:n]), "furniture"), *_classify(_Block(rest, 1), opens_next)]


def _classify(block: _Block, opens_next: bool = False) -> list[Line]:
    """Type one block; may yield several Lines (dateline + byline + paragraph). ``opens_next``: the
    block after it opens a story (近日，… / 6月15日至19日，…), so a short stack here may head it."""
    if block.md_level:
        text = clean_heading(block.lines[0])
        if not text:
            return []
        if text.startswith(("——", "—", "--")):
            return [Line(text, "deck", block.md_level)]
        return [Line(text, "heading", block.md_level)]
    label = _BRACKET_KICKER.match(block.lines[0].strip())
    if label:
        # 【平安云南】 over a headline (wrapped or not): a column's label, then the headline
        out = [Line(label.group("a") or label.group("b"), "kicker")]
        if len(block.lines) == 1:
            return out
        rest = clean_heading(_join_wrapped(block.lines[1:]))
        if _headline_candidate(rest):
            return [*out, Line(rest, "heading", 0)]
        return out + _classify(_Block(block.lines[1:], 0))
    joined = _INLINE_FURNITURE.sub("", _join_wrapped(block.lines)).strip()
    marked = _CREDIT_BOX.search(joined) is not None
    if joined[:1] in _SECTION_MARK and len(joined) <= LABEL_MAX + 2 and len(block.lines) == 1:
        return [Line(joined[1:].strip(), "furniture")]  # ▲ 要闻, ■ 警营动态: a column's name
    joined = _MD_MARKS.sub("", joined).strip()
    if not joined:
        return []
    if jump := _JUMP.match(joined):
        return [Line(joined, "jump", 1 if jump.group("resumes") else 0)]
    if (under := _headline_under_furniture(block, opens_next)) is not None:
        return under
    if _FURNITURE.search(joined) or all(_FURNITURE.search(_INLINE_FURNITURE.sub("", x).strip()) for x in block.lines):
        return [Line(joined, "furniture")]
    if _is_masthead(block.lines):
        return [Line(joined, "furniture")]
    if _PHOTO_CREDIT.search(joined) and len(joined) <= CAPTION_MAX + 5 or (
        len(block.lines) == 1 and _PHOTO_BY_LINE.search(joined) and not is_byline(joined, marked)
    ) or (_MARKED_CAPTION.search(joined) and len(joined) <= MARKED_CAPTION_MAX):
        return [Line(joined, "caption")]
    if is_byline(joined, marked):
        return [Line(_SPACE_RUN.sub(" ", joined), "byline", 1 if marked else 0)]
    dateline = _DATELINE.match(joined)
    if dateline and (dateline.group("bracketed") is None or gazetteer.lookup(dateline.group("bracketed"))):
        # 【三亚】7月30日，…: where a brief was filed, as 本报三亚讯 says it (【提醒】 is no place)
        return _split_dateline(joined, dateline)
    if len(block.lines) == 1 and joined.startswith(("——", "—")) and _headline_candidate(joined):
        return [Line(clean_heading(joined), "deck", 0)]
    doubled = repair_doubled(joined) if _heading_shaped(joined) else None
    if doubled:
        return [Line(doubled, "kicker")]
    if len(block.lines) == 1 and _heading_shaped(joined):
        return [Line(clean_heading(joined), "heading", 0)]
    if len(block.lines) >= VERTICAL_MIN and all(len(x) <= 2 for x in block.lines) and _heading_shaped(joined):
        return [Line(clean_heading(joined), "heading", 0)]  # a headline set upright, a character a line
    if len(block.lines) == 1 and _deck_shaped(joined):
        return [Line(clean_heading(joined), "deck", 0)]
    if len(block.lines) == 1 and _headline_candidate(joined):
        return [Line(clean_heading(joined), "candidate", 0)]
    if (stack := _headline_stack(block.lines, opens_next)) is not None:
        return stack
    lead = _BRACKET_LEAD.match(joined)
    if lead and _headline_candidate(lead.group(1)):
        # 【圣城派出所破获系列盗窃电动车电瓶案】9月中旬以来，…: a brief's headline in brackets, run in
        return [Line(clean_heading(lead.group(1)), "heading", 0), *_paragraph(joined[lead.end() :])]
    inline = _INLINE_HEADLINE.match(joined)
    if inline and _heading_shaped(inline.group(1)) and STORY_OPENER.match(joined[inline.end() :]):
        # a brief's headline run in before its text: 泾县破获一起非法捕捞案　8月9日，泾县公安局…
        return [Line(clean_heading(inline.group(1)), "heading", 0), *_paragraph(joined[inline.end() :])]
    return _paragraph(joined)


def _paragraph(joined: str) -> list[Line]:
    """A paragraph, without its end mark (（完）) and with a credit signing it off apart: …发放宣传
    资料1.2万余份。（龙公宣） is the paragraph and the story's closing byline, its names spaced as
    printed (（记者 周宁）)."""
    text = joined.rstrip()
    end = _END_MARK.search(text)
    text = text[: end.start()].rstrip() if end else text
    credit = _SIGNED_OFF.search(text)
    if credit and is_byline(credit.group(1), marked=True):
        byline = _SPACE_RUN.sub(" ", credit.group(1).strip())
        return [Line(clean_body(text[: credit.start()]), "paragraph"), Line(byline, "byline")]
    return [Line(clean_body(text), "paragraph")]


def _decks(texts: list[str]) -> list[Line]:
    """Subtitles under a headline; level 1 for one printed without its dash."""
    return [Line(t, "deck", 0 if t.startswith("—") else 1) for t in texts]


def _headline_stack(lines: list[str], opens_next: bool = False) -> list[Line] | None:
    """A kicker over a headline (and a ——subtitle under it) printed without blank lines between:
    two or three lines, none a sentence, the first short (or of any headline's length, with a
    comma in it, when a story's opening follows: 暑运首周，“两客一危”车辆逐车过检 / 娄底交警…);
    None for anything else."""
    texts = [clean_heading(x) for x in lines]
    sentence = any(re.search(r"[。！？]", t.rstrip("？?")) for t in texts)
    if len(texts) == 4 and texts[3].startswith(("——", "—")) and not sentence:
        # a kicker, a headline wrapped on two lines and its ——subtitle: 以“免费体检”为诱饵 /
        # 九龙坡警方打掉一个 / 养老诈骗团伙 / ——抓获嫌疑人19名
        kicker, first, second, deck = texts
        if all(_headline_candidate(t) for t in (kicker, first + second)) and len(first) >= len(second):
            return [Line(kicker, "kicker"), Line(clean_heading(first + second), "heading", 0), Line(deck, "deck", 0)]
    if not 2 <= len(texts) <= 3 or sentence:
        return None
    kicker, head, *rest = texts
    if kicker[-1:] in "，,：:" and _headline_candidate(kicker + head) and not STORY_OPENER.match(kicker):
        # one headline broken at its comma or colon: “断卡”行动满一年， / 顺庆警方打掉涉“两卡”团伙23个
        return [Line(clean_heading(kicker + head), "heading", 0), *_decks(rest)]
    if not rest and head.startswith(("——", "—")) and _headline_candidate(kicker):
        return [Line(kicker, "heading", 0), Line(head, "deck", 0)]  # a headline and its ——subtitle
    if rest and not rest[0].startswith(("——", "—")) and not (
        len(kicker) <= (HEADING_MAX if opens_next else KICKER_MAX) and all(_headline_candidate(t) for t in texts)
    ):
        return None  # a subtitle without its dash: under a short kicker and a headline, no sentence
    decks = _decks(rest)
    wrapped = kicker + head
    if (
        _headline_candidate(wrapped)
        and len(wrapped) <= WRAPPED_HEADLINE_MAX
        and not re.search("[，,]", wrapped)
        and (len(kicker) >= len(head) or head[:1].isdigit())
    ):
        # a headline wrapped on two lines fills the first (青铜峡警方破获一起特大 / 非法捕捞水产品案);
        # a kicker over its headline is printed shorter than it
        return [Line(clean_heading(kicker + head), "heading", 0), *decks]
    if len(kicker) > KICKER_MAX and not (
        opens_next and len(kicker) <= HEADING_MAX and _heading_shaped(head) and not STORY_OPENER.match(kicker)
    ):
        return None
    if not all(_headline_candidate(t) for t in (kicker, head)):
        return None
    return [Line(kicker, "kicker"), Line(head, "heading", 0), *decks]


def _split_dateline(joined: str, m: re.Match[str]) -> list[Line]:
    """**本报金乡讯** 7月22日… / 本报讯(通讯员 应晨悦)近日… → dateline, byline, paragraph."""
    out = [Line(m.group("line"), "dateline")]
    if m.group("by"):
        out.append(Line(_SPACE_RUN.sub(" ", m.group("by").strip()), "byline"))
    rest = joined[m.end() :].strip()
    return out + _paragraph(rest) if rest else out


# ---------------------------------------------------------------- page-level passes


def _ends_sentence(text: str) -> bool:
    """Ends on 。！？… (optionally inside a closing quote/bracket)."""
    stripped = text.rstrip("”’」』）)")
    if stripped != text and stripped and stripped[-1] not in SENTENCE_END:
        return False
    return bool(stripped) and stripped[-1] in SENTENCE_END


def _crosses_word(left: str, right: str) -> bool:
    """True when jieba sees one word spanning the break (发|挥, 今明两|年): a wrap, not a new start."""
    a, b = left[-4:], right[:4]
    pos = 0
    for word in jieba.cut(a + b, HMM=False):
        if pos < len(a) < pos + len(word):
            return True
        pos += len(word)
    return False


def _continues(prev: str, nxt: str) -> bool:
    """Should paragraph `nxt` be glued onto `prev` (paragraph split mid-sentence by a blank line)?"""
    if not prev or not nxt or _ends_sentence(prev):
        return False
    first = nxt[0]
    if not (_is_cjk(first) or first.isalnum() or first == "“"):
        return False
    if prev[-1] in "，、；：（“" or _crosses_word(prev, nxt):
        return True
    return not _OPENER.match(nxt)


# ---------------------------------------------------------------- column-order seams

# words after which a time or topic phrase may follow a break (成立于|2013年2月，…; 他介绍|今年…)
_TAKES_PHRASE = re.compile(
    r"(?:在|于|自|从|至|到|截至|截止|直到|直至|是|为|即|则|而|但|并|且|和|与|及|或|的"
    r"|说|称|道|表示|介绍|指出|认为|显示|发现|知道|强调|透露)$"
)
# a clause of its own: a fronted time or topic phrase and its comma (今年1月，… / 关于“X”，…);
# not 在4月份达到顶点后，… (a predicate going on) nor any other opener that may continue a line
_FRONTED = re.compile(
    r"^(?:今年|去年|前年|近日|日前|近期|近年来?|目前|当前|此前|此后|如今|另外|此外|关于|为了|随着|截至"
    r"|\d{2,4}年|\d{1,2}月)[^，。；：！？]{0,14}，"
)
# the last word of a line that may stand before a fronted phrase: a subject (县公安局|今年1月，…)
_SUBJECT_TAGS = ("n", "r", "t", "m", "j", "eng")
_NO_START = "，、；：。！？）》”’"


def dangles(text: str) -> bool:
    """Ends mid-clause: the last character is a letter or a digit, no stop and no closing mark."""
    return bool(text) and (_is_cjk(text[-1]) or text[-1].isalnum())


def starts_mid_sentence(text: str) -> bool:
    """Begins where no sentence begins: with a clause mark or a particle (的意见…, ，实行…)."""
    if not text or text[0] in _NO_START:
        return bool(text)
    return _opens_with_particle(text[:4])


@lru_cache(maxsize=8192)
def _opens_with_particle(head: str) -> bool:
    """jieba's first word of ``head`` is a one-character particle; kept per head (the tagger is slow)."""
    first = next(iter(pseg.cut(head, HMM=False)), None)
    return first is not None and first.flag.startswith("u") and len(first.word) == 1


def is_seam(left: str, right: str) -> bool:
    """A column break that joins two texts, not one sentence wrapped onto the next line.

    警务跟|2013年2月，通过… : the left ends mid-clause on a fragment or a word that needs what
    follows it (跟, 能; not a subject like 县公安局), no word spans the break, and the right opens
    a clause of its own (a fronted time or topic phrase and its ，).
    """
    if not dangles(left) or _TAKES_PHRASE.search(left) or not _FRONTED.match(right):
        return False
    last = list(pseg.cut(left[-6:], HMM=False))[-1]
    if len(last.word) > 1 and last.flag.startswith(_SUBJECT_TAGS):
        return False
    return not _crosses_word(left, right)


def _split_seams(block: _Block) -> list[_Block]:
    """Cut a block where one column's text ends mid-word and another story's text begins."""
    if block.md_level or len(block.lines) < 2:
        return [block]
    flat = [remove_cjk_spaces(convert_ascii_punct(x)) for x in block.lines]
    out: list[_Block] = []
    start = 0
    for i in range(len(flat) - 1):
        if is_seam(flat[i], flat[i + 1]):
            gap = block.gap_before if not out else 0
            out.append(_Block(block.lines[start : i + 1], gap, marked=block.marked, item=block.item and not out))
            start = i + 1
    if not out:
        return [block]
    return [*out, _Block(block.lines[start:], 0, marked=block.marked)]


def _repair_seams(lines: list[Line]) -> list[Line]:
    """Put back a paragraph's rest that stands further down the same story (columns out of order).

    The page shows the order only when the dangling end and the stray start make one word
    (…警务跟 + 进到哪里，… → 跟进); one such start and no other, or nothing is moved.
    """
    out = list(lines)
    i = 0
    while i < len(out):
        ln = out[i]
        found: list[int] = []
        if ln.kind == "paragraph" and dangles(ln.text):
            for j in range(i + 2, len(out)):
                x, before = out[j], out[j - 1]
                if x.kind in ("heading", "dateline") or (x.kind == "byline" and is_opening_byline(x)):
                    break
                stray = x.kind == "paragraph" and before.kind == "paragraph" and not dangles(before.text)
                stray = stray and _is_cjk(x.text[0]) and not _OPENER.match(x.text)
                if stray and _crosses_word(ln.text, x.text):
                    found.append(j)
        if len(found) == 1:
            out[i] = Line(ln.text + out[found[0]].text, "paragraph")
            del out[found[0]]
            continue  # the joined paragraph may end mid-word again
        i += 1
    return out


def in_reading_order(paragraphs: list[str]) -> list[str]:
    """A story's paragraphs with its columns back in order, where the page shows it.

    Read column by column out of order, a story opens mid-sentence (干部会议，部署…) and ends
    mid-word (…分局召开全体中层): when the two make one word, its opening is the last paragraph
    before that end which opens a story (近期，…) after a finished one; from there to the end
    goes in front, and the seam is joined. Without both marks nothing moves.
    """
    if len(paragraphs) < 3:
        return paragraphs
    head, tail = paragraphs[0], paragraphs[-1]
    if not (dangles(tail) and _is_cjk(head[0]) and not _OPENER.match(head) and _crosses_word(tail, head)):
        return paragraphs
    leads = [k for k in range(1, len(paragraphs) - 1) if STORY_OPENER.match(paragraphs[k]) and not dangles(paragraphs[k - 1])]
    if not leads:
        return paragraphs
    k = leads[-1]
    return [*paragraphs[k:-1], tail + head, *paragraphs[1:k]]


def _mark_ads(lines: list[Line]) -> list[Line]:
    """A run of headline-like lines containing an ad marker (公益广告, 倡导…) is an ad block, unless
    text follows it (a story's headline that says 倡导). A public notice listing what it asks
    (倡导“六大文明交通行为” / 机动车礼让斑马线 机动车有序停放 …) is a story of its own: its last
    heading the headline, its list one sentence a reader can ask for."""
    out = list(lines)
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and out[j].kind in ("heading", "deck") and out[j].level == 0:
            j += 1
        if j > i and any(AD_MARK.search(ln.text) for ln in out[i:j]):
            items = out[j - 1].text.split()
            if j - i >= 2 and len(items) >= NOTICE_ITEMS and all(2 <= len(x) <= NOTICE_ITEM_MAX for x in items):
                out[j - 1] = Line("、".join(items) + "。", "paragraph")
                j -= 1
            if j < len(out) and out[j].kind in ("paragraph", "byline", "dateline"):
                # the last line that is no ——subtitle heads it; the slogans over it are set around it
                head = max(k for k in range(i, j) if not out[k].text.startswith("—") or k == i)
                for k in range(i, head):
                    out[k] = Line(out[k].text, "furniture")
                out[head] = Line(out[head].text, "heading", 1)
            else:
                for k in range(i, j):
                    out[k] = Line(out[k].text, "furniture")
        i = max(j, i + 1)
    return out


def _is_caption_sentence(text: str) -> bool:
    """荆门市公安局大数据实战应用中心。 — a very short one-clause sentence (set off by blank lines)."""
    return (
        len(text) <= CAPTION_MAX and text.endswith("。") and not re.search(r"[，、；：“”‘’！？]", text[:-1])
    )


def _mark_captions(lines: list[Line], gaps: list[int]) -> list[Line]:
    """Short lone lines that are picture captions or page labels, not headlines or body."""
    out = list(lines)
    for i, ln in enumerate(out):
        nxt = next((x for x in out[i + 1 :] if x.kind not in ("furniture", "jump")), None)
        isolated = gaps[i] >= 2 and i > 0
        if ln.kind == "paragraph" and isolated and _is_caption_sentence(ln.text):
            out[i] = Line(ln.text, "caption")
        elif ln.kind == "heading" and ln.level == 0 and len(ln.text) <= LABEL_MAX:
            followed_by_heading = nxt is not None and nxt.kind == "heading"
            if _LABEL.match(ln.text) and (followed_by_heading or nxt is None):
                out[i] = Line(ln.text, "furniture")
            elif followed_by_heading or (isolated and nxt is not None and nxt.kind not in _HEADS_STORY):
                out[i] = Line(ln.text, "caption")  # (a subtitle or byline under it: a headline)
    return out


_HEADS_STORY = ("byline", "dateline", "deck")
ASIDE = ("caption", "furniture", "jump")  # lines outside the text's flow


def _names_only(text: str) -> bool:
    """尹彤 杨玉建 杨峰: two or more personal names and nothing else."""
    names = text.split()
    return len(names) >= 2 and all(_NAME.match(n) and len(n) <= 3 for n in names)


def _next_kind(lines: list[Line], i: int) -> str | None:
    return next((x.kind for x in lines[i + 1 :] if x.kind not in ASIDE), None)


def _resolve_candidates(lines: list[Line], gaps: list[int]) -> list[Line]:
    """Headline candidates become headlines where the layout says so, else body text.

    Evidence for a headline: a byline, dateline or subtitle right after it, or nothing but page
    furniture or a closing byline before it (a new story starts there), or a wider gap before it
    than the page leaves between paragraphs (a story set apart). A headline right above another
    one that heads a story is its kicker (引题).
    """
    out = list(lines)
    between = sorted(g for ln, g in zip(lines, gaps, strict=True) if ln.kind == "paragraph" and g)
    usual = between[len(between) // 2] if between else 1  # the page's gap between paragraphs
    for i, ln in enumerate(out):
        set_apart = gaps[i] > max(usual, 1)
        long_head = ln.kind == "heading" and not ln.level and len(ln.text) > SUBHEAD_MAX
        if long_head and set_apart and _next_kind(out, i) == "paragraph":
            # set apart by a wider gap: a story's own headline (a short one heads a section of
            # the story: 精准预警 抢在骗子前面)
            out[i] = Line(ln.text, "heading", 1)
        if ln.kind != "candidate":
            continue
        nxt = next((x for x in out[i + 1 :] if x.kind not in ASIDE), None)
        prev = out[i - 1] if i else None
        starts = nxt is not None and (nxt.kind in _HEADS_STORY or (nxt.kind == "heading" and nxt.level == 0))
        closing = prev is not None and prev.kind == "byline" and (i < 2 or out[i - 2].kind == "paragraph")
        # at the top of a page a comma suggests a sentence carried over from another page
        top = prev is None and "，" not in ln.text
        # a photo's caption or page furniture closes the story above
        after_end = top or closing or set_apart or (prev is not None and prev.kind in ("furniture", "caption"))
        # between a finished paragraph and one opening a story (近日，… / 今年8月以来，…): a brief's headline
        after_end = after_end or (
            prev is not None and prev.kind == "paragraph" and _ends_sentence(prev.text)
            and nxt is not None and nxt.kind == "paragraph" and bool(STORY_OPENER.match(nxt.text))
        )
        if starts or (after_end and nxt is not None and nxt.kind == "paragraph"):
            out[i] = Line(ln.text, "heading", 0)
        else:
            out[i] = Line(clean_body(ln.text), "paragraph")
    for i, ln in enumerate(out):
        before = out[i - 1] if i else None
        if ln.kind == "deck" and not ln.level and not ln.text.startswith("—"):
            # a long headline line (借改革之机乘风破浪 蓄动能之势逆风破局 …) with no headline above it
            heads = _next_kind(out, i) in _HEADS_STORY
            if before is None or (heads and before.kind not in ("heading", "kicker")):
                out[i] = Line(ln.text, "heading", 0)
            elif heads and before.kind == "heading" and not before.level:
                out[i - 1], out[i] = Line(before.text, "kicker"), Line(ln.text, "heading", 0)
    for i in range(1, len(out)):
        if out[i - 1].kind == "heading" and out[i].kind == "heading" and _names_only(out[i].text):
            out[i] = Line(out[i].text, "byline")  # 尹彤 杨玉建 杨峰 under a headline: the reporters
    for i in range(len(out) - 2):
        a, b, c = out[i : i + 3]
        if a.kind == b.kind == "heading" and a.level == b.level == 0 and c.kind in _HEADS_STORY:
            out[i] = Line(a.text, "kicker")
    return out


def _merge_continuations(lines: list[Line]) -> list[Line]:
    """Glue paragraphs that a blank line split mid-sentence (调派专门 / 警力，排摸出)."""
    out: list[Line] = []
    for i, ln in enumerate(lines):
        # a photo set into the column may stand between a paragraph and its continuation
        at = len(out) - 1
        while at > 0 and out[at].kind == "caption":
            at -= 1
        prev = out[at] if out else None
        heads = ln.kind == "heading" and i + 1 < len(lines) and lines[i + 1].kind in _HEADS_STORY
        # a headline over a story's opening (近日，…) that a column break set under a broken paragraph
        heads = heads or (
            ln.kind == "heading" and i + 1 < len(lines) and lines[i + 1].kind == "paragraph"
            and bool(STORY_OPENER.match(lines[i + 1].text))
        )
        if ln.kind in ("paragraph", "heading") and ln.level == 0 and prev and prev.kind == "paragraph" and not heads:
            text = ln.text if ln.kind == "paragraph" else clean_body(ln.text)
            if _continues(prev.text, text) and (at == len(out) - 1 or not _ends_sentence(prev.text)):
                out[at] = Line(prev.text + text, "paragraph")
                continue
        out.append(ln)
    return out


def _mark_paper_name(lines: list[Line]) -> list[Line]:
    """The paper's name over the page (团结报, # 大河报 DAHE DAILY) is furniture, not a headline:
    so read only as the page's first line, or with its name in Latin letters above the first text."""
    out = list(lines)
    for i, ln in enumerate(out):
        if ln.kind in ("paragraph", "byline", "dateline"):
            break
        if _PAPER_NAME.match(ln.text) and (i == 0 or re.search("[A-Z]", ln.text)):
            out[i] = Line(ln.text, "furniture")
        elif i == 0 and len(out) > 1 and _MASTHEAD.search(out[1].text) and _heading_shaped(ln.text):
            out[i] = Line(ln.text, "furniture")  # 安仁新闻 over the day and the page: the paper's name
    return out


def clean_lines(raw: str) -> list[Line]:
    """Typed lines of one page, furniture included (kind="furniture") for inspection."""
    lines: list[Line] = []
    gaps: list[int] = []
    parts = [piece for block in _blocks(raw) for whole in _split_bylines(block) for piece in _split_seams(whole)]
    for i, part in enumerate(parts):
        # (or a credit: a stack over a byline heads the story the byline opens)
        following = parts[i + 1].lines[0].strip() if i + 1 < len(parts) else ""
        opens_next = bool(following) and bool(
            STORY_OPENER.match(following)
            or (len(part.lines) <= HEADLINE_STACK_MAX + MASTHEAD_LINES and is_byline(_MD_MARKS.sub("", following).strip(), marked=True))
        )  # (only a short block may be a stack: no credit read for the others)
        for n, ln in enumerate(_classify(part, opens_next)):
            if part.item and n == 0 and ln.kind == "paragraph":
                ln = Line(ln.text, "paragraph", 1)  # level 1: a story of its own begins here
            lines.append(ln)
            gaps.append(part.gap_before if n == 0 else 0)
    lines = _resolve_candidates(_mark_ads(_mark_paper_name(lines)), gaps)
    kept = [(ln, g) for ln, g in zip(lines, gaps, strict=True) if ln.kind != "furniture"]
    lines = _repair_seams(_merge_continuations([ln for ln, _ in kept]))
    # merging only ever glues onto the previous line, so recompute gaps by identity
    gap_of = {id(ln): g for ln, g in kept}
    lines = _mark_captions(lines, [gap_of.get(id(ln), 0) for ln in lines])
    return lines


def clean_text(raw: str) -> str:
    """The page as plain text: one line per heading/byline/paragraph, blank line between."""
    return "\n\n".join(ln.text for ln in clean_lines(raw) if ln.kind not in ("furniture", "jump"))
