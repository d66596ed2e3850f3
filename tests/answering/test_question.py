"""Question analysis: the answer type a question asks for, the cases it names, the thesaurus."""

from __future__ import annotations

import pytest

from assistant.answering.question import (
    AnswerType,
    Thesaurus,
    analyse,
    answer_type,
    carries,
    thesaurus,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When was Barnardo's appointed?", AnswerType.DATE),
        ("what date did the notice go out", AnswerType.DATE),
        ("How long can the Leicestershire partnership last?", AnswerType.DURATION),
        ("what's the minimum period for requests to participate", AnswerType.DURATION),
        ("what's the notice period for ending the collaboration agreement?", AnswerType.DURATION),
        ("what was the contract worth?", AnswerType.MONEY),
        ("How much did the council need to save?", AnswerType.MONEY),
        ("how many candidates must be invited?", AnswerType.COUNT),
        ("what percentage can the value go up by?", AnswerType.PERCENTAGE),
        ("Which regulation covers market consultation?", AnswerType.PROVISION),
        ("who won the leics contract?", AnswerType.PERSON_OR_ORG),
        ("which law firm advised the council?", AnswerType.PERSON_OR_ORG),
        ("quick one - who advised the council?", AnswerType.PERSON_OR_ORG),
        ("can you tell me who led the evaluation?", AnswerType.PERSON_OR_ORG),
        ("why didn't Leicestershire use reg 31?", AnswerType.REASON),
        ("how do we run soft market testing?", AnswerType.PROCEDURE),
        ("What were the two initial priorities?", AnswerType.LIST),
        ("can we just pick barnardos or do we have to tender?", AnswerType.YES_NO),
        (
            "Under PCR 2015 can an innovation partnership be awarded on lowest price?",
            AnswerType.YES_NO,
        ),
        ("under the new act what are the only competitive procedures left?", AnswerType.LIST),
        (
            "whats the minimum time we have to give for expressions of interest?",
            AnswerType.DURATION,
        ),
        ("What is a competitive flexible procedure?", AnswerType.DEFINITION),
        ("What is the phone number of the commissioning team?", AnswerType.PHONE),
        ("how often does the partnership get reviewed", AnswerType.FREQUENCY),
        ("which SI made the 1 Jan 2026 changes to the thresholds?", AnswerType.PROVISION),
        ("which Act inserted s.22G into the Children Act 1989?", AnswerType.PROVISION),
        ("which para of reg 31 lets us have one partner?", AnswerType.PROVISION),
        ("the sufficiency duty - which bit of the children act?", AnswerType.PROVISION),
        ("and the repeat-award bar in the Act - where is it?", AnswerType.PROVISION),
        ("s.9 - where are the light touch services actually listed?", AnswerType.PROVISION),
        ("can we exclude a bidder who drafted the spec? pinpoints", AnswerType.PROVISION),
        ("whats the minimum window for requests to participate?", AnswerType.DURATION),
        ("how far ahead does a planned procurement notice need to go?", AnswerType.DURATION),
        ("what tender procedures can we use under the new act", AnswerType.LIST),
        ("what bits of an innovation partnership are off limits?", AnswerType.LIST),
        ("transitional regs - cut-off date for a PIN as a call for competition", AnswerType.DATE),
        ("the SI 2024/716 saving for PINs - what's the cut-off date?", AnswerType.DATE),
        ("what was the threshold on the start date", AnswerType.MONEY),
    ],
)
def test_answer_type(question: str, kind: AnswerType) -> None:
    assert answer_type(question) is kind


def test_who_in_a_relative_clause_does_not_ask_for_someone() -> None:
    asked = "what must happen before you exclude a bidder who was involved in preparing it?"
    assert answer_type(asked) is not AnswerType.PERSON_OR_ORG


def test_when_is_a_condition_not_a_date() -> None:
    assert answer_type("When is a modification substantial under s.74?") is not AnswerType.DATE
    assert answer_type("what can we weigh up when awarding an LTR contract?") is not AnswerType.DATE


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Barnardo's was appointed in December 2018.", AnswerType.DATE, True),
        ("The notice went out on 24 August 2018.", AnswerType.DATE, True),
        ("The authority chooses a partner.", AnswerType.DATE, False),
        ("It can run for up to ten years.", AnswerType.DURATION, True),
        ("Standstill is 8 working days.", AnswerType.DURATION, True),
        ("The estimated value was £704m.", AnswerType.MONEY, True),
        ("The value may rise by up to 50%.", AnswerType.MONEY, True),  # a share is an amount
        ("The value was not published.", AnswerType.MONEY, False),
        ("See reg. 31(5) for the time limit.", AnswerType.PROVISION, True),
        ("Call 0116 305 0000 for details.", AnswerType.PHONE, True),
        ("The commissioning team sits in County Hall.", AnswerType.PHONE, False),
        ("It was inserted by the Children and Young Persons Act 2008.", AnswerType.PROVISION, True),
        ("The figures changed under SI 2025/1200.", AnswerType.PROVISION, True),
        ("The term is reviewed every year.", AnswerType.FREQUENCY, True),
        ("It must award at least once in each five-year period.", AnswerType.FREQUENCY, True),
        ("The term can run for ten years.", AnswerType.FREQUENCY, False),
    ],
)
def test_carries(text: str, kind: AnswerType, expected: bool) -> None:
    assert carries(text, kind) is expected


