"""/chart: a bar chart (PNG bytes) of the statistics matching a keyword, with Chinese labels.

The CJK font comes from the ``mplfonts`` package (Noto Sans CJK SC shipped inside it) and is
registered with matplotlib's font manager explicitly: servers rarely have CJK system fonts,
and a missing font silently renders tofu boxes (with a "Glyph … missing" warning). Drawing
uses ``Figure`` + the Agg canvas directly, so no pyplot global state and no GUI backend.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot import compose, texts
from bot.answer import Citation
from bot.engine import Engine
from knowledge.store import FactView

__all__ = ["Chart", "chart_for", "cjk_font_path", "font_family", "render_png"]

FONT_FILE = "NotoSansCJKsc-Regular.otf"  # sans serif reads best at small sizes
LABEL_CHARS = 14
# Units that count the same thing, so their bars can share one axis.
SAME_UNIT = {"名": "人", "位": "人"}


def _unit_key(unit: str) -> str:
    return SAME_UNIT.get(unit, unit)


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """The Noto Sans CJK font bundled in the ``mplfonts`` package (never a system font)."""
    import mplfonts

    fonts = Path(mplfonts.__file__).resolve().parent / "fonts"
    path = fonts / FONT_FILE
    if not path.is_file():  # a future mplfonts may rename it: any bundled CJK sans will do
        found = sorted(fonts.glob("*Sans*CJK*.[ot]tf")) + sorted(fonts.glob("*.[ot]tf"))
        if not found:
            raise FileNotFoundError(f"no font files in {fonts}")
        path = found[0]
    return path


@lru_cache(maxsize=1)
def font_family() -> str:
    """Register the bundled font with matplotlib once and return its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    caption: str  # plain text; the transport escapes it
    citation: Citation | None = None
    value_labels: tuple[str, ...] = ()  # as printed, approximation kept: 170余起, 近500平方米


def _label(fact: FactView) -> str:
    text = fact.subject or fact.agency or "数据"
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def chart_for(engine: Engine, keyword: str, limit: int = 10) -> Chart | None:
    """Facts matching ``keyword`` that share the best fact's unit; ``None`` when there are none.

    The engine picks the best fact (so matching stays in one place); its runners-up and the
    other figures of the same article with the same unit fill the chart.
    """
    answer = engine.answer(f"{keyword}{texts.FORCE_CUES['facts']}")
    if answer.intent != "fact" or not answer.fact_ids:
        return None
    kb = engine.loaded()
    best = kb.facts.get(answer.fact_ids[0])
    if best is None:
        return None
    alternatives = answer.context.alternatives
    ids = answer.fact_ids + (list(alternatives.ids) if alternatives and alternatives.kind == "fact" else [])
    ids += [f.id for f in kb.facts_in_article(best.article_id)]
    candidates = [f for f in (kb.facts.get(fid) for fid in dict.fromkeys(ids)) if f is not None]
    # One axis needs one unit: the unit most of the matching figures share (the best fact's on a tie).
    counts = Counter(_unit_key(f.unit) for f in candidates)
    unit = max(counts, key=lambda u: (counts[u], u == _unit_key(best.unit)))
    same_unit = [f for f in candidates if _unit_key(f.unit) == unit]
    chosen = _comparable(best if best in same_unit else same_unit[0], same_unit)[:limit]
    chosen.sort(key=lambda f: -float(f.value))
    title = f"{keyword}：相关数据" + (f"（单位：{unit}）" if unit else "")
    lines = [f"📊 {title}"] + [f"· {compose.fact_line(f)}" for f in chosen]
    if answer.citation is not None:
        lines.append(compose.source_line(answer.citation))
    return Chart(
        title=title,
        unit=unit,
        labels=tuple(_label(f) for f in chosen),
        values=tuple(float(f.value) for f in chosen),
        caption="\n".join(lines),
        citation=answer.citation,
        value_labels=tuple(f.value_text for f in chosen),
    )


def _comparable(best: FactView, facts: list[FactView]) -> list[FactView]:
    """Bars that can stand side by side: the best fact's period and kind, one bar per subject.

    A count of last year next to one of three years, or a change (同比下降28.78%) next to a rate
    (破案率32.21%), would compare nothing; so would a bar whose subject names nothing.
    """
    out: list[FactView] = []
    seen: set[str] = set()
    for f in facts:
        if f.period != best.period or f.kind != best.kind or bool(f.change) != bool(best.change):
            continue
        if len(f.subject or "") < 2 or f.subject in seen:
            continue
        seen.add(f.subject)
        out.append(f)
    return out


def render_png(chart: Chart, *, dpi: int = 110) -> bytes:
    """Horizontal bars (long Chinese labels stay readable) with the value at each bar's end."""
    family = font_family()
    rc = {"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}
    with matplotlib.rc_context(rc):
        height = 1.2 + 0.45 * max(len(chart.values), 1)
        fig = Figure(figsize=(7.5, height), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        positions = range(len(chart.values))
        bars = ax.barh(list(positions), chart.values, color="#2f6fb0")
        ax.set_yticks(list(positions), labels=chart.labels)
        ax.invert_yaxis()  # largest on top
        ax.set_title(chart.title)
        if chart.unit:
            ax.set_xlabel(chart.unit)
        ax.bar_label(bars, labels=list(chart.value_labels) or [f"{v:g}" for v in chart.values], padding=3)
        ax.margins(x=0.15)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()
