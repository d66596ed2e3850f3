"""What an answer is doing, step by step, for a status line; and warming up at start-up
(issue 16, item 3)."""

from __future__ import annotations

from datetime import date

from assistant.types import Answer, Stage

QUESTION = "What is the minimum period for requests to participate?"


def test_ask_stream_reports_each_stage_before_the_answer(mini_assistant) -> None:
    items = list(mini_assistant.ask_stream(QUESTION, stages=True))
    stages = [i.name for i in items if isinstance(i, Stage)]
    assert stages == ["question", "search", "compose", "verify"]
    assert isinstance(items[-1], Answer) and not items[-1].abstained
    labels = {i.name: i.label for i in items if isinstance(i, Stage)}
    assert labels["search"] == "Searching the library…"
    assert labels["verify"] == "Checking citations…"
    dated = list(mini_assistant.ask_stream(QUESTION, as_at=date(2018, 9, 1), stages=True))
    assert Stage("date", "Checking the law as at 1 September 2018…") in dated
    # without stages, the stream is as before: text, then the Answer
    assert not any(isinstance(i, Stage) for i in mini_assistant.ask_stream(QUESTION))


def test_warm_up_loads_everything_and_answers_once(mini_assistant) -> None:
    from assistant.api import Assistant

    fresh = Assistant(mini_assistant.settings)
    seen: list[tuple[int, str, float | None]] = []
    timings = fresh.warm_up(lambda n, total, label, s: seen.append((n, label, s)))
    assert list(timings) == ["index", "model", "answer"]
    assert fresh._library is not None  # loaded before the first user's question
    assert [(n, s is None) for n, _, s in seen] == [
        (1, True),
        (1, False),
        (2, True),
        (2, False),
        (3, True),
        (3, False),
    ]
    assert seen[0][1] == "Loading the library index"
