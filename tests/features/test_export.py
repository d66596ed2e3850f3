"""Markdown and Word export with one numbered reference list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.features.export import (
    Block,
    Report,
    answer_report,
    conversation_report,
    to_docx,
    to_markdown,
    write_report,
)
from assistant.types import Answer, Citation


def _citation(n: int, chunk: str, title: str, url: str = "", quote: str = "") -> Citation:
    return Citation(
        n=n,
        chunk_id=chunk,
        doc_id=chunk.split("#")[0],
        title=title,
        locator=f"reg. {n + 30}",
        source_url=url,
        score=0.5,
        text=f"Passage of {title}.",
        doc_type="regulation",
        regime="PCR2015",
        quote=quote,
    )


REG31 = "https://www.legislation.gov.uk/uksi/2015/102/regulation/31"
FIRST = Answer(
    "What is the minimum period?",
    "It is 30 days. [1] The notice starts it. [2]",
    (
        _citation(1, "reg31#2", "PCR 2015 regulation 31", REG31, "It is 30 days."),
        _citation(2, "notices#0", "Notices guide"),
    ),
    False,
)
SECOND = Answer(
    "And who may take part?",
    "Only invited operators. [1] See also the notice. [2]",
    (
        _citation(1, "reg31#3", "PCR 2015 regulation 31", REG31),
        _citation(2, "notices#0", "Notices guide"),
    ),
    False,
)


def test_conversation_renumbers_citations_into_one_list() -> None:
    report = conversation_report([FIRST, SECOND])
    refs = [(r.n, r.title, r.locator) for r in report.references]
    assert refs == [
        (1, "PCR 2015 regulation 31", "reg. 31"),
        (2, "Notices guide", "reg. 32"),
        (3, "PCR 2015 regulation 31", "reg. 31"),
    ]
    texts = [b.text for b in report.blocks if b.kind == "paragraph"]
    # the same passage keeps one number; a new passage gets the next one
    assert texts == [
        "It is 30 days. [1] The notice starts it. [2]",
        "Only invited operators. [3] See also the notice. [2]",
    ]
    markers = {int(n) for t in texts for n in re.findall(r"\[(\d+)\]", t)}
    assert markers == {r.n for r in report.references}


def test_markdown_has_numbered_references_with_links_and_quotes() -> None:
    text = to_markdown(answer_report(FIRST))
    assert text.startswith("# Answer\n")
    assert "## What is the minimum period?" in text
    assert (
        f"[1] [PCR 2015 regulation 31]({REG31}) — reg. 31 (regulation, PCR2015) <{REG31}>" in text
    )
    assert "[2] Notices guide — reg. 32 (regulation, PCR2015)" in text
    assert "> It is 30 days." in text
    assert "not legal advice" in text


def test_docx_opens_with_headings_references_and_hyperlinks(tmp_path: Path) -> None:
    from docx import Document

    path = to_docx(conversation_report([FIRST, SECOND]), tmp_path / "c.docx")
    document = Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "Conversation"
    assert "1. What is the minimum period?" in paragraphs
    assert "Only invited operators. [3] See also the notice. [2]" in paragraphs
    start = paragraphs.index("References")
    refs = [p for p in document.paragraphs[start + 1 :] if p.text.startswith("[")]
    assert [p.text.split()[0] for p in refs] == ["[1]", "[2]", "[3]"]
    assert refs[0].text.startswith("[1] PCR 2015 regulation 31 — reg. 31 (regulation, PCR2015)")
    assert [h.url for h in refs[0].hyperlinks] == [REG31]
    assert refs[0].hyperlinks[0].text == "PCR 2015 regulation 31"
    assert refs[1].hyperlinks == []  # no URL, no link
    assert document.core_properties.title == "Conversation"


def test_abstention_exports_its_nearest_passages(tmp_path: Path) -> None:
    answer = Answer("Nottinghamshire?", "The library does not cover this.", (), True, {}, ("A",))
    report = answer_report(answer)
    assert report.references == ()
    assert "- Nearest: A" in to_markdown(report)


def test_write_report_names_files_and_rejects_unknown_formats(tmp_path: Path) -> None:
    report = Report("Trainer pack: light touch", (Block("paragraph", "x"),), ())
    md = write_report(report, tmp_path, "md")
    docx = write_report(report, tmp_path, "docx")
    assert md.name.startswith("trainer-pack-light-touch-") and md.suffix == ".md"
    assert docx.suffix == ".docx" and docx.stat().st_size > 1000
    with pytest.raises(ValueError, match="unknown export format"):
        write_report(report, tmp_path, "pdf")  # type: ignore[arg-type]


def test_a_real_answer_exports_every_citation(mini_assistant, tmp_path: Path) -> None:
    from docx import Document

    answer = mini_assistant.ask("When was Barnardo's appointed as the innovation partner?")
    assert answer.citations
    path = write_report(answer_report(answer), tmp_path, "docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    for citation in answer.citations:
        assert f"[{citation.n}] {citation.title}" in text


def test_a_paragraph_after_a_list_starts_a_new_block() -> None:
    """Without a blank line Markdown reads the paragraph as part of the last list item."""
    blocks = (
        Block("bullet", "A) 10 days"),
        Block("paragraph", "2. What is the standstill?"),
        Block("bullet", "A) 8 working days"),
        Block("quote", "a quote"),
    )
    text = to_markdown(Report("Quiz", blocks, ()))
    assert "- A) 10 days\n\n2. What is the standstill?\n" in text
    assert "- A) 8 working days\n\n> a quote\n" in text
