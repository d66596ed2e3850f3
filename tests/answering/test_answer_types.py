"""The direct answer leads, and a question whose kind of answer the evidence does not state is
refused with what is missing (a phone number, an amount for what it asks about)."""

from __future__ import annotations

import zlib

import numpy as np

from assistant.answering.extractive import Candidate, missing_type, select_units, states_not_known
from assistant.answering.question import AnswerType, analyse, asks
from assistant.answering.units import Unit

DF = {"pay": 2, "lawyer": 3, "council": 40, "contract": 30, "advertis": 5, "valu": 20, "appoint": 4}


def _candidate(text: str, cosine: float, rank: int = 0, heading: str = "") -> Candidate:
    vector = np.zeros(8, dtype=np.float32)
    vector[zlib.crc32(text.encode()) % 8] = 1.0  # stable across runs, unlike hash()
    return Candidate(rank, 0, Unit((0,), text, text), vector, cosine, heading)


def test_an_amount_about_something_else_does_not_answer_a_money_question() -> None:
    asked = analyse("how much did the council pay its lawyers?")
    evidence = [_candidate("The contract was advertised at an estimated value of £704m.", 0.7)]
    assert missing_type(asked, evidence, DF) == "an amount for what this question asks about"


def test_an_amount_stated_with_the_question_terms_answers_it() -> None:
    asked = analyse("how much did the council pay its lawyers?")
    evidence = [
        _candidate("The contract was advertised at an estimated value of £704m.", 0.7),
        _candidate("The council paid its lawyers £12,000 for the advice.", 0.5),
    ]
    assert missing_type(asked, evidence, DF) is None


def test_a_contact_detail_needs_one_in_the_evidence() -> None:
    asked = analyse("what number do I ring for the commissioning team?")
    assert missing_type(asked, [_candidate("The team sits in County Hall.", 0.9)], DF) == (
        "phone numbers or other contact details"
    )
    listed = _candidate("Ring the team on 0116 305 0000 about the commissioning team.", 0.9)
    assert missing_type(asked, [listed], DF) is None


def test_kinds_the_library_never_holds_are_named() -> None:
    asked = analyse("what salary does the programme lead get?")
    assert missing_type(asked, [_candidate("Pay rose by £2m in 2019.", 0.9)], DF) == (
        "salaries or staff pay"
    )


def test_a_dated_sentence_leads_a_when_question_over_a_closer_undated_one() -> None:
    asked = analyse("When was Barnardo's appointed as partner?")
    undated = _candidate("Barnardo's was appointed as partner after a long process.", 0.80)
    dated = _candidate("Barnardo's was appointed as partner in December 2018.", 0.76)
    chosen = select_units(asked, [undated, dated], [frozenset()], 2, DF)
    assert chosen[0] == 1


def test_a_sentence_far_behind_does_not_lead_just_for_its_date() -> None:
    asked = analyse("When was Barnardo's appointed as partner?")
    close = _candidate("Barnardo's was appointed as partner after a long process.", 0.90)
    far = _candidate("The weather in December 2018 was cold.", 0.10)
    assert select_units(asked, [close, far], [frozenset()], 2, DF)[0] == 0


def test_a_unit_about_the_other_regime_does_not_lead() -> None:
    asked = analyse("under the old rules how long was the standstill for light touch contracts?")
    act = _candidate("Under the Act, light touch standstill is 8 working days.", 0.80)
    pcr = _candidate("Standstill applied to light touch contracts: 10 days.", 0.74, 1)
    pcr_heading = "PCR 2015 regulations 84-87: reports and standstill"
    pcr = Candidate(1, 0, pcr.unit, pcr.vector, pcr.cosine, pcr_heading)
    assert select_units(asked, [act, pcr], [frozenset(), frozenset()], 2, DF)[0] == 1
    neutral = analyse("how long was the standstill for light touch contracts?")
    assert select_units(neutral, [act, pcr], [frozenset(), frozenset()], 2, DF)[0] == 0


def test_the_shipped_assistant_refuses_a_phone_number_and_keeps_the_nearest(mini_assistant):
    answer = mini_assistant.ask("What is the phone number of the council's commissioning team?")
    assert answer.abstained
    assert "does not give phone numbers" in answer.text
    assert answer.nearest and not answer.citations