def test_thesaurus_widens_a_paraphrase_to_the_library_words() -> None:
    asked = analyse("who did leics pick to win the contract and how long will it last?")
    assert {"awarded", "appointed"} <= set(asked.expansions)
    assert "term" in asked.expansions
    assert asked.entities == frozenset({"Leicestershire"})
    assert "Leicestershire" in asked.text  # "leics" respelled


def test_the_shipped_thesaurus_loads_and_every_group_has_two_phrases() -> None:
    words = thesaurus()
    assert len(words.groups) >= 10 and all(len(g) >= 2 for g in words.groups)
    assert words.named("what did newport do") == frozenset({"Newport"})
    assert words.asks_for_not_held("what salary does the lead get") == "salaries or staff pay"
    assert words.asks_for_not_held("what did the council pay for the service") is None


def test_a_malformed_thesaurus_is_refused() -> None:
    with pytest.raises(ValueError, match="at least two"):
        Thesaurus.load("synonyms:\n  - [alone]\n")


def test_related_terms_come_from_the_groups() -> None:
    assert "term" in thesaurus().related("last")
    assert thesaurus().related("zorblax") == frozenset({"zorblax"})


def test_anchors_leave_out_cue_words_and_case_names() -> None:
    asked = analyse("how much did Leicestershire pay its legal advisers?")
    df = {"pay": 3, "legal": 20, "advis": 10, "leicestershir": 50, "much": 5}
    anchored = set().union(*(related for related, _ in asked.anchors(df)))
    assert "pay" in anchored and "advis" in anchored
    assert "leicestershir" not in anchored and "much" not in anchored


def test_a_question_naming_only_the_partner_is_about_the_default_case() -> None:
    words = thesaurus()
    assert words.cases_of(frozenset({"Barnardo's"})) == frozenset({"Leicestershire"})
    assert words.cases_of(frozenset({"Newport", "Barnardo's"})) == frozenset({"Newport"})
    assert words.cases_of(frozenset()) == frozenset()


def test_cases_must_be_entities() -> None:
    with pytest.raises(ValueError, match="not entities"):
        Thesaurus.load("synonyms: []\nentities: {A: [a]}\ncases: [B]\n")


def test_a_follow_up_without_its_own_answer_type_keeps_the_previous_one() -> None:
    asked = analyse("what about under PA23?", previous="standstill length under PCR?")
    assert asked.answer_type is AnswerType.DURATION
    assert analyse("who won it?", previous="how long did it last?").answer_type is (
        AnswerType.PERSON_OR_ORG
    )


def test_attributes_are_what_was_asked_about_not_the_subject() -> None:
    words = thesaurus()
    assert words.without_attributes("whats the closing date for the leics CIP tender?") == (
        "the for the leics CIP tender?"
    )
    assert words.without_attributes("standstill period") == "standstill period"


def test_regimes_are_named_by_users_words() -> None:
    words = thesaurus()
    assert words.regimes_named("under the old rules did we need a standstill?") == {"PCR2015"}
    assert words.regimes_named("what about under PA23 - same?") == {"PA2023"}
    assert analyse("and for light touch?", "standstill period new act").regimes == {"PA2023"}
    assert not words.regimes_named("what did Leicestershire's partner do?")


def test_a_count_the_question_gives_is_not_its_answer() -> None:
    asked = "they originally wanted 4 properties, how many did that come down to?"
    assert not carries("The plan was to procure four properties.", AnswerType.COUNT, asked)
    assert carries("The three were in Hinckley and Coalville.", AnswerType.COUNT, asked)
    # other figures in a question are what the answer must state, so they still count
    assert carries("Two grounds cap each increase at 50%.", AnswerType.PERCENTAGE, "which cap 50%?")


def test_a_question_without_its_regime_keeps_its_topic() -> None:
    words = thesaurus()
    assert words.without_regimes(
        "What is the standstill period under the Procurement Act 2023?"
    ) == ("What is the standstill period under the ?")
    assert words.without_regimes("standstill under PCR 2015 and pa23") == "standstill under and"


def test_concepts_are_the_whole_groups_a_question_uses() -> None:
    groups = thesaurus().concepts("who won the leics contract")
    assert len(groups) == 1 and {"won", "awarded", "appointed"} <= set(groups[0])
    assert thesaurus().concepts("what does reg 31 say") == ()


def test_a_provision_the_question_names_is_not_its_answer() -> None:
    asked = "which Act inserted s.22G into the Children Act 1989?"
    named = "Section 22G of the Children Act 1989 is known as the sufficiency duty."
    assert not carries(named, AnswerType.PROVISION, asked)
    answer = "Section 22G was added by the Children and Young Persons Act 2008."
    assert carries(answer, AnswerType.PROVISION, asked)
    assert carries("IPR is in reg. 31(12).", AnswerType.PROVISION, "which para of reg 31?")
