"""Curator guarantees: validation, audit trail, revision bump, undo, import/export, rebuilds, locking."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from dbfixtures import *  # noqa: F403
from dbfixtures import SEEDS
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import knowledge.curate as curate_mod
from knowledge.build import build
from knowledge.curate import (
    ALLOWED_UNITS,
    CurationError,
    Curator,
    ImportRowsError,
    NotFoundError,
    StaleEditError,
    ValidationError,
    parse_changes,
    read_import,
)
from knowledge.models import Fact, FactRevision
from knowledge.numbers import _UNITS
from knowledge.store import current_revision, load_snapshot

ARTICLE = "000_5fd57195d5ce075f#0"
ACTOR = "test:alice"


def fid(curator: Curator, subject: str) -> int:
    return next(f.id for f in curator.list_facts(article=ARTICLE, status="all") if f.subject == subject)


def state(factory: sessionmaker[Session]) -> tuple[Any, ...]:
    """Everything a failed call must leave untouched."""
    with factory() as s:
        facts = [
            (f.id, f.subject, f.value, f.value_text, f.unit, f.status, f.curated, f.version, f.change)
            for f in s.scalars(select(Fact).order_by(Fact.id))
        ]
        revisions = s.scalar(select(func.count()).select_from(FactRevision))
        return tuple(facts), revisions, current_revision(s)


# --------------------------------------------------------------------------- parse_changes (no DB)


def test_parse_changes_aliases_and_numbers() -> None:
    assert parse_changes("数值=42 单位=名 变化=上升") == {"value": "42", "unit": "名", "change": "上升"}
    assert parse_changes("subject=刑事发案 value=三千五百 UNIT=起") == {
        "subject": "刑事发案",
        "value": "三千五百",
        "unit": "起",
    }
    assert parse_changes('主题="打击 电诈" 时期=今年以来') == {"subject": "打击 电诈", "period": "今年以来"}
    assert parse_changes("主题=打击 电信 诈骗 数值＝2万") == {"subject": "打击 电信 诈骗", "value": "2万"}
    assert parse_changes("变化=") == {"change": ""}
    assert curate_mod.parse_number("2万").value == 20000
    assert curate_mod.parse_number("1.2亿").value == 120_000_000
    assert curate_mod.parse_number("三千五百").value == 3500
    assert curate_mod.parse_number("百余").approximate
    assert curate_mod.parse_number("约500").value == 500


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("数值=abc", "value", "不是有效的数字"),
        ("数值=42名", "value", "单位=名"),
        ("数值=-3", "value", "负数"),
        ("单位=光年", "unit", "未知单位"),
        ("颜色=红", None, "未知字段"),
        ("主题=<b>x</b>", "subject", "HTML"),
        ("主题=" + "长" * 201, "subject", "过长"),
        ("主题=a\x07b", "subject", "控制字符"),
        ("变化=飙升", "change", "变化只能是"),
        ("比较=同期", "comparison", "比较只能是"),
        ("约数=也许", "approximate", "是 或 否"),
        ("主题=", "subject", "不能为空"),
        ("数值=1 数值=2", "value", "重复"),
        ("", None, "没有要修改的字段"),
        ("42", None, "字段=值"),
    ],
)
def test_parse_changes_errors_name_the_field(text: str, field: str | None, words: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_changes(text)
    assert words in str(err.value)
    assert err.value.field == field


def test_allowed_units_cover_every_unit_the_extractor_stores() -> None:
    stored = {spec.stored for spec in ALLOWED_UNITS.values()}
    assert {u.unit for u in _UNITS.values() if u.unit} <= stored
    for name in (
        "起",
        "名",
        "人",
        "元",
        "万元",
        "亿元",
        "%",
        "小时",
        "分钟",
        "天",
        "月",
        "年",
        "平方米",
        "米",
    ):
        assert name in ALLOWED_UNITS


# --------------------------------------------------------------------------- edit / add / retire


def test_edit_writes_revision_batch_marks_curated_and_bumps_revision(
    curator: Curator, factory: sessionmaker[Session]
) -> None:
    fact_id = fid(curator, "涉案金额")
    with factory() as s:
        before_rev = current_revision(s)
    result = curator.edit(ACTOR, fact_id, parse_changes("数值=3万 变化=上升"), 1, "核对原文")
    assert result.fact.value == 30000 and result.fact.unit == "元" and result.fact.value_text == "3万元"
    assert result.fact.change == "上升" and result.fact.curated and result.fact.version == 2
    assert {c.field for c in result.changes} >= {"value", "value_text", "change"}
    history = curator.history(fact_id)
    assert {r.batch for r in history} == {result.batch}
    assert all(r.actor == ACTOR and r.reason == "核对原文" for r in history)
    with factory() as s:
        assert int(current_revision(s)) == int(before_rev) + 1
        snap = load_snapshot(s)
    assert next(f for f in snap.facts if f.id == fact_id).value == 30000


def test_unit_only_edit_keeps_the_figure_in_the_new_unit(curator: Curator) -> None:
    fact_id = fid(curator, "抓获各类违法犯罪嫌疑人")
    fact = curator.edit(ACTOR, fact_id, {"单位": "人"}, None, "量词").fact
    assert (fact.value, fact.unit, fact.value_text, fact.kind) == (42, "人", "42人", "count")
    fact = curator.edit(ACTOR, fact_id, {"单位": "万元"}, None, "测试换算").fact
    assert (fact.value, fact.unit, fact.value_text, fact.kind) == (420000, "元", "42万元", "money")


def test_no_op_edit_writes_nothing(curator: Curator, factory: sessionmaker[Session]) -> None:
    fact_id = fid(curator, "破获本地案件")
    before = state(factory)
    result = curator.edit(ACTOR, fact_id, {"主题": "破获本地案件"}, None, "无变化")
    assert result.changes == () and result.batch is None
    assert state(factory) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"数值": "abc"},
        {"单位": "光年"},
        {"颜色": "红"},
        {"主题": "<b>破获</b>"},
        {"主题": "x" * 201},
        {"变化": "飙升"},
        {"文章": "nope#9"},
        {"数值": "50", "单位": "光年"},  # one bad field spoils the whole edit
        {"数值": "1" + "0" * 305, "单位": "亿元"},  # finite as typed, infinite once scaled (issue 12.2)
        {"数值": "1" + "0" * 305},
        {"数值": "1" + "0" * 119},  # beyond any figure a report states (issue 12.9)
        {"数值": "1." + "0" * 118},  # a small figure whose shown text is over 100 characters
    ],
)
def test_bad_edit_changes_nothing(curator: Curator, factory: sessionmaker[Session], changes: dict) -> None:
    fact_id = fid(curator, "破获本地案件")
    before = state(factory)
    with pytest.raises(CurationError):
        curator.edit(ACTOR, fact_id, changes, None, "原因")
    assert state(factory) == before


def test_a_figure_is_checked_after_scaling_and_before_any_write(
    curator: Curator, factory: sessionmaker[Session]
) -> None:
    """Issue 12, items 2 and 9: the stored value (× the unit's multiplier) must be finite and sane
    and its derived text fit the column, on both databases alike; ``check_edit`` says so before a
    preview, so a ✅ never fails on it."""
    fact_id = fid(curator, "涉案金额")
    curator.edit(ACTOR, fact_id, {"数值": "1000000000", "单位": "元"}, None, "原因")
    before = state(factory)
    for changes in ({"单位": "亿元"}, {"数值": "1" + "0" * 305, "单位": "亿元"}, {"数值": "1." + "0" * 118}):
        with pytest.raises(ValidationError) as err:
            curator.check_edit(fact_id, changes)
        assert err.value.field == "value"
        with pytest.raises(ValidationError):
            curator.edit(ACTOR, fact_id, changes, None, "原因")
    with pytest.raises(ValidationError, match="数值过大"):
        curator.add(ACTOR, ARTICLE, "新增", "1" + "0" * 305, "亿元", reason="补充")
    assert state(factory) == before
    curator.check_edit(fact_id, {"单位": "万元"})  # 10¹³ 元 is fine: 亿元 made it 10¹⁷
    assert state(factory) == before


def test_bad_reason_actor_or_id_changes_nothing(curator: Curator, factory: sessionmaker[Session]) -> None:
    fact_id = fid(curator, "破获本地案件")
    before = state(factory)
    with pytest.raises(ValidationError, match="原因过长"):
        curator.edit(ACTOR, fact_id, {"数值": "50"}, None, "理" * 10_000)
    with pytest.raises(ValidationError, match="原因不能为空"):
        curator.edit(ACTOR, fact_id, {"数值": "50"}, None, "  ")
    with pytest.raises(ValidationError, match="原因"):
        curator.retire(ACTOR, fact_id, None, "<script>x</script>")
    with pytest.raises(NotFoundError, match="#999999"):
        curator.edit(ACTOR, 999_999, {"数值": "50"}, None, "原因")
    with pytest.raises(NotFoundError):
        curator.retire(ACTOR, 999_999, None, "原因")
    with pytest.raises(NotFoundError):
        curator.history(999_999)
    assert state(factory) == before


def test_add_moderator_fact(curator: Curator, factory: sessionmaker[Session]) -> None:
    fact = curator.add(
        ACTOR, ARTICLE, "新增巡逻车", "两万", "元", change="增长", period="今年以来", reason="补充报道"
    )
    assert fact.origin == "moderator" and fact.curated and fact.status == "active"
    assert (fact.value, fact.unit, fact.value_text, fact.kind) == (20000, "元", "两万元", "money")
    with factory() as s:
        row = s.get(Fact, fact.id)
        assert row is not None and row.fingerprint is None and row.article_key == ARTICLE
        assert fact.id in {f.id for f in load_snapshot(s).facts}
    assert {r.field for r in curator.history(fact.id)} >= {"subject", "value", "status"}
    # by article id too
    with factory() as s:
        from knowledge.models import Article

        article_id = s.scalar(select(Article.id).where(Article.key == ARTICLE))
    assert curator.add(ACTOR, article_id, "另一条", "3", "辆", reason="r").article_key == ARTICLE
    with pytest.raises(ValidationError, match="相同的数据"):
        curator.add(ACTOR, ARTICLE, "新增巡逻车", "2万", "元", reason="重复")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"article": "missing#0"}, "找不到文章"),
        ({"value": "很多"}, "不是有效的数字"),
        ({"unit": "光年"}, "未知单位"),
        ({"subject": "<i>x</i>"}, "HTML"),
        ({"reason": "r" * 10_000}, "原因过长"),
        ({"change": "飙升"}, "变化只能是"),
    ],
)
def test_bad_add_changes_nothing(
    curator: Curator, factory: sessionmaker[Session], kwargs: dict, words: str
) -> None:
    args = {"article": ARTICLE, "subject": "新增", "value": "3", "unit": "辆", "reason": "补充"} | kwargs
    before = state(factory)
    with pytest.raises(CurationError, match=words):
        curator.add(ACTOR, **args)
    assert state(factory) == before


def test_retire_and_restore(curator: Curator, factory: sessionmaker[Session]) -> None:
    fact_id = fid(curator, "破获本地案件")
    result = curator.retire(ACTOR, fact_id, 1, "重复统计")
    assert result.fact.status == "retired" and result.fact.version == 2
    assert fact_id not in {f.id for f in curator.list_facts()}
    assert fact_id in {f.id for f in curator.list_facts(status="retired")}
    with factory() as s:
        assert fact_id not in {f.id for f in load_snapshot(s).facts}
    with pytest.raises(CurationError, match="已停用"):
        curator.retire(ACTOR, fact_id, None, "again")
    assert curator.restore(ACTOR, fact_id, 2, "误删").fact.status == "active"
    assert [r.field for r in curator.history(fact_id)] == ["status", "status"]


def test_list_filters(curator: Curator) -> None:
    assert all("诈骗" in (f.subject + f.sentence) for f in curator.list_facts(query="诈骗"))
    assert {f.article_key for f in curator.list_facts(article=ARTICLE)} == {ARTICLE}
    with pytest.raises(ValidationError, match="找不到文章"):
        curator.list_facts(article="nope#1")


# --------------------------------------------------------------------------- history / undo


def test_each_undo_steps_one_edit_back_until_none_is_left(curator: Curator) -> None:
    fact_id = fid(curator, "抓获各类违法犯罪嫌疑人")
    original = curator.show(fact_id)
    first = curator.edit(ACTOR, fact_id, {"数值": "43"}, None, "一")
    curator.edit("test:bob", fact_id, {"数值": "44", "时期": "全年"}, None, "二")
    undone = curator.undo(ACTOR, fact_id, "撤销二")
    assert undone.fact.value == 43 and undone.fact.period == original.period
    assert undone.fact.value_text == first.fact.value_text
    history = curator.history(fact_id)
    assert len({r.batch for r in history}) == 3
    assert history[-1].reason == "撤销二"
    again = curator.undo(ACTOR, fact_id, "撤销一")  # the next undo goes one further back, not forward
    assert (again.fact.value, again.fact.value_text) == (original.value, original.value_text)
    with pytest.raises(CurationError, match="没有可撤销的修改了"):
        curator.undo(ACTOR, fact_id)
    assert curator.show(fact_id).version == again.fact.version  # the refusal changed nothing
    curator.edit(ACTOR, fact_id, {"数值": "50"}, None, "三")  # a new edit after undos is undoable
    assert curator.undo(ACTOR, fact_id).fact.value == original.value


def test_undo_creation_retires_and_undo_without_history_fails(curator: Curator) -> None:
    fact = curator.add(ACTOR, ARTICLE, "新增", "3", "辆", reason="补充")
    curator.edit(ACTOR, fact.id, {"数值": "4"}, None, "改")
    assert curator.undo(ACTOR, fact.id).fact.value == 3
    assert curator.undo(ACTOR, fact.id).fact.status == "retired"
    with pytest.raises(CurationError, match="没有可撤销"):
        curator.undo(ACTOR, fact.id)
    with pytest.raises(CurationError, match="没有可撤销"):
        curator.undo(ACTOR, fid(curator, "破获本地案件"))


# --------------------------------------------------------------------------- export / import


def table(curator: Curator) -> list[dict]:
    return curator.export_rows(include_retired=True)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_is_identity(curator: Curator, factory: sessionmaker[Session], fmt: str) -> None:
    curator.retire(ACTOR, fid(curator, "破获本地案件"), None, "x")  # retired rows round-trip too
    before = state(factory)
    exported = table(curator)
    data = curator.export_csv() if fmt == "csv" else curator.export_json()
    report = curator.import_rows(ACTOR, read_import(data.encode("utf-8-sig"), fmt), "round trip")
    assert report.added == [] and report.updated == [] and report.unchanged == len(exported)
    assert table(curator) == exported
    assert state(factory) == before


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_import_updates_adds_and_keeps_the_rest(curator: Curator, fmt: str) -> None:
    import csv
    import io
    import json

    fact_id = fid(curator, "破获本地案件")
    gone_id = fid(curator, "刑事发案")
    before = {r["id"]: r for r in table(curator)}
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(curator.export_csv())))
    else:
        rows = json.loads(curator.export_json())
    for row in rows:
        if int(row["id"]) == fact_id:
            row["value"] = "50" if fmt == "csv" else 50
        if int(row["id"]) == gone_id:
            row["status"] = "retired"
    new_row = {k: "" for k in rows[0]} | {
        "article_key": ARTICLE,
        "subject": "新增巡逻车",
        "value": "3",
        "unit": "辆",
    }
    rows.append(new_row if fmt == "csv" else {k: v for k, v in new_row.items() if v != ""})
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        data = buf.getvalue()
    else:
        data = json.dumps(rows, ensure_ascii=False)
    report = curator.import_rows(ACTOR, read_import(data, fmt), "批量核对")
    assert sorted(report.updated) == sorted([fact_id, gone_id]) and len(report.added) == 1
    after = {r["id"]: r for r in table(curator)}
    assert after[fact_id]["value"] == 50 and after[fact_id]["value_text"] == "50起"
    assert after[gone_id]["status"] == "retired"
    assert after[report.added[0]]["origin"] == "moderator"
    untouched = set(before) - {fact_id, gone_id}
    assert all(after[i] == before[i] for i in untouched)


def test_import_is_all_or_nothing_with_line_numbers(curator: Curator, factory: sessionmaker[Session]) -> None:
    import csv
    import io

    fact_id = fid(curator, "破获本地案件")
    rows = list(csv.DictReader(io.StringIO(curator.export_csv())))
    for row in rows:
        if int(row["id"]) == fact_id:
            row["value"] = "51"  # valid change that must not be applied
    rows[2]["unit"] = "光年"
    rows[4]["subject"] = "<b>x</b>"
    rows[5]["version"] = "99"
    rows.append({k: "" for k in rows[0]} | {"subject": "缺文章", "value": "1", "unit": "起"})
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    before = state(factory)
    with pytest.raises(ImportRowsError) as err:
        curator.import_rows(ACTOR, read_import(buf.getvalue(), "csv"), "批量")
    message = str(err.value)
    assert "第 4 行「单位」" in message and "第 6 行「主题」" in message and "第 7 行「版本」" in message
    assert f"第 {len(rows) + 1} 行「文章」" in message
    assert {e.line for e in err.value.errors} == {4, 6, 7, len(rows) + 1}
    assert state(factory) == before


def test_import_dry_run_and_unknown_id(curator: Curator, factory: sessionmaker[Session]) -> None:
    before = state(factory)
    rows = [
        (2, {"id": "999999", "value": "3"}),
        (3, {"id": "", "article_key": ARTICLE, "subject": "新", "value": "3", "unit": "辆"}),
    ]
    with pytest.raises(ImportRowsError, match="第 2 行「编号」"):
        curator.import_rows(ACTOR, rows, "x")
    report = curator.import_rows(ACTOR, rows[1:], "x", dry_run=True)
    assert len(report.added) == 1 and report.dry_run
    assert state(factory) == before
    with pytest.raises(CurationError, match="未知字段"):
        curator.import_rows(ACTOR, [(2, {"colour": "red"})], "x")
    with pytest.raises(CurationError, match="UTF-8"):
        read_import("主题".encode("gbk"), "csv")


def test_csv_header_in_chinese_round_trips_and_either_language_imports(
    curator: Curator, factory: sessionmaker[Session]
) -> None:
    before = state(factory)
    chinese = curator.export_csv(header="zh")
    assert chinese.startswith("编号,文章,文章标题,主题,数值,")
    report = curator.import_rows(ACTOR, read_import(chinese, "csv"), "中文表头")
    assert report.updated == [] and report.added == [] and state(factory) == before
    target = fid(curator, "破获本地案件")
    rows = [
        (2, {"编号": str(target), "数值": "50"}),
        (3, {"id": "", "article_key": ARTICLE, "主题": "新增巡逻车", "value": "3", "单位": "辆"}),
    ]
    report = curator.import_rows(ACTOR, rows, "中英混合")
    assert report.updated == [target] and len(report.added) == 1
    assert curator.show(target).value == 50 and curator.show(report.added[0]).subject == "新增巡逻车"


def test_an_unknown_field_lists_the_names_in_both_languages(curator: Curator) -> None:
    with pytest.raises(ImportRowsError) as caught:
        curator.import_rows(ACTOR, [(2, {"this is not": "x"})], "x")
    message = str(caught.value)
    assert "第 2 行" in message and "未知字段“this is not”" in message
    for english, chinese in (("subject", "主题"), ("value", "数值"), ("unit", "单位"), ("period", "时期")):
        assert f"{chinese}/{english}" in message


# --------------------------------------------------------------------------- rebuild keeps moderator work


def test_rebuild_after_edit_keeps_curation(
    curator: Curator, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    edited_id = fid(curator, "涉案金额")
    retired_id = fid(curator, "破获本地案件")
    with factory() as s:
        retired_fp = s.get(Fact, retired_id).fingerprint  # type: ignore[union-attr]
    curator.edit(ACTOR, edited_id, {"数值": "3万", "主题": "涉案金额（核实）"}, None, "核实")
    curator.retire(ACTOR, retired_id, None, "重复")
    added = curator.add(ACTOR, ARTICLE, "新增巡逻车", "3", "辆", reason="补充")

    assert build(factory, seeds).built == []  # nothing changed yet
    target = seeds / "000_5fd57195d5ce075f.txt"
    target.write_text(
        target.read_text(encoding="utf-8") + "\n今年以来，鼓楼派出所共处置警情120起。\n", encoding="utf-8"
    )
    report = build(factory, seeds)
    assert report.built == [target.name]

    edited = curator.show(edited_id)
    assert (edited.subject, edited.value, edited.value_text) == ("涉案金额（核实）", 30000, "3万元")
    assert curator.show(added.id).status == "active"
    assert curator.show(retired_id).status == "retired"
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Fact).where(Fact.fingerprint == retired_fp)) == 1
        active = list(s.scalars(select(Fact).where(Fact.status == "active")))
    keys = [(f.article_key, f.sentence, f.subject, f.value_text) for f in active if f.origin == "extracted"]
    assert len(keys) == len(set(keys)), "a rebuild duplicated extracted facts"
    retired = curator.show(retired_id)
    assert not any(f.sentence == retired.sentence and f.value_text == retired.value_text for f in active)
    assert not any(f.subject == "涉案金额" and f.value_text == "2万余元" for f in active)
    assert any(f.value_text == "120起" for f in active)  # the new sentence was extracted


# --------------------------------------------------------------------------- optimistic locking


def test_second_editor_with_old_version_gets_stale_error(
    curator: Curator, factory: sessionmaker[Session]
) -> None:
    fact_id = fid(curator, "破获本地案件")
    version = curator.show(fact_id).version
    other = Curator(factory)
    curator.edit("test:alice", fact_id, {"数值": "50"}, version, "一")
    before = state(factory)
    with pytest.raises(StaleEditError) as err:
        other.edit("test:bob", fact_id, {"数值": "60"}, version, "二")
    assert err.value.current.value == 50 and err.value.current.version == version + 1
    assert "数值=50" in str(err.value) and f"当前版本 {version + 1}" in str(err.value)
    assert state(factory) == before
    with pytest.raises(StaleEditError):
        other.retire("test:bob", fact_id, version, "二")


def test_concurrent_commit_between_read_and_write_is_caught(
    curator: Curator, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both sessions pass the version check; the ORM's version_id_col stops the second write."""
    fact_id = fid(curator, "破获本地案件")
    other = Curator(factory)
    real_apply = Curator._apply
    fired = []

    def racing_apply(self: Curator, session: Session, fact: Fact, changes: Any, **kw: Any) -> None:
        if self is curator and not fired:
            fired.append(True)
            other.edit("test:bob", fact_id, {"数值": "60"}, None, "抢先")  # commits in its own session
        real_apply(self, session, fact, changes, **kw)

    monkeypatch.setattr(Curator, "_apply", racing_apply)
    with pytest.raises(StaleEditError) as err:
        curator.edit("test:alice", fact_id, {"数值": "50"}, 1, "慢了")
    assert err.value.current.value == 60 and err.value.current.version == 2
    assert {r.actor for r in curator.history(fact_id)} == {"test:bob"}


# --------------------------------------------------------------------------- spreadsheet formulas


@pytest.mark.parametrize(
    "subject",
    [
        '=HYPERLINK("http://evil.example","点我")',
        "=cmd|' /C calc'!A0",
        "+1+cmd|' /C calc'!A0",
        "@SUM(1,2)",
        "-2+3",
    ],
)
def test_a_formula_is_refused_as_a_subject(
    curator: Curator, factory: sessionmaker[Session], subject: str
) -> None:
    """Issue 12, item 5: a cell Excel would evaluate is refused on input, edit and import alike."""
    fact_id = fid(curator, "破获本地案件")
    before = state(factory)
    with pytest.raises(ValidationError, match="公式"):
        curator.edit(ACTOR, fact_id, {"主题": subject}, None, "原因")
    with pytest.raises(ImportRowsError, match="公式"):
        curator.import_rows(
            ACTOR, [(2, {"article_key": ARTICLE, "subject": subject, "value": "1", "unit": "起"})], "x"
        )
    assert state(factory) == before


def test_csv_export_neutralises_formula_cells_and_reimports_unchanged(
    curator: Curator, factory: sessionmaker[Session]
) -> None:
    """A text already stored that starts with = + - @ (an extracted sentence, an older edit) is
    written with a leading apostrophe, which Excel shows as text; an import takes it off again."""
    import csv
    import io

    fact_id = fid(curator, "破获本地案件")
    with factory() as session, session.begin():
        fact = session.get(Fact, fact_id)
        fact.sentence = '=HYPERLINK("http://evil.example","点我")'
        fact.period = "+1+cmd|' /C calc'!A0"
    exported = curator.export_csv()
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells if cell and not _is_number(cell))
    row = next(r for r in csv.DictReader(io.StringIO(exported)) if r["id"] == str(fact_id))
    assert row["sentence"].startswith("'=") and row["period"].startswith("'+")
    before = state(factory)
    report = curator.import_rows(ACTOR, read_import(exported, "csv"), "往返")
    assert not report.updated and not report.added
    assert state(factory) == before


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_a_build_survives_an_edit_committed_under_it(
    curator: Curator, factory: sessionmaker[Session], tmp_path: Path, backend: str
) -> None:
    """Issue 12, item 6: a rebuild updating an extracted fact while a moderator's edit of it is
    about to commit. The build must wait for the edit, keep it and finish (it used to abort with
    StaleDataError and roll everything back)."""
    import threading
    import time

    from sqlalchemy import text, update

    if backend != "postgresql":
        pytest.skip("SQLite serializes writers: an edit cannot commit under a build's write")
    fact_id = fid(curator, "破获本地案件")
    with factory() as s, s.begin():  # drifted, so the rebuild has something to write back
        s.execute(update(Fact).where(Fact.id == fact_id).values(period="漂移的时期"))
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    source = next(seeds.glob(ARTICLE.split("#")[0] + "*"))
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    editor = factory()
    fact = editor.get(Fact, fact_id, with_for_update=True)
    fact.subject, fact.curated = "审核后的主题", True
    editor.flush()  # the edit's row lock is held until its commit
    xid = editor.execute(text("SELECT pg_current_xact_id()::text")).scalar()
    outcome: dict[str, Any] = {}

    def rebuild() -> None:
        try:
            outcome["report"] = build(factory, seeds)
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc

    worker = threading.Thread(target=rebuild)
    worker.start()
    deadline = time.monotonic() + 60
    with factory() as watcher:
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted AND transactionid::text = :x"
        while not watcher.execute(text(waiting), {"x": xid}).scalar() and worker.is_alive():
            assert time.monotonic() < deadline
            time.sleep(0.05)
            watcher.rollback()
    editor.commit()
    editor.close()
    worker.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert source.name in outcome["report"].built
    kept = curator.show(fact_id)
    assert kept.subject == "审核后的主题" and kept.curated


