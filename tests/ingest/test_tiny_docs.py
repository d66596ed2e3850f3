"""A library whose passages are too short to quote from abstains instead of crashing."""

from __future__ import annotations

from assistant import Assistant, Settings


def test_no_quotable_sentence_gives_an_abstention(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tiny.md").write_text("# Zorblax\n\nZorblax rules.\n", encoding="utf-8")
    settings = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        embed_model="fake-hash",
        abstain_threshold=0.0,
    )
    assistant = Assistant(settings)
    assert assistant.ingest().ok
    answer = assistant.ask("Zorblax rules?")
    assert answer.abstained
    assert answer.citations == ()
    assert answer.text