def test_of_two_dated_units_the_one_holding_more_of_the_question_leads() -> None:
    asked = analyse("cut-off date for a sub-central PIN used as the call for competition?")
    df = {"sub": 3, "central": 3, "pin": 4, "call": 5, "competit": 6, "cut": 9}
    vague = _candidate("A sub-central PIN sent before 24 February 2025 is not saved.", 0.86)
    exact = _candidate(
        "A sub-central PIN used as a call for competition before 26 May 2023 is saved.", 0.78
    )
    assert select_units(asked, [vague, exact], [frozenset()], 2, df)[0] == 1


def test_with_the_regime_stated_for_the_day_a_unit_about_the_other_is_left_out() -> None:
    import dataclasses

    asked = analyse("Which regime applies if our tender notice went out on 20 February 2025?")
    pcr = _candidate("The 2015 Regulations govern procurements commenced before that day.", 0.7)
    act = _candidate("Because the tender notice came after go-live, the Act applies.", 0.8, 1)
    both = [frozenset(), frozenset()]
    assert 1 in select_units(asked, [pcr, act], both, 2, DF)
    held = dataclasses.replace(asked, regimes=frozenset({"PCR2015"}), regime_fixed=True)
    assert select_units(held, [pcr, act], both, 2, DF) == [0]


def test_a_lead_saying_the_thing_is_not_established_is_not_an_answer() -> None:
    asked = analyse("what does E3M actually stand for?")
    assert states_not_known(
        asked, _candidate("What the letters E3M stand for is unconfirmed.", 0.8)
    )
    scoring = analyse("what quality/price split did leicestershire use?")
    lead = _candidate(
        "That is a reading of reg. 67, not Leicestershire's scoring, which is not known.", 0.7
    )
    assert states_not_known(scoring, lead)
    assert not states_not_known(asked, _candidate("E3M is a social enterprise network.", 0.8))


def test_a_caveated_figure_still_answers_the_figure_asked_for() -> None:
    asked = analyse("how much new money did the partnership bring in during its first year")
    caveated = _candidate(
        "Figures such as about £1.9m of new income in the first year are unconfirmed.", 0.8
    )
    assert not states_not_known(asked, caveated)


def test_the_composer_weights_come_from_the_settings() -> None:
    import dataclasses

    from assistant.answering.weights import DEFAULT_WEIGHTS, ComposerWeights
    from assistant.config import Settings

    asked = analyse("how long is the standstill period?")
    lead = _candidate("The standstill period is ten days after the award decision.", 0.80)
    other = _candidate("Contracts are awarded once the period ends without a challenge.", 0.55)
    pair = [lead, other]
    names = [frozenset()]
    # the second unit scores under 0.72 of the first: a tight answer leaves it out ...
    assert select_units(asked, pair, names, 2, DF) == [0]
    # ... and a lower keep_ratio, set as a setting, lets it join
    loose = ComposerWeights.from_settings(Settings(keep_ratio=0.3))
    assert select_units(asked, pair, names, 2, DF, loose) == [0, 1]
    # without the weight of meaning, the unit with more of the question's terms leads
    blind = dataclasses.replace(DEFAULT_WEIGHTS, cosine=0.0)
    close = _candidate("It ends after a while.", 0.95)
    named = _candidate("The standstill period is set by the regulations.", 0.5)
    assert select_units(asked, [close, named], names, 1, DF) == [0]
    assert select_units(asked, [close, named], names, 1, DF, blind) == [1]


def _listed(text: str, items: int, cosine: float, rank: int = 0) -> Candidate:
    plain = _candidate(text, cosine, rank)
    return Candidate(rank, 0, Unit((0,), text, text, items, True), plain.vector, cosine)


