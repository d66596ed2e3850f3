"""Ingest: parse -> chunk -> embed -> Chroma + BM25, incrementally by content hash."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.chunking import chunk_document, split_sentences
from assistant.config import Settings
from assistant.embedding import embed_texts, make_embedder
from assistant.errors import IngestError
from assistant.parsers import load_corpus
from assistant.store import (
    Manifest,
    check_model,
    chroma_client,
    chroma_collection,
    ingest_lock,
    read_chunks,
    read_sentence_vectors,
    to_node,
    vector_store,
    write_chunks,
    write_sentence_vectors,
    write_sparse,
)
from assistant.types import Chunk, SourceDoc

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class IngestReport:
    files: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_total: int = 0
    chunks_embedded: int = 0
    errors: list[IngestError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


def _under(path: str, roots: Sequence[Path]) -> bool:
    resolved = Path(path).resolve()
    return any(resolved == r or r in resolved.parents for r in roots)


def _plan(
    docs: Sequence[SourceDoc], manifest: Manifest | None, roots: Sequence[Path], have: set[str]
) -> tuple[list[SourceDoc], list[str], int]:
    """Which documents need embedding, which indexed ones are gone, how many are unchanged."""
    known = {k: v for k, v in (manifest.docs if manifest else {}).items() if k in have}
    parsed = {d.doc_id: d for d in docs}
    paths = {str(Path(d.path).resolve()): d.doc_id for d in docs}
    changed = [d for d in docs if known.get(d.doc_id, {}).get("hash") != d.content_hash]
    removed = [
        doc_id
        for doc_id, entry in known.items()
        if doc_id not in parsed
        and _under(entry["path"], roots)
        and (not Path(entry["path"]).exists() or str(Path(entry["path"]).resolve()) in paths)
    ]
    return changed, removed, len(docs) - len(changed)


def build_index(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in line with the documents under `paths` (default: the corpus)."""
    started = time.perf_counter()
    roots = [Path(p).resolve() for p in (paths or [settings.corpus_dir])]
    index_dir = Path(settings.index_dir)
    report = IngestReport()
    with ingest_lock(index_dir):
        client = chroma_client(settings)
        manifest = None if rebuild else Manifest.read(index_dir)
        check_model(manifest, settings)
        if rebuild and settings.collection in [c.name for c in client.list_collections()]:
            client.delete_collection(settings.collection)
        collection = chroma_collection(settings, client)
        max_bytes = int(settings.max_file_mb * 1_000_000)
        tick = (lambda p: progress("parse", 0, 0)) if progress else None
        loaded = load_corpus(roots, max_bytes, on_file=tick)
        report.errors = loaded.errors
        report.files = len(loaded.docs) + len(loaded.errors)
        old = [] if rebuild or manifest is None else _existing_chunks(index_dir)
        by_doc = _group(old)
        changed, removed, report.unchanged = _plan(loaded.docs, manifest, roots, set(by_doc))
        new_chunks = [
            c
            for d in changed
            for c in chunk_document(
                d, settings.chunk_size, settings.chunk_max, settings.chunk_overlap
            )
        ]
        vectors = _embed(settings, new_chunks, progress)
        stale = [c.chunk_id for d in [*(x.doc_id for x in changed), *removed] for c in by_doc[d]]
        if stale:
            collection.delete(ids=stale)
        store = vector_store(collection)
        if new_chunks:
            store.add([to_node(c, v) for c, v in zip(new_chunks, vectors, strict=True)])
        replaced = {d.doc_id for d in changed} | set(removed)
        chunks = [c for c in old if c.doc_id not in replaced] + new_chunks
        chunks.sort(key=lambda c: (c.doc_id, int(c.chunk_id.rsplit("#", 1)[1])))
        sentence_vectors = {} if rebuild else read_sentence_vectors(index_dir)
        sentence_vectors = {
            k: v for k, v in sentence_vectors.items() if k.rsplit("#", 1)[0] not in replaced
        }
        sentence_vectors.update(_embed_sentences(settings, new_chunks, progress))
        write_chunks(index_dir, chunks)
        write_sentence_vectors(
            index_dir,
            {
                c.chunk_id: sentence_vectors.get(c.chunk_id, np.zeros((0, 0), np.float32))
                for c in chunks
            },
        )
        write_sparse(index_dir, chunks)
        docs = {} if manifest is None else dict(manifest.docs)
        for doc_id in removed:
            docs.pop(doc_id, None)
        counts = {d: len(v) for d, v in _group(new_chunks).items()}
        for doc in changed:
            (report.updated if doc.doc_id in docs else report.added).append(doc.doc_id)
            docs[doc.doc_id] = {
                "path": str(Path(doc.path).resolve()),
                "hash": doc.content_hash,
                "title": doc.title,
                "chunks": counts.get(doc.doc_id, 0),
                "doc_type": doc.meta.get("doc_type", ""),
                "regime": doc.meta.get("regime", ""),
            }
        Manifest(settings.embed_model, docs, time.time()).write(index_dir)
    report.removed = removed
    report.chunks_total = len(chunks)
    report.chunks_embedded = len(new_chunks)
    report.seconds = time.perf_counter() - started
    logger.info(
        "ingest: %d files, %d chunks (%d embedded), %d errors in %.1fs",
        report.files,
        report.chunks_total,
        report.chunks_embedded,
        len(report.errors),
        report.seconds,
    )
    return report


def _group(chunks: Sequence[Chunk]) -> dict[str, list[Chunk]]:
    grouped: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        grouped[chunk.doc_id].append(chunk)
    return grouped


def _existing_chunks(index_dir: Path) -> list[Chunk]:
    try:
        return read_chunks(index_dir)
    except Exception:  # unreadable: treat as empty; everything is re-embedded
        logger.warning("existing chunks unreadable; rebuilding from scratch")
        return []


def _embed_sentences(
    settings: Settings, chunks: Sequence[Chunk], progress: Progress | None
) -> dict[str, np.ndarray]:
    """Vectors for every answer-candidate sentence, computed once here, not per question."""
    if not chunks:
        return {}
    embedder = make_embedder(settings)
    sentences = [(c.chunk_id, s) for c in chunks for s in split_sentences(c.text)]
    vectors = np.asarray(embed_texts(embedder, [s for _, s in sentences]), dtype=np.float32)
    out: dict[str, list[np.ndarray]] = defaultdict(list)
    for (cid, _), vec in zip(sentences, vectors, strict=True):
        out[cid].append(vec)
    if progress:
        progress("sentences", len(sentences), len(sentences))
    dim = vectors.shape[1] if len(vectors) else 0
    return {
        c.chunk_id: np.array(out[c.chunk_id], dtype=np.float32).reshape(-1, dim) for c in chunks
    }


def _embed(settings: Settings, chunks: Sequence[Chunk], progress: Progress | None) -> list:
    if not chunks:
        return []
    embedder = make_embedder(settings)
    vectors: list = []
    batch = max(settings.embed_batch_size, 1) * 4
    for start in range(0, len(chunks), batch):
        part = chunks[start : start + batch]
        vectors.extend(embed_texts(embedder, [c.embed_text() for c in part]))
        if progress:
            progress("embed", min(start + batch, len(chunks)), len(chunks))
    return vectors
