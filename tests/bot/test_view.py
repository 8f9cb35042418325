"""The engine's view: cached per corpus revision, patched in place by moderators' edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbfixtures import *  # noqa: F403

from bot.engine import Engine
from bot.view import cache_dir
from knowledge.curate import Curator

QUESTION = "鼓楼派出所抓获了多少嫌疑人"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("FACTBOT_CACHE_DIR", str(folder))
    return folder


def the_fact(curator: Curator):
    return next(f for f in curator.list_facts(query="抓获各类违法犯罪嫌疑人") if f.value == 42)


def test_a_second_engine_starts_from_the_cache(db_url: str, private_cache: Path) -> None:
    first = Engine.open(db_url)
    assert "42名" in first.answer(QUESTION).reply
    files = list(cache_dir().glob("view-*.fbv"))
    assert len(files) == 1
    second = Engine.open(db_url)
    view = second.loaded()
    assert view.index.tokenizer is not None
    assert second.answer(QUESTION).reply == first.answer(QUESTION).reply


def test_an_edit_is_patched_into_the_same_view(db_url: str, curator: Curator) -> None:
    engine = Engine.open(db_url)
    before = engine.loaded()
    fact = the_fact(curator)
    curator.edit("test", fact.id, {"数值": "45"}, fact.version, "更正")
    after = engine.loaded()
    assert after is before, "an edit patches the view instead of rebuilding it"
    assert "45名" in engine.answer(QUESTION).reply.splitlines()[0]


def test_a_retired_fact_is_no_longer_answered(db_url: str, curator: Curator) -> None:
    engine = Engine.open(db_url)
    fact = the_fact(curator)
    curator.retire("test", fact.id, fact.version, "重复")
    answer = engine.answer(QUESTION)
    assert fact.id not in answer.fact_ids
    curator.restore("test", fact.id, None, "恢复")
    assert "42名" in engine.answer(QUESTION).reply


def test_edits_made_before_a_cached_start_are_seen(db_url: str, curator: Curator) -> None:
    Engine.open(db_url).loaded()  # writes the cache
    fact = the_fact(curator)
    curator.edit("test", fact.id, {"数值": "46"}, fact.version, "更正")
    assert "46名" in Engine.open(db_url).answer(QUESTION).reply.splitlines()[0]


def test_a_damaged_cache_is_rebuilt(db_url: str) -> None:
    Engine.open(db_url).loaded()
    for path in cache_dir().glob("view-*.fbv"):
        path.write_bytes(b"not a view file")
    assert "42名" in Engine.open(db_url).answer(QUESTION).reply


def test_a_cache_from_a_later_copy_is_not_trusted(
    template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two copies of one database (a backup, say): the edited copy's cache must not leak."""
    import shutil

    edited, pristine = tmp_path / "edited.sqlite3", tmp_path / "pristine.sqlite3"
    shutil.copyfile(template_db, edited)
    shutil.copyfile(template_db, pristine)
    first = Engine.open(f"sqlite:///{edited}")
    first.loaded()
    curator = Curator(first.factory)
    fact = the_fact(curator)
    curator.edit("test", fact.id, {"数值": "47"}, fact.version, "更正")
    for path in cache_dir().glob("view-*.fbv"):
        path.unlink()
    Engine.open(f"sqlite:///{edited}").loaded()  # a full load: the cache now holds the edit
    assert "42名" in Engine.open(f"sqlite:///{pristine}").answer(QUESTION).reply.splitlines()[0]


def test_a_truncated_view_file_is_rebuilt(db_url: str) -> None:
    Engine.open(db_url).loaded()
    for path in cache_dir().glob("view-*.fbv"):
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert "42名" in Engine.open(db_url).answer(QUESTION).reply


