# ruff: noqa: F811 - pytest fixtures are imported from telegram_fixtures and used by name
"""/chart: PNG bytes, Chinese labels drawn with the mplfonts font, no missing glyphs."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import mplfonts
from matplotlib import font_manager
from telegram_fixtures import tg_engine, tg_kb_url  # noqa: F401

from bot import charts


def test_font_comes_from_mplfonts_package():
    package_dir = Path(mplfonts.__file__).resolve().parent
    path = charts.cjk_font_path()
    assert package_dir in path.parents and path.is_file()
    family = charts.font_family()
    found = Path(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))
    assert found.resolve() == path


def test_chart_renders_chinese_without_missing_glyphs(tg_engine, caplog):
    chart = charts.chart_for(tg_engine, "新昌 案件")
    assert chart is not None and len(chart.values) >= 2 and chart.unit == "起"
    assert any("案件" in label for label in chart.labels)
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        png = charts.render_png(chart)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "missing from font" in m or "findfont" in m], messages


def test_people_units_share_one_axis(tg_engine):
    chart = charts.chart_for(tg_engine, "荆门抓获套路贷犯罪嫌疑人")
    assert chart is not None and chart.unit == "人"
    assert {167.0, 244.0} <= set(chart.values), "名 and 人 counts share the axis"


def test_bars_are_sorted_comparable_and_keep_their_wording(tg_engine):
    chart = charts.chart_for(tg_engine, "荆门抓获套路贷犯罪嫌疑人")
    assert list(chart.values) == sorted(chart.values, reverse=True)
    assert 990.0 not in chart.values, "a 2019 total is no bar beside counts of one operation"
    assert len(set(chart.labels)) == len(chart.labels)
    assert "167名" in chart.value_labels
    approx = charts.chart_for(tg_engine, "新昌信息化破获刑事治安案件")
    assert approx is not None and "170余起" in approx.value_labels


def test_no_numbers_means_no_chart(tg_engine):
    assert charts.chart_for(tg_engine, "火星基地") is None
