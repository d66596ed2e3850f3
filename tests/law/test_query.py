"""Legal query normalisation and weighted fusion."""

from __future__ import annotations

import pytest

from assistant.law.query import normalise_query
from assistant.retrieval.fusion import rrf_fuse


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("reg 31(5)", "regulation 31(5)"),
        ("What does s.33(1)(b) say?", "What does section 33(1)(b) say?"),
        ("Sch 5 para 2", "Schedule 5 paragraph 2"),
        ("Art. 31(6)", "Article 31(6)"),
    ],
)
def test_provision_abbreviations_are_spelled_out(query: str, expected: str) -> None:
    assert normalise_query(query) == expected


def test_acronyms_are_expanded_once_and_kept() -> None:
    out = normalise_query("How does the LTR differ under PA 2023 for the CIP?")
    assert out.startswith("How does the LTR differ under PA 2023 for the CIP?")
    assert "light touch regime" in out and "Children's Innovation Partnership" in out
    assert out.count("Procurement Act 2023") == 1


def test_words_that_merely_contain_an_acronym_are_left_alone() -> None:
    assert normalise_query("Can a PINT of milk be procured?") == "Can a PINT of milk be procured?"
    assert normalise_query("the cap on spending") == "the cap on spending"


def test_already_spelled_out_expansion_is_not_repeated() -> None:
    q = "Does the light touch regime (LTR) apply?"
    assert normalise_query(q) == q


def test_weighted_rrf_prefers_the_heavier_ranking() -> None:
    fused = rrf_fuse([["a", "b"], ["b", "a"]], k=10, weights=[1.0, 2.0])
    assert [d for d, _ in fused] == ["b", "a"]
    even = rrf_fuse([["a", "b"], ["b", "a"]], k=10)
    assert even[0][1] == pytest.approx(even[1][1])


def test_weights_must_match_rankings() -> None:
    with pytest.raises(ValueError):
        rrf_fuse([["a"], ["b"]], weights=[1.0])


def test_the_shorthand_users_type_for_notices_and_mutuals_is_spelled_out() -> None:
    out = normalise_query("what value did the CF notice state for a PSM contract?")
    assert "Contracts Finder" in out and "public service mutual" in out
    out = normalise_query("do we need a TN before a DA, and can an ICB use the PSR?")
    assert "transparency notice" in out and "direct award" in out
    assert "integrated care board" in out
