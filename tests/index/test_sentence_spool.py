"""Sentence vectors stream through a scratch file during an ingest and land intact."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import assistant.ingest.pipeline as ingest
from assistant.api import Assistant
from assistant.index.sentence_vectors import SentenceSpool, read_sentence_vectors
from assistant.index.store import read_chunks
from assistant.models.embedding import embed_matrix, make_embedder
from assistant.text.sentences import split_sentences


def test_spool_round_trip(tmp_path: Path) -> None:
    spool = SentenceSpool(tmp_path / "s.spool")
    first = np.arange(12, dtype=np.float32).reshape(3, 4) / 10
    spool.add(["a#0", "a#1"], [2, 1], first)
    spool.add(["b#0"], [0], np.zeros((0, 0), np.float32))  # a chunk with no sentence
    spool.add(["c#0"], [1], np.ones((1, 4), np.float32))
    assert list(spool) == ["a#0", "a#1", "b#0", "c#0"]
    assert np.allclose(spool["a#0"], first[:2], atol=1e-3)
    assert np.allclose(spool["a#1"], first[2:], atol=1e-3)
    assert spool["b#0"].shape[0] == 0
    assert np.allclose(spool["c#0"], 1.0)
    spool.close()
    assert not (tmp_path / "s.spool").exists()


def test_streamed_ingest_stores_every_chunks_sentence_vectors(
    settings, mini_corpus, monkeypatch
) -> None:
    monkeypatch.setattr(ingest, "STREAM_CHUNKS", 2)  # many small steps
    seen: list[tuple[str, int, int]] = []
    report = Assistant(settings).ingest(progress=lambda *a: seen.append(a))
    steps = [(done, total) for stage, done, total in seen if stage == "embed"]
    assert steps[0] == (0, report.chunks_total) and steps[-1][0] == report.chunks_total
    assert len(steps) >= report.chunks_total // 2
    stored = read_sentence_vectors(Path(settings.index_dir))
    embedder = make_embedder(settings)
    chunks = read_chunks(Path(settings.index_dir))
    assert set(stored) == {c.chunk_id for c in chunks}
    for chunk in chunks:
        sentences = split_sentences(chunk.text)
        assert len(stored[chunk.chunk_id]) == len(sentences)
        if sentences:
            want = embed_matrix(embedder, sentences)
            assert np.allclose(np.asarray(stored[chunk.chunk_id], np.float32), want, atol=2e-3)
    assert not (Path(settings.index_dir) / ingest.SPOOL).exists()
