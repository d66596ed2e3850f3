"""One provision vocabulary (issue 15, item 3): headings, CLML ids, search tokens and the
answer's readable pinpoints agree on how each kind of provision is written."""

from __future__ import annotations

import pytest

from assistant.answering.extractive import readable_citation
from assistant.law.provisions import provision_from_heading
from assistant.text.citations import LOCATOR, READABLE, TOKEN, kind_of
from assistant.text.tokens import citation_tokens


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("reg", "regulation"),
        ("Regulations", "regulation"),
        ("s", "section"),
        ("ss", "section"),
        ("Sections", "section"),
        ("Sch", "schedule"),
        ("schedule", "schedule"),
        ("Art", "article"),
        ("articles", "article"),
    ],
)
def test_every_way_of_writing_a_kind_is_read_as_it(written: str, kind: str) -> None:
    assert kind_of(written) == kind


@pytest.mark.parametrize("kind", sorted(TOKEN))
def test_a_pinpoint_round_trips_through_its_search_token(kind: str) -> None:
    text = f"{LOCATOR[kind]} 31(5)"
    token = citation_tokens(text)[-1]
    assert token == f"{TOKEN[kind]}_31_5"
    assert readable_citation(token) == f"{READABLE[TOKEN[kind]]} 31(5)" == text


def test_a_heading_gives_the_same_abbreviation() -> None:
    assert provision_from_heading("Regulation 31 — Innovation partnership") == "reg. 31"
    assert provision_from_heading("Section 20 Competitive tendering") == "s. 20"
