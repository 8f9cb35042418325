"""Split a list or comparison question into the questions it is made of.

``鼓楼派出所和新昌县的刑事案件降幅哪个大`` is two questions sharing a predicate: ``鼓楼派出所 刑事案件降幅``
and ``新昌县 刑事案件降幅``. ``新昌刑事案件和侵财型案件分别下降了多少`` shares a place and a tail:
``新昌 刑事案件 下降了多少`` and ``新昌 侵财型案件 下降了多少``. The rules are of the language (a
conjunction joins the sides; a side naming only a place or unit borrows the other side's words; the
shared tail starts at the first predicate word), not of any corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["PERSON", "Side", "asked_clause", "person_forms", "split_asks", "split_sides"]

# Words that join the sides of "A和B", "A vs B", "A、B、C".
CONJUNCTIONS = frozenset(
    {"和", "与", "跟", "及", "以及", "还有", "还是", "同", "、", "vs", "对", "对比", "versus", "and"}
)
# Words that join two places as often as they govern one ("跟X合作", "与X共建", "对X进行").
PREPOSITIONS = frozenset({"跟", "与", "同", "对"})
# Where the shared tail of "…B分别下降了多少" begins.
_TAIL_START = re.compile(
    r"^(分别|各|各自|都|是|有|用了?|花了|下降|上升|增长|减少|降幅|增幅|幅度|多少|几|哪个|哪些|什么|啥|怎么|如何|战果|成果|情况|数据)"
)
_PUNCT = re.compile(r"^[\W_]+$")
# someone named as people are in reports (周先生, 李女士, 张某某, 郑某, 周老板)
PERSON_TITLES = ("先生", "女士", "老板", "大爷", "大妈", "阿姨", "师傅", "某某", "某")
PERSON = re.compile(rf"[\u4e00-\u9fff](?:{'|'.join(PERSON_TITLES)})")


def person_forms(person: str) -> list[str]:
    """周老板 → 周先生, 周女士, 周老板 …: the surname with each title a report may give it."""
    surname = person[0]
    return [surname + title for title in PERSON_TITLES if not title.startswith("某")] + [person]


@dataclass(frozen=True)
class Side:
    """One of the questions a list or comparison question is made of."""

    text: str  # a question of its own: its entity (when any) and its words
    entity: str | None  # the place or unit this side is about
    label: str = ""  # what tells this side from the others ("云剑行动"), for the answer's line


def split_sides(
    tokens: list[str],
    entity_of: Callable[[list[str]], str | None],
    meaningful: Callable[[str], bool],
    max_sides: int = 6,
) -> list[Side]:
    """The sides of a question cut by jieba (``tokens``, punctuation kept); [] when it has one side.

    ``entity_of`` names the place or unit a run of tokens is about (the lexicon knows them);
    ``meaningful`` tells a content word from a function word ("is", "的").
    """
    runs: list[list[str]] = [[]]
    joiners: set[str] = set()
    for tok in tokens:
        if tok.strip().lower() in CONJUNCTIONS:
            joiners.add(tok.strip().lower())
            runs.append([])
        elif not _PUNCT.match(tok):
            runs[-1].append(tok)
    runs = [run for run in runs if any(meaningful(t) for t in run)]
    if not 2 <= len(runs) <= max_sides:
        return []
    entities = [entity_of(run) for run in runs]
    last = runs[-1]
    if len(set(filter(None, entities))) >= 2:
        # "A和B的X": sides differ by their entity; a bare entity borrows the last side's words, and
        # words before the first entity ("扫黑除恶这块，A和B…") belong to every side.
        first_named = _entity_tokens(runs[0], entities[0], entity_of)
        prefix = runs[0][: runs[0].index(first_named[0])] if first_named else []
        # "海曙鼓楼、新昌": a place before the first side's unit is that side's, not every side's
        prefix = [] if any(entity_of([t]) for t in prefix) else prefix
        shared = [t for t in last if t not in _entity_tokens(last, entities[-1], entity_of)]
        if entities[-1] is None:
            # "金乡、嘉祥还有周先生那几起诈骗，分别涉及多少钱": the last side tells its own subject;
            # the others borrow only what is asked of it
            shared = last[_tail_at(last) :]
        out = []
        for i, (run, entity) in enumerate(zip(runs, entities, strict=True)):
            named = _entity_tokens(run, entity, entity_of)
            own = [t for t in run if t not in named and not (i == 0 and t in prefix)]
            if not any(meaningful(t) for t in own):
                words = shared
            elif _tail_at(own) == len(own) and i < len(runs) - 1:
                # "荆门大数据和新昌实战平台各破了多少案": a side telling only its own subject is asked
                # what the last side is asked
                words = own + shared[_asked_at(shared) :]
            else:
                words = own
            text = _join(prefix + named + words)
            own_label = _join([t for t in run[: _tail_at(run)] if meaningful(t)]) if entity is None else entity
            out.append(Side(text, entity, own_label or text))
        return out
    if joiners & PREPOSITIONS:
        # "跟哪些部门合作", "与企业共建": a preposition, not two subjects.
        return []
    # "P的X和Y分别…": sides differ by their subject; the tail after the last subject is shared, and
    # an entity named once holds for the sides after it.
    cut = _tail_at(last)
    head, tail = last[:cut], last[cut:]
    out = []
    entity: str | None = None
    for i, run in enumerate(runs):
        words = head if i == len(runs) - 1 else run
        # a side naming a person (周先生, 李叔某) is that person's story, wherever the side before was
        person = entities[i] is None and PERSON.search("".join(run))
        lead = [entity] if entity and entities[i] is None and not person else []
        entity = entities[i] or entity
        own = None if person else entity
        out.append(Side(_join(lead + words + tail), own, _join([w for w in words if meaningful(w)])))
    return out


def _tail_at(run: list[str]) -> int:
    """Where the words asked of a side ("分别涉及多少钱") begin in its run."""
    return next((i for i, t in enumerate(run) if i and _TAIL_START.match(t)), len(run))


def _asked_at(run: list[str]) -> int:
    """Like ``_tail_at``, with the verb the asked words hang on ("破了多少案": 破了 is asked too)."""
    at = _tail_at(run)
    if at > 1 and run[at - 1] == "了":
        return at - 2
    if at > 0 and run[at - 1].endswith("了") and len(run[at - 1]) > 1:
        return at - 1
    return at


def _entity_tokens(run: list[str], entity: str | None, entity_of: Callable[[list[str]], str | None]) -> list[str]:
    """The tokens of ``run`` that spell its entity (荆门 / 荆门市 / 鼓楼派出所 / jingmen)."""
    if entity is None:
        return []
    short = entity.rstrip("市县区")
    return [
        t
        for t in run
        if t == entity
        or (short and short in t and len(t) <= len(entity) + 4)
        or (t.isascii() and entity_of([t]) == entity)
    ]


def _join(tokens: list[str]) -> str:
    """Tokens back into a question: Chinese runs together, Latin words keep their spaces."""
    out = ""
    for tok in tokens:
        if out and out[-1].isascii() and out[-1].isalnum() and tok[:1].isascii() and tok[:1].isalnum():
            out += " "
        out += tok
    return out


# A clause asking something of its own ("被骗多少钱", "民警多久追回来的").
# (这几年 / 近几天 point at a time, they ask nothing.)
_ASKING = re.compile(
    r"(多少|(?<![这近前那好十])几[个名人起次天年月岁分小条项件家点号日周位辆支所回]|多久|多长|多大|哪(天|年|里|儿|个|些|家|位|来)|(?<!有个)什么|啥|谁)"
)
MAX_ASKS = 4
BARE_ASK_CHARS = 4  # "多少", "几个人": an asking clause naming nothing of its own
_CLAUSE_BREAK = re.compile(r"[，,、；;？?！!…]|\.{2,}|还有|以及|另外|并且")


def asked_clause(text: str) -> tuple[str, str] | None:
    """A question that first describes its story and then asks ("湾头大桥那次抓偷电动车的，视频小队
    前后忙了多久"): the description and the one clause asking, or None."""
    clauses = [c.strip() for c in _CLAUSE_BREAK.split(text) if c and c.strip()]
    if len(clauses) < 2 or not _ASKING.search(clauses[-1]) or any(_ASKING.search(c) for c in clauses[:-1]):
        return None
    if len(clauses[-1]) <= BARE_ASK_CHARS and len(clauses) > 2:
        # "…骗了，钱找回来没，多少": a bare 多少 asks of the clause before it
        return "".join(clauses[:-2]), clauses[-2] + clauses[-1]
    return "".join(clauses[:-1]), clauses[-1]


def split_asks(text: str, entity_of: Callable[[str], str | None] = lambda _: None) -> list[Side]:
    """A message asking two things at once ("被骗多少钱、民警多久追回来的"), as one question each,
    the clauses that ask nothing ("金乡那个买奶粉被骗的") lent to each; [] when it asks one thing.

    ``entity_of`` names the place or unit a clause is about: a clause naming its own ("济宁加了多少
    探头，新昌装了多少监控") borrows nothing from the first.
    """
    clauses = [c.strip() for c in _CLAUSE_BREAK.split(text) if c and c.strip()]
    asking = list(dict.fromkeys(c for c in clauses if _ASKING.search(c)))
    if not 2 <= len(asking) <= MAX_ASKS:
        return []
    lead = "".join(c for c in clauses if not _ASKING.search(c))
    # What the first question is about ("8月13号那次演练") holds for the later ones ("多久全抓了").
    about = asking[0][: _ASKING.search(asking[0]).start()]
    entities = [entity_of(c) for c in asking]
    return [
        Side(lead + (c if i == 0 or entity not in (None, entities[0]) else about + c), entity, c)
        for i, (c, entity) in enumerate(zip(asking, entities, strict=True))
    ]