def test_a_list_question_is_led_by_a_list_about_what_it_asks() -> None:
    asked = analyse("what are the considerations we can weigh up when awarding?")
    df = {"consider": 3, "weigh": 2, "award": 20}
    # the bare sentence is much closer in meaning; the list still leads, being the answer
    sentence = _candidate("The authority may take into account any relevant considerations.", 0.95)
    listed = _listed(
        "The authority may weigh up any relevant considerations: quality; continuity; innovation.",
        3,
        0.5,
    )
    assert select_units(asked, [sentence, listed], [frozenset()], 2, df)[0] == 1


def test_a_list_about_something_else_does_not_lead_a_list_question() -> None:
    asked = analyse("what are the exemptions from publishing a contract award notice?")
    df = {"exempt": 2, "publish": 9, "contract": 30, "award": 20, "notic": 25}
    answer = _candidate(
        "The only exemptions are defence and security contracts and user choice contracts.", 0.82
    )
    other = _listed("A set aside condition is met if: the claimant was denied; a delay.", 2, 0.78)
    assert select_units(asked, [answer, other], [frozenset()], 2, df)[0] == 0


def test_a_supporting_unit_that_repeats_one_already_chosen_is_left_out() -> None:
    asked = analyse("how long can a contract reserved to a mutual last?")
    lead = _candidate("A reserved contract must have a maximum term of five years or less.", 0.9)
    again = _candidate("The contract must have a maximum term of five years or less.", 0.88, 1)
    other = _candidate("The mutual must be under the management and control of staff.", 0.86, 2)
    chosen = select_units(asked, [lead, again, other], [frozenset()] * 3, 3, DF)
    assert chosen == [0, 2]


def test_a_unit_with_another_figure_or_from_the_users_document_is_no_repeat() -> None:
    asked = analyse("how long can a contract reserved to a mutual last?")
    lead = _candidate("A reserved contract must have a maximum term of five years or less.", 0.9)
    figure = _candidate("A reserved contract must have a maximum term of 3 years or less.", 0.88, 1)
    assert select_units(asked, [lead, figure], [frozenset()] * 2, 2, DF) == [0, 1]
    copy = _candidate("The contract must have a maximum term of five years or less.", 0.88, 1)
    assert select_units(asked, [lead, copy], [frozenset()] * 2, 2, DF) == [0]
    uploaded = select_units(asked, [lead, copy], [frozenset()] * 2, 2, DF, uploads=frozenset({1}))
    assert uploaded == [0, 1]  # the user's document agreeing with the library is shown


def test_a_question_asking_two_things_is_split_into_its_asks() -> None:
    assert asks("Can the PRU declare an award unlawful? and under s.108 how long do we get?") == [
        "Can the PRU declare an award unlawful",
        "under s.108 how long do we get?",
    ]
    # a topic before a dash, a remark after the "?", and a short tail are not asks of their own
    assert asks("de minimis change under reg 72 - what are the two limbs?") == [
        "de minimis change under reg 72 what are the two limbs?"
    ]
    assert len(asks("when did PA23 go live? my older slides say october 2024")) == 1
    assert len(asks("when, and why?")) == 1
    # a piece stating a figure is the asker's own facts, not an ask for one
    assert len(asks("We signed a £900k contract last month - what is our exposure?")) == 1
    parts = analyse("min period for requests to participate, and from what date does it run?")
    assert [p.answer_type for p in parts.parts] == [AnswerType.DURATION, AnswerType.DATE]
    assert analyse("when did the partnership start?").parts == ()


def test_a_two_part_question_is_answered_when_the_evidence_holds_one_part() -> None:
    asked = analyse("how much did the council pay its lawyers, and when was the partner appointed?")
    dated = _candidate("The partner was appointed in December 2018.", 0.7)
    assert missing_type(asked, [dated], DF) is None
    # the one-part question still needs its amount
    alone = analyse("how much did the council pay its lawyers?")
    assert missing_type(alone, [dated], DF) == "an amount for what this question asks about"
    # neither part held: the first part's lack is named
    assert missing_type(asked, [_candidate("The team sits in County Hall.", 0.7)], DF) == (
        "an amount for what this question asks about"
    )


