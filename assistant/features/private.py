"""Files only the app's own user may read: 0600 files in 0700 folders, whatever the umask.

Exports, feedback and users' documents hold what people asked and uploaded; on a shared
machine other accounts must not read them (docs/security.md, item 5).
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed and make `path` itself 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    path.chmod(DIR_MODE)
    return path


def open_private(path: Path, mode: str = "w", encoding: str | None = "utf-8"):
    """Open `path` for writing ("w", "wb", "a") as a 0600 file; an existing file is made 0600
    too. The file is created with that mode, so it is never readable by others, even briefly."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return os.fdopen(fd, mode, encoding=None if "b" in mode else encoding)
