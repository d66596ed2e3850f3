"""Input the assistant refuses clearly or cleans (issue 17, item 5): filters outside the
vocabularies, k outside 1-50, unknown personas, control characters in questions."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import get_settings
from assistant.errors import AssistantError, InvalidInput
from assistant.retrieval.library import normalise_filters

QUESTION = "What is the minimum period for the receipt of requests to participate?"


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"doc_type": [{"$ne": "x"}]}, "takes a list of text values"),
        ({"regime": {"$in": ["PA2023"]}}, "takes a list of text values"),
        ({"doc_type": 5}, "takes a list of text values"),
        ({"doc_type": ["regulation", "statute"]}, "Unknown doc_type 'statute'"),
        ({"regime": "XYZ"}, "Unknown regime 'XYZ': use one of PCR2015, PA2023, EU2014, general"),
        ({"$where": "1"}, "unknown filter '$where'"),
        ("regime=PA2023", "must map"),
    ],
)
def test_filters_outside_the_vocabularies_are_refused(filters, message) -> None:
    with pytest.raises(InvalidInput, match=message.replace("$", r"\$")):
        normalise_filters(filters)


def test_filter_values_are_spelled_as_the_library_spells_them() -> None:
    assert normalise_filters({"regime": ["pcr2015", " PA2023 "], "doc_type": "Regulation"}) == {
        "regime": ["PCR2015", "PA2023"],
        "doc_type": ["regulation"],
    }
    assert normalise_filters({"doc_id": ["guide-mini"], "regime": []}) == {"doc_id": ["guide-mini"]}


def test_a_huge_filter_value_is_not_echoed_back() -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_filters({"regime": "A" * 5_000_000})
    assert len(str(caught.value)) < 300


def test_an_operator_filter_never_reaches_the_store(mini_assistant) -> None:
    with pytest.raises(InvalidInput):
        mini_assistant.ask(QUESTION, {"doc_type": [{"$ne": "x"}]})
    with pytest.raises(InvalidInput):
        mini_assistant.library.search(QUESTION, {"doc_type": [{"$ne": "x"}]})


@pytest.mark.parametrize("k", [-5, 0, 51, 2.5, True])
def test_k_outside_one_to_fifty_is_refused(mini_assistant, k) -> None:
    with pytest.raises(InvalidInput, match="k must be a whole number from 1 to 50"):
        mini_assistant.ask(QUESTION, top_k=k)


def test_an_unknown_persona_is_refused_without_echoing_it(mini_assistant) -> None:
    with pytest.raises(InvalidInput, match="persona must be one of") as caught:
        mini_assistant.ask(QUESTION, persona="x" * 5_000_000)
    assert len(str(caught.value)) < 200


def test_null_bytes_and_control_characters_are_stripped_from_questions(mini_assistant) -> None:
    dirty = (
        "What is the \x00minimum\x1b[8m period\x1b[0m for the receipt\x07 of requests\r to "
        "participate?"
    )
    answer = mini_assistant.ask(dirty)
    assert answer.question == QUESTION
    assert not any(ord(c) < 32 for c in answer.question)
    assert "30 days" in answer.text


def test_a_question_of_only_control_characters_is_empty(mini_assistant) -> None:
    with pytest.raises(AssistantError, match="type a question"):
        mini_assistant.ask("\x00\x1b[2J\x07")


def test_invalid_input_is_still_a_value_error() -> None:
    assert issubclass(InvalidInput, ValueError) and issubclass(InvalidInput, AssistantError)


@pytest.fixture
def cli_index(monkeypatch: pytest.MonkeyPatch, mini_corpus, tmp_path):
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(mini_corpus))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "cli-index"))
    get_settings.cache_clear()
    assert CliRunner().invoke(app, ["ingest"]).exit_code == 0


@pytest.mark.parametrize(
    ("k", "bound"),
    [("-5", "greater than or equal to 1"), ("0", "greater than or equal to 1"), ("51", "50")],
)
def test_cli_rejects_k_outside_one_to_fifty(cli_index, k, bound) -> None:
    result = CliRunner().invoke(app, ["ask", QUESTION, "--k", k])
    assert result.exit_code == 2
    assert "Invalid value for '--k'" in result.output and bound in result.output


def test_cli_rejects_an_unknown_persona(cli_index) -> None:
    result = CliRunner().invoke(app, ["ask", QUESTION, "--persona", "hacker"])
    assert result.exit_code == 2
    assert "persona must be one of commissioner, solicitor, trainer" in result.output
