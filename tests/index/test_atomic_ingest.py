"""Ingestion never loses the index: a real ingest process is SIGKILLed at each stage of an
update, and the previous index keeps answering with Chroma and BM25 agreeing on the chunk set;
the next run (or `recover_if_needed`) finishes or discards the interrupted update."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.api import Assistant
from assistant.config import Settings, get_settings
from assistant.errors import IndexBusy
from assistant.index.sentence_vectors import read_sentence_vectors
from assistant.index.staging import PENDING, consistency, ingest_lock, recover_if_needed
from assistant.index.store import (
    BM25_DIR,
    CHUNKS,
    GENERATION,
    LOCK,
    Manifest,
    chroma_collection,
    read_chunks,
    read_sparse,
)

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [
    "When was Barnardo's appointed as Leicestershire's innovation partner?",
    "What is the minimum period for the receipt of requests to participate?",
    "What is a competitive flexible procedure?",
    "Which rules apply to a procurement commenced before 24 February 2025?",
]
GENERATED = 150  # documents added by the update that gets killed
# Runs build_index in a child process and stops it at one point of the update: "embed" pauses
# (the test kills it), the others SIGKILL the process themselves at the exact step.
CHILD = r"""
import os, signal, sys, time
from pathlib import Path
import assistant.ingest.pipeline as ingest, assistant.index.staging as staging
from assistant.config import Settings

index, corpus, point, marker = sys.argv[1:5]
settings = Settings(index_dir=index, corpus_dir=corpus, embed_model="fake-hash",
                    chroma_url=os.environ.get("TEST_CHROMA_URL") or None,
                    collection=os.environ.get("TEST_COLLECTION", "library"))

def reached():
    Path(marker).write_text(str(os.getpid()))

def die(*args, **kwargs):
    reached()
    os.kill(os.getpid(), signal.SIGKILL)

if point == "embed":
    real_embed = ingest.embed_passages
    def paused(*args):
        reached()
        time.sleep(120)
        return real_embed(*args)
    ingest.embed_passages = paused
elif point == "chroma":  # Chroma upserted, no file swapped yet
    staging.install_sparse = die
elif point == "swap":  # bm25, sentences and chunks swapped; the manifest not yet
    real_replace = os.replace
    def replace(src, dst):
        src, dst = Path(src), Path(dst)
        if dst.name == "manifest.json" and src.parent.name == "pending" != dst.parent.name:
            die()
        return real_replace(src, dst)
    os.replace = replace
elif point == "stale":  # every file swapped; stale Chroma vectors not yet deleted
    real_delete = staging.delete_ids
    def delete(collection, ids):
        if list(ids):
            die()
        return real_delete(collection, ids)
    staging.delete_ids = delete
ingest.build_index(settings)
"""


def _words(i: int, n: int) -> str:
    """`n` made-up words for document i: varied enough that the hashed vectors of hundreds of
    generated documents are not near-duplicates (which would defeat any HNSW index)."""
    rng = random.Random(i)
    syllables = ["ka", "lo", "mi", "ru", "te", "va", "zo", "pe", "qui", "sa", "no", "bex"]
    return " ".join("".join(rng.choices(syllables, k=3)) for _ in range(n))


def _generated(folder: Path, count: int) -> None:
    """Many small documents with words of their own, so each can be asked about."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"gen-{i:03d}.md").write_text(
            f"---\ndoc_id: gen-{i:03d}\ntitle: Generated note {i}\ndoc_type: guidance\n---\n\n"
            f"## Topic {i}\n\nThe zorblax{i} framework governs widget{i} procurement in county "
            f"{i}. Officers review the zorblax{i} rules every {i + 2} months. "
            f"Its glossary lists {_words(i, 12)}.\n\n"
            f"## Detail {i}\n\nEach review of widget{i} contracts records the price, the "
            f"quality score and the social value of the bid for county {i}, with notes on "
            f"{_words(i + 10_000, 12)}.\n",
            encoding="utf-8",
        )


def _answers(settings: Settings) -> list[tuple[str, tuple[str, ...]]]:
    assistant = Assistant(settings)
    return [
        (a.text, tuple(c.chunk_id for c in a.citations))
        for a in (assistant.ask(q) for q in QUESTIONS)
    ]


