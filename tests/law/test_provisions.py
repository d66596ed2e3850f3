"""Legal locators: headings -> provisions, paragraph numbers, spans, links, BM25 tokens."""

from __future__ import annotations

import pytest

from assistant.law.provisions import (
    paragraph_number,
    provision_from_heading,
    provision_url,
    span_locator,
)
from assistant.text.tokens import citation_tokens


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Regulation 31 — Innovation partnership", "reg. 31"),
        ("## Section 20 — Competitive tendering procedures", "s. 20"),
        ("**Section 12A** — Conflicts of interest", "s. 12A"),
        ("Article 31 — Innovation partnership", "Art. 31"),
        ("Recital 49", "recital 49"),
        ("Rule 3", "r. 3"),
        ("Schedule 3 — Light touch services", "Sch. 3"),
        ("Schedule 5, paragraph 2 — Prototypes", "Sch. 5 para. 2"),
        ("Sch 5 para 2(1)", "Sch. 5 para. 2(1)"),
        ("reg. 31(5)", "reg. 31(5)"),
        ("Background", None),
        ("Sections and subsections", None),
    ],
)
def test_provision_from_heading(heading: str, expected: str | None) -> None:
    assert provision_from_heading(heading) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(5) The minimum period is 30 days.", ("5",)),
        ("(2)(b) The documents must say which elements are minimum.", ("2", "b")),
        ("**(5)** The minimum period.", ("5",)),
        ("   (12) Indented paragraph.", ("12",)),
        ("(a) a lettered item alone is not a paragraph number", None),
        ("The authority may (5) do this.", None),
        ("5) no opening bracket", None),
    ],
)
def test_paragraph_number(text: str, expected: tuple[str, ...] | None) -> None:
    assert paragraph_number(text) == expected


@pytest.mark.parametrize(
    ("locators", "expected"),
    [
        (["reg. 31(5)"], "reg. 31(5)"),
        (["reg. 31(5)", "reg. 31(5)"], "reg. 31(5)"),
        (["reg. 31(4)", "reg. 31(5)", "reg. 31(6)"], "reg. 31(4)–(6)"),
        (["s. 20(1)", "s. 20(2)(a)"], "s. 20(1)–(2)"),
        (["s. 20(2)(a)", "s. 20(2)(b)"], "s. 20(2)(a)–(b)"),
        (["reg. 31", "reg. 31(5)"], "reg. 31"),
        (["reg. 31", "reg. 32"], "reg. 31 – reg. 32"),
    ],
)
def test_span_locator(locators: list[str], expected: str) -> None:
    assert span_locator(locators) == expected


LEG = "https://www.legislation.gov.uk"


@pytest.mark.parametrize(
    ("legislation", "locator", "expected"),
    [
        ("uksi/2015/102", "reg. 31(5)", f"{LEG}/uksi/2015/102/regulation/31"),
        ("uksi/2015/102/", "reg. 31", f"{LEG}/uksi/2015/102/regulation/31"),
        ("ukpga/2023/54", "s. 20(2)(b)", f"{LEG}/ukpga/2023/54/section/20"),
        ("eudr/2014/24", "Art. 31", f"{LEG}/eudr/2014/24/article/31"),
        ("ukpga/2023/54", "Sch. 3", f"{LEG}/ukpga/2023/54/schedule/3"),
        ("ukpga/2023/54", "Sch. 5 para. 2", f"{LEG}/ukpga/2023/54/schedule/5/paragraph/2"),
        ("ukpga/2023/54", "Sch. 5 para. 2(1)", f"{LEG}/ukpga/2023/54/schedule/5/paragraph/2"),
        ("eudr/2014/24", "recital 49", None),  # recitals have no page of their own
        ("", "reg. 31", None),
    ],
)
def test_provision_url(legislation: str, locator: str, expected: str | None) -> None:
    assert provision_url(legislation, locator) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reg. 31(5)", ["reg_31", "reg_31_5"]),
        ("reg 31(5)", ["reg_31", "reg_31_5"]),
        ("regulation 31", ["reg_31"]),
        ("s.20(2)(b)", ["sec_20", "sec_20_2", "sec_20_2_b"]),
        ("section 20", ["sec_20"]),
        ("Art. 31(6)", ["art_31", "art_31_6"]),
        ("Sch. 5", ["sch_5"]),
        ("(reg. 31(7); reg. 65)", ["reg_31", "reg_31_7", "reg_65"]),
        ("It was awarded in 2018.", []),
        # A possessive "s" followed by a number is not a section.
        ("What were Barnardo's 3 priorities and the council's 12 month review?", []),
    ],
)
def test_citation_tokens(text: str, expected: list[str]) -> None:
    assert citation_tokens(text) == expected
