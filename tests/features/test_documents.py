"""Library documents as pages: full text, own sources list, review date (issue 16, item 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.features.documents import catalogue, open_document, split_sources
from assistant.ingest.parsers.text import read_markdown
from tests.conftest import fake_settings, write_mini_corpus

ROOT = Path(__file__).resolve().parents[2]


def test_the_catalogue_lists_every_indexed_document(mini_assistant) -> None:
    listed = catalogue(mini_assistant.settings)
    assert set(listed) == {"leics-cip-mini", "pcr2015-reg31-mini", "pa2023-mini", "guide-mini"}
    assert listed["guide-mini"].title == "Guide: choosing between the regimes"
    assert listed["guide-mini"].doc_type == "guidance"


def test_a_document_opens_with_its_full_text_sources_and_review_date(mini_assistant) -> None:
    doc = open_document(mini_assistant.settings, "leics-cip-mini")
    assert doc.from_file and doc.title.startswith("Leicestershire Children's Innovation")
    assert "## Award of the partnership" in doc.body and "## What the partner does" in doc.body
    assert "meet every month on a joint board" in doc.body  # the last paragraph too
    assert "## Sources" not in doc.body  # the sources are listed apart, with their addresses
    assert [(s.label, s.url) for s in doc.sources] == [
        ("Council cabinet report", "https://www.leicestershire.gov.uk/cabinet/2018")
    ]
    assert doc.last_reviewed == "2026-11-25"
    assert doc.based_on == "https://www.leicestershire.gov.uk/cip"


def test_an_unknown_document_is_refused_without_touching_the_disk(mini_assistant) -> None:
    for doc_id in ("no-such-doc", "../../etc/passwd", ""):
        with pytest.raises(AssistantError, match="The library has no document"):
            open_document(mini_assistant.settings, doc_id)


def test_without_its_file_a_document_is_rebuilt_from_its_passages(tmp_path: Path) -> None:
    from assistant.api import Assistant

    corpus = write_mini_corpus(tmp_path / "corpus")
    assistant = Assistant(fake_settings(tmp_path / "index", corpus))
    assistant.ingest()
    shutil.rmtree(corpus)  # deployed without the corpus folder
    doc = open_document(assistant.settings, "leics-cip-mini", assistant.library.chunks)
    assert not doc.from_file
    assert "Barnardo's was appointed" in doc.body and "joint board" in doc.body
    assert doc.sources == ()


def test_sources_sections_split_into_one_link_per_address() -> None:
    body = (
        "# T\n\nText.\n\n## Sources\n\n"
        "- Procurement Act 2023: https://www.legislation.gov.uk/ukpga/2023/54/contents ; "
        "PCR 2015: https://www.legislation.gov.uk/uksi/2015/102/contents\n"
        "- A report with no address\n"
        "- Bad: javascript:alert(1)\n\n## After\n\nMore text.\n"
    )
    kept, sources = split_sources(body)
    assert "Text." in kept and "More text." in kept and "Sources" not in kept
    assert [(s.label, s.url) for s in sources] == [
        ("Procurement Act 2023", "https://www.legislation.gov.uk/ukpga/2023/54/contents"),
        ("PCR 2015", "https://www.legislation.gov.uk/uksi/2015/102/contents"),
        ("A report with no address", ""),
        ("Bad: javascript:alert(1)", ""),
    ]


@pytest.mark.parametrize("path", sorted((ROOT / "corpus").rglob("*.md")), ids=lambda p: p.name)
def test_every_shipped_document_lists_its_sources_with_addresses(path: Path) -> None:
    if path.name == "README.md":
        pytest.skip("folder notes, not a document")
    meta, text = read_markdown(path)
    _, sources = split_sources(text)
    assert any(s.url.startswith("https://") for s in sources), path.name
    assert meta.get("last_reviewed"), path.name
