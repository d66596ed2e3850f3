"""Thresholds by date: the data tables in corpus/data/thresholds-by-date.md, exact lookups
with the table's citations, and notes on figures and dates that had been replaced."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ingest.chunking import chunk_document
from assistant.ingest.parsers import parse_file
from assistant.law import in_force as currency
from assistant.law import thresholds
from tests.conftest import FAKE_ABSTAIN_THRESHOLD, FAKE_MODEL, write_mini_corpus

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
DATA = CORPUS / "data" / "thresholds-by-date.md"
TODAY = date(2026, 11, 25)
AMOUNT = re.compile(r"^£\d{1,3}(?:,\d{3})+$")


@pytest.fixture(scope="module")
def tables() -> thresholds.Tables:
    return thresholds.read_tables(chunk_document(parse_file(DATA)))


def _lead(tables, question: str, start: date | None = None, end: date | None = None) -> str:
    from assistant.text.dates import question_period

    if not thresholds.asks_for_threshold(question):
        return ""
    asked = question_period(question)
    begin, until = asked or (start or TODAY, end or start or TODAY)
    lead = thresholds.threshold_lead(tables, question, begin, until, TODAY)
    return " ".join(s for s, _ in lead) if lead else ""


def test_every_row_is_well_formed_and_sourced(tables) -> None:
    assert len(tables.thresholds) >= 25 and len(tables.regimes) == 3 and tables.replaced
    for row in (*tables.thresholds, *tables.regimes, *tables.replaced):
        assert row.cells["source"].strip(), row.line
        assert row.line in row.chunk.text  # the citation quote is the passage's own line
        start, end = row.day("from"), row.day("to")
        for column in ("from", "to"):
            assert row.cells[column] == "" or row.day(column), row.line
        assert start is None or end is None or start <= end, row.line
    for row in tables.thresholds:
        assert AMOUNT.match(row.cells["threshold"]), row.line
        assert row.cells["regime"] in thresholds.REGIME_NAMES


def test_threshold_rows_sit_inside_their_regime_and_do_not_overlap(tables) -> None:
    regimes = {r.cells["regime"]: r for r in tables.regimes}
    for row in tables.thresholds:
        regime = regimes[row.cells["regime"]]
        assert (row.day("from") or date.min) >= (regime.day("from") or date.min), row.line
        assert (row.day("to") or date.max) <= (regime.day("to") or date.max), row.line
    seen: dict[str, list] = {}
    for row in tables.thresholds:
        for other in seen.get(row.cells["contract"], []):
            assert not row.covers(other.day("from"), other.day("to") or date.max), row.line
        seen.setdefault(row.cells["contract"], []).append(row)


def test_the_figures_match_the_regulation_documents(tables) -> None:
    """The data table repeats figures the library's regulation notes state; they must agree."""
    notes = " ".join(
        (CORPUS / p).read_text(encoding="utf-8")
        for p in (
            "pcr2015/pcr2015-reg5-thresholds.md",
            "pa2023/pa2023-notices-standstill-thresholds.md",
        )
    )
    for row in tables.thresholds:
        assert row.cells["threshold"] in notes, row.line


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "What threshold applied on 1 March 2024 for works contracts?",
            [
                "fell under the Public Contracts Regulations 2015",
                "works threshold was £5,372,609",
                "from 1 January 2024 to 23 February 2025",
                "(reg. 5(1)(a) as amended by SI 2023/1117)",
            ],
        ),
        (
            "What is the light touch threshold?",
            [
                "A procurement commenced today (25 November 2026) falls under the Procurement "
                "Act 2023",
                "light touch threshold is £663,540 for procurements commenced from 1 January 2026",
            ],
        ),
        (
            "We're a county council buying goods and services. What's the threshold from "
            "1 January 2026, and what was it before?",
            [
                "sub-central authorities such as councils is £207,720",
                "Before that, the threshold for goods and services bought by sub-central "
                "authorities such as councils was £214,904 for procurements commenced from "
                "24 February 2025 to 31 December 2025",
            ],
        ),
        (
            "What light touch threshold applied in 2016?",
            ["commenced in 2016 fell under", "£589,148", "from 1 January 2016 to 31 December 2017"],
        ),
        (
            "Which light touch threshold applied in 2018?",
            ["commenced in 2018 fell under", "£615,278", "from 1 January 2018 to 31 December 2019"],
        ),
        (
            "We are running a legacy PCR procurement for children's residential care. What "
            "threshold applies?",
            [
                "The Public Contracts Regulations 2015 cover procurements commenced from "
                "26 February 2015 to 23 February 2025",
                "light touch threshold was £663,540 for procurements "
                "commenced from 1 January 2024 to 23 February 2025",
            ],
        ),
        (
            "What is the NHS trust threshold for supplies on 1 June 2025?",
            ["central government authorities was £139,688", "24 February 2025 to 31 December 2025"],
        ),
    ],
)
def test_threshold_lookups_are_exact(tables, question: str, expected: list[str]) -> None:
    text = _lead(tables, question)
    for part in expected:
        assert part in text, f"{part!r} not in {text!r}"


