"""The Case studies tab: cases like ours, with matching attributes and citations."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import Handlers
from assistant import Assistant, Settings

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
    text, sources = handlers.find_cases(
        "A county council wanting a partner to co-design looked after children's services "
        "under the light touch regime",
        "",
        "",
        None,
    )
    assert "Leicestershire" in text
    assert "[1]" in text and "source-card" in sources


def test_filters_alone_list_matching_cases(handlers: Handlers) -> None:
    text, _ = handlers.find_cases("", "light touch", "", None)
    assert "Leicestershire" in text
    none, _ = handlers.find_cases("", "", "EU2014", None)
    assert none.startswith("No case study")
