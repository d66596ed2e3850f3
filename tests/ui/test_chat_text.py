"""Unsupported sentences are shown distinctly in the chat."""

from __future__ import annotations

from app import chat_text
from assistant.types import Answer, Citation


def test_unsupported_sentences_are_flagged_and_listed() -> None:
    cite = Citation(1, "d#0", "d", "Doc", "reg. 31(5)", "https://x.test", 0.5, "text")
    answer = Answer(
        "q",
        "It lasts 45 days. [unverified] It needs 30 days. [1]",
        (cite,),
        False,
        unsupported=("It lasts 45 days.",),
    )
    text = chat_text(answer)
    assert "**⚠ It lasts 45 days.**" in text
    assert "Not supported by the cited sources: It lasts 45 days." in text
    assert "[1] Doc — reg. 31(5)" in text


def test_supported_answer_has_no_warning() -> None:
    answer = Answer("q", "It needs 30 days.", (), False)
    assert "⚠" not in chat_text(answer)
