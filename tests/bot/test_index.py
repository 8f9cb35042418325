"""The search index: the same candidates whichever thread asks, and edits overlaid."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.engine import Engine

QUESTIONS = [
    "鼓楼派出所抓获了多少嫌疑人",
    "荆门打掉了多少个电信诈骗窝点",
    "新昌的警务改革",
    "济宁市中区110接警量",
    "反诈电话挽回了多少钱",
    "海曙区有哪些报道",
]


def test_threads_searching_at_once_get_what_one_thread_gets(engine: Engine) -> None:
    index = engine.loaded().index
    queries = [{t: index.idf(t) for t in index.tokenizer.terms(q)} for q in QUESTIONS]
    alone = [index.search(q) for q in queries]
    assert all(alone), "every question finds candidates"
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(index.search, queries * 20))
    assert together == alone * 20


def test_results_are_ordered_by_score_then_document_number(engine: Engine) -> None:
    index = engine.loaded().index
    weights = {t: 1.0 for t in index.tokenizer.terms("派出所")}
    docs = index.search(weights, limit=500)
    assert docs == index.search(weights, limit=500)
    assert len({d.number for d in docs}) == len(docs)
    top = index.search(weights, limit=5)
    assert top == docs[:5], "a smaller limit keeps the same head, ties broken by document number"


def test_no_known_term_finds_nothing(engine: Engine) -> None:
    assert engine.loaded().index.search({"不存在的词语xyz": 1.0}) == []


def test_terms_of_docs_agrees_with_one_lookup_per_document(engine: Engine) -> None:
    index = engine.loaded().index
    terms = {t: index.idf(t) for t in index.tokenizer.terms("鼓楼派出所抓获嫌疑人 荆门 电信诈骗 窝点")}
    docs = index.search(terms, limit=200)
    asked = [*terms, "不存在的词语xyz"]
    assert index.terms_of_docs(docs, asked) == [
        frozenset(t for t in asked if index.contains(d, t)) for d in docs
    ]
    assert any(index.terms_of_docs(docs, asked)), "some documents contain some terms"
