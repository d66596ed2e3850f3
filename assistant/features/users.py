"""Whose documents: each login has its own uploaded documents; without a login each browser
session has its own, under `<user_data_dir>/sessions/`, deleted when the session ends.

The web page names the caller (its login, else its session); this registry holds one
`UserCollection` per caller for the life of the process (`Assistant.users`)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.features.uploads import UserCollection

SESSIONS_DIR = "sessions"  # anonymous sessions' uploads, under user_data_dir
STALE_SESSION_S = 24 * 3600  # an anonymous session untouched this long has surely ended


class Users:
    """One `UserCollection` per login, or per anonymous session."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions_dir = Path(settings.user_data_dir) / SESSIONS_DIR
        self._anonymous = settings.model_copy(update={"user_data_dir": self.sessions_dir})
        self._collections: dict[tuple[str, str], UserCollection] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(user: str | None, session: str | None) -> tuple[str, str]:
        if user:
            return ("user", user)
        if not session:
            raise AssistantError("This page has no session; reload it and try again.")
        return ("session", session)

    def collection(self, user: str | None = None, session: str | None = None) -> UserCollection:
        """The documents of a login (`user`), else of an anonymous browser `session`."""
        key = self._key(user, session)
        with self._lock:
            if key not in self._collections:
                settings = self.settings if key[0] == "user" else self._anonymous
                self._collections[key] = UserCollection(settings, key[1])
            return self._collections[key]

    def end_session(self, user: str | None = None, session: str | None = None) -> None:
        """Forget an anonymous session's documents (a login keeps its own)."""
        if user or not session:
            return
        with self._lock:
            gone = self._collections.pop(("session", session), None)
        if gone is not None:
            shutil.rmtree(gone.files_dir.parent, ignore_errors=True)

    def clear_stale_sessions(self, max_age_s: float = STALE_SESSION_S) -> None:
        """Remove sessions nothing has touched for `max_age_s` (a crash or restart skipped
        their unload). Other workers' live sessions stay."""
        if not self.sessions_dir.is_dir():
            return
        cutoff = time.time() - max_age_s
        for folder in self.sessions_dir.glob("users/*"):
            newest = max((p.stat().st_mtime for p in folder.rglob("*")), default=0.0)
            if max(newest, folder.stat().st_mtime) < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