def _agree(settings: Settings) -> set[str]:
    """Chroma, chunks.jsonl, BM25 and the sentence vectors hold the same chunks."""
    index = Path(settings.index_dir)
    chunks = read_chunks(index)
    ids = {c.chunk_id for c in chunks}
    assert len(ids) == len(chunks)
    assert set(chroma_collection(settings).get(include=[])["ids"]) == ids
    sparse = read_sparse(index, chunks)  # raises if from another generation or row count
    assert set(sparse.chunk_ids) == ids
    assert set(read_sentence_vectors(index)) == ids
    manifest = Manifest.read(index)
    assert manifest is not None
    assert (index / BM25_DIR / GENERATION).read_text() == manifest.generation
    assert sum(d["chunks"] for d in manifest.docs.values()) == len(ids)
    state = consistency(settings, deep=True)  # every vector is also found by search
    assert state.ok, state
    return ids


def _start(settings: Settings, point: str, marker: Path) -> subprocess.Popen:
    args = [str(settings.index_dir), str(settings.corpus_dir), point, str(marker)]
    return subprocess.Popen([sys.executable, "-c", CHILD, *args], cwd=ROOT)


def _wait_for(marker: Path, child: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not marker.exists():
        assert child.poll() is None, f"child exited with {child.returncode} before the point"
        assert time.monotonic() < deadline, "child never reached the point"
        time.sleep(0.05)


@pytest.fixture
def built(settings: Settings, mini_corpus: Path) -> tuple[Settings, set[str], list]:
    """The mini corpus indexed, then the corpus changed: one edit, one deletion and many new
    documents, so the update that gets killed adds, replaces and removes chunks."""
    Assistant(settings).ingest()
    before = _agree(settings)
    answers = _answers(settings)
    guide = mini_corpus / "guidance" / "guide-mini.md"
    guide.write_text(guide.read_text() + "\n## Update\n\nRecord the date of the notice.\n")
    (mini_corpus / "regulations" / "pa2023-mini.md").unlink()
    _generated(mini_corpus / "generated", GENERATED)
    return settings, before, answers


def _forget_chroma() -> None:
    """Drop this process's cached embedded Chroma: it does not see another process's writes
    (the embedded store is single-process; operations.md). Like opening a fresh reader."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def _killed(settings: Settings, point: str, tmp_path: Path) -> None:
    marker = tmp_path / f"reached-{point}"
    child = _start(settings, point, marker)
    try:
        _wait_for(marker, child)
        if point == "embed":
            child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        _forget_chroma()


def _is_new_state(settings: Settings, ids: set[str]) -> None:
    docs = {cid.rsplit("#", 1)[0] for cid in ids}
    assert "pa2023-mini" not in docs
    assert {f"gen-{i:03d}" for i in range(GENERATED)} <= docs
    chunks = {c.chunk_id: c for c in read_chunks(settings.index_dir)}
    assert any("Record the date of the notice" in c.text for c in chunks.values())
    # Exact look-ups only: the generated documents' hashed vectors are close to one another, so
    # which of them an approximate (HNSW) search ranks first differs between machines.
    new_ids = {cid for cid in ids if cid.startswith("gen-042#")}
    assert new_ids
    stored = chroma_collection(settings).get(ids=sorted(new_ids), include=["documents"])
    assert set(stored["ids"]) == new_ids
    assert any("zorblax42" in text for text in stored["documents"])
    index = Path(settings.index_dir)
    top = read_sparse(index, read_chunks(index)).search("zorblax42", k=3)
    assert top and top[0][0] in new_ids  # the only chunk with that token scores above zero
    Assistant(settings).ask("How often do officers review the zorblax42 rules?")  # opens, answers


def test_killed_while_embedding_the_previous_index_serves_unchanged(built, tmp_path) -> None:
    settings, before, answers = built
    _killed(settings, "embed", tmp_path)
    assert _agree(settings) == before
    assert _answers(settings) == answers
    assert not (Path(settings.index_dir) / PENDING).exists()

    report = Assistant(settings).ingest()  # takes over the dead process's lock
    assert report.removed == ["pa2023-mini"]
    assert report.updated == ["guide-mini"]
    assert len(report.added) == GENERATED
    _is_new_state(settings, _agree(settings))


def test_killed_after_chroma_upsert_old_files_still_answer_then_roll_forward(
    built, tmp_path
) -> None:
    settings, before, _ = built
    _killed(settings, "chroma", tmp_path)
    state = consistency(settings)
    assert state.pending == "committed"
    assert {c.chunk_id for c in read_chunks(settings.index_dir)} == before  # old files live
    assert state.extra_in_chroma  # the new documents' vectors, which readers ignore
    for answer in (Assistant(settings).ask(q) for q in QUESTIONS):
        assert not answer.abstained
        assert {c.chunk_id for c in answer.citations} <= before

    assert recover_if_needed(settings) is True
    _is_new_state(settings, _agree(settings))
    assert Assistant(settings).ingest().chunks_embedded == 0  # nothing was left to do


def test_killed_mid_swap_readers_are_told_and_the_next_ingest_finishes(built, tmp_path) -> None:
    settings, _, _ = built
    _killed(settings, "swap", tmp_path)
    assert consistency(settings).pending == "committed"
    with pytest.raises(IndexBusy, match="part-way through an update"):
        Assistant(settings).ask(QUESTIONS[0])  # never a silently mismatched BM25

    report = Assistant(settings).ingest()
    assert report.chunks_embedded == 0  # the rolled-forward update already holds everything
    _is_new_state(settings, _agree(settings))


def test_killed_before_stale_vectors_are_deleted(built, tmp_path) -> None:
    settings, _, _ = built
    _killed(settings, "stale", tmp_path)
    state = consistency(settings)
    assert any(cid.startswith("pa2023-mini#") for cid in state.extra_in_chroma)
    assert state.interrupted_write  # died inside a Chroma write: the store is rebuilt
    _is_new_state(settings, {c.chunk_id for c in read_chunks(settings.index_dir)})
    assert recover_if_needed(settings) is True
    _is_new_state(settings, _agree(settings))


def test_an_uncommitted_update_is_discarded(settings, mini_corpus) -> None:
    Assistant(settings).ingest()
    before = _agree(settings)
    pending = Path(settings.index_dir) / PENDING
    pending.mkdir()
    (pending / CHUNKS).write_text('{"half": "written"')
    assert consistency(settings).pending == "partial"
    assert recover_if_needed(settings) is False  # nothing to roll forward
    assert not pending.exists()
    assert _agree(settings) == before


def test_a_second_ingest_while_one_runs_fails_clearly(built, tmp_path, monkeypatch) -> None:
    settings, before, _ = built
    marker = tmp_path / "reached"
    child = _start(settings, "embed", marker)
    try:
        _wait_for(marker, child)
        with pytest.raises(IndexBusy) as busy:
            Assistant(settings).ingest()
        assert f"another ingest (pid {child.pid}) is running on {settings.index_dir}" in str(
            busy.value
        )
        monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(settings.index_dir))
        monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
        get_settings.cache_clear()
        from assistant.cli import app

        result = CliRunner().invoke(app, ["ingest"])
        assert result.exit_code == 2
        assert "another ingest" in result.stderr and "Traceback" not in result.output
        assert _answers(settings)  # readers are not blocked by the lock
    finally:
        child.kill()
        child.wait()
        _forget_chroma()
    assert _agree(settings) == before


def test_the_lock_admits_exactly_one_of_many_racing_writers(tmp_path) -> None:
    entered: list[int] = []
    refused: list[str] = []

    def writer(n: int) -> None:
        try:
            with ingest_lock(tmp_path / "index"):
                entered.append(n)
                time.sleep(0.5)
        except IndexBusy as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(entered) == 1 and len(refused) == 5
    assert all("another ingest" in r for r in refused)
    assert not (tmp_path / "index" / LOCK).exists()


def test_chunks_missing_from_chroma_are_re_embedded_from_the_index(settings, mini_corpus) -> None:
    """E.g. index/ restored from a backup onto an empty or older Chroma server."""
    Assistant(settings).ingest()
    before = _agree(settings)
    lost = sorted(before)[:3]
    chroma_collection(settings).delete(ids=lost)
    report = Assistant(settings).ingest()
    assert report.repaired == 3 and report.chunks_embedded == 0
    assert _agree(settings) == before


def test_a_mass_update_leaves_every_chunk_findable(settings, mini_corpus) -> None:
    """Re-embedding most of a library must not make the untouched chunks unfindable (Chroma's
    in-place upsert did: chroma-core/chroma#7758; see store.upsert_chunks)."""
    assistant = Assistant(settings)
    _generated(mini_corpus / "generated", 500)
    assistant.ingest()
    for path in (mini_corpus / "generated").glob("*.md"):
        path.write_text(path.read_text().replace("glossary lists", "glossary now lists"))
    report = Assistant(settings).ingest()
    assert len(report.updated) == 500
    _agree(settings)
    assert not Assistant(settings).ask(QUESTIONS[0]).abstained


def test_unchanged_run_writes_nothing(settings, mini_corpus) -> None:
    Assistant(settings).ingest()
    manifest = Path(settings.index_dir) / "manifest.json"
    stamp = json.loads(manifest.read_text())["generation"]
    mtime = manifest.stat().st_mtime_ns
    assert Assistant(settings).ingest().chunks_embedded == 0
    assert manifest.stat().st_mtime_ns == mtime
    assert json.loads(manifest.read_text())["generation"] == stamp
    assert len(list(Path(settings.index_dir).glob(f"{BM25_DIR}-*"))) == 1


def test_old_bm25_generations_are_pruned(settings, mini_corpus) -> None:
    assistant = Assistant(settings)
    assistant.ingest()
    guide = mini_corpus / "guidance" / "guide-mini.md"
    for n in range(4):
        guide.write_text(guide.read_text() + f"\nEdit number {n}.\n")
        assistant.ingest()
    index = Path(settings.index_dir)
    kept = sorted(p.name for p in index.glob(f"{BM25_DIR}-*"))
    assert len(kept) == 2  # the live one and the one before (a reader may be loading it)
    assert os.readlink(index / BM25_DIR) == kept[-1]
    _agree(settings)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [1.0, 2.5, 3.5, 4.5, 6.0])
def test_killed_at_any_moment_the_index_is_old_or_new_never_broken(
    delay, tmp_path, tmp_path_factory
) -> None:
    """No hooks: a plain ingest of a large corpus is SIGKILLed after `delay` seconds, wherever
    it happens to be (start-up, parsing, embedding, staging, Chroma, swapping files)."""
    base = _base_index(tmp_path_factory)
    settings = Settings(
        index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", embed_model="fake-hash",
        abstain_threshold=0.40,
    )  # fmt: skip
    shutil.copytree(base / "index", settings.index_dir, symlinks=True)
    shutil.copytree(base / "corpus", settings.corpus_dir)
    old = {c.chunk_id for c in read_chunks(settings.index_dir)}
    _generated(settings.corpus_dir / "generated", 600)
    code = "import sys; from assistant.cli import app; app(['ingest'])"
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
    }
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    time.sleep(delay)
    child.kill()
    child.wait()
    recover_if_needed(settings)
    ids = _agree(settings)
    new = old | {f"gen-{i:03d}#{n}" for i in range(600) for n in (0, 1)}
    assert ids in (old, new)
    assert not Assistant(settings).ask(QUESTIONS[0]).abstained
    assert Assistant(settings).ingest().ok
    assert _agree(settings) == new


