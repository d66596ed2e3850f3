"""The "which rules apply?" helper: regime by date, every statement cited from the library."""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.features.export import to_markdown
from assistant.features.uploads import MergedLibrary, UserCollection
from assistant.features.which_rules import (
    COMMENCEMENT,
    COMMENCEMENT_TEXT,
    CONTRACT_KINDS,
    REGIME_NAMES,
    advice_report,
    parse_start_date,
    regime_for,
    which_rules_apply,
)
from assistant.text.dates import day_text

GOODS = "Goods or services"
CONTRACT_KINDS_LIGHT_TOUCH = "Light touch services (social care, education, health-related)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-02-24", date(2025, 2, 24)),
        ("2025-02-24T00:00:00", date(2025, 2, 24)),
        ("23/02/2025", date(2025, 2, 23)),
        ("1 March 2019", date(2019, 3, 1)),
        (date(2020, 1, 2), date(2020, 1, 2)),
    ],
)
def test_start_dates_in_the_forms_people_type(text, expected) -> None:
    assert parse_start_date(text) == expected


@pytest.mark.parametrize("bad", ["", "next month", "2025-13-01", None])
def test_an_unreadable_date_is_a_clear_error(bad) -> None:
    with pytest.raises(AssistantError, match="YYYY-MM-DD"):
        parse_start_date(bad)


def test_the_commencement_day_itself_is_under_the_act() -> None:
    assert regime_for(COMMENCEMENT) == "PA2023"
    assert regime_for(date(2025, 2, 23)) == "PCR2015"


@pytest.mark.parametrize(
    ("start", "regime", "side"),
    # the mini guide states the date only in its "before" sentence ("on or after that date")
    [("2018-08-24", "PCR2015", "before"), ("2025-06-01", "PA2023", "before")],
)
def test_the_regime_is_backed_by_a_cited_passage_stating_the_date(
    mini_assistant, start, regime, side
) -> None:
    advice = which_rules_apply(mini_assistant, start, GOODS)
    assert advice.regime == regime
    quotes = [c.quote for c in advice.basis.citations]
    assert quotes and all(COMMENCEMENT_TEXT in q for q in quotes)
    assert side in quotes[0]
    for citation in advice.basis.citations:
        assert all(line in citation.text for line in citation.quote.splitlines())


def test_findings_are_cited_from_the_regime_that_applies(mini_assistant) -> None:
    advice = which_rules_apply(mini_assistant, "2019-01-10", GOODS)
    assert [f.heading for f in advice.findings] == [
        "Thresholds",
        "Procedure",
        "Award notices and standstill",
    ]
    for finding in advice.findings:
        assert {c.regime for c in finding.answer.citations} <= {"PCR2015"}
        markers = {int(n) for n in re.findall(r"\[(\d+)\]", finding.answer.text)}
        assert markers == {c.n for c in finding.answer.citations}


def test_kind_specific_questions_come_first(mini_assistant) -> None:
    change = which_rules_apply(mini_assistant, "2019-01-10", "Changing an existing contract")
    assert change.findings[0].heading == "Changing the contract"
    assert "modified" in change.findings[0].answer.question
    health = which_rules_apply(mini_assistant, "2026-01-10", "Health care services")
    assert health.findings[0].heading == "Provider Selection Regime"


def test_unknown_kind_is_refused(mini_assistant) -> None:
    with pytest.raises(AssistantError, match="kind of contract"):
        which_rules_apply(mini_assistant, "2025-06-01", "Spaceships")
    assert len(CONTRACT_KINDS) >= 5


def test_without_a_passage_stating_the_date_the_helper_says_so(mini_assistant, tmp_path) -> None:
    settings = mini_assistant.settings.model_copy(update={"user_data_dir": tmp_path})
    uploads = UserCollection(settings)
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nOur council buys foster care services every year from charities.\n")
    uploads.add([note])
    only_uploads = mini_assistant.using(MergedLibrary(None, uploads.library()))
    with pytest.raises(AssistantError, match="no passage stating"):
        which_rules_apply(only_uploads, "2025-06-01", GOODS)


