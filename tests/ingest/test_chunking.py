"""SourceDoc -> Chunks: sizes, locators, stable ids, merging and splitting."""

from __future__ import annotations

import random
from itertools import pairwise
from pathlib import Path

from assistant.ingest.chunking import HEADING_SEPARATOR, MIN_WORDS, chunk_document
from assistant.ingest.parsers.text import parse_text
from assistant.types import Section, SourceDoc


def _doc(*sections: Section, doc_id: str = "doc", meta: dict[str, str] | None = None) -> SourceDoc:
    meta = {"title": "A document", "source_url": "https://example.org/doc", **(meta or {})}
    return SourceDoc(doc_id, meta["title"], f"{doc_id}.md", meta, sections, "hash")


def _sentences(n: int, words: int = 10, tag: str = "w") -> str:
    """n sentences of `words` words each, every word unique so overlaps can be checked."""
    return " ".join("S" + " ".join(f"{tag}{i}x{j}" for j in range(words)) + "." for i in range(n))


def _count(text: str) -> int:
    return len(text.split())


def test_chunks_never_exceed_chunk_max() -> None:
    rng = random.Random(7)
    sections = [
        Section(_sentences(rng.randint(1, 12), rng.randint(3, 15), tag=f"p{i}"), ("Part",))
        for i in range(60)
    ]
    sections.insert(10, Section(_sentences(100, tag="long"), ("Part",)))  # 1,000 words
    sections.insert(20, Section("word " * 400, ("Part",)))  # one sentence longer than a chunk
    sections.insert(30, Section("Tiny start.", ("Part",)))
    sections.insert(31, Section(_sentences(34, tag="big"), ("Part",)))  # 340 words after 2
    chunks = chunk_document(_doc(*sections), size=260, maximum=350, overlap=30)
    assert len(chunks) > 5
    sizes = [_count(c.text) for c in chunks]
    assert max(sizes) <= 350, sizes


def test_small_first_block_then_a_large_one_stays_within_the_maximum() -> None:
    small = Section(_sentences(3, tag="a"), ("Part",))  # 30 words, below MIN_WORDS
    large = Section(_sentences(34, tag="b"), ("Part",))  # 340 words, under the maximum
    chunks = chunk_document(_doc(small, large), size=260, maximum=350)
    assert [_count(c.text) for c in chunks] == [30, 340]


def test_regulation_paragraphs_merge_into_a_span_locator(mini_corpus: Path) -> None:
    path = mini_corpus / "regulations" / "pcr2015-reg31-mini.md"
    chunks = chunk_document(parse_text(path, path.read_bytes()))
    assert [c.locator for c in chunks] == ["reg. 31(4)–(6)", "reg. 32(1)"]
    assert chunks[0].provisions == ("reg. 31(4)", "reg. 31(5)", "reg. 31(6)")
    assert chunks[0].url == "https://www.legislation.gov.uk/uksi/2015/102/regulation/31"
    assert chunks[0].meta["doc_type"] == "regulation"
    assert chunks[0].title == "PCR 2015 regulation 31: innovation partnership"


def test_chunk_ids_are_stable_and_numbered_in_order() -> None:
    sections = [Section(_sentences(8, tag=f"s{i}"), (f"Heading {i}",)) for i in range(6)]
    doc = _doc(*sections, doc_id="stable-doc")
    first, second = chunk_document(doc), chunk_document(doc)
    assert [c.chunk_id for c in first] == [f"stable-doc#{n}" for n in range(len(first))]
    assert [c.to_dict() for c in first] == [c.to_dict() for c in second]


def test_heading_path_is_the_locator_when_there_is_no_provision() -> None:
    text = _sentences(6)
    chunks = chunk_document(_doc(Section(text, ("Background", "Market engagement"))))
    assert chunks[0].locator == f"Background{HEADING_SEPARATOR}Market engagement"
    assert chunks[0].locator == "Background › Market engagement"
    assert chunks[0].heading_path == ("Background", "Market engagement")
    assert chunks[0].url == "https://example.org/doc"  # the document's own link
    assert chunk_document(_doc(Section(text)))[0].locator == "Introduction"


def test_page_locator() -> None:
    chunks = chunk_document(_doc(Section(_sentences(6), ("Report",), page=3)))
    assert chunks[0].locator == "p. 3"
    assert chunks[0].page == 3


def test_tiny_sections_under_one_top_heading_are_merged() -> None:
    body = Section(_sentences(6, tag="a"), ("Background",))
    tiny = Section("The board met monthly to review progress.", ("Background", "Governance"))
    other = Section("A separate heading keeps its own chunk here.", ("Outcome",))
    assert _count(tiny.text) < MIN_WORDS
    chunks = chunk_document(_doc(body, tiny, other))
    assert len(chunks) == 2
    assert chunks[0].text.endswith("The board met monthly to review progress.")
    assert chunks[0].locator == "Background"
    assert chunks[1].locator == "Outcome"


def test_a_tiny_provision_does_not_merge_into_another_provision() -> None:
    reg31 = Section(_sentences(6, tag="a"), ("Reg 31",), provision="reg. 31(1)")
    reg32 = Section("A short rule of its own.", ("Reg 32",), provision="reg. 32(1)")
    chunks = chunk_document(_doc(reg31, reg32))
    assert [c.locator for c in chunks] == ["reg. 31(1)", "reg. 32(1)"]


def test_very_long_paragraph_is_split_with_overlap() -> None:
    long = Section(_sentences(50), ("Background",))  # 500 words, ten-word sentences
    chunks = chunk_document(_doc(long), size=100, maximum=150, overlap=20)
    assert len(chunks) >= 5
    assert all(_count(c.text) <= 150 for c in chunks)
    for before, after in pairwise(chunks):
        assert after.text.split()[:20] == before.text.split()[-20:]
    # Nothing is lost: every sentence of the paragraph is in some chunk.
    joined = " ".join(c.text for c in chunks)
    assert all(f"w{i}x0" in joined for i in range(50))


def test_sentence_longer_than_a_chunk_is_cut_by_words_with_overlap() -> None:
    words = [f"t{i}" for i in range(400)]
    chunks = chunk_document(_doc(Section(" ".join(words))), size=100, maximum=150, overlap=20)
    assert all(_count(c.text) <= 150 for c in chunks)
    assert chunks[1].text.split()[:20] == chunks[0].text.split()[-20:]
    assert chunks[-1].text.split()[-1] == "t399"
