"""How answers, sources, library pages and cases are written for the page (issue 16, items 1,
2 and 7), on the pure rendering functions."""

from __future__ import annotations

import re

from assistant.features.cases import Case
from assistant.features.documents import LibraryDocument, Listing, SourceLink
from assistant.types import UPLOAD_DOC_TYPE, Answer, Citation
from assistant.ui.render import (
    cases_markdown,
    chat_text,
    document_markdown,
    link_doc_ids,
    sources_html,
    sources_panel,
    status_text,
)

CATALOGUE = {
    "leics-cip-procurement-route": Listing(
        "leics-cip-procurement-route",
        "Leicestershire CIP: procurement route, tender notice and award",
        "case_study",
        "PCR2015",
    ),
    "guide-commissioner-faq": Listing(
        "guide-commissioner-faq", "Commissioner FAQ", "guidance", "general"
    ),
    "pcr2015-reg31-innovation-partnership": Listing(
        "pcr2015-reg31-innovation-partnership", "PCR 2015 regulation 31", "regulation", "PCR2015"
    ),
}
GOV_UK = "https://www.gov.uk/guidance/light-touch-contracts"


def _cite(n: int, doc_id: str = "guide-commissioner-faq", upload: bool = False) -> Citation:
    return Citation(
        n,
        f"{doc_id}#{n}",
        doc_id,
        "Your document: notes" if upload else CATALOGUE[doc_id].title,
        "Which rules apply",
        "" if upload else GOV_UK,
        0.5,
        "The Act applies from 24 February 2025. Before then PCR 2015 applied.",
        doc_type=UPLOAD_DOC_TYPE if upload else "guidance",
        regime="" if upload else "general",
        quote="The Act applies from 24 February 2025.",
    )


ANSWER = Answer(
    "Which rules apply?",
    "The Act applies from 24 February 2025 (see leics-cip-procurement-route). [1] "
    "PCR 2015 applied before. [2]",
    (_cite(1), _cite(2, "pcr2015-reg31-innovation-partnership")),
    False,
    timings={"total_ms": 1234.0},
    notes=("Checked 2 citations against their sources.",),
)


def test_markers_link_to_their_own_answers_cards() -> None:
    text = chat_text(ANSWER, 3, CATALOGUE)
    assert "[\\[1\\]](#src-3-1)" in text and "[\\[2\\]](#src-3-2)" in text
    html = sources_html(ANSWER, 3, CATALOGUE)
    assert 'id="src-3-1"' in html and 'id="src-3-2"' in html  # the targets exist
    lone = chat_text(Answer("q", "A fact. [7] It is [unverified].", (), False))
    assert "[7]" in lone and "(#src" not in lone  # no card, no link


def test_internal_ids_read_as_linked_titles() -> None:
    text = chat_text(ANSWER, 0, CATALOGUE)
    assert "leics-cip-procurement-route)" in text  # only as a link target ...
    assert (
        "(see [Leicestershire CIP: procurement route, tender notice and award]"
        "(?doc=leics-cip-procurement-route))"
    ) in text
    assert "see leics-cip-procurement-route" not in text  # ... never as words
    untouched = "https://example.org/leics-cip-procurement-route and leics-cip-procurement-routes"
    assert link_doc_ids(untouched, CATALOGUE) == untouched


def test_notes_are_folded_into_about_this_answer_not_italic_paragraphs() -> None:
    text = chat_text(ANSWER, 0, CATALOGUE)
    about = text[text.index('<details class="about-answer">') :]
    assert about.startswith('<details class="about-answer"><summary>About this answer</summary>')
    assert "- Checked 2 citations against their sources." in about
    assert "Answered in 1.2 s." in about
    assert "_Checked" not in text
    assert text.index("The Act applies") < text.index("answer-refs") < text.index("About this")


def test_references_link_library_titles_and_never_an_upload() -> None:
    answer = Answer(
        "q", "It is so. [1] Mine says so. [2]", (_cite(1), _cite(2, upload=True)), False
    )
    text = chat_text(answer, 0, CATALOGUE)
    assert "[\\[1\\]](#src-0-1) [Commissioner FAQ](?doc=guide-commissioner-faq) — " in text
    assert "[\\[2\\]](#src-0-2) Your document: notes — Which rules apply" in text


def test_text_from_documents_cannot_add_live_html() -> None:
    answer = Answer(
        "q", "It is <script>alert(1)</script> <img src=x onerror=alert(1)>. [1]", (_cite(1),), False
    )
    text = chat_text(answer, 0, CATALOGUE)
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in text


def test_unsupported_sentences_stay_visible_and_flagged() -> None:
    answer = Answer(
        "q",
        "It lasts 45 days. [unverified] It needs 30 days. [1]",
        (_cite(1),),
        False,
        unsupported=("It lasts 45 days.",),
    )
    text = chat_text(answer)
    assert "**⚠ It lasts 45 days.**" in text
    assert "⚠ Not supported by the cited sources: It lasts 45 days." in text
    assert "<details" not in text  # no notes: nothing folded away
    assert "⚠" not in chat_text(Answer("q", "It needs 30 days.", (), False))


def test_a_library_card_links_to_its_page_and_lists_its_source_as_based_on() -> None:
    html = sources_html(ANSWER, 0, CATALOGUE)
    card = html[html.index('id="src-0-1"') :]
    card = card[: card.index("</details></div>")]
    assert '<a class="doc-link" href="?doc=guide-commissioner-faq" target="_blank"' in card
    assert f'Based on: <a href="{GOV_UK}"' in card
    assert card.count("href=") == 2  # its page, and what it is based on: nothing else
    assert "<mark>The Act applies from 24 February 2025.</mark>" in card
    passage = Citation(
        **{**_cite(1).to_dict(), "claims": (), "text": "See guide-commissioner-faq & more."}
    )
    linked = sources_html(Answer("q", "x [1]", (passage,), False), 0, CATALOGUE)
    assert (
        'See <a class="doc-link" href="?doc=guide-commissioner-faq" target="_blank" '
        'rel="noopener">Commissioner FAQ</a> &amp; more.'
    ) in linked


