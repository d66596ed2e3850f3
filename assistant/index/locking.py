"""One writer per index: a lock file naming its holder, checked and taken under a flock."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import IndexBusy
from assistant.index.store import LOCK, atomic_write

GUARD = ".ingest.guard"  # flock'd only while the lock file is checked and written


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """One ingest at a time per index. The lock file names the holder's pid; a lock left by
    a dead process is taken over. Checking and taking happen under a short flock."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK
    with _guard(index_dir):
        holder = _live_holder(path)
        if holder is not None:
            raise IndexBusy(
                f"another ingest (pid {holder}) is running on {index_dir}; "
                f"try again when it ends (lock file {path})"
            )
        atomic_write(path, f"{os.getpid()} {time.time():.0f}")
    try:
        yield
    finally:
        with _guard(index_dir):
            if _pid(path) == os.getpid():
                path.unlink(missing_ok=True)


@contextmanager
def _guard(index_dir: Path) -> Iterator[None]:
    fd = os.open(index_dir / GUARD, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _live_holder(path: Path) -> int | None:
    pid = _pid(path)
    if pid is None:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, owned by another user
        return pid
    return pid
