"""A turn of the conversation as the page shows it: a status line while the answer is made,
then the answer and its sources; inputs refused next to their field (issue 16, items 1, 3, 5)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.features.documents import catalogue
from assistant.types import Answer
from assistant.ui.chat import (
    FieldError,
    answer_number,
    history_for,
    parse_as_at,
    parse_year,
    turn,
)

QUESTION = "What is the minimum period for requests to participate?"


def test_a_turn_shows_a_status_line_then_the_answer_and_its_sources(mini_assistant) -> None:
    listed = catalogue(mini_assistant.settings)
    views = list(turn(mini_assistant, QUESTION, {}, [], [], "solicitor", None, listed))
    first, last = views[0], views[-1]
    assert first.messages[-1]["content"] == '<p class="answer-status">Reading the question…</p>'
    assert first.sources and "Searching the library" in first.sources
    statuses = [v.messages[-1]["content"] for v in views[1:-1]]
    assert any("Searching the library…" in s for s in statuses)
    assert any("Checking citations…" in s for s in statuses)
    assert all(v.sources is None for v in views[1:-1])  # the panel waits for the answer
    assert len(last.answers) == 1 and last.messages[0] == {"role": "user", "content": QUESTION}
    assert "(#src-0-1)" in last.messages[-1]["content"]
    assert 'id="src-0-1"' in (last.sources or "")


def test_the_conversation_passed_on_is_the_answers_own_text() -> None:
    answer = Answer("Q?", "A. [1]", (), False, notes=("a note",))
    assert history_for([answer]) == [
        {"role": "user", "content": "Q?"},
        {"role": "assistant", "content": "A. [1]"},
    ]


def test_a_rated_message_is_mapped_to_its_answer() -> None:
    messages = [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
        {"role": "assistant", "content": "a2"},
    ]
    assert [answer_number(messages, i) for i in range(5)] == [None, 0, None, 1, None]


@pytest.mark.parametrize("text", ["2018-13-01", "1/9/18", "next week", "2018-09"])
def test_a_badly_written_date_is_refused_for_its_field(text: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_as_at(text)
    assert caught.value.field == "as_at"
    assert "Write it as YYYY-MM-DD, e.g. 2018-09-01" in caught.value.message


def test_dates_and_years_that_are_fine() -> None:
    assert parse_as_at("") is None and parse_as_at(" 2018-09-01 ") == date(2018, 9, 1)
    assert parse_as_at("1 September 2018") == date(2018, 9, 1)
    assert parse_year("") is None and parse_year(None) is None and parse_year("2018") == 2018
    for bad in ("0", "18", "twenty", "3000", "2018.5"):
        with pytest.raises(FieldError, match="Write a year such as 2018"):
            parse_year(bad)
