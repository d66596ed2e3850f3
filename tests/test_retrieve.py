"""Hybrid retrieval: RRF maths, ranking with the fake embedder, filters, pinpoints."""

from __future__ import annotations

import pytest

from assistant.errors import IndexMissing
from assistant.retrieve import Library, normalise_filters, rrf_fuse


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
