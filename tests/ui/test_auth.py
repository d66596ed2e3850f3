"""ASSISTANT_AUTH: 'user:pass,user2:pass2' or a file of user:pass lines; unset = no login."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings, auth_users


def test_pairs_from_the_variable() -> None:
    assert auth_users("alice:wonder:land, bob:builder") == [
        ("alice", "wonder:land"),
        ("bob", "builder"),
    ]


def test_pairs_from_a_file_with_comments(tmp_path: Path) -> None:
    users = tmp_path / "users.txt"
    users.write_text("# trainers\nalice:one\n\nbob:two,carol:three\n", encoding="utf-8")
    assert auth_users(str(users)) == [("alice", "one"), ("bob", "two"), ("carol", "three")]


@pytest.mark.parametrize("value", [None, "", "   "])
def test_no_login_by_default(value) -> None:
    assert auth_users(value) == []
    assert Settings().auth is None


@pytest.mark.parametrize("bad", ["alice", "alice:", ":secret"])
def test_malformed_entries_are_refused(bad) -> None:
    with pytest.raises(ValueError, match="user:password"):
        auth_users(bad)


def test_the_environment_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_AUTH", "dana:pw")
    assert auth_users(Settings().auth) == [("dana", "pw")]
