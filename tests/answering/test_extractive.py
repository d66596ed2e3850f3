"""Extractive answers: sentence splitting, [n] markers <-> citations, abstention, follow-ups."""

from __future__ import annotations

import dataclasses
import re

import pytest

from assistant.answering.condense import previous_question, standalone_query
from assistant.answering.extractive import cite
from assistant.answering.units import tidy
from assistant.api import MAX_QUESTION_CHARS
from assistant.errors import AssistantError
from assistant.text.sentences import split_sentences
from assistant.types import Chunk, Hit

MARKER = re.compile(r"\[(\d+)\]")
ANSWERABLE = {
    "When was Barnardo's appointed as Leicestershire's innovation partner?": "leics-cip-mini",
    "What is the minimum period for requests to participate under reg 31(5)?": (
        "pcr2015-reg31-mini"
    ),
    "What is a competitive flexible procedure?": "pa2023-mini",
    "Which rules apply to a procurement commenced before 24 February 2025?": "guide-mini",
}
OFF_TOPIC = "What is the recipe for a Victoria sponge cake?"


def test_split_sentences_keeps_legal_abbreviations_intact() -> None:
    text = (
        "The rule is in s. 20 of the Act. It applies under reg. 31(5) to every partnership. "
        "Sch. 5 para. 2 lists the prototype ground for direct award. Art. 31 of the Directive, "
        "e.g. the recitals, is the source."
    )
    assert split_sentences(text) == [
        "The rule is in s. 20 of the Act.",
        "It applies under reg. 31(5) to every partnership.",
        "Sch. 5 para. 2 lists the prototype ground for direct award.",
        "Art. 31 of the Directive, e.g. the recitals, is the source.",
    ]


def test_split_sentences_keeps_a_trailing_pinpoint_and_drops_fragments() -> None:
    text = (
        "(5) The minimum period for receipt is 30 days. (reg. 31(5))\n"
        "- a bullet point with enough words here\nToo short.\nSee the guidance for more detail."
    )
    assert split_sentences(text) == [
        "(5) The minimum period for receipt is 30 days. (reg. 31(5))",
        "a bullet point with enough words here",
    ]


def _hit(n: int) -> Hit:
    chunk = Chunk(
        chunk_id=f"doc-{n}#0",
        doc_id=f"doc-{n}",
        text=f"Text of passage {n}.",
        locator=f"reg. {n}",
        url=f"https://example.org/{n}",
        meta={"title": f"Doc {n}", "doc_type": "regulation", "regime": "PCR2015"},
    )
    return Hit(chunk, 1.0 / (n + 1))


def test_cite_numbers_sources_in_order_of_first_use() -> None:
    hits = [_hit(0), _hit(1), _hit(2)]
    text, citations = cite(hits, [(2, "First."), (0, "Second."), (2, "Third.")])
    assert text == "First. [1] Second. [2] Third. [1]"
    assert [(c.n, c.doc_id, c.locator) for c in citations] == [
        (1, "doc-2", "reg. 2"),
        (2, "doc-0", "reg. 0"),
    ]
    assert citations[0].quote.split() == ["First.", "Third."]
    assert citations[0].source_url == "https://example.org/2"
    assert citations[0].title == "Doc 2"


@pytest.mark.parametrize("question", list(ANSWERABLE))
def test_every_marker_has_a_citation_and_every_citation_a_marker(mini_assistant, question) -> None:
    answer = mini_assistant.ask(question)
    assert not answer.abstained
    markers = {int(n) for n in MARKER.findall(answer.text)}
    numbers = [c.n for c in answer.citations]
    assert markers == set(numbers)
    assert numbers == list(range(1, len(numbers) + 1))  # 1..N, no gaps, no repeats
    assert answer.citations[0].doc_id == ANSWERABLE[question]
    for c in answer.citations:
        assert c.chunk_id.startswith(f"{c.doc_id}#")
        assert c.title and c.locator and c.text
        assert c.source_url.startswith("https://")
        # the passage's own words are quoted on the card; the answer shows them tidied
        assert c.quote and all(part in c.text for part in c.quote.split("\n"))
        assert tidy(c.quote.split("\n")[0]).rstrip(".")[:40] in answer.text
    assert answer.timings["total_ms"] >= 0


