"""The Library tab and `?doc=<doc_id>` (issue 16, item 2), on the shipped corpus."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant import Assistant, Settings
from assistant.errors import AssistantError
from assistant.ui.library import LibraryPages

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> LibraryPages:
    index = tmp_path_factory.mktemp("library-index")
    settings = Settings(corpus_dir=ROOT / "corpus", index_dir=index, embed_model="fake-hash")
    assistant = Assistant(settings)
    assistant.ingest()
    return LibraryPages(assistant)


def _address(**params: str) -> SimpleNamespace:
    return SimpleNamespace(query_params=params)


def test_the_commissioner_faq_is_its_own_page_not_the_guidance_it_cites(pages) -> None:
    """The issue: the FAQ's card opened gov.uk's light touch guidance. Now its page is the
    FAQ itself, with that guidance among its own sources."""
    page = pages.show("guide-commissioner-faq")
    assert page.startswith("# Commissioner FAQ: procuring a long-term children's services")
    assert "**Last reviewed:** 25 November 2026" in page
    assert "### Can we talk to providers before we tender?" in page  # the full text
    assert "How should we evaluate whether the partnership works?" in page  # to its end
    assert "## Sources\n\n- Cabinet Office, Guidance – Light Touch Contracts: [https://" in page
    assert "see [Procurement Act 2023: commencement" in page  # doc ids read as linked titles
    assert "see pa2023-commencement-transition" not in page


def test_the_address_opens_the_library_tab_on_a_document(pages) -> None:
    tabs, pick, page = pages.open_from_address(_address(doc="guide-trainer-pack"))
    assert tabs.selected == "tab-library"
    assert pick["value"] == "guide-trainer-pack" and len(pick["choices"]) > 50
    assert page.startswith("# Trainer pack")
    tabs, pick, page = pages.open_from_address(_address())
    assert "selected" not in tabs and "value" not in pick  # the page opens as usual
    _, _, page = pages.open_from_address(_address(doc="../../etc/passwd"))
    assert page.startswith("The library has no such document.")
    with pytest.raises(AssistantError):
        pages.show("no-such-doc")
