"""Hybrid retrieval: RRF maths, ranking with the fake embedder, filters, pinpoints."""

from __future__ import annotations

import pytest

from assistant.errors import IndexMissing
from assistant.retrieval.fusion import rrf_fuse
from assistant.retrieval.library import Library, normalise_filters


def test_rrf_fuse_sums_reciprocal_ranks() -> None:
    fused = dict(rrf_fuse([["a", "b", "c"], ["b", "c", "d"]], k=60))
    assert fused == pytest.approx(
        {"a": 1 / 61, "b": 1 / 62 + 1 / 61, "c": 1 / 63 + 1 / 62, "d": 1 / 63}
    )
    assert [item for item, _ in rrf_fuse([["a", "b", "c"], ["b", "c", "d"]], k=60)] == [
        "b",
        "c",
        "a",
        "d",
    ]


def test_rrf_fuse_small_k_and_ties() -> None:
    assert rrf_fuse([["a", "b"]], k=1) == [("a", 0.5), ("b", pytest.approx(1 / 3))]
    # Equal scores are ordered by id, so results are deterministic.
    assert [item for item, _ in rrf_fuse([["y"], ["x"]], k=60)] == ["x", "y"]
    assert rrf_fuse([], k=60) == []
    assert rrf_fuse([[], []], k=60) == []


def test_agreement_beats_a_single_first_place() -> None:
    # Second in both lists outranks first in one list only.
    ranking = rrf_fuse([["solo", "both"], ["other", "both"]], k=60)
    assert ranking[0][0] == "both"


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("When was Barnardo's appointed as Leicestershire's innovation partner?", "leics-cip-mini"),
        ("What is a competitive flexible procedure under the Procurement Act?", "pa2023-mini"),
        ("Which rules apply to a procurement commenced before 24 February 2025?", "guide-mini"),
        (
            "When can a negotiated procedure without prior publication be used?",
            "pcr2015-reg31-mini",
        ),
    ],
)
def test_search_ranks_the_right_document_first(mini_assistant, question: str, doc_id: str) -> None:
    hits = mini_assistant.library.search(question)
    assert hits[0].chunk.doc_id == doc_id
    assert hits[0].dense_rank is not None and hits[0].sparse_rank is not None
    assert -1.0 <= hits[0].dense_score <= 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_search_returns_at_most_k_hits(mini_assistant) -> None:
    assert len(mini_assistant.library.search("innovation partnership", k=2)) == 2


@pytest.mark.parametrize(
    ("filters", "field", "allowed"),
    [
        ({"doc_type": "regulation"}, "doc_type", {"regulation"}),
        ({"regime": "PA2023"}, "regime", {"PA2023"}),
        ({"regime": ["PCR2015", "general"]}, "regime", {"PCR2015", "general"}),
        ({"doc_type": "regulation", "regime": "PCR2015"}, "regime", {"PCR2015"}),
    ],
)
def test_filters_restrict_dense_and_sparse_results(mini_assistant, filters, field, allowed) -> None:
    library = mini_assistant.library
    question = "When was Barnardo's appointed as Leicestershire's innovation partner?"
    norm = normalise_filters(filters)
    vector = library.embedder.get_query_embedding(question)
    dense = library.dense(vector, 30, norm)
    sparse = library.sparse.search(question, 30, library._mask(norm))
    fused = library.search(question, filters, k=30)
    for name, ids in (
        ("dense", [c for c, _ in dense]),
        ("sparse", [c for c, _ in sparse]),
        ("fused", [h.chunk.chunk_id for h in fused]),
    ):
        assert ids, f"{name} returned nothing"
        values = {library.chunks[c].meta[field] for c in ids}
        assert values <= allowed, f"{name} leaked {values - allowed}"
        if "doc_type" in filters:
            assert {library.chunks[c].meta["doc_type"] for c in ids} == {"regulation"}


def test_doc_id_filter_restricts_dense_and_sparse_results(mini_assistant) -> None:
    library = mini_assistant.library
    question = "What should commissioners record about the procurement?"
    norm = normalise_filters({"doc_id": "guide-mini"})
    dense = library.dense(library.embedder.get_query_embedding(question), 30, norm)
    sparse = library.sparse.search(question, 30, library._mask(norm))
    hits = library.search(question, {"doc_id": "guide-mini"}, k=10)
    for name, ids in (
        ("dense", [c for c, _ in dense]),
        ("sparse", [c for c, _ in sparse]),
        ("fused", [h.chunk.chunk_id for h in hits]),
    ):
        assert ids, f"{name} returned nothing"
        assert {library.chunks[c].doc_id for c in ids} == {"guide-mini"}, name


def test_unknown_filter_key_is_an_error(mini_assistant) -> None:
    with pytest.raises(ValueError, match="unknown filter 'author'"):
        mini_assistant.library.search("innovation", {"author": "someone"})


@pytest.mark.parametrize("query", ["reg 31(5)", "reg. 31(5)", "regulation 31(5)"])
def test_pinpoint_query_ranks_the_provision_first(mini_assistant, query: str) -> None:
    hits = mini_assistant.library.search(query)
    assert hits[0].chunk.chunk_id == "pcr2015-reg31-mini#0"
    assert "reg. 31(5)" in hits[0].chunk.provisions
    assert hits[0].sparse_rank == 1


def test_opening_a_missing_index_says_so(settings) -> None:
    with pytest.raises(IndexMissing, match="assistant ingest"):
        Library.open(settings)


def _chunk(cid: str, doc_type: str):
    from assistant.types import Chunk

    return Chunk(cid, cid.split("#")[0], "text", "whole document", meta={"doc_type": doc_type})


def test_prefer_primary_breaks_near_ties_towards_the_primary_source() -> None:
    from assistant.retrieval.fusion import prefer_primary

    chunks = {
        "guide#0": _chunk("guide#0", "guidance"),
        "reg#0": _chunk("reg#0", "regulation"),
        "note#0": _chunk("note#0", "commentary"),
        "case#0": _chunk("case#0", "case_study"),
    }
    fused = [("guide#0", 0.10), ("note#0", 0.099), ("reg#0", 0.09), ("case#0", 0.05)]
    ranked = prefer_primary(fused, chunks, 0.8)
    assert [c for c, _ in ranked] == ["reg#0", "guide#0", "note#0", "case#0"]
    assert dict(ranked)["guide#0"] == pytest.approx(0.08)
    # A secondary source far ahead keeps first place; weight 1 changes nothing.
    assert prefer_primary([("guide#0", 0.2), ("reg#0", 0.1)], chunks, 0.8)[0][0] == "guide#0"
    assert prefer_primary(fused, chunks, 1.0) == fused


def test_filter_mask_matches_field_values_and_ignores_missing_fields(mini_assistant) -> None:
    library = mini_assistant.library
    mask = library._mask({"doc_type": ["regulation", "case_study"]})
    expected = [
        library.chunks[c].meta.get("doc_type") in ("regulation", "case_study")
        for c in library.order
    ]
    assert mask.astype(bool).tolist() == expected
    assert not library._mask({"regime": ["no-such-regime"]}).any()
