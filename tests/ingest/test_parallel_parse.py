"""Parsing in worker processes gives exactly what parsing in the ingesting process gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import assistant.ingest.parsers as parsers
from assistant.api import Assistant
from assistant.ingest.parsers import load_corpus


def _with_bad_files(corpus: Path) -> Path:
    (corpus / "empty.md").write_text("", encoding="utf-8")
    (corpus / "notes.xyz").write_text("not a document", encoding="utf-8")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    return corpus


def test_parallel_parse_matches_sequential(mini_corpus, monkeypatch) -> None:
    corpus = _with_bad_files(mini_corpus)
    sequential = load_corpus([corpus], 10_000_000)
    calls: list[int] = []
    real = parsers._parse_all

    def counted(files, max_bytes, workers):
        calls.append(len(files))
        return real(files, max_bytes, workers)

    monkeypatch.setattr(parsers, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(parsers, "_parse_all", counted)
    parallel = load_corpus([corpus], 10_000_000, workers=2)
    assert calls == [7]  # every file went to the workers
    assert parallel.docs == sequential.docs
    assert [(e.path, e.reason) for e in parallel.errors] == [
        (e.path, e.reason) for e in sequential.errors
    ]
    assert len(parallel.errors) == 3


@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_with_parse_workers(settings, mini_corpus, monkeypatch, workers) -> None:
    monkeypatch.setattr(parsers, "PARALLEL_MIN_FILES", 2)
    report = Assistant(settings.model_copy(update={"ingest_workers": workers})).ingest()
    assert report.ok and report.files == 4 and report.chunks_total >= 4
