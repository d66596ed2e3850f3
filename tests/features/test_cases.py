"""Case studies by what happened: attributes from front matter, filters, "cases like ours"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.config import Settings
from assistant.features import cases
from assistant.ingest.chunking import chunk_document
from assistant.ingest.parsers import parse_file
from tests.conftest import FAKE_ABSTAIN_THRESHOLD, FAKE_MODEL

CASE_STUDIES = Path(__file__).resolve().parents[2] / "corpus" / "case_studies"
LEICS = "Leicestershire Children's Innovation Partnership (CIP)"


class _Library:
    def __init__(self, paths: list[Path]) -> None:
        self.chunks = {c.chunk_id: c for p in paths for c in chunk_document(parse_file(p))}


@pytest.fixture(scope="module")
def library() -> _Library:
    return _Library(sorted(CASE_STUDIES.glob("*.md")))


def test_cases_come_from_front_matter_one_per_name(library) -> None:
    found = {c.name: c for c in cases.all_cases(library)}
    assert LEICS in found and "Plymouth Alliance" in found and len(found) == 6
    leics = found[LEICS]
    assert len(leics.doc_ids) == 4 and leics.regime == "PCR2015"  # four documents, one case
    assert leics.year == 2018 and leics.value_gbp == 704_000_000
    assert leics.get("partner_type") == "charity (Barnardo's)"
    plymouth = found["Plymouth Alliance"]
    assert plymouth.value_gbp == 7_700_000 and plymouth.year == 2018
    assert plymouth.get("term") == "initial five years, extendable to 2029"
    assert found["South London Commissioning Partnership"].get("value") == ""  # not recorded


def test_money() -> None:
    assert cases.money("£704,000,000 (notice)") == [704e6]
    assert cases.money("£7.7m in its first year; £25m over eight years") == [7.7e6, 25e6]
    assert cases.money("not recorded") == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (cases.CaseFilters(route="light touch"), [LEICS]),
        (cases.CaseFilters(route="ALLIANCE"), ["Plymouth Alliance"]),
        (cases.CaseFilters(regime="PCR2015"), [LEICS]),
        (cases.CaseFilters(year_from=2015, year_to=2019), [LEICS, "Plymouth Alliance"]),
        (cases.CaseFilters(year_to=2012), ["Cross Regional Project"]),
        (cases.CaseFilters(min_value=10e6, max_value=100e6), ["Cross Regional Project"]),
        (
            cases.CaseFilters(partner_type="charity", service_area="mental health"),
            ["Barnardo's Core Priority Programme partnerships"],
        ),
        (
            cases.CaseFilters(authority="newport"),
            ["Newport City Council and Barnardo's strategic partnership"],
        ),
        (cases.CaseFilters(route="innovation partnership"), []),
    ],
)
def test_filters(library, filters: cases.CaseFilters, expected: list[str]) -> None:
    assert [c.name for c in cases.find_cases(library, filters)] == expected


def test_matching_attributes_explain_the_likeness(library) -> None:
    leics = next(c for c in cases.all_cases(library) if c.name == LEICS)
    described = (
        "A county council in 2019 wants a charity to co-design residential care for looked "
        "after children over 10 years, worth about £500m."
    )
    matched = dict(cases.matching_attributes(leics, described, "PCR2015"))
    assert set(matched) == {"service_area", "partner_type", "regime", "year", "term", "value"}
    assert matched["value"].startswith("£704,000,000")
    assert cases.matching_attributes(leics, "adult homelessness services", "PA2023") == []


@pytest.fixture(scope="module")
def case_assistant(tmp_path_factory: pytest.TempPathFactory):
    from assistant.api import Assistant

    root = tmp_path_factory.mktemp("cases")
    shutil.copytree(CASE_STUDIES, root / "corpus")
    settings = Settings(
        index_dir=root / "index",
        corpus_dir=root / "corpus",
        embed_model=FAKE_MODEL,
        abstain_threshold=FAKE_ABSTAIN_THRESHOLD,
    )
    assistant = Assistant(settings)
    assert assistant.ingest().ok
    return assistant


def test_cases_like_ours_ranks_and_cites(case_assistant) -> None:
    library = case_assistant.library
    matches = cases.cases_like(
        library,
        "A county council wants a charity partner to redesign residential care and fostering "
        "for looked after children, on a light touch basis",
    )
    assert matches[0].case.name == LEICS
    assert {"route", "service_area", "partner_type"} <= {a for a, _ in matches[0].matched}
    assert matches[0].hit.chunk.doc_id in matches[0].case.doc_ids
    alliance = cases.cases_like(
        library, "one alliance contract for homelessness and substance misuse"
    )
    assert alliance[0].case.name == "Plymouth Alliance"
    # A passage of a document holding several cases is only cited for the case it is about.
    assert "Plymouth" in " ".join((*alliance[0].hit.chunk.heading_path, alliance[0].hit.chunk.text))
    answer = cases.cases_answer("homelessness", alliance)
    assert answer.text.startswith("1. Plymouth Alliance (Plymouth City Council, 2018). Matches on")
    assert answer.citations[0].doc_id == "uk-partnership-models"
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)
    only = cases.cases_like(
        library, "children's services", filters=cases.CaseFilters(regime="PCR2015")
    )
    assert [m.case.name for m in only] == [LEICS]


def test_cli_cases(case_assistant, monkeypatch) -> None:
    from assistant.cli import app
    from assistant.config import get_settings

    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(case_assistant.settings.index_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    result = runner.invoke(app, ["cases", "--route", "light touch", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["case"] for r in rows] == [LEICS] and rows[0]["year"] == "2018"
    result = runner.invoke(
        app, ["cases", "--like", "an alliance for homelessness services", "--k", "1"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1. Plymouth Alliance")
    assert "[1] Other UK partnership and alliance models" in result.output