def test_without_a_writable_cache_folder_the_view_is_kept_in_memory(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FACTBOT_CACHE_DIR", str(blocker / "cache"))
    assert "42名" in Engine.open(db_url).answer(QUESTION).reply


def test_the_view_agrees_with_the_database(db_url: str) -> None:
    """Every active fact and sentence comes back from the columns exactly as the database has it,
    but for the sentences a column break cut off: those are left out, never to be quoted."""
    from bot.view import quotable
    from knowledge.store import load_snapshot

    engine = Engine.open(db_url)
    view = engine.loaded()
    with engine.factory() as session:
        stored = load_snapshot(session)
    cut = [s for s in stored.sentences if s.cut]
    assert cut and all(view.sentences.get(s.id) is None for s in cut)  # the seeds have such pages
    snapshot = quotable(stored)
    assert len(snapshot.sentences) == len(stored.sentences) - len(cut)
    assert sorted(view.facts, key=lambda f: f.id) == sorted(snapshot.facts, key=lambda f: f.id)
    assert list(view.sentences) == list(snapshot.sentences)
    assert len(view.facts) == len(snapshot.facts)
    for sentence in snapshot.sentences[:50]:
        assert view.sentences.get(sentence.id) == sentence
        assert view.sentence_at(sentence.article_id, sentence.position) == sentence
    for article in snapshot.articles:
        expected = sorted((f for f in snapshot.facts if f.article_id == article.id), key=lambda f: f.id)
        assert view.facts_in_article(article.id) == expected
        assert [s.position for s in view.sentences_in_article(article.id)] == sorted(
            s.position for s in snapshot.sentences if s.article_id == article.id
        )
    assert view.facts.get(-1) is None and view.facts.get("12") is None  # type: ignore[arg-type]


def test_edits_overlay_the_columns_of_a_mapped_view(db_url: str, curator: Curator) -> None:
    """Added, retired and edited facts show in every lookup, not only in answers."""
    engine = Engine.open(db_url)
    view = engine.loaded()
    count = len(view.facts)
    article = view.snapshot.articles[0]
    added = curator.add("test", article.id, "巡逻里程", "1234", "公里", reason="补充")
    fact = the_fact(curator)
    curator.retire("test", fact.id, fact.version, "重复")
    view = engine.loaded()
    assert len(view.facts) == count  # one more, one fewer
    assert view.facts.get(fact.id) is None
    assert added.id in [f.id for f in view.facts_in_article(article.id)]
    assert view.facts[added.id].value == 1234 and view.facts[added.id] in list(view.facts)
    assert "1234" in engine.answer(f"{article.place or ''}巡逻里程是多少").reply


def test_engines_starting_together_compile_the_view_once(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    from concurrent.futures import ThreadPoolExecutor

    Engine.open(db_url)  # the build, so both engines only load
    engines = [Engine.open(db_url) for _ in range(2)]
    with caplog.at_level(logging.INFO, logger="bot.view"), ThreadPoolExecutor(2) as pool:
        views = list(pool.map(lambda e: e.loaded(), engines))
    compiled = [r for r in caplog.records if r.getMessage().startswith("knowledge loaded")]
    mapped = [r for r in caplog.records if "from the view file" in r.getMessage()]
    assert (len(compiled), len(mapped)) == (1, 1)
    assert len(views[0].facts) == len(views[1].facts) > 0


def test_a_start_from_the_view_file_imports_pypinyin_only_for_new_words(kb_url: str) -> None:
    """The view file carries its vocabulary's pinyin keys: pypinyin (0.15 s) waits for a new word."""
    import subprocess
    import sys

    Engine.open(kb_url).loaded()  # writes the view file into this test's cache folder
    code = (
        "import sys\n"
        "from bot.engine import Engine\n"
        f"e = Engine.open({kb_url!r})\n"
        f"assert '42名' in e.answer({QUESTION!r}).reply\n"
        "print('pypinyin' in sys.modules)\n"
        "from bot.lexicon import pinyin_key\n"
        "print(pinyin_key('晴天霹雳'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "qingtianpili"]


def test_a_quiet_postgresql_view_asks_the_database_nothing(
    db_url: str, curator: Curator, backend: str
) -> None:
    """PostgreSQL announces each revision (NOTIFY): between edits a message costs no query, and an
    edit committed by another process is answered within a second."""
    import os
    import subprocess
    import sys
    import time

    from sqlalchemy import event

    from knowledge.db import get_engine

    if backend != "postgresql":
        pytest.skip("SQLite has no notifications: its engines read the revision per message")
    engine = Engine.open(db_url)
    engine.loaded()
    statements: list[str] = []
    sa = get_engine(db_url)

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(sa, "before_cursor_execute", record)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the listener connects in the background
            statements.clear()
            engine.loaded()
            if not statements:
                break
            time.sleep(0.05)
        assert statements == [], "a quiet view answers without asking the database"
        fact = the_fact(curator)
        curator.edit("test", fact.id, {"数值": "48"}, fact.version, "更正")
        assert "48名" in engine.answer(QUESTION).reply.splitlines()[0], "this process's own edit: at once"
    finally:
        event.remove(sa, "before_cursor_execute", record)
    subprocess.run(
        [sys.executable, "-m", "knowledge", "facts", "edit", str(fact.id), "数值=49", "--reason", "更正"],
        env={**os.environ, "DATABASE_URL": db_url},
        check=True,
        capture_output=True,
    )
    committed = time.monotonic()
    while "49名" not in (headline := engine.answer(QUESTION).reply.splitlines()[0]):
        assert time.monotonic() - committed < 1.0, headline
        time.sleep(0.01)


def test_answers_in_other_threads_survive_edits_being_overlaid(db_url: str, curator: Curator) -> None:
    """Edits are overlaid copy-on-write: a search running in another thread never sees a half-made
    change (a set or array changing size under it)."""
    import threading

    engine = Engine.open(db_url)
    engine.loaded()
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                engine.answer(QUESTION)
                engine.answer("荆门打掉了多少个电信诈骗窝点")
            except BaseException as exc:  # noqa: BLE001 - collected and reported below
                errors.append(exc)
                return

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for value in range(50, 62):
            fact = the_fact_with_subject(curator)
            curator.edit("test", fact.id, {"数值": str(value)}, fact.version, "更正")
            engine.loaded()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert errors == []
    assert "61名" in engine.answer(QUESTION).reply.splitlines()[0]


def the_fact_with_subject(curator: Curator):
    return next(f for f in curator.list_facts(query="抓获各类违法犯罪嫌疑人") if f.agency == "鼓楼派出所")


def test_an_edit_flushed_long_before_its_commit_is_seen(db_url: str, curator: Curator) -> None:
    """Item 1 of issue 12: a long transaction (an import) writes fact A early and commits late,
    while a quick edit of fact B commits in between and the view reads it. The view must still
    see A once A's transaction commits: changes are ordered by the revision their commit made,
    not by the clock at their flush (set here to a minute before the commit, as in a long import)."""
    from datetime import UTC, datetime, timedelta

    from knowledge.models import Fact
    from knowledge.store import bump_revision

    engine = Engine.open(db_url)
    engine.answer(QUESTION)
    first, second = curator.list_facts(limit=2)
    curator.edit("quick", second.id, {"主题": "快速修改的主题"}, second.version, "更正")
    assert engine.loaded().facts.get(second.id).subject == "快速修改的主题"
    with engine.factory() as session:
        fact = session.get(Fact, first.id)
        fact.subject = "长事务修改的主题"
        fact.updated_at = datetime.now(UTC) - timedelta(minutes=1)  # the clock when it was flushed
        session.flush()
        bump_revision(session)
        session.commit()
    assert engine.loaded().facts.get(first.id).subject == "长事务修改的主题"
    assert Engine.open(db_url).loaded().facts.get(first.id).subject == "长事务修改的主题"


def test_a_long_import_and_a_quick_edit_interleaved_on_postgresql(
    db_url: str, curator: Curator, backend: str
) -> None:
    """Item 1, as reported: the import's transaction is still open while another session's edit
    commits and a running engine reads it; after the import commits the engine has both."""
    import threading

    from knowledge.models import Fact
    from knowledge.store import bump_revision

    if backend != "postgresql":
        pytest.skip("SQLite serializes writers: a second edit cannot commit inside an open write")
    engine = Engine.open(db_url)
    engine.answer(QUESTION)
    first, second = curator.list_facts(limit=2)
    flushed = threading.Event()
    proceed = threading.Event()

    def long_import() -> None:
        with engine.factory() as session:
            fact = session.get(Fact, first.id)
            fact.subject = "导入修改的主题"
            session.flush()
            flushed.set()
            proceed.wait(30)
            bump_revision(session)
            session.commit()

    worker = threading.Thread(target=long_import)
    worker.start()
    assert flushed.wait(30)
    curator.edit("quick", second.id, {"主题": "快速修改的主题"}, second.version, "更正")
    assert engine.loaded().facts.get(second.id).subject == "快速修改的主题"
    proceed.set()
    worker.join(30)
    view = engine.loaded()
    assert view.facts.get(first.id).subject == "导入修改的主题"
    assert view.facts.get(second.id).subject == "快速修改的主题"


def test_a_cache_file_with_randomised_sections_is_rebuilt(db_url: str) -> None:
    """Issue 12, item 7: bytes changed between a valid header and footer used to make every
    question fail (IndexError), also after a restart; the checksum makes it a rebuild."""
    import random

    from bot import viewfile

    Engine.open(db_url).loaded()
    rng = random.Random(12)
    for path in cache_dir().glob("view-*.fbv"):
        data = bytearray(path.read_bytes())
        footer_at = viewfile._HEADER.unpack(data[: viewfile._HEADER.size])[1]
        for i in range(viewfile._HEADER.size, footer_at):
            data[i] = rng.randrange(256)
        path.write_bytes(bytes(data))
    for _ in range(2):  # and after a restart
        assert "42名" in Engine.open(db_url).answer(QUESTION).reply
