"""Near-duplicate suppression and neighbouring context (assistant/retrieval/passages.py)."""

from __future__ import annotations

import re

from assistant.api import Assistant
from assistant.retrieval.passages import (
    jaccard,
    shingles,
    suppress_near_duplicates,
    with_neighbours,
)
from assistant.types import Chunk, Hit


def _hit(cid: str, text: str, score: float = 1.0, heading: tuple[str, ...] = ()) -> Hit:
    chunk = Chunk(cid, cid.split("#")[0], text, "para", heading_path=heading)
    return Hit(chunk, score)


SHARED = "Barnardo's was appointed as the council's innovation partner in December 2018"


def test_shingles_ignore_case_punctuation_and_layout() -> None:
    a = shingles("Barnardo's was appointed,\n  in DECEMBER 2018.")
    assert a == shingles("barnardo s was appointed in december 2018")
    assert jaccard(a, a) == 1.0
    assert jaccard(a, shingles("A different sentence entirely about thresholds")) == 0.0
    assert jaccard(frozenset(), a) == 0.0


def test_lower_ranked_copy_is_dropped_and_the_next_passage_moves_up() -> None:
    hits = [
        _hit("pdf-version#0", SHARED + ", after a tender.", 0.9),
        _hit("html-version#0", SHARED.upper() + " after a tender", 0.8),  # same text, new layout
        _hit("other#0", "The standstill period is ten days.", 0.7),
        _hit("third#0", "Notices go on Find a Tender.", 0.6),
    ]
    kept = suppress_near_duplicates(hits, 2, 0.8)
    assert [h.chunk.chunk_id for h in kept] == ["pdf-version#0", "other#0"]
    # A passage that shares a sentence but says more is not a duplicate.
    longer = _hit("longer#0", SHARED + ". " + " ".join(f"word{i}" for i in range(40)), 0.85)
    assert len(suppress_near_duplicates([hits[0], longer], 5, 0.8)) == 2
    assert len(suppress_near_duplicates(hits, 10, 0.8)) == 3


def test_neighbours_in_the_same_document_are_added_after_the_hits() -> None:
    chunks = {
        "doc#0": _hit("doc#0", "Intro.", heading=("Reg 31",)).chunk,
        "doc#1": _hit("doc#1", "Para (5).", heading=("Reg 31",)).chunk,
        "doc#2": _hit("doc#2", "Para (6).", heading=("Reg 31",)).chunk,
        "doc#3": _hit("doc#3", "Another regulation.", heading=("Reg 32",)).chunk,
        "other#0": _hit("other#0", "Elsewhere.").chunk,
    }
    hits = [Hit(chunks["doc#2"], 0.4), Hit(chunks["other#0"], 0.3)]
    assert [h.chunk.chunk_id for h in with_neighbours(hits, chunks, lead=1)][2:] == [
        "doc#1",
        "doc#3",
    ]
    out = with_neighbours(hits, chunks, lead=2)
    ids = [h.chunk.chunk_id for h in out]
    assert ids == ["doc#2", "other#0", "doc#1", "doc#3"]  # other#0 has no neighbours
    assert out[2].score < min(h.score for h in hits)
    assert with_neighbours(hits, chunks, lead=0) == hits
    # A neighbour already among the hits is not repeated.
    pair = with_neighbours([Hit(chunks["doc#1"], 1), Hit(chunks["doc#2"], 1)], chunks, 2)
    assert [h.chunk.chunk_id for h in pair] == ["doc#1", "doc#2", "doc#0", "doc#3"]


def test_a_document_ingested_twice_is_answered_from_one_copy(settings, mini_corpus) -> None:
    original = (mini_corpus / "case_studies" / "leics-cip-mini.md").read_text(encoding="utf-8")
    copy = original.replace("doc_id: leics-cip-mini", "doc_id: leics-cip-copy")
    # The copy arrives re-wrapped, as a second format of the same document would.
    (mini_corpus / "case_studies" / "copy.md").write_text(copy.replace("\n", " \n"), "utf-8")
    assistant = Assistant(settings)
    assert assistant.ingest().ok
    question = "When was Barnardo's appointed as the innovation partner?"
    hits = assistant.library.search(question, k=4)
    texts = [re.sub(r"\s+", " ", h.chunk.text).strip() for h in hits]
    assert len(texts) == len(set(texts)) == 4
    assert _copies(hits) == set()
    assert {h.chunk.doc_id for h in hits} & {"leics-cip-mini", "leics-cip-copy"}
    answer = assistant.ask(question)
    assert not answer.abstained
    assert len({c.quote for c in answer.citations}) == len(answer.citations)
    # With suppression off, a passage and its copy both come back.
    loose = settings.model_copy(update={"duplicate_threshold": 1.5})
    assert _copies(Assistant(loose).library.search(question, k=4))


def _copies(hits: list[Hit]) -> set[str]:
    """Chunk numbers present both in the original and in the copy."""
    numbers = {"leics-cip-mini": set(), "leics-cip-copy": set()}
    for h in hits:
        if h.chunk.doc_id in numbers:
            numbers[h.chunk.doc_id].add(h.chunk.chunk_id.rsplit("#", 1)[1])
    return numbers["leics-cip-mini"] & numbers["leics-cip-copy"]
