"""Repairs for the Chroma side of the index: finding records its vector index no longer
returns, and re-creating a collection from its records (or, failing that, from chunks.jsonl).
Used by staging.py after every update and when recovering from a killed writer."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.index.store import (
    CHROMA_BATCH,
    CHUNKS,
    chroma_collection,
    read_chunks,
    upsert_chunks,
)

logger = logging.getLogger(__name__)


def unreachable_ids(collection: Any, sample: int | None = None) -> list[str]:
    """Ids that a search with their own stored vector does not return in its top 10: the
    vector index has lost them although the records are there. With `sample`, only about
    that many are checked, in evenly spread windows (for large collections)."""
    total = collection.count()
    window = CHROMA_BATCH if not sample or sample >= total else 100
    starts = range(0, total, CHROMA_BATCH)
    if window < CHROMA_BATCH:
        windows = max(1, (sample or 0) // window)
        starts = range(0, total, max(window, total // windows))
    lost: list[str] = []
    for offset in starts:
        page = collection.get(include=["embeddings"], limit=window, offset=offset)
        if not len(page["ids"]):
            continue
        found = collection.query(
            query_embeddings=page["embeddings"], n_results=min(10, total), include=[]
        )
        lost += [i for i, row in zip(page["ids"], found["ids"], strict=True) if i not in row]
    return lost


def rebuild_collection(settings: Settings, client: Any) -> Any:
    """Re-create the collection from its own records (vectors, metadata, text). The embedded
    store can be left with a vector index that no longer finds some records when a process
    dies while writing to it, and upserting again does not mend it; records themselves (in
    SQLite) usually survive. SEE: https://github.com/chroma-core/chroma/issues/7678
    When even reading them fails ("Failed to apply logs to the hnsw segment writer", seen
    once in 5 random-moment kills), the collection is re-embedded from chunks.jsonl, which
    is the index's own record of what Chroma should hold."""
    from chromadb.errors import ChromaError

    old = chroma_collection(settings, client)
    try:
        records: dict[str, list] | None = _read_records(old)
    except ChromaError as exc:
        logger.warning("the Chroma collection cannot be read (%s); re-embedding it", exc)
        records = None
    client.delete_collection(settings.collection)
    fresh = chroma_collection(settings, client)
    if records is None:
        _reembed(settings, fresh)
    else:
        for start in range(0, len(records["ids"]), CHROMA_BATCH):
            fresh.add(**{k: v[start : start + CHROMA_BATCH] for k, v in records.items()})
    logger.warning("rebuilt Chroma collection %r (%d records)", settings.collection, fresh.count())
    return fresh


def _read_records(collection: Any) -> dict[str, list]:
    records: dict[str, list] = {"ids": [], "embeddings": [], "metadatas": [], "documents": []}
    while True:
        page = collection.get(
            include=["embeddings", "metadatas", "documents"],
            limit=CHROMA_BATCH,
            offset=len(records["ids"]),
        )
        for key in records:
            records[key].extend(list(page[key]) if page[key] is not None else [])
        if len(page["ids"]) < CHROMA_BATCH:
            return records


def _reembed(settings: Settings, collection: Any) -> None:
    """Fill an empty collection from index/chunks.jsonl with fresh embeddings (nothing to do
    when there is no chunks file yet: the ingest then builds everything)."""
    from assistant.models.embedding import embed_passages, make_embedder

    path = Path(settings.index_dir) / CHUNKS
    if not path.exists():
        return
    chunks = read_chunks(settings.index_dir)
    embedder = make_embedder(settings)
    for start in range(0, len(chunks), CHROMA_BATCH):
        part = chunks[start : start + CHROMA_BATCH]
        upsert_chunks(collection, part, embed_passages(embedder, part, settings.embed_windows))
