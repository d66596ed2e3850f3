"""Dates written in questions: found in free text, read by dateutil, names left out."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.text.dates import date_mentions, question_period


@pytest.mark.parametrize(
    "written",
    [
        "20 February 2025",
        "20th Feb. 2025",
        "20th of February, 2025",
        "February 20, 2025",
        "20/02/2025",
        "20.02.2025",
        "2025-02-20",
        "20/2/25",
    ],
)
def test_a_day_as_people_write_it(written: str) -> None:
    (mention,) = date_mentions(f"Which regime applies if our tender notice went out {written}?")
    assert mention.period == (date(2025, 2, 20), date(2025, 2, 20))
    assert mention.precision == "day" and mention.text == written
    assert mention.when() == "on 20 February 2025"


def test_numbers_that_are_not_dates_are_left_alone() -> None:
    assert date_mentions("SI 2025/1200 and reg 31/2 of the old rules") == []


def test_uk_order_and_impossible_days() -> None:
    assert date_mentions("started 02/03/2025")[0].start == date(2025, 3, 2)
    assert date_mentions("started 31 February 2025") == []
    assert date_mentions("started 2025-13-01") == []


@pytest.mark.parametrize(
    ("text", "period", "precision"),
    [
        ("let in March 2024", (date(2024, 3, 1), date(2024, 3, 31)), "month"),
        ("let in Feb 2024", (date(2024, 2, 1), date(2024, 2, 29)), "month"),
        ("let in December 2025", (date(2025, 12, 1), date(2025, 12, 31)), "month"),
        ("let in 2018", (date(2018, 1, 1), date(2018, 12, 31)), "year"),
        ("tender in spring 2025", (date(2025, 3, 1), date(2025, 5, 31)), "part"),
        ("award in Q4 2024", (date(2024, 10, 1), date(2024, 12, 31)), "part"),
    ],
)
def test_a_month_or_a_year_is_a_range(text: str, period, precision: str) -> None:
    (mention,) = date_mentions(text)
    assert mention.period == period and mention.precision == precision


@pytest.mark.parametrize(
    "text",
    [
        "What does the Procurement Act 2023 say?",
        "Is SI 2025/1200 in force?",
        "under PCR 2015 and TUPE 2006",
        "the 2015 Regulations and Directive 2014/24/EU",
        "Northshire County Council v InnovaCare Ltd [2019] EWHC 12",
        "a value of £2,018 or £214,904",
        "PA 2023 s. 74(2) and reg. 72(5)",
        "the Health Services (Provider Selection Regime) (Wales) Regulations 2025, WSI 2025/99",
    ],
)
def test_years_that_name_something_are_not_dates(text: str) -> None:
    assert date_mentions(text) == []


def test_a_bare_year_is_a_time_only_when_written_as_one() -> None:
    assert [m.as_time for m in date_mentions("a contract let in 2018")] == [True]
    assert [m.as_time for m in date_mentions("a 2018 PCR contract")] == [True]
    assert [m.as_time for m in date_mentions("our 2019 procurement")] == [True]
    assert [m.as_time for m in date_mentions("the 2010 statutory guidance")] == [False]
    assert date_mentions("on 1 May 2024")[0].as_time  # days and months always are


def test_every_date_in_order() -> None:
    text = "A PIN in January 2025, then a tender notice on 3 April 2025 under the 2015 Regulations."
    assert [m.text for m in date_mentions(text)] == ["January 2025", "3 April 2025"]
    assert question_period(text) == (date(2025, 1, 1), date(2025, 1, 31))
