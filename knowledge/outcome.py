"""How a story ended: 成功挽回12万元, 最终找到老人的女儿, 嫌疑人已被刑事拘留.

Summaries carry the outcome as well as the lead, and an answer about one event quotes on to
where it ended; both ask this module, which imports nothing heavy.
"""

from __future__ import annotations

import re

__all__ = ["STORY_OPENER", "takes_measures", "tells_outcome"]

_OUTCOME = re.compile(
    r"成功|抓获|破获|挽回|追回|落网|找回|找到|送回|送到|归案|刑事拘留|逮住|擒获|完璧归赵|下降|化解|最终|终于"
    # a service story ends with how it was received: 受到了组织方、暴走队员的一致好评
    r"|好评|点赞|称赞|赞誉|拍手称快|赢得"
)
# a result aimed at or missed is no result: 为迅速追回钱款, 帮助寻找, 无法查找到对方账户
_NOT_YET = re.compile(r"(?:为了?|以便|力争|争取|要|准备|帮助|寻找|无法|未能|没能|没有|未|不)[^，。；]{0,6}?$")


def tells_outcome(text: str) -> bool:
    """Says how a story ended, not what was set out to do or failed."""
    return any(not _NOT_YET.search(text[: m.start()]) for m in _OUTCOME.finditer(text))


# how a story's text opens (a brief under its headline, an event in a long story): a time or a
# source, not the middle of a clause
STORY_OPENER = re.compile(r"^(?:近日|日前|近期|今年|去年|目前|据|记者|\d{1,2}月\d{1,2}日|\d{4}年|\d{1,2}月(?:以来|份|初|中旬|下旬|底))")


# what a unit does when it takes measures: 召集…召开座谈会, 组织民警…疏导交通, 要求…备案
_MEASURE_TAKEN = re.compile(r"召集|召开|组织|安排|要求|建立|制定|推出|设立|引导|督促|部署|成立|开展")
_ACTOR = re.compile(r"该所|该局|民警|派出所|分局|公安局|大队|中队")


def takes_measures(text: str, agency: str | None) -> bool:
    """The sentence tells a unit (its own name, 该所, 民警) taking a measure."""
    return bool(_MEASURE_TAKEN.search(text) and (_ACTOR.search(text) or (agency and agency in text)))
