"""Scale-out: the same assistant on a real Chroma server (`chroma run` on 127.0.0.1, started
and stopped here) gives the citations of the embedded store, serves several processes at once,
and keeps the atomic-update guarantees."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.config import Settings
from assistant.index.staging import consistency, recover_if_needed
from assistant.index.store import chroma_collection, read_chunks
from tests.conftest import FAKE_ABSTAIN_THRESHOLD, FAKE_MODEL, write_mini_corpus

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]
CHROMA = Path(sys.executable).parent / "chroma"
QUESTIONS = [
    "When was Barnardo's appointed as Leicestershire's innovation partner?",
    "What is the minimum period for the receipt of requests to participate?",
    "What is a competitive flexible procedure?",
    "Which rules apply to a procurement commenced before 24 February 2025?",
    "Why should commissioners keep a note of every decision and the reasons for it?",
    "What is the population of Mars?",  # abstains on both
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server on a free loopback port, with its data in a temporary folder."""
    data = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(data)],
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (data / "server.log").read_text()
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "chroma server did not start"
                time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _settings(root: Path, chroma_url: str | None, collection: str = "library") -> Settings:
    return Settings(
        index_dir=root / "index",
        corpus_dir=write_mini_corpus(root / "corpus"),
        embed_model=FAKE_MODEL,
        abstain_threshold=FAKE_ABSTAIN_THRESHOLD,
        chroma_url=chroma_url,
        collection=collection,
    )


def _cited(assistant: Assistant) -> list[tuple[bool, str, list[tuple[str, str]]]]:
    answers = [assistant.ask(q) for q in QUESTIONS]
    return [(a.abstained, a.text, [(c.chunk_id, c.locator) for c in a.citations]) for a in answers]


def _server_agrees(settings: Settings) -> set[str]:
    ids = {c.chunk_id for c in read_chunks(settings.index_dir)}
    assert set(chroma_collection(settings).get(include=[])["ids"]) == ids
    assert consistency(settings).ok
    return ids


def test_server_gives_the_citations_of_the_embedded_store(chroma_url, tmp_path) -> None:
    embedded = Assistant(_settings(tmp_path / "embedded", None))
    served = Assistant(_settings(tmp_path / "served", chroma_url, "same-citations"))
    assert embedded.ingest().ok and served.ingest().ok
    assert not (tmp_path / "served" / "index" / "chroma").exists()  # nothing embedded
    assert _server_agrees(served.settings) == {
        c.chunk_id for c in read_chunks(embedded.settings.index_dir)
    }
    expected = _cited(embedded)
    assert sum(not abstained for abstained, _, _ in expected) >= 4
    assert _cited(served) == expected
    assert served.info()["store"] == chroma_url


def test_incremental_updates_on_the_server(chroma_url, tmp_path) -> None:
    settings = _settings(tmp_path, chroma_url, "incremental")
    assistant = Assistant(settings)
    first = assistant.ingest()
    guide = settings.corpus_dir / "guidance" / "guide-mini.md"
    guide.write_text(guide.read_text() + "\n## More\n\nPublish a prior information notice.\n")
    (settings.corpus_dir / "regulations" / "pa2023-mini.md").unlink()
    report = assistant.ingest()
    assert report.updated == ["guide-mini"] and report.removed == ["pa2023-mini"]
    ids = _server_agrees(settings)
    assert not any(i.startswith("pa2023-mini#") for i in ids)
    assert assistant.ingest().chunks_embedded == 0
    assert len(ids) < first.chunks_total + 2


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_CHROMA_URL": str(settings.chroma_url),
        "ASSISTANT_COLLECTION": settings.collection,
        "ASSISTANT_EMBED_MODEL": FAKE_MODEL,
        "ASSISTANT_ABSTAIN_THRESHOLD": str(FAKE_ABSTAIN_THRESHOLD),
    }
    cmd = [sys.executable, "-m", "assistant", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_several_processes_share_one_server(chroma_url, tmp_path) -> None:
    """Workers are separate processes: one ingests, others answer, all through the server
    (the embedded store is single-process; see docs/operations.md)."""
    settings = _settings(tmp_path, chroma_url, "shared-workers")
    ingest = _cli(settings, "ingest")
    assert ingest.returncode == 0, ingest.stderr
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant", "ask", QUESTIONS[0], "--json"],
            cwd=ROOT,
            env={
                **os.environ,
                "ASSISTANT_INDEX_DIR": str(settings.index_dir),
                "ASSISTANT_CHROMA_URL": chroma_url,
                "ASSISTANT_COLLECTION": settings.collection,
                "ASSISTANT_EMBED_MODEL": FAKE_MODEL,
                "ASSISTANT_ABSTAIN_THRESHOLD": str(FAKE_ABSTAIN_THRESHOLD),
            },
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [json.loads(w.communicate(timeout=300)[0]) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    assert len({json.dumps(o["citations"]) for o in outputs}) == 1
    assert outputs[0]["citations"][0]["doc_id"] == "leics-cip-mini"
    # This process answers the same from the server, with no embedded store of its own.
    in_process = Assistant(settings).ask(QUESTIONS[0])
    assert [c.chunk_id for c in in_process.citations] == [
        c["chunk_id"] for c in outputs[0]["citations"]
    ]


def test_an_update_killed_after_the_server_upsert_is_rolled_forward(chroma_url, tmp_path):
    from tests.index.test_atomic_ingest import CHILD

    settings = _settings(tmp_path, chroma_url, "killed-update")
    Assistant(settings).ingest()
    before = _server_agrees(settings)
    extra = settings.corpus_dir / "guidance" / "extra.md"
    extra.write_text(
        "---\ndoc_id: extra-note\ntitle: Extra\n---\n\n## Extra\n\n"
        "The zorblax rules apply to every regional framework lot in the county.\n"
    )
    marker = tmp_path / "reached"
    args = [str(settings.index_dir), str(settings.corpus_dir), "chroma", str(marker)]
    child = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        cwd=ROOT,
        env={**os.environ, "TEST_CHROMA_URL": chroma_url, "TEST_COLLECTION": "killed-update"},
        timeout=300,
    )
    assert child.returncode == -signal.SIGKILL and marker.exists()
    assert {c.chunk_id for c in read_chunks(settings.index_dir)} == before  # old files serve
    assert "extra-note#0" in consistency(settings).extra_in_chroma
    assert not Assistant(settings).ask(QUESTIONS[0]).abstained

    assert recover_if_needed(settings) is True
    assert _server_agrees(settings) == before | {"extra-note#0"}
