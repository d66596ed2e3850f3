"""The Case studies tab: cases like ours, with matching attributes and citations."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.ui.handlers import Handlers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> Handlers:
    index = tmp_path_factory.mktemp("cases-index")
    settings = Settings(
        corpus_dir=ROOT / "corpus",
        index_dir=index,
        embed_model="fake-hash",
        user_data_dir=index / "user",
    )
    assistant = Assistant(settings)
    assistant.ingest()
    return Handlers(assistant)


def test_cases_like_ours_lists_leicestershire_with_a_citation(handlers: Handlers) -> None:
    text, sources, _ = handlers.find_cases(
        "A county council wanting a partner to co-design looked after children's services "
        "under the light touch regime",
        "",
        "",
        None,
    )
    assert "Leicestershire" in text
    assert "[\\[1\\]](#case-src-0-1)" in text and 'id="case-src-0-1"' in sources


def test_filters_alone_list_matching_cases(handlers: Handlers) -> None:
    text, _, _ = handlers.find_cases("", "light touch", "", None)
    assert "Leicestershire" in text
    none, _, _ = handlers.find_cases("", "", "EU2014", None)
    assert none.startswith("No case study")


def test_listed_cases_show_every_attribute_whole(handlers: Handlers) -> None:
    """Issue 16, item 7: no attribute is cut mid-word ("with a besp)")."""
    text, _, _ = handlers.find_cases("", "light touch", "", "")
    assert "with a bespoke partner-selection tender" in text
    assert "[Leicestershire CIP: procurement route, tender notice and award]" in text


def test_a_bad_year_is_said_next_to_its_field(handlers: Handlers) -> None:
    result, sources, message = handlers.find_cases("", "", "", "18")
    assert message.startswith("⚠ Write a year such as 2018")
    assert isinstance(result, dict) and isinstance(sources, dict)  # left as they were
    later, _, none = handlers.find_cases("", "", "", "2019")
    assert none == "" and "Leicestershire" not in later
