"""The answer engine: message in, cited ``Answer`` out. Imports nothing from ``telegram``.

- ``core``: ``Engine`` — reading the message, follow-ups, facts and sentences, the bands.
- ``texts``: summaries, passages, excerpts.
- ``lists``: lists and comparisons from the whole fact table.
- ``rules``: the tunable numbers, cue words and judgements the others share (``Bands``).
"""

from bot.engine.core import Engine
from bot.engine.rules import LIST_LINES, Bands

__all__ = ["LIST_LINES", "Bands", "Engine"]
