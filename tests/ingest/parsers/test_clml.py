"""legislation.gov.uk CLML: a small fixture we wrote, then real Acts when ../shared is present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingest.chunking import chunk_document
from assistant.ingest.parsers.clml import parse_clml

FIXTURE = Path(__file__).parents[2] / "fixtures" / "clml_sample.xml"
REALDOCS = Path(__file__).resolve().parents[4] / "shared" / "realdocs"
ACT = "https://www.legislation.gov.uk/ukpga/2099/7"
LOCATOR = re.compile(r"^(s\. \d+|Sch\. \d+ para\. \d+)")


@pytest.fixture
def sample():
    return parse_clml(FIXTURE, FIXTURE.read_bytes())


def test_metadata_from_the_document(sample) -> None:
    assert sample.doc_id == "ukpga-2099-7"
    assert sample.title == "Sample Procurement Act 2099"
    assert sample.meta["doc_type"] == "regulation"
    assert sample.meta["legislation"] == "ukpga/2099/7"
    assert sample.meta["source_url"] == f"{ACT}/enacted"
    assert sample.meta["published"] == "2099-03-01"
    assert sample.meta["jurisdiction"] == "England, Wales"


def test_each_numbered_provision_is_a_section_with_its_own_link(sample) -> None:
    assert [(s.provision, s.url) for s in sample.sections] == [
        ("s. 20(1)", f"{ACT}/section/20/1/enacted"),
        ("s. 20(2)", f"{ACT}/section/20/2/enacted"),
        ("s. 20(2)(a)", f"{ACT}/section/20/2/a/enacted"),
        ("s. 20(2)(b)", f"{ACT}/section/20/2/b/enacted"),
        ("s. 20(3)", f"{ACT}/section/20/3/enacted"),
        ("Sch. 5 para. 2", f"{ACT}/schedule/5/paragraph/2/enacted"),
    ]
    by_locator = {s.provision: s for s in sample.sections}
    assert by_locator["s. 20(1)"].heading_path == ("Competitive tendering procedures",)
    assert by_locator["Sch. 5 para. 2"].heading_path == ("Direct award justifications",)
    assert by_locator["s. 20(2)(b)"].text == (
        "a competitive flexible procedure, which is any other procedure the authority "
        "considers appropriate."
    )
    # A parent keeps its own words only; its sub-paragraphs are sections of their own.
    assert by_locator["s. 20(2)"].text == "A competitive tendering procedure is—"


def test_block_amendment_stays_inside_its_parent(sample) -> None:
    three = next(s for s in sample.sections if s.provision == "s. 20(3)")
    assert "In section 4 of the Sample Act 1999 insert" in three.text
    assert "Every tender notice must state the sample amendment deadline." in three.text
    # The quoted P1 (section 4A of another Act) is not a provision of this Act.
    assert not any("4A" in (s.provision or "") for s in sample.sections)
    assert sum("sample amendment deadline" in s.text for s in sample.sections) == 1


def test_commentaries_are_skipped(sample) -> None:
    assert not any("Editorial note" in s.text for s in sample.sections)


def test_chunks_carry_span_locators_and_https_links(sample) -> None:
    chunks = chunk_document(sample)
    assert [c.locator for c in chunks] == ["s. 20(1)–(3)", "Sch. 5 para. 2"]
    assert all(c.url.startswith(f"{ACT}/") for c in chunks)
    assert chunks[0].provisions == (
        "s. 20(1)",
        "s. 20(2)",
        "s. 20(2)(a)",
        "s. 20(2)(b)",
        "s. 20(3)",
    )


def test_xml_that_is_not_clml_is_rejected() -> None:
    data = b'<?xml version="1.0"?><rss><channel><title>News</title></channel></rss>'
    with pytest.raises(IngestError, match=r"not legislation\.gov\.uk CLML"):
        parse_clml(Path("feed.xml"), data)


def test_malformed_xml_is_rejected() -> None:
    with pytest.raises(IngestError, match="not well-formed XML"):
        parse_clml(Path("broken.xml"), b"<Legislation><P1>")


@pytest.mark.skipif(not REALDOCS.is_dir(), reason=f"{REALDOCS} is absent")
@pytest.mark.parametrize(
    ("pattern", "doc_id"),
    [("clml_nia-2022-21*.xml", "nia-2022-21"), ("clml_asc-2025-1*.xml", "asc-2025-1")],
)
def test_real_acts_yield_located_linked_chunks(pattern: str, doc_id: str) -> None:
    path = next(REALDOCS.glob(pattern))
    doc = parse_clml(path, path.read_bytes())
    assert doc.doc_id == doc_id
    assert doc.title
    chunks = chunk_document(doc)
    assert chunks
    bad = [c.locator for c in chunks if not LOCATOR.match(c.locator)]
    assert not bad, f"unexpected locators: {bad}"
    assert all(c.url.startswith("https://www.legislation.gov.uk/") for c in chunks)
    # Editorial commentary ("S. 1 in force at 25.3.2025, see ...") never leaks into the text.
    assert not any(re.search(r"\bin force at\b", c.text) for c in chunks)
