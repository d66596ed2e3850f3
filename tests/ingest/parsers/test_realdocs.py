"""Parsers on real third-party documents from ../shared/realdocs (never copied into the repo)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.ingest.parsers.docx import parse_docx
from assistant.ingest.parsers.html import parse_html
from assistant.ingest.parsers.pdf import parse_pdf

REALDOCS = Path(__file__).parents[3].parent / "shared" / "realdocs"
pytestmark = pytest.mark.skipif(
    not REALDOCS.is_dir(), reason=f"real documents folder {REALDOCS} is absent"
)

CCS_PDF = "ccs_rm3830_attachment1_about_the_direct_award_v3.0.pdf"
CCS_DOCX = "ccs_rm3830_about_the_direct_award.docx"
CCS_TITLE = "Attachment 1 – About the Direct Award"
PCR_SENTENCE = (
    "Crown Commercial Service is managing this Procurement in accordance with "
    "the Public Contracts Regulations 2015."
)


def _parse(parser, name: str):
    path = REALDOCS / name
    return parser(path, path.read_bytes())


def test_ccs_pdf_pages_headings_and_title() -> None:
    doc = _parse(parse_pdf, CCS_PDF)
    assert doc.title == CCS_TITLE
    assert {s.page for s in doc.sections} == set(range(1, 9))
    by_text = {s.text: s for s in doc.sections}
    opportunity = by_text[f"2.6. {PCR_SENTENCE}"]
    assert (opportunity.page, opportunity.heading_path) == (3, ("2. The Opportunity",))
    rights = next(s for s in doc.sections if s.text.startswith("6.7.1. We reserve the right"))
    assert rights.page == 5
    assert rights.heading_path == ("6. Making The Process Work", "6.7. Our rights")
    # Word's Symbol-font bullets become "•" and start their own sections.
    assert any(s.text.startswith("• Withdraw this Direct Award Pack") for s in doc.sections)


def test_ccs_pdf_running_header_is_stripped() -> None:
    doc = _parse(parse_pdf, CCS_PDF)
    text = "\n".join(s.text for s in doc.sections)
    for furniture in ("Page 3 of 8", "Template v3.0 Direct Award", "Crown Copyright 2020"):
        assert furniture not in text


def test_ofsted_pdf_every_page_and_title() -> None:
    doc = _parse(parse_pdf, "ofsted_ilacs_hampshire_2024-07-23.pdf")
    assert doc.title == "Inspection of Hampshire local authority children’s services"
    assert {s.page for s in doc.sections} == set(range(1, 13))
    pages = {s.text: s.page for s in doc.sections}
    assert pages["What needs to improve?"] == 2
    para_21 = next(t for t in pages if t.startswith("21. When children do come into care"))
    assert pages[para_21] == 5
    # The running header of pages 2-12 is gone; the real title line on page 1 stays.
    header = "Inspection of Hampshire local authority children’s services"
    assert [s.page for s in doc.sections if s.text.startswith(header)] == [1]
    assert not any(s.text.startswith("10 to 14 June 2024") for s in doc.sections)


def test_ccs_docx_sentences_styled_as_headings_stay_body_text() -> None:
    doc = _parse(parse_docx, CCS_DOCX)
    assert doc.title == CCS_TITLE
    assert len(doc.sections) > 80  # nearly every paragraph is styled "Heading 2"
    headings = {h for s in doc.sections for h in s.heading_path}
    assert len(headings) == 24
    assert all(len(h.split()) <= 14 for h in headings)
    assert all(1 <= len(s.heading_path) <= 2 for s in doc.sections[2:])
    by_text = {s.text: s for s in doc.sections}
    assert by_text[PCR_SENTENCE].heading_path == ("The Opportunity",)
    # Short numbered items after "...:" are list items, not headings.
    assert by_text["Attachment 3 - Price Schedule"].heading_path == ("Welcome",)
    rights = Counter(s.heading_path for s in doc.sections)[
        ("Making The Process Work", "Our rights")
    ]
    assert rights == 12


def test_ccs_docx_and_pdf_agree_on_content() -> None:
    pdf_sections = _parse(parse_pdf, CCS_PDF).sections
    docx_sections = _parse(parse_docx, CCS_DOCX).sections
    # The PDF numbers its headings ("6.7. Our rights"); the DOCX numbering is list formatting.
    pdf_headings = {re.sub(r"^[\d.]+\s+", "", h) for s in pdf_sections for h in s.heading_path}
    assert pdf_headings == {h for s in docx_sections for h in s.heading_path}
    pdf_text = " ".join(s.text for s in pdf_sections)
    shared = [s for s in docx_sections if len(s.text) > 60 and s.text in pdf_text]
    assert len(shared) >= len([s for s in docx_sections if len(s.text) > 60]) // 2
    assert any(s.text == PCR_SENTENCE for s in shared)


def test_govuk_html_title_headings_and_no_furniture() -> None:
    doc = _parse(parse_html, "govuk_cnc_procurement.html")
    assert doc.title == "Procurement at CNC"
    paths = {s.heading_path for s in doc.sections}
    assert ("Procurement at CNC", "Doing business with the CNC") in paths
    assert ("Procurement at CNC", "Standard supplier terms and conditions") in paths
    texts = [s.text for s in doc.sections]
    assert "Employee Assistance Programme" in texts
    assert any(t.startswith("Our contracts and procurement team prepares tenders") for t in texts)
    joined = "\n".join(texts)
    assert "assistive technology" not in joined  # GOV.UK attachment accessibility chrome
    assert all("assistive technology" not in h for p in paths for h in p)
