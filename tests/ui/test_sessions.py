"""Without a login each browser session has its own uploads; the app will not open itself to
other machines without a login (issue 17, item 2)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.features.users import Users

ROOT = Path(__file__).resolve().parents[2]
NOTES = "# Rutland notes\n\nThe Rutland pilot paid carers a weekly supplement of forty pounds.\n"


def _request(session: str, user: str | None = None) -> tuple[str | None, str]:
    """Who calls: (login, browser session), as the page's handlers pass them."""
    return user, session


@pytest.fixture
def users(mini_assistant, tmp_path: Path) -> Users:
    settings = mini_assistant.settings.model_copy(update={"user_data_dir": tmp_path / "ud"})
    return Users(settings)


def test_anonymous_sessions_do_not_share_uploads(users: Users, tmp_path: Path) -> None:
    notes = tmp_path / "rutland.md"
    notes.write_text(NOTES, encoding="utf-8")
    first = users.collection(*_request("session-a"))
    assert [r.ok for r in first.add([notes])] == [True]
    second = users.collection(*_request("session-b"))
    assert second.documents() == []
    assert second.library() is None
    assert [d.doc_id for d in users.collection(*_request("session-a")).documents()] == ["rutland"]


def test_a_login_keeps_its_documents_across_sessions(users: Users, tmp_path: Path) -> None:
    notes = tmp_path / "rutland.md"
    notes.write_text(NOTES, encoding="utf-8")
    users.collection(*_request("s1", "alice")).add([notes])
    again = users.collection(*_request("s2", "alice"))
    assert [d.doc_id for d in again.documents()] == ["rutland"]
    assert users.collection(*_request("s1")).documents() == []  # the anonymous one is apart
    users.end_session(*_request("s2", "alice"))
    assert [d.doc_id for d in again.documents()] == ["rutland"]


def test_an_ended_session_leaves_nothing_behind(users: Users, tmp_path: Path) -> None:
    notes = tmp_path / "rutland.md"
    notes.write_text(NOTES, encoding="utf-8")
    collection = users.collection(*_request("gone"))
    collection.add([notes])
    folder = collection.files_dir.parent
    assert folder.is_relative_to(users.sessions_dir) and folder.exists()
    users.end_session(*_request("gone"))
    assert not folder.exists()
    assert users.collection(*_request("gone")).documents() == []


def test_stale_sessions_are_swept_and_live_ones_kept(users: Users, tmp_path: Path) -> None:
    old = users.sessions_dir / "users" / "old" / "files"
    new = users.sessions_dir / "users" / "new" / "files"
    for folder in (old, new):
        folder.mkdir(parents=True)
        (folder / "a.md").write_text(NOTES, encoding="utf-8")
    day_ago = time.time() - 2 * 86400
    for path in (old / "a.md", old, old.parent):
        os.utime(path, (day_ago, day_ago))
    users.clear_stale_sessions()
    assert not old.parent.exists() and new.exists()


def test_a_session_less_request_is_a_clear_error(users: Users) -> None:
    from assistant.errors import AssistantError

    with pytest.raises(AssistantError, match="reload"):
        users.collection(*_request(""))


@pytest.mark.server
@pytest.mark.parametrize("extra", [{}, {"ASSISTANT_AUTH": ""}])
def test_the_app_refuses_an_open_address_without_a_login(tmp_path: Path, extra) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") or k in extra}
    env.update(
        ASSISTANT_HOST="0.0.0.0",
        ASSISTANT_INDEX_DIR=str(tmp_path / "index"),
        ASSISTANT_USER_DATA_DIR=str(tmp_path / "ud"),
        ASSISTANT_EMBED_MODEL="fake-hash",
        HF_HUB_OFFLINE="1",
        **extra,
    )
    start = time.time()
    done = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Refusing to serve on 0.0.0.0 without a login" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "index").exists()  # refused before building anything
    assert time.time() - start < 60


def test_settings_default_host_is_loopback() -> None:
    assert Settings().host == "127.0.0.1"
