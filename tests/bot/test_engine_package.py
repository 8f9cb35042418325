"""The engine is a package of its own that knows nothing of any transport."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import bot.engine

PACKAGE = Path(bot.engine.__file__).parent


def test_no_engine_module_imports_telegram() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n == "telegram" or n.startswith("telegram.") for n in names), path.name


def test_importing_the_engine_loads_no_transport() -> None:
    code = "import sys, bot.engine; print(any(m == 'telegram' or m.startswith('telegram.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_package_exports_its_public_names() -> None:
    assert set(bot.engine.__all__) == {"Engine", "Bands", "LIST_LINES"}
    assert all(hasattr(bot.engine, name) for name in bot.engine.__all__)


def test_speech_is_quoted_words_or_the_first_and_second_person() -> None:
    from bot.engine.rules import is_speech

    assert is_speech("“嫌疑人反侦察意识很强，还穿上外卖制服。”")
    assert is_speech("救护车已经在路上了，你再坚持一下，我们就在你身边陪着。")
    assert not is_speech("抓获“伪装大盗”郑某。")
    assert not is_speech("我市全面提升能动警务质效。")


def test_the_clause_of_a_span_reads_a_fronted_time_with_the_clause_it_dates() -> None:
    from bot.engine.rules import clause_of

    text = "7月22日中午，东湖派出所接群众报警称，其银行卡被盗刷。"
    assert clause_of(text, "7月22日") == "7月22日中午，东湖派出所接群众报警称"
    assert clause_of("民警于8月10日将其抓获，案件移送起诉。", "8月10日") == "民警于8月10日将其抓获"
    assert clause_of("没有日期。", "9月1日") == "没有日期。"
