"""Ingest: parse -> chunk -> embed -> Chroma + BM25, incrementally by content hash."""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.errors import IngestError
from assistant.index.sentence_vectors import SentenceSpool, read_sentence_vectors
from assistant.index.staging import Update, apply, ingest_lock, recover, stage
from assistant.index.store import (
    Manifest,
    check_model,
    chroma_client,
    path_mismatch,
    read_chunks,
)
from assistant.ingest.chunking import chunk_document
from assistant.ingest.parsers import ParseFile, load_corpus, parse_file
from assistant.models.embedding import embed_matrix, embed_passages, embedding_path, make_embedder
from assistant.text.sentences import split_sentences
from assistant.types import Chunk, SourceDoc

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]  # (stage, done, total)
# Chunks embedded (with their sentences) per step of the pipeline: enough to fill the model's
# length-sorted batches, few enough that progress moves and memory stays small.
STREAM_CHUNKS = 128
SPOOL = "sentences.spool"  # scratch file for sentence vectors during an ingest


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
    repaired: int = 0  # chunks missing from Chroma, re-embedded from chunks.jsonl
    reembedded: str = ""  # why every chunk was embedded afresh (the embedding path changed)

    @property
    def ok(self) -> bool:
        return not self.errors


def _under(path: str, roots: Sequence[Path]) -> bool:
    resolved = Path(path).resolve()
    return any(resolved == r or r in resolved.parents for r in roots)


def _claimed(
    docs: Sequence[SourceDoc], manifest: Manifest | None
) -> tuple[list[SourceDoc], list[IngestError]]:
    """A file whose doc_id the index holds, with other content, for another file that still
    exists (and is not being re-read) would silently replace that document: refuse it. The
    same content under a new path is the same document, moved or copied."""
    indexed = manifest.docs if manifest else {}
    paths = {str(Path(d.path).resolve()) for d in docs}
    keep: list[SourceDoc] = []
    errors: list[IngestError] = []
    for doc in docs:
        entry = indexed.get(doc.doc_id, {})
        other = entry.get("path", "")
        if (
            other
            and other not in paths
            and entry.get("hash") != doc.content_hash
            and Path(other).exists()
        ):
            reason = f"duplicate doc_id '{doc.doc_id}' (already indexed from {other})"
            errors.append(IngestError(doc.path, reason))
        else:
            keep.append(doc)
    return keep, errors


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


@dataclass
class _Changes:
    """What an ingest run will write: the full next chunk set and the parts that are new."""

    manifest: Manifest | None
    changed: list[SourceDoc]
    removed: list[str]
    chunks: list[Chunk]  # every chunk of the next index, in (doc_id, n) order
    new_chunks: list[Chunk]  # of changed documents: embedded now
    repair: list[Chunk]  # unchanged but missing from Chroma: re-embedded from chunks.jsonl
    reembed: bool = False  # the embedding path changed: every kept chunk is in `repair`

    @property
    def any(self) -> bool:
        return bool(
            self.changed or self.removed or self.repair or self.reembed or self.manifest is None
        )


def build_index(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    parse: ParseFile = parse_file,
) -> IngestReport:
    """Bring the index in line with the documents under `paths` (default: the corpus).
    `parse` reads one file (default parse_file; uploads pass the documents they parsed).

    The previous index keeps serving until the new one is complete; a failed or killed run
    leaves it intact, and the next run finishes or discards what was left (see staging.py).
    """
    started = time.perf_counter()
    roots = [Path(p).resolve() for p in (paths or [settings.corpus_dir])]
    report = IngestReport()
    with ingest_lock(Path(settings.index_dir)):
        client = chroma_client(settings)
        missing = recover(settings, client).missing_ids
        manifest = None if rebuild else Manifest.read(Path(settings.index_dir))
        check_model(manifest, settings)
        report.reembedded = path_mismatch(manifest, settings) or ""
        if report.reembedded:
            logger.warning("%s: re-embedding every chunk", report.reembedded)
        tick = (lambda p: progress("parse", 0, 0)) if progress else None
        workers = settings.ingest_workers or os.cpu_count() or 1
        max_bytes = int(settings.max_file_mb * 1_000_000)
        loaded = load_corpus(roots, max_bytes, on_file=tick, parse=parse, workers=workers)
        report.files, report.errors = len(loaded.docs) + len(loaded.errors), loaded.errors
        docs, claimed = _claimed(loaded.docs, manifest)
        report.errors += claimed
        plan = _changes(settings, manifest, docs, roots, missing, bool(report.reembedded))
        report.unchanged = len(docs) - len(plan.changed)
        if plan.any:
            _update(settings, client, plan, report, progress)
    report.removed = plan.removed
    report.chunks_total = len(plan.chunks)
    report.chunks_embedded = len(plan.new_chunks) + (len(plan.repair) if plan.reembed else 0)
    report.repaired = 0 if plan.reembed else len(plan.repair)
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