def test_answer_quotes_the_fact_with_its_pinpoint(mini_assistant) -> None:
    answer = mini_assistant.ask(
        "When was Barnardo's appointed as Leicestershire's innovation partner?"
    )
    assert "December 2018" in answer.text
    reg = mini_assistant.ask("What is the minimum period under reg 31(5)?")
    assert "30 days" in reg.text
    citation = next(c for c in reg.citations if c.doc_id == "pcr2015-reg31-mini")
    assert citation.locator == "reg. 31(4)–(6)"
    assert citation.source_url == "https://www.legislation.gov.uk/uksi/2015/102/regulation/31"


def test_off_topic_question_abstains_and_lists_nearest_documents(mini_assistant) -> None:
    answer = mini_assistant.ask(OFF_TOPIC)
    assert answer.abstained
    assert answer.citations == ()
    assert not MARKER.search(answer.text)
    assert answer.nearest
    assert "does not cover" in answer.text
    assert answer.nearest[0] in answer.text


def test_unknown_council_abstains(mini_assistant) -> None:
    answer = mini_assistant.ask("What did Nottinghamshire County Council procure?")
    assert answer.abstained
    assert answer.citations == ()
    assert "Nottinghamshire" in answer.text


@pytest.mark.parametrize("question", ["", "   ", "x" * (MAX_QUESTION_CHARS + 1)])
def test_empty_or_overlong_question_is_an_error(mini_assistant, question: str) -> None:
    with pytest.raises(AssistantError):
        mini_assistant.ask(question)


def test_standalone_query_carries_the_topic_of_the_previous_question() -> None:
    history = [
        {"role": "user", "content": "When was Barnardo's appointed?"},
        {"role": "assistant", "content": "In December 2018 [1]."},
    ]
    assert standalone_query("What does it do?", history) == (
        "What does it do? Barnardo's appointed"
    )
    assert standalone_query("and who won it?", history).startswith("and who won it? ")
    assert standalone_query("What does it do?", None) == "What does it do?"
    assert standalone_query("What does it do?", [{"role": "assistant", "content": "x"}]) == (
        "What does it do?"
    )
    long_question = "Which procedure must a contracting authority follow for a public contract?"
    assert standalone_query(long_question, history) == long_question


def test_history_messages_in_parts_are_read_as_text() -> None:
    history = [
        {"role": "user", "content": [{"type": "text", "text": "when did leics go out to tender?"}]},
        {"role": "assistant", "content": ["On 24 August 2018 [1]."]},
        {"role": "user", "content": {"path": "upload.pdf"}},
    ]
    assert standalone_query("and who won it?", history) == ("and who won it? leics go out tender")


def test_a_short_question_that_stands_alone_is_not_glued_to_the_last_one() -> None:
    history = [{"role": "user", "content": "Who won the contract for the CIP?"}]
    assert standalone_query("What was the light touch threshold?", history) == (
        "What was the light touch threshold?"
    )


def test_a_short_question_without_a_case_takes_the_case_under_discussion() -> None:
    history = [{"role": "user", "content": "whats the closing date for the leics CIP tender?"}]
    assert standalone_query("when was the contract meant to start?", history) == (
        "when was the contract meant to start? Leicestershire"
    )


def test_a_question_asking_only_for_a_kind_of_answer_is_a_follow_up() -> None:
    """ "roughly how much?" names nothing of its own: the question after it reaches back past
    it to the topic of the one before."""
    history = [
        {"role": "user", "content": "did the CIP bring any extra grant funding into the county?"},
        {"role": "assistant", "content": "Yes."},
        {"role": "user", "content": "roughly how much?"},
        {"role": "assistant", "content": "About £0.8m."},
    ]
    query = standalone_query("what was that money for, and which year?", history)
    assert "grant funding" in query and "CIP" in query


