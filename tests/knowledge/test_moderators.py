"""Authorization: MODERATOR_IDS parsing and the moderators table."""

from __future__ import annotations

import pytest
from dbfixtures import *  # noqa: F403
from sqlalchemy.orm import Session, sessionmaker

from knowledge.moderators import (
    ModeratorConfigError,
    NotModeratorError,
    add_moderator,
    is_moderator,
    list_moderators,
    moderator_ids_from_env,
    parse_moderator_ids,
    remove_moderator,
    require_moderator,
)


def test_parse_moderator_ids() -> None:
    assert parse_moderator_ids("1, 2 3,,4\n5；6") == frozenset({1, 2, 3, 4, 5, 6})
    assert parse_moderator_ids("") == frozenset()
    assert parse_moderator_ids(None) == frozenset()
    assert moderator_ids_from_env({"MODERATOR_IDS": "42"}) == frozenset({42})
    assert moderator_ids_from_env({}) == frozenset()


@pytest.mark.parametrize("bad", ["12,abc", "1.5", "-3", "0", "9" * 30, "@admin"])
def test_bad_moderator_ids_are_errors_naming_the_entry(bad: str) -> None:
    with pytest.raises(ModeratorConfigError, match="MODERATOR_IDS"):
        parse_moderator_ids(bad)


def test_is_moderator_env_and_table(factory: sessionmaker[Session]) -> None:
    assert not is_moderator(factory, 7, ())
    assert is_moderator(factory, 7, {7})
    assert not is_moderator(factory, None, {7})
    assert add_moderator(factory, 8, "test") is True
    assert add_moderator(factory, "8", "test") is False
    assert is_moderator(factory, 8, ())
    require_moderator(factory, 8)
    with pytest.raises(NotModeratorError, match="管理员"):
        require_moderator(factory, 9, {7})
    assert [(m.user_id, m.source) for m in list_moderators(factory, {7})] == [(7, "env"), (8, "db")]
    assert remove_moderator(factory, 8) is True
    assert remove_moderator(factory, 8) is False
    assert not is_moderator(factory, 8, ())
    with pytest.raises(ModeratorConfigError):
        add_moderator(factory, "abc")
