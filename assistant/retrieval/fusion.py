"""Reciprocal rank fusion of a search's component rankings (dense, BM25, exact pinpoints),
with the tuned `rrf_k` and weights, for one library or several searched as one.

Several parts (the shipped library and a user's documents) fuse as one library would: their
dense rankings merge by cosine (one embedder, so comparable), and each part's BM25 and
pinpoint rankings enter the fusion with the weight a single library gives them (BM25 scores
of separate indexes are not comparable; their ranks are). A single part fuses exactly as
`Library.search` always has."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assistant.config import Settings
from assistant.types import Chunk, Hit

SECONDARY_TYPES = frozenset({"guidance", "commentary"})


@dataclass(frozen=True, slots=True)
class Rankings:
    """One search's component rankings, best first."""

    dense: list[tuple[str, float]]  # (chunk id, cosine)
    sparse: list[tuple[str, float]]  # (chunk id, BM25 score)
    pinpoint: list[str]  # passages holding the exact provision the query cites


def rrf_fuse(
    rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: score(d) = sum over rankings of w / (k + rank)."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


SECONDARY_TYPES = frozenset({"guidance", "commentary"})


def prefer_primary(
    fused: Sequence[tuple[str, float]], chunks: Mapping[str, Chunk], weight: float
) -> list[tuple[str, float]]:
    """Scale secondary sources' scores by `weight` (source authority: a guide that restates
    reg. 31 should not outrank reg. 31). Weight 1 leaves the ranking unchanged."""
    if weight == 1.0:
        return list(fused)
    scaled = [
        (cid, score * weight if chunks[cid].meta.get("doc_type") in SECONDARY_TYPES else score)
        for cid, score in fused
    ]
    return sorted(scaled, key=lambda kv: (-kv[1], kv[0]))


def fuse(parts: Sequence[Rankings], chunks: Mapping[str, Chunk], settings: Settings) -> list[Hit]:
    """Hits from every part's rankings, best first, fused with `settings.rrf_k` and the dense,
    BM25 and pinpoint weights; secondary sources scaled by `secondary_weight`."""
    dense = parts[0].dense if len(parts) == 1 else _by_cosine(p.dense for p in parts)
    rankings = [[c for c, _ in dense], *([c for c, _ in p.sparse] for p in parts)]
    rankings += [p.pinpoint for p in parts]
    weights = [
        settings.dense_weight,
        *[settings.sparse_weight] * len(parts),
        *[settings.pinpoint_weight] * len(parts),
    ]
    fused = prefer_primary(
        rrf_fuse(rankings, settings.rrf_k, weights), chunks, settings.secondary_weight
    )
    dense_rank = {c: i for i, (c, _) in enumerate(dense, start=1)}
    dense_score = dict(dense)
    sparse_rank = {c: i for p in parts for i, (c, _) in enumerate(p.sparse, start=1)}
    return [
        Hit(chunks[c], s, dense_rank.get(c), sparse_rank.get(c), dense_score.get(c))
        for c, s in fused
    ]


def _by_cosine(rankings: Iterable[list[tuple[str, float]]]) -> list[tuple[str, float]]:
    return sorted((pair for ranking in rankings for pair in ranking), key=lambda p: -p[1])