def test_a_follow_up_to_a_follow_up_carries_both_topics() -> None:
    history = [
        {"role": "user", "content": "What is the sub-central threshold under the Act?"},
        {"role": "user", "content": "and for works?"},
    ]
    query = standalone_query("what about light touch?", history)
    assert "sub-central" in query and "threshold" in query
    assert "works" not in query  # light touch is asked about in its place


@pytest.mark.parametrize(
    ("question", "carried"),
    [
        ("does that apply to light touch contracts too?", "standstill"),
        ("whats the welsh equivalent?", "sufficiency duty"),
        ("has the light touch figure moved as well?", "threshold"),
    ],
)
def test_a_question_that_points_back_at_its_end_or_subject_is_a_follow_up(
    question: str, carried: str
) -> None:
    history = {
        "standstill": "how long is the standstill period under the new act?",
        "sufficiency duty": "what's the sufficiency duty in s.22G in a nutshell?",
        "threshold": "PA23 sub-central threshold for a procurement starting feb 2026?",
    }[carried]
    query = standalone_query(question, [{"role": "user", "content": history}])
    assert query.startswith(question) and carried in query


def test_a_follow_up_asking_its_own_thing_takes_the_subject_not_the_attribute() -> None:
    history = [{"role": "user", "content": "whats the closing date for the leics CIP tender?"}]
    query = standalone_query("when was the contract meant to kick off then?", history)
    assert "leics CIP tender" in query and "closing" not in query
    # a thin one ("same?") asks what the question before asked, so it keeps all of it
    history = [{"role": "user", "content": "standstill length under PCR?"}]
    assert "length" in standalone_query("what about under PA23 - same?", history)


def test_only_a_thin_follow_up_keeps_the_previous_answer_type() -> None:
    history = [
        {"role": "user", "content": "what counts as a light touch contract under the Act?"},
        {"role": "user", "content": "which section defines it?"},
    ]
    asked = "and what flexibilities do they get on time limits and standstill?"
    assert previous_question(asked, history) == ""
    assert "section" not in standalone_query(asked, history)
    assert previous_question("what about PA23 - same?", history) == "which section defines it?"


def test_a_question_naming_a_regime_does_not_take_the_case_under_discussion() -> None:
    history = [{"role": "user", "content": "when did leics go out to tender?"}]
    question = "when did the procurement act go live?"
    assert standalone_query(question, history) == question


def test_a_follow_up_naming_another_regime_leaves_the_old_pinpoints_behind() -> None:
    history = [{"role": "user", "content": "longest a reg 77 reserved contract can run for?"}]
    carried = standalone_query("and under the Act?", history)
    assert "reserved contract" in carried and "77" not in carried and "reg" not in carried
    history = [{"role": "user", "content": "which para of reg 31 covers IPR?"}]
    assert "31" in standalone_query("and the proportionality requirement?", history)


def test_follow_up_uses_the_conversation(mini_assistant) -> None:
    history = [
        {
            "role": "user",
            "content": "When was Barnardo's appointed as Leicestershire's innovation partner?",
        },
        {"role": "assistant", "content": "In December 2018 [1]."},
    ]
    follow_up = "What does the charity do there?"
    alone = mini_assistant.ask(follow_up)
    with_context = mini_assistant.ask(follow_up, history=history)
    assert alone.abstained
    assert not with_context.abstained
    assert with_context.question == follow_up
    assert {c.doc_id for c in with_context.citations} == {"leics-cip-mini"}


def test_the_assistant_caps_blas_threads(settings) -> None:
    from threadpoolctl import threadpool_info

    from assistant.api import Assistant

    Assistant(settings.model_copy(update={"blas_threads": 1}))
    assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")


