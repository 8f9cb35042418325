"""Concurrent updates, one chat at a time: PTB's update processor with per-chat ordering.

PTB handles one update at a time by default (``concurrent_updates=1``): while one question
waits for the database or the Bot API, every other chat waits too. ``ChatOrderedProcessor``
lets updates of different chats run concurrently, but serializes the updates of one chat in
arrival order, so a follow-up is answered after — and with the context of — the question
before it, and a moderator's dialogue steps are never interleaved.

    update queue ──► PTB task per update ──► chat lock (FIFO, per chat) ──► slot (≤ limit) ──► handlers

PTB's own semaphore (``max_concurrent_updates``) is taken before ``do_process_update`` and
could let a burst from one chat fill every slot while it waits for its own lock, so it is set
high (``QUEUE_LIMIT``) and the real limit (``slots``) is taken only after the chat's lock:
an update waiting for its chat holds no slot. Tasks reach the chat lock in the order PTB
created them (task steps run FIFO and nothing awaits before the lock while PTB's semaphore is
free), and ``asyncio.Lock`` wakes waiters in FIFO order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["QUEUE_LIMIT", "ChatOrderedProcessor", "ordering_key"]

QUEUE_LIMIT = 4096  # updates PTB may hold as tasks at once (most of them waiting for a slot)


def ordering_key(update: object) -> int | None:
    """The chat whose updates must not overlap; the user for chat-less updates (inline queries)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """At most ``slots`` updates at once; updates with the same ``ordering_key`` one by one, in order."""

    def __init__(self, slots: int) -> None:
        super().__init__(max(QUEUE_LIMIT, slots))
        if slots < 1:
            raise ValueError("slots must be ≥ 1")
        self.slots = slots
        self._slots = asyncio.BoundedSemaphore(slots)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # key → (lock, updates using it)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]  # no update of this chat is waiting: forget it
            else:
                self._locks[key] = (lock, users - 1)

    @property
    def chats_in_flight(self) -> int:
        """Chats with an update running or waiting (for tests and diagnostics)."""
        return len(self._locks)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