# --------------------------------------------------------------------------- pathological input


@pytest.mark.parametrize("huge", [2**31, 2**63, 2**64 + 5, -(2**63) - 1])
def test_ids_beyond_any_column_are_not_found_and_change_nothing(
    curator: Curator, factory: sessionmaker[Session], huge: int
) -> None:
    """Issue 12, item 8: an id no fact can have (the column is 32-bit on PostgreSQL) is "not
    found" on both databases, instead of OverflowError / NumericValueOutOfRange."""
    before = state(factory)
    for call in (
        lambda: curator.show(huge),
        lambda: curator.show(str(huge)),  # type: ignore[arg-type]
        lambda: curator.history(huge),
        lambda: curator.edit(ACTOR, huge, {"数值": "5"}, None, "原因"),
        lambda: curator.retire(ACTOR, huge, None, "原因"),
        lambda: curator.restore(ACTOR, huge, None, "原因"),
        lambda: curator.undo(ACTOR, huge),
    ):
        with pytest.raises(NotFoundError):
            call()
    with pytest.raises(ImportRowsError, match="第 2 行「编号」"):
        curator.import_rows(ACTOR, [(2, {"id": str(abs(huge)), "value": "3"})], "x")
    assert state(factory) == before


def test_pathological_import_files_get_one_sentence() -> None:
    """Issue 12, item 8: JSON nested 100,000 deep and a CSV cell over csv's field limit."""
    with pytest.raises(CurationError, match="嵌套"):
        read_import("[" * 100_000 + "]" * 100_000, "json")
    with pytest.raises(CurationError, match="第 2 行"):
        read_import("subject,value\n" + "长" * 200_000 + ",1\n", "csv")


def test_a_json_list_or_object_is_not_taken_as_text(curator: Curator, factory: sessionmaker[Session]) -> None:
    """Issue 12, item 12: ``"subject": ["列表"]`` used to be stored as the text ``['列表']``."""
    before = state(factory)
    for subject in (["列表"], {"a": 1}):
        row = {"article_key": ARTICLE, "subject": subject, "value": "1", "unit": "起"}
        with pytest.raises(ImportRowsError, match="第 2 行「主题」"):
            curator.import_rows(ACTOR, [(2, row)], "x")
    assert state(factory) == before


@pytest.mark.parametrize("keyword", ["%", "_", "%%", "\\"])
def test_like_wildcards_in_a_search_are_plain_characters(curator: Curator, keyword: str) -> None:
    """Issue 12, item 12: ``/findfact %`` and ``_`` matched every fact; now only facts that
    contain the character itself (percentages contain "%")."""
    found = curator.list_facts(query=keyword, status="all")
    assert len(found) < len(curator.list_facts(status="all"))
    for f in found:
        assert any(
            keyword in (text or "") for text in (f.subject, f.value_text, f.period, f.agency, f.sentence)
        )
    assert curator.list_facts(query="抓获", status="all")