def test_a_date_the_question_writes_is_not_a_term_the_library_lacks() -> None:
    from assistant.answering.extractive import assess

    hit = _hit(0)
    text = "A procurement commenced before 24 February 2025 stays under PCR 2015."
    hits = [Hit(dataclasses.replace(hit.chunk, text=text), 1.0)]
    vocabulary = {"procur": 3, "commenc": 3}
    asked = "Contract notice submitted to FTS on 20/2/25 - does PCR or the Act govern it?"
    assert "20/2/25" not in " ".join(assess(asked, hits, 0.9, vocabulary).unknown_terms)
    assert "4471" in assess("What did contract 4471 cost?", hits, 0.9, vocabulary).unknown_terms


def test_a_question_naming_one_regime_is_also_searched_among_its_documents() -> None:
    from types import SimpleNamespace

    from assistant.answering.question import analyse
    from assistant.api import Assistant

    calls: list[object] = []

    def search(text, filters, k, vector, concepts=()):
        calls.append(filters)
        regime = (filters or {}).get("regime")
        return [_hit(9)] if regime == ["PA2023"] else [_hit(1), _hit(2)]

    library = SimpleNamespace(
        embedder=SimpleNamespace(get_query_embedding=lambda text: [0.0]), search=search
    )
    assistant = SimpleNamespace(library=library)
    asked = analyse("what about under PA23 - same? standstill length email award letters")
    found = [_hit(0), _hit(1), _hit(2)]
    query = "what about under Procurement Act 2023 - same? standstill length email award letters"
    out = Assistant._with_topic_search(assistant, found, query, asked, None, 3)
    assert {"regime": ["PA2023"]} in calls
    assert [h.chunk.doc_id for h in out] == ["doc-0", "doc-1", "doc-9"]


def test_an_acronym_users_type_is_not_a_name_the_library_lacks() -> None:
    from assistant.answering.extractive import assess

    hit = _hit(0)
    text = "The Contracts Finder notice gave a value of £704m for the public service mutual."
    hits = [Hit(dataclasses.replace(hit.chunk, text=text), 1.0)]
    vocabulary = {"contract": 30, "notic": 20, "valu": 20}
    for asked in ("what value did the CF notice state?", "how long is a PSM contract?"):
        assert assess(asked, hits, 0.9, vocabulary).unknown_terms == (), asked


def test_a_follow_up_that_says_what_it_asks_takes_only_the_case_and_regime() -> None:
    history = [{"role": "user", "content": "Leics CIP - procured under PCR or PA23?"}]
    follow = "so if they want to add a new service line in 2026, which modification rules apply?"
    assert standalone_query(follow, history) == f"{follow} Leicestershire PCR"
    # a short one, or one pointing at a thing asked about, still takes the topic
    assert "procured" in standalone_query("and when did that start?", history)


def test_a_follow_up_naming_another_of_a_kind_does_not_carry_the_one_it_replaces() -> None:
    history = [{"role": "user", "content": "PCR minimum number of candidates for an IP?"}]
    carried = standalone_query("and in a restricted procedure?", history)
    assert "candidates" in carried and "IP" not in carried.split("?", 1)[1]
    light = [{"role": "user", "content": "Is standstill mandatory for a light touch contract?"}]
    carried = standalone_query("and for a works contract?", light)
    assert "standstill" in carried and "light" not in carried.split("?", 1)[1]


def test_a_follow_ups_them_takes_who_the_last_answer_named() -> None:
    history = [
        {"role": "user", "content": "which charity won the leics CIP?"},
        {
            "role": "assistant",
            "content": "The CIP is a partnership between the council and the charity "
            "Barnardo's. [1] Stone King advised. [2]",
        },
    ]
    carried = standalone_query("and when did the partnership with them start?", history)
    assert carried.endswith("barnardo's")  # named in the answer's first sentence only
    assert "stone king" not in carried
    # without a pronoun for someone, nothing is taken from the answer
    assert "barnardo" not in standalone_query("and when did it start?", history)
