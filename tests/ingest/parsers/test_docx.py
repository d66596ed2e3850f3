"""Golden tests for the DOCX parser."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from assistant.errors import IngestError
from assistant.ingest.parsers.docx import parse_docx

FIXTURES = Path(__file__).parents[2] / "fixtures"


def _parse(path: Path):
    return parse_docx(path, path.read_bytes())


def _numbered(document, text: str, ilvl: int, style: str = "Heading 2") -> None:
    """A paragraph in a multilevel list, as Word's numbered outlines store it."""
    paragraph = document.add_paragraph(text, style=style)
    numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_ilvl().val = ilvl
    numbering.get_or_add_numId().val = 1


def test_sample_docx_sections_and_heading_paths() -> None:
    doc = _parse(FIXTURES / "sample.docx")
    direct = ("Direct award",)
    allowed = ("Direct award", "When direct award is allowed")
    further = ("Further competition",)
    evaluation = ("Further competition", "Evaluation")
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        (
            direct,
            "A buyer may award a call-off contract directly when the framework terms allow it.",
        ),
        (
            allowed,
            "Direct award is possible only if every term is laid down in the framework agreement.",
        ),
        # Styled "Heading 2" but a whole sentence: body text, not a heading.
        (
            allowed,
            "The buyer must keep a written record of why the direct award was chosen "
            "and must publish a notice of the award.",
        ),
        (further, "Further competition invites every capable supplier on the lot to bid."),
        (further, "Step | Days\nInvitation | 0\nClarification deadline | 10"),
        (evaluation, "Bids are evaluated against the published award criteria."),
        (evaluation, "Price"),
        (evaluation, "Quality"),
    ]
    assert all(s.page is None for s in doc.sections)


def test_sample_docx_title_from_title_paragraph() -> None:
    doc = _parse(FIXTURES / "sample.docx")
    assert doc.title == "Framework Call-Off Guide"
    assert doc.doc_id == "sample"


