"""Generation returns what happened (issue 15, item 2): the reply, or why there is none; and
`_answer` takes one frozen request."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.answering.generate import Reply, generate
from assistant.api import Request
from assistant.models.llm import LLMUnavailable


class _Model:
    """A chat model that streams two deltas, or fails as an unreachable server does."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def complete(self, messages) -> str:
        if self.fail:
            raise LLMUnavailable("The model server at http://127.0.0.1:9 is unreachable.")
        return "Thirty days [1]."

    def stream(self, messages):
        if self.fail:
            raise LLMUnavailable("The model server timed out.")
        yield "Thirty "
        yield "days [1]."


def _run(model: _Model, stream: bool) -> tuple[list[str], Reply]:
    deltas: list[str] = []
    gen = generate(model, "How long?", "how long", [], None, stream)  # type: ignore[arg-type]
    while True:
        try:
            deltas.append(next(gen))
        except StopIteration as stop:
            return deltas, stop.value


@pytest.mark.parametrize("stream", [True, False])
def test_a_reply_is_returned_whole(stream: bool) -> None:
    deltas, reply = _run(_Model(), stream)
    assert reply == Reply("Thirty days [1].")
    assert deltas == (["Thirty ", "days [1]."] if stream else [])


@pytest.mark.parametrize("stream", [True, False])
def test_a_failed_server_returns_no_text_and_the_reason(stream: bool) -> None:
    _, reply = _run(_Model(fail=True), stream)
    assert reply.text is None
    assert reply.note.endswith("This is the extractive answer instead.")
    assert "model server" in reply.note


def test_the_request_is_one_frozen_value(mini_assistant) -> None:
    request = Request("What is the minimum period for requests to participate?", top_k=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.top_k = 5  # type: ignore[misc]
    items = list(mini_assistant._answer(request))
    asked = mini_assistant.ask(request.question, top_k=3)
    assert len(items) == 1 and items[0].text == asked.text
    assert set(items[0].timings) >= {"embed_ms", "retrieve_ms", "compose_ms", "total_ms"}
