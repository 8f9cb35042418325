"""/stats as a picture: questions per day by outcome, and the votes, in the /chart CJK font."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.charts import font_family
from knowledge.questionlog import DayStats

__all__ = ["render_stats_png"]

COLORS = {"答出": "#2f8f4e", "给出选项": "#e0a526", "拒答": "#c0392b", "赞": "#2f6fb0", "踩": "#7f8c8d"}


def render_stats_png(days: Sequence[DayStats], *, dpi: int = 110) -> bytes:
    """Stacked bars of answered / choices / refused per day above grouped bars of 赞 and 踩."""
    labels = [f"{d.day:%m-%d}" for d in days]
    x = list(range(len(days)))
    rc = {"font.family": [font_family(), "DejaVu Sans"], "axes.unicode_minus": False}
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(max(6.0, 0.45 * len(days) + 2), 5.2), dpi=dpi)
        FigureCanvasAgg(fig)
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.4]})
        base = [0] * len(days)
        for name, values in (
            ("答出", [d.answered for d in days]),
            ("给出选项", [d.chose for d in days]),
            ("拒答", [d.refused for d in days]),
        ):
            top.bar(x, values, bottom=base, label=name, color=COLORS[name])
            base = [b + v for b, v in zip(base, values, strict=True)]
        top.set_title("每天的提问")
        top.set_ylabel("次数")
        top.legend(loc="upper left", fontsize="small", frameon=False)
        width = 0.38
        bottom.bar([i - width / 2 for i in x], [d.up for d in days], width, label="赞", color=COLORS["赞"])
        bottom.bar([i + width / 2 for i in x], [d.down for d in days], width, label="踩", color=COLORS["踩"])
        bottom.set_ylabel("评价")
        bottom.legend(loc="upper left", fontsize="small", frameon=False)
        bottom.set_xticks(x, labels=labels, rotation=45 if len(days) > 10 else 0)
        for ax in (top, bottom):
            ax.yaxis.get_major_locator().set_params(integer=True)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()
