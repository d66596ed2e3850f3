"""Real app processes on free loopback ports, shared by the API and browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.config import DEFAULT_EMBED_MODEL

ROOT = Path(__file__).resolve().parents[2]
# The fast hashing embedder by default. `UI_TEST_MODEL=real pytest tests/ui/test_browser.py`
# runs the same tests on the shipped model (slower index build); the README's screenshots in
# docs/img/ come from docs/screenshots.py.
REAL = os.environ.get("UI_TEST_MODEL") == "real"
MODEL_ENV = (
    {"ASSISTANT_EMBED_MODEL": DEFAULT_EMBED_MODEL}
    if REAL
    else {"ASSISTANT_EMBED_MODEL": "fake-hash", "ASSISTANT_ABSTAIN_THRESHOLD": "0.2"}
)
# Set by the unit tests' autouse fixture while the session fixtures start: not for the app.
_NOT_INHERITED = {"ASSISTANT_AUTH", "ASSISTANT_ABSTAIN_THRESHOLD", "ASSISTANT_EMBED_MODEL"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"app did not listen on {port} within {timeout}s")


@dataclass(frozen=True)
class App:
    url: str
    index_dir: Path
    user_data_dir: Path
    log: Path | None = None  # the app's stdout and stderr
    temp_dir: Path | None = None  # ASSISTANT_TEMP_DIR: Gradio's upload cache and exports


def _start(index: Path, user_data: Path, log: Path, **extra: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    inherited = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env = {
        **inherited,
        "ASSISTANT_INDEX_DIR": str(index),
        "ASSISTANT_CORPUS_DIR": str(ROOT / "corpus"),
        **MODEL_ENV,
        "ASSISTANT_PORT": str(port),
        "ASSISTANT_USER_DATA_DIR": str(user_data),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        **extra,
    }
    handle = log.open("w")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    proc.log_handle = handle  # type: ignore[attr-defined]
    return proc, port


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    proc.log_handle.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """`python app.py` with no index yet: it must build one from corpus/ and then serve
    (with UI_TEST_MODEL=real, on a copy of index/ when there is one)."""
    root = tmp_path_factory.mktemp("app")
    index, user_data = root / "index", root / "user_data"
    if REAL and (ROOT / "index" / "manifest.json").exists():
        shutil.copytree(ROOT / "index", index)  # the real model's index takes minutes to build
    temp = root / "temp"
    proc, port = _start(index, user_data, root / "app.log", ASSISTANT_TEMP_DIR=str(temp))
    try:
        _wait(port, proc, timeout=900 if REAL else 180)
        yield App(f"http://127.0.0.1:{port}/", index, user_data, root / "app.log", temp)
    finally:
        _stop(proc)
    assert (index / "manifest.json").exists(), "the app should have built the index"


@pytest.fixture(scope="session")
def app_url(app: App) -> str:
    return app.url


@pytest.fixture(scope="session")
def auth_app(app: App, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second app on a copy of the first one's index, with login from a users file."""
    root = tmp_path_factory.mktemp("auth-app")
    shutil.copytree(app.index_dir, root / "index")
    users = root / "users.txt"
    users.write_text("# user:password, one a line\nalice:wonderland\nbob:builder\ncarol:pw\n")
    proc, port = _start(
        root / "index",
        root / "user_data",
        root / "app.log",
        ASSISTANT_AUTH=str(users),
        # quick enough to test: carol's lockout (tests/ui/test_hardening.py) comes after 3
        ASSISTANT_LOGIN_FAIL_DELAY="0.5",
        ASSISTANT_LOGIN_MAX_FAILURES="3",
    )
    try:
        _wait(port, proc)
        yield f"http://127.0.0.1:{port}/"
    finally:
        _stop(proc)