def test_core_properties_title_wins(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Guide to Dynamic Markets"
    document.add_paragraph("Some Other Title", style="Title")
    document.add_paragraph("Suppliers can join a dynamic market at any time.")
    path = tmp_path / "markets.docx"
    document.save(str(path))
    assert _parse(path).title == "Guide to Dynamic Markets"


def test_title_falls_back_to_opening_plain_line_then_stem(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Attachment 1 - About the Offer")
    document.add_heading("Welcome", level=2)
    document.add_paragraph("Read every attachment.")
    path = tmp_path / "offer_pack.docx"
    document.save(str(path))
    assert _parse(path).title == "Attachment 1 - About the Offer"

    bare = docx.Document()
    bare.add_paragraph("Only one sentence of body text here.")
    bare_path = tmp_path / "offer_pack_2.docx"
    bare.save(str(bare_path))
    assert _parse(bare_path).title == "offer pack 2"


def test_numbered_outline_all_styled_heading_2(tmp_path: Path) -> None:
    """The CCS template: every paragraph is "Heading 2"; the list level gives the outline."""
    document = docx.Document()
    _numbered(document, "Welcome", 0)
    _numbered(document, "There are 2 additional attachments in this pack:", 1)
    _numbered(document, "Attachment 2 - Statement of Requirements", 2)
    _numbered(document, "Attachment 3 - Price Schedule", 2)
    _numbered(document, "Make sure you read all the attachments.", 1)
    _numbered(document, "What you need to know", 0)
    _numbered(document, "What we mean", 1)
    _numbered(document, "When we use CCS we mean the Crown Commercial Service.", 2)
    path = tmp_path / "outline.docx"
    document.save(str(path))
    assert [(s.heading_path, s.text) for s in _parse(path).sections] == [
        (("Welcome",), "There are 2 additional attachments in this pack:"),
        (("Welcome",), "Attachment 2 - Statement of Requirements"),
        (("Welcome",), "Attachment 3 - Price Schedule"),
        (("Welcome",), "Make sure you read all the attachments."),
        (
            ("What you need to know", "What we mean"),
            "When we use CCS we mean the Crown Commercial Service.",
        ),
    ]


def test_table_merged_cells_are_not_repeated(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 2))
    merged.text = "Lot 1"
    for cell, text in zip(table.rows[1].cells, ["a", "b", "c"], strict=True):
        cell.text = text
    path = tmp_path / "merged.docx"
    document.save(str(path))
    assert [s.text for s in _parse(path).sections] == ["Lot 1\na | b | c"]


def test_corrupt_docx_raises_not_readable() -> None:
    with pytest.raises(IngestError, match="not a readable DOCX: "):
        _parse(FIXTURES / "corrupt.docx")


@pytest.mark.parametrize("data", [b"", b"hello", b"PK\x05\x06" + b"\x00" * 18])
def test_non_docx_bytes_raise_not_readable(data: bytes) -> None:
    with pytest.raises(IngestError, match="not a readable DOCX"):
        parse_docx(Path("x.docx"), data)


def test_docx_without_text_raises(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(IngestError) as info:
        _parse(path)
    assert info.value.reason == "no body text in the document"


REALDOCS = Path(__file__).parents[4] / "shared" / "realdocs"


def _styled_document(path: Path) -> Path:
    """Every way a paragraph gets its style: none (the default), a heading, Title, a custom
    style, a character style's id, and an id no style has."""
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    document.styles.add_style("Brief Heading", WD_STYLE_TYPE.PARAGRAPH)
    document.styles.add_style("Shout", WD_STYLE_TYPE.CHARACTER)
    document.add_paragraph("Plan", style="Title")
    document.add_paragraph("Background", style="Heading 1")
    document.add_paragraph("Plain body text.")
    document.add_paragraph("Custom", style="Brief Heading")
    document.add_paragraph("Quoted words.", style="Quote")
    document.add_paragraph("Character style id.")._p.get_or_add_pPr().style = "Shout"
    document.add_paragraph("Unknown style id.")._p.get_or_add_pPr().style = "NoSuchStyle"
    document.save(path)
    return path


def test_style_names_resolved_once_match_python_docx(tmp_path: Path) -> None:
    from assistant.ingest.parsers.docx import _paragraph_styles

    paths = [_styled_document(tmp_path / "styled.docx"), FIXTURES / "sample.docx"]
    paths += sorted(REALDOCS.glob("*.docx"))  # the real documents, where present
    for path in paths:
        document = docx.Document(str(path))
        names, default = _paragraph_styles(document)
        for paragraph in document.paragraphs:
            style_id = paragraph._p.style
            fast = names.get(style_id, default) if style_id else default
            assert fast == (paragraph.style.name or ""), (path.name, paragraph.text)


def test_paragraph_styles_are_not_looked_up_one_by_one(tmp_path: Path, monkeypatch) -> None:
    """python-docx's per-paragraph style lookup scans every style: 414 s for 20,000
    paragraphs in issue 17. The parser resolves the style ids once."""
    from docx.oxml.styles import CT_Styles

    from tests.hostile_files import paragraph_bomb_docx

    calls: list[str] = []
    for name in ("default_for", "get_by_id"):
        real = getattr(CT_Styles, name)
        monkeypatch.setattr(
            CT_Styles, name, lambda self, *a, _n=name, _f=real: calls.append(_n) or _f(self, *a)
        )
    doc = _parse(paragraph_bomb_docx(tmp_path / "many.docx", 2_000))
    assert len(doc.sections) == 2_000
    assert calls == []


def test_paragraph_cap_refuses_before_the_walk(tmp_path: Path) -> None:
    from assistant.errors import LimitExceeded
    from assistant.ingest.parsers.limits import ParseLimits
    from tests.hostile_files import paragraph_bomb_docx

    path = paragraph_bomb_docx(tmp_path / "many.docx", 101)
    with pytest.raises(LimitExceeded, match="101 paragraphs, over the limit of 100"):
        parse_docx(path, path.read_bytes(), ParseLimits(paragraphs=100))
    assert len(parse_docx(path, path.read_bytes(), ParseLimits(paragraphs=101)).sections) == 101
