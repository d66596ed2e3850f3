"""Golden tests for the PDF parser on fixtures built by tests/fixtures/make_fixtures.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingest.parsers.pdf import _join, parse_pdf

FIXTURES = Path(__file__).parents[2] / "fixtures"


def _parse(name: str):
    path = FIXTURES / name
    return parse_pdf(path, path.read_bytes())


def test_sample_pdf_sections_pages_and_headings() -> None:
    doc = _parse("sample.pdf")
    got = [(s.page, s.heading_path, s.text) for s in doc.sections]
    assert got == [
        (
            1,
            ("1. Introduction",),
            "This guide explains how a contracting authority runs an open procurement. "
            "It is a fixture written for the parser tests.",
        ),
        (
            1,
            ("1. Introduction",),
            # "procure-ment" is rejoined (the word occurs above); "self-cleaning" keeps its hyphen.
            "Every competitive procurement must be advertised on the central digital platform "
            "so that suppliers can respond in time. An excluded supplier may offer "
            "self-cleaning evidence.",
        ),
        (2, ("2. Standstill",), "The standstill period lasts ten days."),
        (
            2,
            ("2. Standstill",),
            "After the standstill period ends, the contracting authority may enter "
            "into the contract with the winning supplier.",
        ),
        (
            3,
            ("3. Remedies",),
            "A supplier may apply to court for an automatic suspension of the contract award.",
        ),
    ]


def test_sample_pdf_title_from_metadata_and_no_running_header() -> None:
    doc = _parse("sample.pdf")
    assert doc.title == "Sample Procurement Guide"
    assert doc.meta["title"] == "Sample Procurement Guide"
    assert doc.doc_id == "sample"
    text = "\n".join(s.text for s in doc.sections)
    assert "Page 2 of 3" not in text
    assert "Sample Procurement Guide" not in text


def test_owner_password_only_pdf_opens_and_title_falls_back_to_first_line() -> None:
    doc = _parse("owner_only.pdf")
    assert doc.title == "Restricted Copy Notice"
    assert [(s.page, s.text) for s in doc.sections] == [
        (1, "Restricted Copy Notice"),
        (1, "Printing is restricted but reading is allowed."),
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("encrypted.pdf", "encrypted PDF (password protected)"),
        ("no_text.pdf", "no text layer (scanned image?)"),
    ],
)
def test_unusable_pdfs_raise_with_reason(name: str, reason: str) -> None:
    with pytest.raises(IngestError) as info:
        _parse(name)
    assert info.value.reason == reason
    assert info.value.path.name == name


def test_corrupt_pdf_raises_not_readable() -> None:
    with pytest.raises(IngestError, match="not a readable PDF: "):
        _parse("corrupt.pdf")


@pytest.mark.parametrize("data", [b"hello, world", b"%PDF-1.4\n", b"\x00" * 64])
def test_non_pdf_bytes_raise_not_readable(data: bytes) -> None:
    with pytest.raises(IngestError, match="not a readable PDF"):
        parse_pdf(Path("x.pdf"), data)


@pytest.mark.parametrize(
    ("lines", "vocab", "joined"),
    [
        (["public procure-", "ment rules"], {"procurement"}, "public procurement rules"),
        (["subject to self-", "cleaning"], {"self", "cleaning"}, "subject to self-cleaning"),
        (["under Sub-", "Lot 1a"], {"sublot"}, "under Sub-Lot 1a"),
        (["RM3830 -", "Facilities"], set(), "RM3830 - Facilities"),
        (["a soft\u00ad", "hyphen"], set(), "a softhyphen"),
    ],
)
def test_join_undoes_line_break_hyphenation(lines: list[str], vocab: set[str], joined: str) -> None:
    assert _join(lines, vocab) == joined
