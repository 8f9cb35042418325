"""Who may curate facts: ids from ``MODERATOR_IDS`` plus rows of the ``moderators`` table.

The environment list bootstraps the first moderator (and survives a wiped database); the table
lets moderators be added and removed at run time without a redeploy. The transport (Telegram,
CLI) only ever asks :func:`is_moderator` / :func:`require_moderator`, so the rule lives here once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.curate import CurationError
from knowledge.models import Moderator, ModeratorDialogue

ENV_VAR = "MODERATOR_IDS"
# Telegram user ids are positive and fit in a signed 64-bit column (BigInteger).
_MAX_ID = 2**63 - 1
_SEPARATORS = re.compile(r"[\s,，;；]+")


class ModeratorConfigError(CurationError):
    """A malformed ``MODERATOR_IDS`` entry or user id; raised at startup rather than silently ignored."""


class NotModeratorError(CurationError):
    """The user is not allowed to curate."""


@dataclass(frozen=True)
class ModeratorView:
    user_id: int
    added_by: str
    added_at: datetime | None
    source: str  # "env" | "db"


def parse_user_id(text: str | int, *, where: str = "用户 ID") -> int:
    """One positive integer user id; anything else is an error naming the bad entry."""
    if isinstance(text, bool):
        raise ModeratorConfigError(f"{where}“{text}”不是有效的数字用户 ID")
    raw = str(text).strip()
    if not re.fullmatch(r"\+?\d+", raw):
        raise ModeratorConfigError(f"{where}“{raw}”不是有效的数字用户 ID（应为正整数，如 123456789）")
    value = int(raw)
    if value <= 0 or value > _MAX_ID:
        raise ModeratorConfigError(f"{where}“{raw}”超出范围（应为正整数）")
    return value


def parse_moderator_ids(text: str | None) -> frozenset[int]:
    """Parse ``MODERATOR_IDS``: integers separated by commas and/or whitespace; empty means none."""
    if not text or not text.strip():
        return frozenset()
    ids = set()
    for part in _SEPARATORS.split(text.strip()):
        if part:
            ids.add(parse_user_id(part, where=f"{ENV_VAR} 中的"))
    return frozenset(ids)


def moderator_ids_from_env(environ: Mapping[str, str] | None = None) -> frozenset[int]:
    return parse_moderator_ids((environ if environ is not None else os.environ).get(ENV_VAR))


def is_moderator(factory: sessionmaker[Session], user_id: int | None, env_ids: Iterable[int] = ()) -> bool:
    """True when ``user_id`` is in ``env_ids`` or in the moderators table. ``None`` is never one."""
    if user_id is None or isinstance(user_id, bool):
        return False
    if user_id in set(env_ids):
        return True
    with factory() as session:
        return session.get(Moderator, int(user_id)) is not None


def require_moderator(
    factory: sessionmaker[Session], user_id: int | None, env_ids: Iterable[int] = ()
) -> None:
    """Raise :class:`NotModeratorError` unless the user may curate — call before every curation."""
    if not is_moderator(factory, user_id, env_ids):
        raise NotModeratorError("只有管理员可以修改数据。")


def add_moderator(factory: sessionmaker[Session], user_id: int | str, added_by: str = "cli") -> bool:
    """Add a moderator; False if already present (idempotent, so re-running a setup script is safe)."""
    uid = parse_user_id(user_id)
    with factory() as session, session.begin():
        if session.get(Moderator, uid) is not None:
            return False
        session.add(Moderator(user_id=uid, added_by=added_by[:100]))
    return True


def remove_moderator(factory: sessionmaker[Session], user_id: int | str) -> bool:
    """Remove a moderator from the table; False if absent. Env-listed ids stay moderators."""
    uid = parse_user_id(user_id)
    with factory() as session, session.begin():
        row = session.get(Moderator, uid)
        if row is None:
            return False
        session.delete(row)
        # their unfinished work goes with their rights: a ✅ shown before the removal must not
        # work if they are added back before it would have expired
        session.execute(delete(ModeratorDialogue).where(ModeratorDialogue.user_id == uid))
    return True


def list_moderators(factory: sessionmaker[Session], env_ids: Iterable[int] = ()) -> list[ModeratorView]:
    """Table moderators plus env ones not in the table, sorted by id."""
    with factory() as session:
        rows = {
            m.user_id: ModeratorView(m.user_id, m.added_by, m.added_at, "db")
            for m in session.scalars(select(Moderator))
        }
    for uid in env_ids:
        rows.setdefault(uid, ModeratorView(uid, ENV_VAR, None, "env"))
    return [rows[k] for k in sorted(rows)]
