"""Ingest: counts, incremental updates, deletions, bad files, locking and model checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.config import Settings
from assistant.errors import ConfigError, IndexBusy, UnsupportedFormat
from assistant.index.store import CHUNKS, LOCK, MANIFEST, chroma_collection, read_chunks

MINI_IDS = ["guide-mini", "leics-cip-mini", "pa2023-mini", "pcr2015-reg31-mini"]
GOOD_MD = """\
---
doc_id: good-extra
title: "An extra note on social value"
doc_type: guidance
regime: general
source_url: https://example.org/extra
---

## Social value

Authorities weigh social value alongside price when they evaluate tenders for care services,
and the quokka metric is how this council scores local employment.
"""


def _consistent(settings: Settings) -> list[str]:
    """Chroma, chunks.jsonl and BM25 hold the same chunks; returns the chunk ids."""
    lines = (Path(settings.index_dir) / CHUNKS).read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["chunk_id"] for line in lines if line.strip()]
    collection = chroma_collection(settings)
    assert collection.count() == len(ids)
    assert sorted(collection.get(include=[])["ids"]) == sorted(ids)
    return ids


def _docs(ids: list[str]) -> set[str]:
    return {cid.rsplit("#", 1)[0] for cid in ids}


def test_first_ingest_reports_counts(settings, mini_corpus) -> None:
    report = Assistant(settings).ingest()
    assert report.ok and report.errors == []
    assert report.files == 4
    assert sorted(report.added) == MINI_IDS
    assert report.updated == [] and report.removed == [] and report.unchanged == 0
    ids = _consistent(settings)
    assert report.chunks_total == report.chunks_embedded == len(ids) >= 4
    assert _docs(ids) == set(MINI_IDS)
    manifest = json.loads((Path(settings.index_dir) / MANIFEST).read_text())
    assert manifest["embed_model"] == "fake-hash"
    assert sorted(manifest["docs"]) == MINI_IDS


def test_second_ingest_with_nothing_changed_embeds_nothing(settings, mini_corpus) -> None:
    assistant = Assistant(settings)
    first = assistant.ingest()
    second = assistant.ingest()
    assert second.chunks_embedded == 0
    assert second.unchanged == 4
    assert second.added == second.updated == second.removed == []
    assert second.chunks_total == first.chunks_total
    assert len(_consistent(settings)) == first.chunks_total


def test_editing_one_file_re_embeds_only_that_document(settings, mini_corpus) -> None:
    assistant = Assistant(settings)
    assistant.ingest()
    before = {c.chunk_id: c for c in read_chunks(settings.index_dir)}
    path = mini_corpus / "guidance" / "guide-mini.md"
    path.write_text(
        path.read_text() + "\n## New advice\n\nPublish a prior information notice early.\n"
    )
    report = assistant.ingest()
    assert report.updated == ["guide-mini"]
    assert report.added == [] and report.removed == []
    assert report.unchanged == 3
    after = {c.chunk_id: c for c in read_chunks(settings.index_dir)}
    guide = [cid for cid in after if cid.startswith("guide-mini#")]
    assert report.chunks_embedded == len(guide)
    assert any("prior information notice" in after[cid].text for cid in guide)
    for cid, chunk in before.items():  # the other documents are untouched
        if not cid.startswith("guide-mini#"):
            assert after[cid] == chunk
    _consistent(settings)


def test_deleting_a_file_removes_its_chunks_everywhere(settings, mini_corpus) -> None:
    assistant = Assistant(settings)
    assistant.ingest()
    query = "Barnardo's appointed innovation partner December 2018"
    assert assistant.library.search(query)[0].chunk.doc_id == "leics-cip-mini"
    assert assistant.info()["documents"] == 4

    (mini_corpus / "case_studies" / "leics-cip-mini.md").unlink()
    report = assistant.ingest()
    assert report.removed == ["leics-cip-mini"]
    assert report.chunks_embedded == 0
    ids = _consistent(settings)
    assert "leics-cip-mini" not in _docs(ids)
    library = assistant.library  # reopened after ingest
    assert not [c for c, _ in library.sparse.search(query, 50) if c.startswith("leics-cip-mini")]
    assert all(h.chunk.doc_id != "leics-cip-mini" for h in library.search(query, k=20))
    info = assistant.info()
    assert info["documents"] == 3
    assert info["chunks"] == len(ids)


def test_bad_files_are_reported_and_the_rest_is_indexed(settings, mini_corpus, tmp_path) -> None:
    assistant = Assistant(settings)
    assistant.ingest()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "corrupt.pdf").write_bytes(b"%PDF-1.4 garbage")
    (inbox / "bad-front-matter.md").write_text("---\ntitle: a: b: c\n---\n\nBody text.\n")
    (inbox / "good.md").write_text(GOOD_MD)

    report = assistant.ingest([inbox])
    assert not report.ok
    assert sorted(e.path.name for e in report.errors) == ["bad-front-matter.md", "corrupt.pdf"]
    assert all(e.reason for e in report.errors)
    assert any("YAML" in e.reason for e in report.errors)
    assert report.added == ["good-extra"]
    assert report.removed == []  # documents outside the ingested folder are kept

    ids = _consistent(settings)
    assert _docs(ids) == {*MINI_IDS, "good-extra"}
    hits = assistant.library.search("How does the council score local employment quokka metric?")
    assert hits[0].chunk.doc_id == "good-extra"
    answer = assistant.ask("When was Barnardo's appointed as Leicestershire's innovation partner?")
    assert not answer.abstained
    assert answer.citations[0].doc_id == "leics-cip-mini"


def test_duplicate_doc_id_reports_the_second_file(settings, tmp_path) -> None:
    folder = tmp_path / "dups"
    folder.mkdir()
    (folder / "a-first.md").write_text(GOOD_MD)
    (folder / "b-second.md").write_text(GOOD_MD.replace("social value", "something else"))
    report = Assistant(settings).ingest([folder])
    assert report.added == ["good-extra"]
    assert [e.path.name for e in report.errors] == ["b-second.md"]
    assert "duplicate doc_id 'good-extra'" in report.errors[0].reason
    assert "a-first.md" in report.errors[0].reason


def test_unsupported_extension_is_reported(settings, mini_corpus) -> None:
    (mini_corpus / "notes.xyz").write_text("what is this")
    report = Assistant(settings).ingest()
    assert len(report.added) == 4
    assert [e.path.name for e in report.errors] == ["notes.xyz"]
    assert isinstance(report.errors[0], UnsupportedFormat)
    assert ".xyz" in report.errors[0].reason


def test_ingest_refuses_while_a_live_process_holds_the_lock(settings, mini_corpus) -> None:
    index = Path(settings.index_dir)
    index.mkdir(parents=True)
    (index / LOCK).write_text(f"{os.getpid()} 0")  # this very process: certainly alive
    with pytest.raises(IndexBusy, match="another ingest"):
        Assistant(settings).ingest()
    assert (index / LOCK).exists()  # someone else's lock is left alone


def test_a_stale_lock_from_a_dead_process_is_taken_over(settings, mini_corpus) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    index = Path(settings.index_dir)
    index.mkdir(parents=True)
    (index / LOCK).write_text(f"{dead.stdout.strip()} 0")
    assert Assistant(settings).ingest().ok
    assert not (index / LOCK).exists()


def _pretend_built_with(settings: Settings, model: str) -> None:
    path = Path(settings.index_dir) / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["embed_model"] = model
    path.write_text(json.dumps(manifest))


def test_a_different_embedding_model_needs_rebuild(settings, mini_corpus) -> None:
    assistant = Assistant(settings)
    assistant.ingest()
    _pretend_built_with(settings, "some-older-model")
    with pytest.raises(ConfigError, match="--rebuild"):
        Assistant(settings).ingest()
    with pytest.raises(ConfigError, match="some-older-model"):
        Assistant(settings).ask("When was Barnardo's appointed?")

    report = Assistant(settings).ingest(rebuild=True)
    assert report.ok
    assert sorted(report.added) == MINI_IDS
    assert report.chunks_embedded == report.chunks_total == len(_consistent(settings))
    assert json.loads((Path(settings.index_dir) / MANIFEST).read_text())["embed_model"] == (
        "fake-hash"
    )
    assert not Assistant(settings).ask("What is a competitive flexible procedure?").abstained


def test_rebuild_re_embeds_everything_once(settings, mini_corpus) -> None:
    assistant = Assistant(settings)
    first = assistant.ingest()
    again = assistant.ingest(rebuild=True)
    assert again.chunks_embedded == first.chunks_total
    assert len(_consistent(settings)) == first.chunks_total  # no duplicates left behind
