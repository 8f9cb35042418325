"""Write a console session out as a conversation file that ``python -m bot simulate`` replays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.answer import Answer


@dataclass
class Recorder:
    path: Path
    steps: list[dict[str, Any]] = field(default_factory=list)
    _last_intent: str | None = None

    def add(self, message: str, answer: Answer, *, pressed: str | None = None) -> None:
        """One step; its expectations are what the bot said this time (intent and headline).

        A numbered pick replays as a button press only where Telegram shows the choices as
        buttons (under an unsure answer); anywhere else it replays as the typed question.
        """
        as_press = pressed is not None and self._last_intent == "none"
        step: dict[str, Any] = {"press": pressed} if as_press else {"user": message}
        self._last_intent = answer.intent
        headline = answer.reply.splitlines()[0] if answer.reply else ""
        expect: dict[str, Any] = {"intent": answer.intent, "no_error": True}
        if headline:
            expect["contains"] = [headline]
        step["expect"] = expect
        self.steps.append(step)

    def add_press(self, label: str, headline: str) -> None:
        """A follow-up button (📄 原文, 📊 本文数据) pressed by its number."""
        self.steps.append({"press": label, "expect": {"contains": [headline], "no_error": True}})

    def save(self) -> None:
        doc = {
            "name": f"控制台录制 {datetime.now(UTC):%Y-%m-%d %H:%M}",
            "steps": self.steps,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