def test_the_report_numbers_every_marker_and_lists_provisions(mini_assistant) -> None:
    advice = which_rules_apply(mini_assistant, "2019-01-10", GOODS)
    report = advice_report(advice)
    text = to_markdown(report)
    assert "falls under the Public Contracts Regulations 2015" in text
    markers = {int(n) for n in re.findall(r"\[(\d+)\](?!\()", text.split("## References")[0])}
    assert markers == {r.n for r in report.references}
    for locator, _title, _url in advice.provisions():
        assert f"{locator} — " in text


# -- Figures in force on the start date, read from corpus/data/thresholds-by-date.md --------

DATA = Path(__file__).resolve().parents[2] / "corpus" / "data" / "thresholds-by-date.md"
MAIN_KINDS = [
    "goods and services (central government)",
    "goods and services (sub-central)",
    "works",
    "light touch",
]
# The table's contract kinds whose figures each kind of the helper shows.
EXPECTED_KINDS = {
    "Goods or services": MAIN_KINDS[:2],
    "Works": ["works"],
    "Light touch services (social care, education, health-related)": ["light touch"],
    "Innovation partnership (develop, then buy)": MAIN_KINDS,
    "Health care services": MAIN_KINDS,
    "Changing an existing contract": MAIN_KINDS,
}
# Both sides of each change: new figures (1 Jan 2024), the Act (24 Feb 2025), new figures
# under the Act (1 Jan 2026).
DAYS = [
    date(2023, 12, 31),
    date(2024, 1, 1),
    date(2025, 2, 23),
    date(2025, 2, 24),
    date(2025, 12, 31),
    date(2026, 1, 1),
]
AMOUNT = re.compile(r"£\d{1,3}(?:,\d{3})+")


def _table_rows() -> list[dict[str, str]]:
    """The thresholds table's rows, read here without assistant.law.thresholds."""
    columns = ("regime", "contract", "from", "to", "threshold", "source")
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == len(columns) and AMOUNT.fullmatch(cells[4]):
            rows.append(dict(zip(columns, cells, strict=True)))
    return rows


def _in_force(regime: str, contract: str, day: date) -> list[dict[str, str]]:
    return [
        r
        for r in _table_rows()
        if r["regime"] == regime
        and r["contract"] == contract
        and date.fromisoformat(r["from"]) <= day
        and (not r["to"] or day <= date.fromisoformat(r["to"]))
    ]


@pytest.fixture(scope="module")
def table_assistant(tmp_path_factory: pytest.TempPathFactory):
    """The mini corpus plus the real thresholds table, indexed with the hashing embedder."""
    from assistant.api import Assistant
    from tests.conftest import fake_settings, write_mini_corpus

    root = tmp_path_factory.mktemp("regime-table")
    corpus = write_mini_corpus(root / "corpus")
    shutil.copy(DATA, corpus / "thresholds-by-date.md")
    assistant = Assistant(fake_settings(root / "index", corpus))
    assert assistant.ingest().ok
    return assistant


def test_the_table_holds_the_rows_these_tests_rely_on() -> None:
    rows = _table_rows()
    assert len(rows) >= 20
    assert {r["regime"] for r in rows} == {"PCR2015", "PA2023"}
    assert {r["contract"] for r in rows} >= set(MAIN_KINDS)


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize("kind", list(CONTRACT_KINDS))
def test_thresholds_are_those_in_force_on_the_start_date(table_assistant, kind, day) -> None:
    advice = which_rules_apply(table_assistant, day, kind)
    (finding,) = [f for f in advice.findings if f.heading == "Thresholds"]
    text = finding.answer.text
    regime = regime_for(day)
    assert text.startswith(f"A procurement commenced on {day_text(day)} f")
    assert REGIME_NAMES[regime] in text.split(". [1]")[0]
    expected = []
    for contract in EXPECTED_KINDS[kind]:
        rows = _in_force(regime, contract, day)
        if rows:
            for row in rows:
                assert f"{row['threshold']} for procurements commenced from " in text, row
        else:  # a figure the table does not hold for that day is said to be unverified
            assert f"holds no verified {contract}" in text
        expected += rows
    assert set(AMOUNT.findall(text)) == {r["threshold"] for r in expected}
    figures = [c for c in finding.answer.citations if AMOUNT.search(c.quote)]
    assert {c.doc_id for c in figures} <= {"thresholds-by-date"}
    for row in expected:
        assert any(row["threshold"] in c.quote and row["from"] in c.quote for c in figures)


