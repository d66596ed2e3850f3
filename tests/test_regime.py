"""The "which rules apply?" helper: regime by date, every statement cited from the library."""

from __future__ import annotations

import re
from datetime import date

import pytest

from assistant.errors import AssistantError
from assistant.export import to_markdown
from assistant.regime import (
    COMMENCEMENT,
    COMMENCEMENT_TEXT,
    CONTRACT_KINDS,
    advice_report,
    parse_start_date,
    regime_for,
    which_rules_apply,
)
from assistant.uploads import MergedLibrary, UserCollection

GOODS = "Goods or services"


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
