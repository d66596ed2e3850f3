"""Answer units: list lead-ins keep their items, leaning sentences keep their context, and the
shown text is tidied (paragraph numbers, internal ids, secondary-source notes)."""

from __future__ import annotations

from assistant.answering.units import announced, build_units, tidy
from assistant.text.sentences import split_sentences

PRIORITIES = (
    "The council concluded that it needed an external partner. The notice set two initial "
    "priorities for the partnership:\n"
    "- good-quality, cost-effective residential care for looked after children;\n"
    "- extra capacity in edge-of-care services.\n"
    "The council wanted one organisation that could design and deliver services."
)
OBJECTIVES = (
    "(1) In carrying out a covered procurement, an authority must have regard to the "
    "importance of four things. (s. 12(1))\n"
    "(1)(a) The first is delivering value for money. Guidance stresses this objective.\n"
    "(1)(b) The second is maximising public benefit. (s. 12(1)(b))\n"
    "(1)(c) The third is sharing information about policies and decisions. (s. 12(1)(c))\n"
    "(1)(d) The fourth is acting, and being seen to act, with integrity. (s. 12(1)(d))"
)
TWO_WAYS = (
    "(1) An authority intending to award a light touch contract must announce its intention in "
    "one of two ways. Under (1)(a) it may publish a contract notice. Under (1)(b) it may "
    "publish a prior information notice that is published continuously. (reg. 75(1))"
)


def test_a_lead_in_with_a_colon_carries_its_bullets() -> None:
    units = build_units(PRIORITIES)
    lead = next(u for u in units if u.items)
    assert lead.text == (
        "The notice set two initial priorities for the partnership: good-quality, cost-effective "
        "residential care for looked after children; extra capacity in edge-of-care services."
    )
    assert lead.items == 2
    assert not any("extra capacity" in u.text for u in units if u is not lead)


def test_a_counted_lead_in_carries_its_numbered_items_not_their_asides() -> None:
    lead = build_units(OBJECTIVES)[0]
    assert lead.items == 4
    assert lead.text.startswith("In carrying out a covered procurement")  # "(1)" tidied off
    for item in ("value for money", "public benefit", "sharing information", "integrity"):
        assert item in lead.text
    assert "Guidance stresses" not in lead.text


def test_one_of_two_ways_carries_both_ways() -> None:
    lead = build_units(TWO_WAYS)[0]
    assert lead.items == 2
    assert "contract notice" in lead.text and "prior information notice" in lead.text


CONSIDERATIONS = (
    "(8) In running a light touch procurement the authority may take into account any "
    "relevant considerations. These include:\n"
    "- quality, continuity and affordability of the services;\n"
    "- the involvement and empowerment of users; and\n"
    "- innovation.\n"
    "(9) The authority may also do something else entirely here."
)
PARTS = (
    "Before launching the tender, the council carried out extensive market engagement. It "
    "had three parts:\n"
    "1. a provider event;\n"
    "2. written submissions from interested organisations;\n"
    "3. dialogue meetings with a selected number of providers.\n"
    "(E3M case study)"
)


def test_a_lead_in_too_short_to_be_a_sentence_hands_its_list_to_the_sentence_before() -> None:
    """ "These include:" and "It had three parts:" are dropped by the splitter (too short to
    embed): the sentence they continue leads the list, which would otherwise be lost."""
    lead = build_units(CONSIDERATIONS)[0]
    assert lead.items == 3
    assert lead.text == (
        "In running a light touch procurement the authority may take into account any relevant "
        "considerations: quality, continuity and affordability of the services; the involvement "
        "and empowerment of users; innovation."
    )
    assert lead.members[0] == 0
    parts = build_units(PARTS)[0]
    assert parts.items == 3
    assert parts.text.endswith(
        "market engagement: a provider event; written submissions from interested "
        "organisations; dialogue meetings with a selected number of providers."
    )


def test_a_lead_in_long_enough_to_be_a_sentence_keeps_its_list_to_itself() -> None:
    """Only a lead-in too short to embed hands its list to the sentence before: joining a
    sentence lead-in to its neighbour made long units that outranked direct answers."""
    text = (
        "Under the Act an authority must publish its intention to award a contract. This can "
        "be done in one of two ways:\n"
        "- a transparency notice;\n"
        "- a tender notice.\n"
        "Other rules follow."
    )
    first, lead = build_units(text)[:2]
    assert (
        first.text == "Under the Act an authority must publish its intention to award a contract."
    )
    assert lead.items == 2
    assert lead.text.startswith("This can be done in one of two ways: a transparency notice")


def test_a_line_ending_in_a_sentence_with_no_list_after_it_is_unchanged() -> None:
    text = "The council ran a provider event in 2018. The notice followed in August 2018."
    assert [u.text for u in build_units(text)] == [
        "The council ran a provider event in 2018.",
        "The notice followed in August 2018.",
    ]


def test_units_know_their_stored_sentences() -> None:
    sentences = split_sentences(PRIORITIES)
    for unit in build_units(PRIORITIES):
        for member in unit.members:
            assert member == -1 or sentences[member] in unit.raw


