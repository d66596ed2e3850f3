"""Rules for serving the web app to other people: who may reach it without a login.

Pure functions over settings; `app.py` applies them before it listens (docs/security.md).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence

from assistant.errors import ConfigError

logger = logging.getLogger(__name__)
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
