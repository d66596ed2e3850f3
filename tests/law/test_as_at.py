"""The day the law is judged at: the 'law as at' date given, else the date the question
writes (when its dates fall under one regime), else today."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_document
from assistant.ingest.parsers import parse_file
from assistant.law.as_at import LawDate, asks_which_law, law_date

DATA = Path(__file__).resolve().parents[2] / "corpus" / "data" / "thresholds-by-date.md"


class _Library:
    """The part of a Library the law date reads: chunks by id (for the regimes table)."""

    def __init__(self) -> None:
        self.chunks = {c.chunk_id: c for c in chunk_document(parse_file(DATA))}


@pytest.fixture(scope="module")
def table_library() -> _Library:
    return _Library()


def test_a_date_in_the_question_is_the_day_the_law_is_judged_at(table_library) -> None:
    question = "Which regime applies if our tender notice went out on 20 February 2025?"
    law = law_date(question, None, table_library)
    assert law.day == date(2025, 2, 20) and law.period == (law.day, law.day)
    assert law.when == "on 20 February 2025"
    assert law.note.startswith("The law is taken as at 20 February 2025, the date in the question")
    year = law_date("a contract let in 2018", None, table_library)
    assert (year.day, year.period, year.when) == (
        date(2018, 1, 1),
        (date(2018, 1, 1), date(2018, 12, 31)),
        "in 2018",
    )
    assert law_date("How long is standstill?", None, table_library) == LawDate()


def test_the_law_as_at_date_given_wins_over_the_question(table_library) -> None:
    question = "Which regime applies if our tender notice went out on 20 February 2025?"
    law = law_date(question, date(2025, 6, 1), table_library)
    assert law.day == date(2025, 6, 1) and law.period == (law.day, law.day)
    assert law.note == (
        "The law is taken as at 1 June 2025, the 'law as at' date given, not 20 February 2025 "
        "as written in the question."
    )
    inside = law_date("a contract let in 2018", date(2018, 9, 1), table_library)
    assert inside.note == "The law is taken as at 1 September 2018, the 'law as at' date given."


def test_dates_under_different_regimes_give_no_single_day(table_library) -> None:
    both = "We published a PIN in January 2025 and the tender notice in April 2025."
    law = law_date(both, None, table_library)
    assert law.day is None
    assert "procurements commenced then fell under different regimes" in law.note
    assert "Public Contracts Regulations 2015 and the Procurement Act 2023" in law.note
    assert law_date("What changed in 2025?", None, table_library).day is None
    pin = "A PIN for market engagement in December 2024 and the tender in spring 2025"
    assert law_date(pin, None, table_library).day is None
    same = law_date("a PIN in May 2024 and a tender in June 2024", None, table_library)
    assert same.day == date(2024, 5, 1)


def test_a_year_that_names_something_sets_no_day(table_library) -> None:
    law = law_date("What does the 2010 statutory guidance say?", None, table_library)
    assert law.day is None and law.note == ""
    assert law.period == (date(2010, 1, 1), date(2010, 12, 31))  # still a threshold period


def test_a_follow_up_takes_the_date_from_the_conversation(table_library) -> None:
    law = law_date(
        "and the standstill period?", None, table_library, "tender notice 20 February 2025"
    )
    assert law.day == date(2025, 2, 20)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Which regime applies if our tender notice went out on 20 February 2025?", True),
        ("are we under the old PCR or the new act if we go out in april 2025?", True),
        ("How long is standstill for a procurement commenced on 1 September 2018?", True),
        ("how big was the DfE holiday activities grant barnardos won in 2019", False),
        ("when did PA23 actually go live? my slides say october 2024", False),
    ],
)
def test_only_a_question_about_which_law_applies_gets_the_regime_lead(question, asks) -> None:
    assert asks_which_law(question) is asks


def test_the_date_of_a_change_to_a_contract_is_not_the_law_date(table_library) -> None:
    question = "if we add a new service line to the contract in 2026, which rules apply?"
    law = law_date(question, None, table_library)
    assert law.day is None  # no regime lead: a change follows the contract's own regime
    assert law.note.startswith("The question is about changing a contract")
    assert law.note.endswith("so the answer does not take the law as at 2026.")
    let = (
        "our contract was let under PCR in 2019. if we change it now which rules cover the change?"
    )
    assert law_date(let, None, table_library).day is None
    # a deadline extended in a year is not a change to a contract
    assert law_date("was the tender deadline extended in 2023?", None, table_library).day
    extended = law_date("can we extend it in March 2027?", None, table_library)
    assert extended.day is None and "reg. 72" in extended.note
    # the commencement of a procurement still sets the day
    assert law_date("a tender commenced in 2026", None, table_library).day == date(2026, 1, 1)