def test_the_panel_holds_every_answer_and_shows_the_last() -> None:
    first = Answer("First question?", "One. [1]", (_cite(1),), False)
    panel = sources_panel([first, ANSWER], CATALOGUE)
    sections = re.findall(r"<section[^>]*>", panel)
    assert sections == [
        '<section class="answer-sources" hidden data-answer="0">',
        '<section class="answer-sources current" data-answer="1">',
    ]
    assert "Sources for: <q>First question?</q>" in panel


def test_an_abstentions_nearest_passages_link_to_their_documents() -> None:
    nearest = ("Commissioner FAQ (Which rules apply)", "Your document: notes (p. 1)")
    answer = Answer(
        "q",
        "The library does not cover this. The nearest passages are: "
        "Commissioner FAQ (Which rules apply); Your document: notes (p. 1).",
        (),
        True,
        nearest=nearest,
    )
    html = sources_html(answer, 0, CATALOGUE)
    assert '<a class="doc-link" href="?doc=guide-commissioner-faq"' in html
    assert "<li>Your document: notes (p. 1)</li>" in html  # an upload: no library page
    text = chat_text(answer, 0, CATALOGUE)
    assert "[Commissioner FAQ (Which rules apply)](?doc=guide-commissioner-faq)" in text


def test_a_status_line_shows_what_is_happening() -> None:
    assert status_text("Searching the library…") == (
        '<p class="answer-status">Searching the library…</p>'
    )
    assert status_text("Checking citations…", "It is <b>8</b> days.").startswith(
        "It is &lt;b&gt;8&lt;/b&gt; days.\n\n"
    )


def test_a_library_page_shows_text_sources_and_review_date() -> None:
    doc = LibraryDocument(
        "guide-commissioner-faq",
        "Commissioner FAQ",
        {
            "doc_type": "guidance",
            "regime": "general",
            "status": "current",
            "last_reviewed": "2026-11-25",
            "publisher": "Innovation Partnership Assistant contributors",
            "source_url": GOV_UK,
        },
        "# Commissioner FAQ\n\n## Which rules apply\n\nIt depends <b>on</b> the date "
        "(see leics-cip-procurement-route).",
        (SourceLink("Cabinet Office guidance", GOV_UK), SourceLink("A book", "")),
    )
    page = document_markdown(doc, CATALOGUE)
    assert page.startswith("# Commissioner FAQ\n")
    assert page.count("Commissioner FAQ\n") == 1  # the body's own title is not repeated
    assert "**Last reviewed:** 25 November 2026" in page
    assert f"**Based on:** [{GOV_UK}]({GOV_UK})" in page
    assert "## Which rules apply" in page and "&lt;b&gt;on&lt;/b&gt;" in page
    assert "[Leicestershire CIP: procurement route, tender notice and award]" in page
    assert page.endswith(f"## Sources\n\n- Cabinet Office guidance: [{GOV_UK}]({GOV_UK})\n- A book")


def test_case_attributes_are_shown_whole_and_an_empty_year_is_left_out() -> None:
    route = "light touch regime (PCR 2015 regs 74-76) with a bespoke partner-selection tender"
    case = Case(
        "Leicestershire Children's Innovation Partnership (CIP)",
        "PCR2015",
        {"authority": "Leicestershire County Council", "route": route, "year": "2018"},
        ("leics-cip-procurement-route",),
    )
    undated = Case("A pilot", "", {"authority": "Rutland", "year": "not recorded"}, ())
    text = cases_markdown([case, undated], CATALOGUE)
    assert f"- **Route:** {route}" in text  # whole, not cut at 200 characters
    assert "**Leicestershire Children's Innovation Partnership (CIP)** (2018, PCR2015)" in text
    assert "**A pilot**\n" in text and "not recorded" not in text and " 0" not in text
    assert "[Leicestershire CIP: procurement route, tender notice and award]" in text


def test_notes_link_their_markers_and_documents_too() -> None:
    note = (
        "[2] PCR 2015 regulation 31 is historical material. For current material see "
        "“Commissioner FAQ” (guide-commissioner-faq)."
    )
    answer = Answer("q", "It is so. [1] And so. [2]", ANSWER.citations, False, notes=(note,))
    about = chat_text(answer, 0, CATALOGUE).split("About this answer")[1]
    assert about.startswith("</summary>\n\n- [\\[2\\]](#src-0-2) PCR 2015 regulation 31 is")
    assert "see [“Commissioner FAQ”](?doc=guide-commissioner-faq)." in about
    quick = Answer("q", "It is so.", (), False, timings={"total_ms": 40.0})
    assert "Answered in under 0.1 s." in chat_text(quick)


def test_a_document_cited_several_times_is_named_once_in_the_references() -> None:
    first, second = _cite(1), _cite(2)
    second = Citation(**{**second.to_dict(), "claims": (), "locator": "Award"})
    answer = Answer("q", "One. [1] Two. [2]", (first, second), False)
    text = chat_text(answer, 0, CATALOGUE)
    refs = text[text.index("answer-refs") :]
    assert refs.count("Commissioner FAQ") == 1
    assert (
        "[\\[1\\]](#src-0-1) [\\[2\\]](#src-0-2) [Commissioner FAQ](?doc=guide-commissioner-faq)"
        " — Which rules apply; Award"
    ) in refs
