"""Citation verification of any answer text (assistant/answering/verify.py), on the hashed
embedder."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering.facts import Facts
from assistant.answering.verify import FLAG, Source, split_answer, verify
from assistant.config import Settings
from assistant.models.embedding import make_embedder

REG31 = Source(
    1,
    "The minimum period for the receipt of requests to participate shall be 30 days from the "
    "date on which the contract notice is sent. Only those economic operators invited by the "
    "contracting authority following its assessment may participate in the procedure.",
    "PCR 2015 regulation 31: innovation partnership",
    "reg. 31(5)",
)
LEICS = Source(
    2,
    "Barnardo's was appointed as the council's innovation partner in December 2018, after a "
    "competitive tender under the light touch regime. The partnership covers fostering, "
    "residential care and edge of care services for looked after children in the county.",
    "Leicestershire Children's Innovation Partnership",
    "Award of the partnership",
)
REGIME = Source(
    3,
    "A procurement commenced before 24 February 2025 stays under the Public Contracts "
    "Regulations 2015 until the contract ends. A procurement commenced on or after that date "
    "follows the Procurement Act 2023 instead.",
    "Guide: choosing between the regimes",
    "Which rules apply",
)
SOURCES = [REG31, LEICS, REGIME]


@pytest.fixture(scope="module")
def embed():
    embedder = make_embedder(Settings(embed_model="fake-hash"))
    return lambda texts: np.asarray(embedder.get_text_embedding_batch(list(texts)))


def test_split_keeps_markers_with_their_sentence_and_the_text_whole() -> None:
    text = "It is 30 days under reg. 31(5). [1] Barnardo's was appointed [2]. What next?\n- A step."
    pieces = split_answer(text)
    assert "".join(pieces) == text
    assert [p.strip() for p in pieces] == [
        "It is 30 days under reg. 31(5). [1]",
        "Barnardo's was appointed [2].",
        "What next?",
        "- A step.",
    ]


def test_a_faithful_answer_passes_unchanged(embed) -> None:
    text = (
        "The minimum period for requests to participate is 30 days from the date the contract "
        "notice is sent [1]. Barnardo's was appointed as the council's innovation partner in "
        "December 2018 [2]."
    )
    check = verify(text, SOURCES, embed)
    assert check.text == text
    assert check.unsupported == () and check.dangling == ()
    assert (check.claims, check.supported) == (2, 2)
    assert check.numbering == {1: 1, 2: 2}


def test_a_citation_to_a_missing_source_is_removed(embed) -> None:
    text = "Barnardo's was appointed as the council's innovation partner in December 2018 [2][7]."
    check = verify(text, SOURCES, embed)
    assert check.dangling == (7,)
    assert "[7]" not in check.text
    # Renumbered by first use: the only source left becomes [1].
    assert check.text.endswith("December 2018 [1].")
    assert check.numbering == {2: 1}
    assert check.unsupported == ()


def test_a_sentence_citing_only_a_missing_source_is_flagged(embed) -> None:
    text = "Leicestershire won a national prize for the scheme and its publicity [9]."
    check = verify(text, SOURCES, embed)
    assert check.dangling == (9,)
    assert check.unsupported == (
        "Leicestershire won a national prize for the scheme and its publicity.",
    )
    assert check.text.endswith(FLAG)
    assert check.numbering == {}


def test_a_wrong_number_is_unsupported_even_with_the_right_source(embed) -> None:
    text = "The minimum period for requests to participate is 45 days from the contract notice [1]."
    check = verify(text, SOURCES, embed)
    assert check.unsupported == (text,)
    assert check.checks[0].note == "numbers"
    assert check.text == f"{text} {FLAG}"


@pytest.mark.parametrize(
    ("claim", "ok"),
    [
        ("A procurement commenced before 24 February 2025 stays under PCR 2015 [3].", True),
        ("A procurement commenced before 25 February 2025 stays under PCR 2015 [3].", False),
        ("A procurement commenced before 24 March 2025 stays under PCR 2015 [3].", False),
        ("A procurement commenced before 24 Feb 2025 stays under PCR 2015 [3].", True),
    ],
)
def test_dates_must_match_exactly(embed, claim: str, ok: bool) -> None:
    assert (verify(claim, SOURCES, embed).unsupported == ()) is ok


def test_a_claim_cited_to_the_wrong_source_is_re_cited_to_the_right_one(embed) -> None:
    text = "Barnardo's was appointed as the council's innovation partner in December 2018 [1]."
    check = verify(text, SOURCES, embed)
    assert check.unsupported == ()
    assert check.checks[0].note == "re-cited"
    assert check.checks[0].cited == (2,)
    assert check.text.endswith("December 2018 [1].") and check.numbering == {2: 1}


def test_an_uncited_supported_claim_gets_its_citation(embed) -> None:
    text = "The partnership covers fostering, residential care and edge of care services."
    check = verify(text, SOURCES, embed)
    assert check.unsupported == ()
    assert check.checks[0].note == "cited added"
    assert (
        check.text
        == "The partnership covers fostering, residential care and edge of care services [1]."
    )


def test_questions_headings_and_short_lines_are_not_claims(embed) -> None:
    text = "Key points:\nWhat would you publish first?\nIn short, yes."
    check = verify(text, SOURCES, embed)
    assert check.claims == 0 and check.unsupported == ()
    assert check.text == text


def test_multiple_citations_are_judged_together(embed) -> None:
    text = (
        "Barnardo's was appointed in December 2018, and requests to participate get at least "
        "30 days [1, 2]."
    )
    check = verify(text, SOURCES, embed)
    assert check.unsupported == ()
    assert check.text.endswith("30 days [1][2].")


def test_quotes_name_the_supporting_source_sentence(embed) -> None:
    check = verify("The minimum period for requests to participate is 30 days [1].", SOURCES, embed)
    assert check.quotes[1][0].startswith("The minimum period for the receipt of requests")


def test_figures_compare_by_value_of_their_digits() -> None:
    assert Facts.of("£704,000 in 2018").within(Facts.of("a value of £704000 (2018)"))
    assert not Facts.of("£705,000").within(Facts.of("£704,000"))
    assert Facts.of("1 December 2018").dates == {"1 dec 2018", "dec 2018"}


def test_verifying_twice_changes_nothing(embed) -> None:
    text = "The minimum period is 45 days [1]. Barnardo's was appointed in December 2018 [2][5]."
    once = verify(text, SOURCES, embed)
    twice = verify(once.text, SOURCES, embed)
    assert twice.text == once.text and twice.unsupported == once.unsupported
    assert once.text.count(FLAG) == 1


def test_a_quantity_must_match_with_its_unit(embed) -> None:
    # "31" is in the source (reg. 31(5)), but "31 days" is not.
    text = "The minimum period for requests to participate is 31 days under reg. 31(5) [1]."
    assert verify(text, SOURCES, embed).unsupported == (text,)


def test_a_year_counts_only_next_to_the_claims_own_words(embed) -> None:
    source = Source(
        1,
        "Barnardo's was appointed as the council's innovation partner in December 2018. "
        "(Council cabinet report, 12 March 2019; seminar blog, 23 July 2019.)",
        "Leicestershire Children's Innovation Partnership",
    )
    good = "Barnardo's was appointed as the council's innovation partner in 2018 [1]."
    bad = "Barnardo's was appointed as the council's innovation partner in 2019 [1]."
    assert verify(good, [source], embed).unsupported == ()
    assert verify(bad, [source], embed).unsupported == (bad,)


def test_figures_in_a_table_keep_the_tables_context() -> None:
    from assistant.answering.facts import SourceFacts, key_terms, stated

    table = "| Contract | Threshold |\n|---|---|\n| Supplies and services | £214,904 |"
    claim = "The threshold for supplies and services is £214,904."
    assert stated(Facts.of(claim), key_terms(claim), [SourceFacts.of(table)])


def test_the_support_rule_comes_from_the_settings(embed) -> None:
    from assistant.answering.weights import SupportRule
    from assistant.config import Settings

    text = "Barnardo's was appointed as the council's innovation partner in December 2018 [2]."
    assert verify(text, SOURCES, embed).unsupported == ()
    strict = SupportRule.from_settings(Settings(support_min=1.01))  # above any support
    check = verify(text, SOURCES, embed, strict)
    assert (check.claims, check.supported) == (1, 0)
    assert check.text.endswith("[unverified]")
