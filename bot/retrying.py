"""Bot API requests that survive one transient failure (HTTP 500/502/503/504, a dropped connection).

PTB retries nothing but 429 (through ``AIORateLimiter``), so a single bad gateway lost the answer.
Retried here, below PTB, with a short backoff. Timeouts are not retried (the request may have
arrived, and long polling times out by design), nor any 4xx: sending those again fails again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

__all__ = ["TRANSIENT_STATUS", "RetryingRequest"]

log = logging.getLogger(__name__)

TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
RETRIES = 2  # after the first try
BACKOFF_S = 0.3  # then 0.6 s


class RetryingRequest(HTTPXRequest):
    """``HTTPXRequest`` whose ``do_request`` tries again on a transient failure."""

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        for attempt in range(RETRIES + 1):
            last = attempt == RETRIES
            try:
                code, payload = await super().do_request(url, method, *args, **kwargs)
            except TimedOut:
                raise
            except NetworkError as exc:  # connection refused, reset or closed without an answer
                if last:
                    raise
                reason = str(exc)
            else:
                if code not in TRANSIENT_STATUS or last:
                    return code, payload
                reason = f"HTTP {code}"
            log.debug("Bot API %s: %s; trying again", _method(url), reason)
            await asyncio.sleep(BACKOFF_S * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover


def _method(url: str) -> str:
    """The method name only: the URL carries the token."""
    return url.rsplit("/", 1)[-1]
