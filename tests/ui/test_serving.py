"""Who may reach the web app without a login (issue 17, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.config import Settings, auth_users
from assistant.errors import ConfigError
from assistant.ui.serving import check_exposure, is_loopback

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]"])
def test_loopback_addresses_are_recognised(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "assistant.example.org", ""])
def test_other_addresses_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_an_open_address_without_a_login_is_refused() -> None:
    with pytest.raises(ConfigError, match="ASSISTANT_AUTH") as caught:
        check_exposure("0.0.0.0", [], allow_anonymous=False)
    assert "ASSISTANT_ALLOW_ANONYMOUS" in str(caught.value)


def test_a_login_or_an_explicit_choice_allows_an_open_address(caplog) -> None:
    check_exposure("0.0.0.0", [("alice", "pw")], allow_anonymous=False)
    check_exposure("127.0.0.1", [], allow_anonymous=False)
    check_exposure("0.0.0.0", [], allow_anonymous=True)
    assert "without a login" in caplog.text


def test_anonymous_use_is_off_by_default() -> None:
    assert Settings().allow_anonymous is False


def test_a_missing_login_file_is_named() -> None:
    with pytest.raises(ValueError, match="file that does not exist: /run/secrets/nope"):
        auth_users("/run/secrets/nope")


def test_compose_takes_the_login_from_a_secret() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    app = compose["services"]["app"]
    env = app["environment"]
    assert env["ASSISTANT_HOST"] == "0.0.0.0"  # still reachable: so it must have a login
    assert env["ASSISTANT_AUTH"] == "/run/secrets/assistant_auth"
    assert "ASSISTANT_ALLOW_ANONYMOUS" not in env
    assert "assistant_auth" in app["secrets"]
    assert compose["secrets"]["assistant_auth"]["file"]
    # the secret's file is never committed
    assert "deploy/secrets/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
