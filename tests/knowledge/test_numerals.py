"""Chinese numerals through cn2an, imported only when one is read."""

import subprocess
import sys

import pytest

from knowledge.numerals import numeral_value


@pytest.mark.parametrize(
    ("text", "value"),
    [("三", 3.0), ("十二", 12.0), ("一百五十", 150.0), ("百", 100.0), ("千", 1000.0), ("两", 2.0), ("3.5万", 35000.0)],
)
def test_numerals_are_read(text: str, value: float) -> None:
    assert numeral_value(text) == value


@pytest.mark.parametrize("text", ["", "派出所", "十十十万万亿亿点"])
def test_what_is_no_numeral_reads_none(text: str) -> None:
    assert numeral_value(text) is None


def test_the_engine_does_not_import_cn2an_until_a_numeral_needs_it() -> None:
    code = "import sys, bot.engine; assert 'cn2an' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
