"""Golden tests for the Markdown / plain-text parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingest.parsers.text import parse_text

LEG = "https://www.legislation.gov.uk/uksi/2015/102"


def _parse(name: str, text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_text(Path(name), data)


def _read(folder: Path, name: str):
    path = folder / name
    return parse_text(path, path.read_bytes())


def test_front_matter_becomes_metadata_with_iso_dates(mini_corpus: Path) -> None:
    doc = _read(mini_corpus, "case_studies/leics-cip-mini.md")
    assert doc.doc_id == "leics-cip-mini"
    assert (
        doc.title == "Leicestershire Children's Innovation Partnership: appointment of the partner"
    )
    assert doc.meta["doc_type"] == "case_study"
    assert doc.meta["regime"] == "PCR2015"
    assert doc.meta["source_url"] == "https://www.leicestershire.gov.uk/cip"
    # YAML reads unquoted dates as date objects; they come back as YYYY-MM-DD strings.
    assert doc.meta["published"] == "2019-01-15"
    assert doc.meta["last_reviewed"] == "2026-11-25"
    assert "doc_id" not in doc.meta
    # The "## Sources" list at the end is not library content.
    assert not any("cabinet report" in s.text.lower() for s in doc.sections)
    assert doc.sections[-1].heading_path == ("What the partner does",)


def test_headings_become_heading_paths_and_h1_is_the_title_not_a_path() -> None:
    text = (
        "# Title line\n\nIntro paragraph of the document.\n\n## Background\n\nWhy it began.\n\n"
        "### Market engagement\n\nTwo events were held.\n\n## Outcome\n\nIt worked well.\n"
    )
    doc = _parse("notes.md", text)
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        ((), "Intro paragraph of the document."),
        (("Background",), "Why it began."),
        (("Background", "Market engagement"), "Two events were held."),
        (("Outcome",), "It worked well."),
    ]


def test_provision_locators_and_per_provision_urls(mini_corpus: Path) -> None:
    doc = _read(mini_corpus, "regulations/pcr2015-reg31-mini.md")
    located = [(s.provision, s.url) for s in doc.sections]
    assert located == [
        ("reg. 31(4)", f"{LEG}/regulation/31"),
        ("reg. 31(5)", f"{LEG}/regulation/31"),
        ("reg. 31(6)", f"{LEG}/regulation/31"),
        ("reg. 32(1)", f"{LEG}/regulation/32"),
    ]
    five = doc.sections[1]
    assert five.heading_path == ("Regulation 31 — Innovation partnership",)
    assert five.text.startswith("(5) The minimum period for the receipt of requests")


def test_soft_wrapped_lines_join_into_one_paragraph() -> None:
    doc = _parse("wrapped.md", "## Award\n\nBarnardo's was appointed as the\ninnovation partner.\n")
    assert doc.sections[0].text == "Barnardo's was appointed as the innovation partner."


def test_list_items_keep_their_own_lines() -> None:
    doc = _parse("list.md", "## Steps\n\n- write the need\n- test the market\n  carefully\n")
    assert doc.sections[0].text == "- write the need\n- test the market carefully"


def test_sources_sections_are_skipped_and_inline_markup_is_stripped() -> None:
    text = (
        "## Award\n\nThe **council** chose [Barnardo's](https://www.barnardos.org.uk/) in "
        "`December 2018` (see [the report](https://example.org/a_(b))).\n\n"
        "## Sources\n\n- [Cabinet report](https://example.org/cabinet)\n\n"
        "### Archived copies\n\nhttps://example.org/archive\n"
    )
    doc = _parse("markup.md", text)
    assert [s.text for s in doc.sections] == [
        "The council chose Barnardo's in December 2018 (see the report)."
    ]


def test_invalid_yaml_front_matter_names_the_line() -> None:
    text = "---\ndoc_id: broken\ntitle: a: b: c\n---\n\nBody text.\n"
    with pytest.raises(IngestError) as err:
        _parse("broken.md", text)
    assert err.value.path == Path("broken.md")
    assert "invalid YAML front matter at line 3" in str(err.value)


def test_front_matter_that_is_not_a_mapping_is_rejected() -> None:
    with pytest.raises(IngestError, match="mapping"):
        _parse("list.md", "---\n- a\n- b\n---\n\nBody text.\n")


def test_non_utf8_bytes_are_rejected() -> None:
    with pytest.raises(IngestError, match="not valid UTF-8"):
        _parse("latin.md", "## Caf\xe9\n\nMenu du jour.\n".encode("latin-1"))


def test_binary_content_is_rejected() -> None:
    with pytest.raises(IngestError, match="NUL"):
        _parse("binary.md", b"## Heading\n\nsome\x00binary\x00bytes\n")


def test_utf8_bom_is_accepted() -> None:
    doc = _parse("bom.md", "\ufeff---\ntitle: With BOM\n---\n\nBody text here.\n")
    assert doc.title == "With BOM"


def test_without_front_matter_doc_id_from_file_name_and_title_from_first_heading() -> None:
    text = "# Notes on tendering\n\nSome words about tendering.\n\n## Part two\n\nMore words.\n"
    doc = _parse("My_Notes File.md", text)
    assert doc.doc_id == "my-notes-file"
    assert doc.title == "Notes on tendering"
    assert doc.meta["doc_type"] == "guidance"
    assert doc.meta["regime"] == "general"
    assert doc.meta["status"] == "current"
    assert [s.heading_path for s in doc.sections] == [(), ("Part two",)]


def test_plain_text_headings_found_by_heuristic() -> None:
    text = (
        "Commissioning children's placements\n\n"
        "This note explains how the council buys placements for children in care.\n\n"
        "Market engagement\n\n"
        "The council met providers twice before the tender. It listened to their views.\n\n"
        "A short line that ends with a full stop.\n"
    )
    doc = _parse("placements_note.txt", text)
    assert doc.doc_id == "placements-note"
    assert doc.title == "Commissioning children's placements"
    assert [(s.heading_path, s.text.split()[0]) for s in doc.sections] == [
        (("Commissioning children's placements",), "This"),
        (("Market engagement",), "The"),
        (("Market engagement",), "A"),
    ]