def _changes(
    settings: Settings,
    manifest: Manifest | None,
    docs: Sequence[SourceDoc],
    roots: Sequence[Path],
    missing: set[str],
    reembed: bool = False,
) -> _Changes:
    old = [] if manifest is None else _existing_chunks(Path(settings.index_dir))
    changed, removed, _ = _plan(docs, manifest, roots, set(_group(old)))
    new_chunks = [
        c
        for d in changed
        for c in chunk_document(d, settings.chunk_size, settings.chunk_max, settings.chunk_overlap)
    ]
    replaced = {d.doc_id for d in changed} | set(removed)
    kept = [c for c in old if c.doc_id not in replaced]
    chunks = sorted(kept + new_chunks, key=lambda c: (c.doc_id, int(c.chunk_id.rsplit("#", 1)[1])))
    repair = [c for c in kept if reembed or c.chunk_id in missing]
    return _Changes(manifest, changed, removed, chunks, new_chunks, repair, reembed)


def _update(
    settings: Settings,
    client: object,
    plan: _Changes,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    """Embed what is new (or missing from Chroma), then stage and apply the next index."""
    index_dir = Path(settings.index_dir)
    upsert = plan.new_chunks + plan.repair
    # Sentence vectors of unchanged chunks are reused, unless the embedding path changed.
    fresh = upsert if plan.reembed else plan.new_chunks
    spool = SentenceSpool(index_dir / SPOOL)
    try:
        vectors = _embed(settings, upsert, {c.chunk_id for c in fresh}, spool, progress)
        replaced = {d.doc_id for d in plan.changed} | set(plan.removed)
        stored = {} if plan.manifest is None else read_sentence_vectors(index_dir)
        keep = {k for k in stored if k.rsplit("#", 1)[0] not in replaced and k not in spool}
        sentences = _NextSentences([c.chunk_id for c in plan.chunks], spool, stored, keep)
        manifest = Manifest(settings.embed_model, _manifest_docs(plan, report), time.time())
        manifest.embed_path = embedding_path(settings)
        stage(index_dir, Update(plan.chunks, sentences, manifest, upsert, vectors))
    finally:
        spool.close()
    apply(settings, client)


def _manifest_docs(plan: _Changes, report: IngestReport) -> dict[str, dict]:
    docs = {} if plan.manifest is None else dict(plan.manifest.docs)
    for doc_id in plan.removed:
        docs.pop(doc_id, None)
    counts = {d: len(v) for d, v in _group(plan.new_chunks).items()}
    for doc in plan.changed:
        (report.updated if doc.doc_id in docs else report.added).append(doc.doc_id)
        docs[doc.doc_id] = {
            "path": str(Path(doc.path).resolve()),
            "hash": doc.content_hash,
            "title": doc.title,
            "chunks": counts.get(doc.doc_id, 0),
            "doc_type": doc.meta.get("doc_type", ""),
            "regime": doc.meta.get("regime", ""),
        }
    return docs


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


class _NextSentences(Mapping[str, np.ndarray]):
    """The next index's sentence vectors, read chunk by chunk when they are written: the
    ones just computed (spooled to disk) and the stored ones of unchanged chunks."""

    def __init__(
        self,
        order: list[str],
        spool: SentenceSpool,
        stored: Mapping[str, np.ndarray],
        keep: set[str],
    ) -> None:
        self._order, self._spool, self._stored, self._keep = order, spool, stored, keep

    def __getitem__(self, chunk_id: str) -> np.ndarray:
        if chunk_id in self._spool:
            return self._spool[chunk_id]
        if chunk_id in self._keep:
            return self._stored[chunk_id]
        return np.zeros((0, 0), np.float32)

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


def _embed(
    settings: Settings,
    chunks: Sequence[Chunk],
    sentences_of: set[str],
    spool: SentenceSpool,
    progress: Progress | None,
) -> np.ndarray:
    """Chunk vectors (len(chunks), dim), and the answer-sentence vectors of the chunks in
    `sentences_of` appended to `spool`, in one pass of STREAM_CHUNKS chunks at a time: memory
    holds one block's sentence vectors, whatever the library's size."""
    if not chunks:
        return np.zeros((0, 0), dtype=np.float32)
    embedder = make_embedder(settings)
    started = time.perf_counter()
    parts = []
    if progress:
        progress("embed", 0, len(chunks))
    for start in range(0, len(chunks), STREAM_CHUNKS):
        block = chunks[start : start + STREAM_CHUNKS]
        parts.append(embed_passages(embedder, block, settings.embed_windows))
        _embed_sentences(embedder, [c for c in block if c.chunk_id in sentences_of], spool)
        if progress:
            progress("embed", start + len(block), len(chunks))
    logger.info(
        "embedded %d chunks and their sentences in %.1fs",
        len(chunks),
        time.perf_counter() - started,
    )
    return np.concatenate(parts)


def _embed_sentences(embedder: object, chunks: Sequence[Chunk], spool: SentenceSpool) -> None:
    """Vectors for every answer-candidate sentence, computed once here, not per question. A
    sentence repeated in the block (the overlap of a split paragraph) is embedded once."""
    if not chunks:
        return
    per_chunk = [split_sentences(c.text) for c in chunks]
    unique = list(dict.fromkeys(s for sentences in per_chunk for s in sentences))
    matrix = embed_matrix(embedder, unique)
    row = {s: i for i, s in enumerate(unique)}
    order = [row[s] for sentences in per_chunk for s in sentences]
    spool.add([c.chunk_id for c in chunks], [len(s) for s in per_chunk], matrix[order])