@pytest.mark.parametrize(
    "question",
    [
        "What will the light touch threshold be from 1 January 2028?",  # the future
        "What is the light touch threshold in the Welsh Ministers' column?",  # not held
        "Why do older documents give £625,050 as the light touch threshold?",  # not a lookup
        "How do we estimate the value of an innovation partnership against the threshold?",
        "How do the PCR and Procurement Act thresholds compare?",  # two regimes
    ],
)
def test_no_lookup_when_the_table_cannot_answer(tables, question: str) -> None:
    assert _lead(tables, question) == ""


def test_stale_figures_point_to_the_figure_in_force(tables) -> None:
    notes = thresholds.stale_figures(tables, "It is £139,688, or £663,540, or £625,050.", TODAY)
    assert len(notes) == 2
    assert notes[0].startswith(
        "£139,688 was the threshold for goods and services bought by "
        "central government authorities for procurements commenced "
        "from 1 January 2024 to 31 December 2025"
    )
    assert "it is £135,018" in notes[0]
    assert notes[1].startswith("£625,050 was the light touch threshold")
    later = thresholds.stale_figures(tables, "The figure is £663,540.", date(2017, 9, 1))
    assert later and "only for procurements commenced from 1 January 2020" in later[0]
    assert thresholds.stale_figures(tables, "It was £615,278.", date(2018, 9, 1)) == []
    assert thresholds.stale_figures(tables, "It is £663,540.", TODAY) == []


def test_replaced_dates_are_flagged_only_after_they_were_replaced(tables) -> None:
    text = "The Act takes effect on 28 October 2024."
    (note,) = currency.replaced_mentions(tables, text, TODAY)
    assert "go-live date of 28 October 2024: it was replaced by 24 February 2025" in note
    assert currency.replaced_mentions(tables, text, date(2024, 6, 1)) == []
    both = text + " It was moved to 24 February 2025."
    assert currency.replaced_mentions(tables, both, TODAY) == []
    (npps,) = currency.replaced_mentions(tables, "Authorities follow PPN 05/21.", TODAY)
    assert "February 2025 NPPS" in npps


def test_ask_answers_a_threshold_question_exactly_with_the_table_cited(tmp_path: Path) -> None:
    from assistant.api import Assistant

    corpus = write_mini_corpus(tmp_path / "corpus")
    shutil.copy(DATA, corpus / "thresholds-by-date.md")
    settings = Settings(
        index_dir=tmp_path / "index",
        corpus_dir=corpus,
        embed_model=FAKE_MODEL,
        abstain_threshold=FAKE_ABSTAIN_THRESHOLD,
    )
    assistant = Assistant(settings)
    assert assistant.ingest().ok
    answer = assistant.ask(
        "What was the works threshold for a procurement commenced on 1 March 2024?"
    )
    assert not answer.abstained
    # the figure asked for leads; the regime it comes from follows, from the same table
    assert answer.text.startswith("The works threshold was £5,372,609")
    assert (
        "[1] A procurement commenced on 1 March 2024 fell under the Public Contracts "
        "Regulations 2015. [2]" in answer.text
    )
    figure = answer.citations[0]
    assert figure.doc_id == "thresholds-by-date"
    assert (
        figure.locator
        == "PCR 2015 regulation 5 thresholds (in force 1 January 2024 to 23 February 2025)"
    )
    assert "| PCR2015 | works | 2024-01-01 | 2025-02-23 | £5,372,609 |" in figure.quote
    # The same question with an explicit 'law as at' date far from it: that date decides,
    # and a note says the question's own date was not used.
    again = assistant.ask("What was the works threshold on 1 March 2024?", as_at=date(2018, 1, 1))
    figure_sentence, rest = again.text.split(". ", 1)
    assert rest.startswith("A procurement commenced on 1 January 2018 fell under")
    assert "works threshold" in figure_sentence and "£5,372,609" not in figure_sentence
    assert again.notes[0] == (
        "The law is taken as at 1 January 2018, the 'law as at' date given, not 1 March 2024 "
        "as written in the question."
    )


def test_tables_are_read_once_per_library() -> None:
    class Library:
        def __init__(self) -> None:
            self.chunks = {c.chunk_id: c for c in chunk_document(parse_file(DATA))}

    library = Library()
    first = thresholds.library_tables(library)
    assert thresholds.library_tables(library) is first
    library.chunks = dict(library.chunks)  # a reloaded index: read again
    assert thresholds.library_tables(library) is not first
    assert thresholds.library_tables(library) == first


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("What is the light touch threshold under the Act from 1/1/26?", True),
        ("which SI amended the PA 2023 Sch 1 thresholds with effect from 1/1/26", False),
        ("What statutory instrument changed the thresholds in 2026?", False),
        ("PCR sub-central supplies/services threshold as at 1 june 2023?", True),
        ("does the threshold include VAT?", False),
        # whether a named kind's figure moved asks for the figures
        ("has the light touch threshold changed as well?", True),
        ("did it go up in jan 2026 like the other thresholds?", False),  # which one?
    ],
)
def test_a_question_asking_for_the_instrument_is_not_a_threshold_lookup(question, asks) -> None:
    assert thresholds.asks_for_threshold(question) is asks
