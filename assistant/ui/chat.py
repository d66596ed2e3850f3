"""One turn of the conversation on the Ask tab, as the page shows it while it is made.

`turn` drives `Assistant.ask_stream(stages=True)` and yields what the page should show at each
step: the conversation (the new answer's status line, its text so far, then the answer in
full), the answers so far and the sources panel. Inputs are checked here and refused with a
message for the field they concern (`FieldError`), never with an overlay, and nothing the
user typed is lost. No Gradio: app.py maps these onto components.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant import parse_day
from assistant.errors import InvalidInput
from assistant.types import Answer, Stage
from assistant.ui.render import (
    SOURCES_PENDING,
    Catalogue,
    chat_text,
    sources_panel,
    status_text,
)

FIRST_STATUS = "Reading the question…"
YEAR_RANGE = (1990, 2100)  # years a case study could name


class FieldError(InvalidInput):
    """Input refused with a message for the field it concerns ("as_at", "question" ...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class View:
    """What the Ask tab shows at one step of a turn."""

    messages: list[dict[str, str]]
    answers: list[Answer]
    sources: str | None  # None: leave the panel as it is


def parse_as_at(text: str | None) -> date | None:
    """The 'law as at' day, None when empty; FieldError("as_at") when it is not a date."""
    value = (text or "").strip()
    if not value:
        return None
    day = parse_day(value)
    if day is None:
        raise FieldError(
            "as_at",
            f"“{value[:40]}” is not a date. Write it as YYYY-MM-DD, e.g. 2018-09-01, or leave "
            "it empty for today's law.",
        )
    return day


def parse_year(value: Any) -> int | None:
    """A year typed in a filter, None when empty; FieldError("year") otherwise."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    low, high = YEAR_RANGE
    if not (text.isdigit() and low <= int(text) <= high):
        raise FieldError("year", f"Write a year such as 2018 ({low} to {high}), or leave it empty.")
    return int(text)


def history_for(answers: Sequence[Answer]) -> list[dict[str, str]]:
    """The conversation for the assistant: the questions and the answers' own text (not the
    page's rendering of them, with its links, references and notes)."""
    out: list[dict[str, str]] = []
    for answer in answers:
        out += [
            {"role": "user", "content": answer.question},
            {"role": "assistant", "content": answer.text},
        ]
    return out


def answer_number(messages: Sequence[Mapping[str, Any]], index: int) -> int | None:
    """Which answer (0 = first) the chat message at `index` is, None if it is not an answer."""
    if not 0 <= index < len(messages) or messages[index].get("role") != "assistant":
        return None
    return sum(1 for m in messages[:index] if m.get("role") == "assistant")


def turn(
    assistant: Any,
    question: str,
    filters: Mapping[str, Sequence[str]],
    messages: Sequence[dict[str, str]],
    answers: Sequence[Answer],
    persona: str,
    as_at: date | None,
    catalogue: Catalogue,
) -> Iterator[View]:
    """Ask `question` and yield the page's view as the answer is made: a status line first
    ("Searching the library…"), the text as it streams, then the answer with its sources.
    AssistantError propagates (the caller restores the question and shows the message)."""
    k = len(answers)
    shown = [*messages, {"role": "user", "content": question}]
    status = {"role": "assistant", "content": status_text(FIRST_STATUS)}
    yield View([*shown, status], list(answers), SOURCES_PENDING)
    text, label = "", FIRST_STATUS
    stream = assistant.ask_stream(
        question, filters, history_for(answers), persona=persona, as_at=as_at, stages=True
    )
    for item in stream:
        if isinstance(item, Answer):
            done = [*answers, item]
            final = {"role": "assistant", "content": chat_text(item, k, catalogue)}
            yield View([*shown, final], done, sources_panel(done, catalogue))
            return
        if isinstance(item, Stage):
            label = item.label
        else:
            text += item
        status = {"role": "assistant", "content": status_text(label, text)}
        yield View([*shown, status], list(answers), None)