def _base_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini corpus indexed by a separate process that exits cleanly (built once)."""
    base = tmp_path_factory.getbasetemp() / "kill-base"
    if not (base / "index" / "manifest.json").exists():
        from tests.conftest import write_mini_corpus

        corpus = write_mini_corpus(base / "corpus")
        env = {
            **os.environ,
            "ASSISTANT_INDEX_DIR": str(base / "index"),
            "ASSISTANT_CORPUS_DIR": str(corpus),
        }
        code = "from assistant.cli import app; app(['ingest'])"
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env)
        assert done.returncode == 0
    return base


def test_a_collection_too_damaged_to_read_is_re_embedded_from_chunks(
    settings, mini_corpus, monkeypatch
) -> None:
    """A writer killed inside Chroma once left a collection whose records could not even be
    read back ("Failed to apply logs to the hnsw segment writer"). Recovery then re-embeds
    the chunks of chunks.jsonl instead of copying records."""
    from chromadb.errors import InternalError

    import assistant.index.repair as repair

    Assistant(settings).ingest()
    before = _agree(settings)
    (Path(settings.index_dir) / "chroma.writing").write_text("123")  # a writer died
    calls = []

    def unreadable(collection):
        calls.append(collection.count())
        raise InternalError("Error executing plan: Failed to apply logs to the hnsw segment")

    monkeypatch.setattr(repair, "_read_records", unreadable)
    assert recover_if_needed(settings)
    assert calls  # the damaged path was taken
    assert _agree(settings) == before
    answer = Assistant(settings).ask(QUESTIONS[0])
    assert not answer.abstained and answer.citations