def test_goods_started_on_1_march_2025_get_the_figures_of_that_day(table_assistant) -> None:
    table = DATA.read_text(encoding="utf-8")
    then = "| PA2023 | goods and services (sub-central) | 2025-02-24 | 2025-12-31 | £214,904 |"
    later = "| PA2023 | goods and services (sub-central) | 2026-01-01 | | £207,720 |"
    assert then in table and later in table
    advice = which_rules_apply(table_assistant, "2025-03-01", "Goods or services")
    text = next(f for f in advice.findings if f.heading == "Thresholds").answer.text
    assert "councils was £214,904 for procurements commenced from 24 February 2025" in text
    assert "£207,720" not in text


def test_a_2018_light_touch_start_never_shows_a_later_figure(table_assistant) -> None:
    start = date(2018, 9, 1)
    advice = which_rules_apply(table_assistant, start, CONTRACT_KINDS_LIGHT_TOUCH)
    text = next(f for f in advice.findings if f.heading == "Thresholds").answer.text
    rows = _in_force("PCR2015", "light touch", start)
    later = {r["threshold"] for r in _table_rows() if date.fromisoformat(r["from"]) > start}
    if rows:  # the table has been filled for 2018: exactly that figure
        assert set(AMOUNT.findall(text)) == {r["threshold"] for r in rows}
    else:
        assert "holds no verified light touch threshold" in text
        assert not AMOUNT.findall(text)
    assert not set(AMOUNT.findall(text)) & (later - {r["threshold"] for r in rows})


def test_a_start_after_today_says_the_figures_are_todays(table_assistant) -> None:
    start = date.today() + timedelta(days=400)
    advice = which_rules_apply(table_assistant, start, "Works")
    finding = next(f for f in advice.findings if f.heading == "Thresholds")
    assert finding.answer.text.startswith("A procurement commenced today")
    assert any(
        n.startswith(f"The start date, {day_text(start)}, is after today") for n in finding.notes
    )
    assert f"Note: The start date, {day_text(start)}" in to_markdown(advice_report(advice))


def test_the_report_shows_each_findings_date_notes_with_report_numbers(table_assistant) -> None:
    advice = which_rules_apply(table_assistant, "2019-01-10", GOODS)
    index, finding = next((i, f) for i, f in enumerate(advice.findings) if f.answer.citations)
    last = max(c.n for c in finding.answer.citations)
    noted = dataclasses.replace(finding, notes=(f"[{last}] is about something else.",))
    findings = list(advice.findings)
    findings[index] = noted
    report = advice_report(dataclasses.replace(advice, findings=tuple(findings)))
    section = to_markdown(report).split(f"## {finding.heading}")[1].split("\n## ")[0]
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", section.split("- Note:")[0])]
    assert f"- Note: [{max(numbers)}] is about something else." in section
    assert max(numbers) != last  # the report's own numbering, after the regime section's


def test_a_cited_regulation_pinpoint_is_listed_under_provisions_cited() -> None:
    from assistant.features.which_rules import Finding, RegimeAdvice
    from assistant.types import Answer, Citation

    def cite(n: int, locator: str, doc_type: str) -> Citation:
        url = "https://www.legislation.gov.uk/uksi/2015/102/regulation/31"
        return Citation(n, f"d{n}#0", f"d{n}", f"Doc {n}", locator, url, 1.0, "Text.", doc_type)

    pinpointed = cite(1, "reg. 31(5)", "regulation")
    heading_only = cite(2, "Standstill and award decision notices", "regulation")
    guidance = cite(3, "reg. 72", "guidance")
    basis = Answer("q", "Rule [1].", (pinpointed,), False)
    finding = Finding("Procedure", Answer("q", "Steps [1] [2].", (heading_only, guidance), False))
    advice = RegimeAdvice(date(2019, 5, 1), GOODS, "PCR2015", basis, (finding,))
    assert advice.provisions() == [("reg. 31(5)", "Doc 1", pinpointed.source_url)]
    text = to_markdown(advice_report(advice))
    assert "## Provisions cited" in text and "reg. 31(5) — Doc 1" in text