def test_a_sentence_that_leans_on_the_one_before_joins_it() -> None:
    text = (
        "Barnardo's published a Phase 1 evaluation on 1 July 2020. It used mixed methods and "
        "covers the first year. The council also commissioned other work."
    )
    units = build_units(text)
    assert units[0].text.endswith("covers the first year.")
    assert len(units) == 2


def test_announced_counts() -> None:
    assert announced("It must announce its intention in one of two ways.") == 2
    assert announced("The notice set two initial priorities for the partnership:") == 2
    assert announced("The exit plan should cover:") == -1
    assert announced("It lets an authority do two things in one procurement: fund and buy.") == 0


def test_tidy_keeps_pinpoints_and_drops_ids_and_secondary_notes() -> None:
    assert tidy("(5) The minimum period is 30 days. (reg. 31(5))") == (
        "The minimum period is 30 days (reg. 31(5))."
    )
    assert (
        tidy(
            "The notice went out on 24 August 2018 (see leics-cip-procurement-route) "
            "(E3M case study; Contracts Finder notice, 24 Aug 2018)."
        )
        == "The notice went out on 24 August 2018."
    )
    assert tidy("It covers children with SEND (special educational needs).") == (
        "It covers children with SEND (special educational needs)."
    )
    assert tidy("Standstill is 8 working days (s. 51; gov.uk guidance; see pa2023-notices).") == (
        "Standstill is 8 working days (s. 51)."
    )


def test_questions_and_exercises_in_a_passage_are_not_answers() -> None:
    text = (
        "What is the minimum period for requests to participate? Name the two procedures. "
        "This pack supports a half-day session for commissioners. The period is 30 days in all."
    )
    units = build_units(text)
    kept = [u.text for u in units if not (u.is_prompt or u.is_about_document)]
    assert kept == ["The period is 30 days in all."]


def test_table_rows_and_pointers_to_other_documents_are_not_answers() -> None:
    text = (
        "The sufficiency duty and the placements market | Short talk | ca1989-s22g | 20 min\n"
        "For the PCR regime see pcr2015-regs74-77-light-touch for the details.\n"
        "The duty applies to every English council."
    )
    kept = [u.text for u in build_units(text) if not (u.is_prompt or u.is_about_document)]
    assert kept == ["The duty applies to every English council."]


def test_headings_web_addresses_and_section_guides_are_not_answers() -> None:
    text = (
        "Innovative partnership vs innovation partnership.\n"
        "Cited from a third-party copy at https://example.org/guidance-copy today.\n"
        "The later sections offer practice suggestions for authorities.\n"
        "The partnership was procured under the light touch regime."
    )
    kept = [u.text for u in build_units(text) if not (u.is_prompt or u.is_about_document)]
    assert kept == ["The partnership was procured under the light touch regime."]


def test_a_bracketed_source_note_alone_is_no_answer_unit() -> None:
    text = (
        "They must have regard to the Wales statement (s. 14(8)).\n\n"
        "(Procurement Act 2023 ss. 13(10)(d), 14(8), 53(4) and 108(5))\n\n"
        "The standstill rules differ for Welsh authorities in several ways."
    )
    flags = {u.text: u.is_about_document for u in build_units(text)}
    assert flags["(Procurement Act 2023 ss. 13(10)(d), 14(8), 53(4) and 108(5))"] is True
    assert flags["They must have regard to the Wales statement (s. 14(8))."] is False


def test_a_sentence_about_a_statutory_section_is_an_answer_unit() -> None:
    about_page = build_units("This section covers the notices a council must publish first.")
    assert about_page[0].is_about_document
    law = build_units("The section was added to the 1989 Act by s.9 of the Children Act 2008.")
    assert not law[0].is_about_document


def test_joined_items_and_continuations_lower_their_ordinary_first_word() -> None:
    from assistant.answering.units import join_continuation, join_list

    joined = join_list("The findings:", ["A lack of places harms children;", "By 2022 it grew."])
    assert joined == "The findings: a lack of places harms children; by 2022 it grew."
    assert join_continuation("It combined two tools.", "By pairing them it won.") == (
        "It combined two tools; by pairing them it won."
    )
    assert join_list("Bodies:", ["CMA findings;", "Barnardo's reports."]) == (
        "Bodies: CMA findings; Barnardo's reports."
    )


def test_a_sentence_pointing_back_after_its_first_word_stays_with_the_one_before() -> None:
    text = (
        "Regulation 65 requires at least three candidates to be invited. Applying this to "
        "bespoke light touch procedures is our inference. On that view, one bidder is not enough."
    )
    units = build_units(text)
    assert units[0].text.startswith("Regulation 65 requires at least three candidates to be ")
    assert units[0].text.endswith(
        "; applying this to bespoke light touch procedures is our inference."
    )
    # one sentence of context only: the third stands alone, and says what it points back to
    assert units[1].text.startswith("On that view")
    # "In this case" points back; "this is" after the opening word is a statement of its own
    rule = "The minimum period for requests to participate is thirty days from the notice."
    assert len(build_units(f"{rule} In this case the authority may not shorten it.")) == 1
    assert len(build_units(f"{rule} Given this is a minimum, longer periods are common.")) == 2
