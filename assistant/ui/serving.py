"""Rules for serving the web app to other people: who may reach it without a login, how
often a client may send feedback, how failed logins are slowed, how big the temporary upload
cache may grow. No gradio here: `app.py` applies them (docs/security.md, items 2 and 5).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError

logger = logging.getLogger(__name__)
# Keys (logins, addresses, user names) a limiter remembers at most: a flood of made-up ones
# cannot grow memory without bound.
MAX_TRACKED_KEYS = 10_000
MAX_LOCKOUT_S = 3600.0  # a locked login waits at most an hour
# Names that resolve to this machine only, whatever /etc/hosts says about other names.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address, IPv6 with or without brackets) is this machine
    only. '0.0.0.0' and '::' listen on every interface, so they are not."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, users: Sequence[object], allow_anonymous: bool) -> None:
    """Refuse to serve other machines with no login unless anonymous use is chosen on purpose.
    Raises ConfigError with what to do."""
    if users or is_loopback(host):
        return
    if allow_anonymous:
        logger.warning(
            "serving on %s without a login (ASSISTANT_ALLOW_ANONYMOUS): every visitor can ask, "
            "and each browser session gets its own upload collection",
            host,
        )
        return
    raise ConfigError(
        f"Refusing to serve on {host} without a login: anyone who can reach this address could "
        "use the app. Set ASSISTANT_AUTH (user:pass pairs, or a file of them), listen on "
        "127.0.0.1, or set ASSISTANT_ALLOW_ANONYMOUS=true to serve without a login on purpose."
    )


class RateLimiter:
    """At most `limit` events per `window_s` seconds for each key (a login or an address), in
    a sliding window. Memory stays bounded: at most `max_keys` keys are tracked, and keys with
    no recent event are dropped."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_TRACKED_KEYS,
    ) -> None:
        self.limit, self.window_s, self.clock, self.max_keys = limit, window_s, clock, max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record an event for `key` if it is within the limit; False (nothing recorded) if
        not."""
        now = self.clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > self.max_keys:
                self._forget(now)
            return True

    def _forget(self, now: float) -> None:
        stale = [k for k, e in self._events.items() if not e or e[-1] <= now - self.window_s]
        for key in stale or list(self._events)[: len(self._events) // 2]:
            del self._events[key]


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


class LoginGuard:
    """Checks logins for Gradio (`auth=guard.check`, an async function, so a wait blocks no
    thread). Every failed attempt waits `delay_s`; after `max_failures` failures in a row a
    user name is locked for `lockout_s`, doubling with each further failure (up to an hour),
    and attempts while locked are refused without looking at the password. Unknown names are
    treated alike, so the replies do not tell which names exist."""

    def __init__(
        self,
        users: Sequence[tuple[str, str]],
        delay_s: float,
        max_failures: int,
        lockout_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._users = {user: password for user, password in users}
        self.delay_s, self.max_failures, self.lockout_s = delay_s, max_failures, lockout_s
        self.clock, self.sleep = clock, sleep
        self._failures: dict[str, _Failures] = {}

    def locked(self, user: str) -> bool:
        state = self._failures.get(user)
        return state is not None and state.locked_until > self.clock()

    async def check(self, username: str, password: str) -> bool:
        if self.locked(username):
            await self.sleep(self.delay_s)
            return False
        expected = self._users.get(username)
        ok = expected is not None and hmac.compare_digest(
            expected.encode("utf-8"), (password or "").encode("utf-8")
        )
        if ok:
            self._failures.pop(username, None)
            return True
        self._fail(username)
        await self.sleep(self.delay_s)
        return False

    def _fail(self, user: str) -> None:
        if len(self._failures) > MAX_TRACKED_KEYS:
            now = self.clock()
            self._failures = {k: v for k, v in self._failures.items() if v.locked_until > now}
        state = self._failures.setdefault(user, _Failures())
        state.count += 1
        over = state.count - self.max_failures
        if over >= 0:
            lockout = min(self.lockout_s * 2**over, MAX_LOCKOUT_S)
            state.locked_until = self.clock() + lockout
            logger.warning(
                "login for %r locked for %.0f s after %d failures", user[:80], lockout, state.count
            )


def sweep_cache(folder: Path, max_bytes: int, max_age_s: float, now: float | None = None) -> int:
    """Delete files in `folder` older than `max_age_s`, then the oldest until the rest fit in
    `max_bytes`; remove folders left empty. Returns the bytes freed."""
    now = time.time() if now is None else now
    files = []
    for path in folder.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                stat = path.stat()
                files.append((stat.st_mtime, stat.st_size, path))
        except OSError:  # deleted meanwhile
            continue
    files.sort()
    total, freed = sum(size for _, size, _ in files), 0
    for mtime, size, path in files:
        if mtime > now - max_age_s and total <= max_bytes:
            break
        path.unlink(missing_ok=True)
        total, freed = total - size, freed + size
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return freed