def test_a_lead_saying_the_sources_give_nothing_on_it_is_not_an_answer() -> None:
    asked = analyse("how many bids did the council get?")
    lead = _candidate(
        "The sources give no detail of how many bids were received. Treat it as unknown.", 0.8
    )
    assert states_not_known(asked, lead)
    assert states_not_known(
        analyse("did essex do one too?"),
        _candidate("There is no known evidence of other partnerships with Essex.", 0.8),
    )


def test_an_acronym_in_the_question_is_matched_by_the_words_it_stands_for() -> None:
    asked = analyse("what contract value did the CF notice state?")
    df = {"contract": 30, "valu": 20, "notic": 20, "finder": 2, "cf": 1, "state": 30}
    held = _candidate("The Contracts Finder notice stated a value of £704m.", 0.7)
    assert missing_type(asked, [held], df) is None


def test_words_about_the_askers_purpose_are_not_what_an_answer_must_hold() -> None:
    df = {"formal": 2, "award": 30, "chronolog": 1, "actual": 1, "contract": 30}
    asked = analyse("what was the formal contract award date? actually need it for a chronology")
    held = {t for related, _ in asked.anchors(df) for t in related}
    assert "formal" in held and not {"chronolog", "actual"} & held


def test_the_number_of_bids_is_a_kind_of_fact_the_library_never_holds() -> None:
    asked = analyse("how many bids did leicestershire get for the tender?")
    assert asked.not_held and "number of bids" in asked.not_held
    # the minimum number of bidders to invite is a rule, and the library holds it
    assert analyse("how many bidders must we invite to an innovation partnership?").not_held is None


def test_a_question_for_the_paragraph_of_a_provision_needs_one_beside_its_subject() -> None:
    from assistant.answering.question import asks_paragraph_of

    assert asks_paragraph_of("which paragraph of reg 31 deals with IPR arrangements?") == "reg_31"
    assert asks_paragraph_of("which limb of reg 72(1)(b) applies?") == "reg_72_1_b"
    assert asks_paragraph_of("exact reg 31 para number for IPR? my slide says reg 31(20)") == (
        "reg_31"
    )
    assert asks_paragraph_of("user choice direct award - which para of sch 5?") == ""
    assert asks_paragraph_of("what does reg 31 say about IPR?") == ""
    df = {"ipr": 3, "intellectu": 3, "properti": 3, "right": 20, "arrang": 9, "partner": 40}
    asked = analyse("which paragraph of reg 31 deals with the IPR arrangements?")
    # a list whose items cite reg. 31(4) and reg. 31 alone for IPR does not give the paragraph
    listed = _candidate(
        "The points are: one partner or several (reg. 31(4)); the documents set the arrangements "
        "for intellectual property rights (IPR) (reg. 31).",
        0.8,
    )
    assert missing_type(asked, [listed], df) == "the paragraph of reg. 31 that says this"
    held = _candidate("Arrangements for intellectual property rights: reg. 31(20).", 0.8)
    assert missing_type(asked, [listed, held], df) is None
    # a follow-up keeps the provision of the question it follows
    follow = analyse("and the IPR arrangements?", previous="which para of reg 31 sets out phases?")
    assert follow.paragraph_of == "reg_31"


def test_an_advisers_fees_are_a_kind_of_fact_the_library_never_holds() -> None:
    assert analyse("What does Stone King charge to set up a partnership?").not_held == (
        "the fees advisers or providers charge"
    )
    assert analyse("what is the charging regime for light touch contracts?").not_held is None


def test_a_who_question_is_led_by_a_unit_naming_someone_it_does_not() -> None:
    from assistant.answering.question import carries

    asked = "who wrote the LGC piece on the partnership?"
    assert carries("The LGC article by Liz Perfect summarised it.", AnswerType.PERSON_OR_ORG, asked)
    assert not carries(
        "The LGC article also reports the work took 12 months.", AnswerType.PERSON_OR_ORG, asked
    )
    assert carries("Barnardo's became the partner in 2018.", AnswerType.PERSON_OR_ORG, "who won?")
    question = analyse(asked)
    about = _candidate("The LGC article also reports the work took 12 months.", 0.80)
    named = _candidate("The LGC article by Liz Perfect summarised it.", 0.76)
    assert select_units(question, [about, named], [frozenset()], 2, DF)[0] == 1
