"""Chinese numerals to values, by cn2an.

cn2an builds its converters when it is imported (a quarter of a second, a third of a cold
start), so it is imported on the first numeral that needs it rather than with the engine.
"""

from __future__ import annotations

__all__ = ["numeral_value"]


def numeral_value(text: str) -> float | None:
    """The value of a numeral (三, 十二, 一百五十, 3.5万 …); None when it is no numeral.
    A bare 百/千 counts one (百余名 = 一百余名), which cn2an itself rejects."""
    if text[:1] in ("百", "千"):
        text = "一" + text
    import cn2an  # here, not at the top: see the module docstring

    try:
        return float(cn2an.cn2an(text, "smart"))
    except Exception:  # cn2an raises assorted types on malformed numerals
        return None
