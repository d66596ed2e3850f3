"""Merged search (library plus a user's documents) fuses as one library does: the tuned
`rrf_k` and weights, not `rrf_fuse`'s default k=60 (issue 15, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.features.uploads import UPLOAD_PREFIX, MergedLibrary, UserCollection
from assistant.retrieval.fusion import SECONDARY_TYPES

QUERY = "minimum period for requests to participate in an innovation partnership"
NOTES = """---
title: Rutland notes on an innovation partnership
---
# Rutland notes

The Rutland council set a minimum period of thirty days for requests to participate in its
innovation partnership, and it published the notice before the market engagement ended.
"""


def _expected(hit, settings) -> float:
    """The hit's fused score from its component ranks, as a single library fuses them."""
    k = settings.rrf_k
    score = 0.0
    if hit.dense_rank is not None:
        score += settings.dense_weight / (k + hit.dense_rank)
    if hit.sparse_rank is not None:
        score += settings.sparse_weight / (k + hit.sparse_rank)
    if hit.chunk.meta.get("doc_type") in SECONDARY_TYPES:
        score *= settings.secondary_weight
    return score


def test_the_library_alone_ranks_the_same_merged_or_not(mini_assistant) -> None:
    library = mini_assistant.library
    alone = library.search(QUERY, None, 8)
    merged = MergedLibrary(library, None).search(QUERY, None, 8)
    assert [(h.chunk.chunk_id, h.score) for h in merged] == [
        (h.chunk.chunk_id, h.score) for h in alone
    ]


def test_library_and_uploads_fuse_with_the_tuned_constants(mini_assistant, tmp_path: Path):
    settings = mini_assistant.settings.model_copy(update={"user_data_dir": tmp_path / "ud"})
    assert settings.rrf_k != 60  # the tuned constant, not rrf_fuse's default
    collection = UserCollection(settings, owner="alice")
    notes = tmp_path / "rutland.md"
    notes.write_text(NOTES, encoding="utf-8")
    assert [r.ok for r in collection.add([notes])] == [True]
    merged = MergedLibrary(mini_assistant.library, collection.library())
    hits = merged.search(QUERY, None, 10)
    ids = [h.chunk.chunk_id for h in hits]
    assert any(i.startswith(UPLOAD_PREFIX) for i in ids)
    assert any(not i.startswith(UPLOAD_PREFIX) for i in ids)
    for hit in hits:
        assert hit.score == pytest.approx(_expected(hit, settings)), hit.chunk.chunk_id
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # dense ranks are one ranking over both parts: cosines in order, whichever part
    by_dense = sorted((h for h in hits if h.dense_rank), key=lambda h: h.dense_rank)
    cosines = [h.dense_score for h in by_dense]
    assert cosines == sorted(cosines, reverse=True)
