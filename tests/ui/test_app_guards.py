"""The page's error handling, feedback limit, upload cache and bounded logs (issue 17, item 5),
on the app's own functions."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from assistant.api import Assistant
from assistant.errors import AssistantError
from assistant.logs import BoundedStream, ShortRecords
from assistant.types import Answer
from assistant.ui.guards import guarded as _guarded
from assistant.ui.handlers import Handlers
from assistant.ui.workspace import Workspace


def test_an_unexpected_error_is_a_clear_message_with_a_logged_reference(caplog) -> None:
    def broken(question: str) -> dict:
        raise KeyError("internal detail")

    with pytest.raises(gr.Error) as caught:
        _guarded(broken)("q")
    message = caught.value.message
    assert message.startswith("Something went wrong on the server; it has been logged as ")
    ref = message.split("logged as ")[1].split(".")[0]
    assert f"unexpected error in broken (reference {ref})" in caplog.text
    assert "KeyError" in caplog.text  # the traceback is in the log, not on the page
    assert "internal detail" not in message


def test_an_expected_error_shows_its_message_and_prints_no_traceback() -> None:
    def refuse() -> None:
        raise AssistantError("Please type a question.")

    with pytest.raises(gr.Error) as caught:
        _guarded(refuse)()
    assert caught.value.message == "Please type a question."
    assert caught.value.print_exception is False


def test_streaming_handlers_are_guarded_too(caplog) -> None:
    def stream(question: str, request: gr.Request):
        yield "partial"
        raise RuntimeError("boom")

    guarded = _guarded(stream)
    import inspect

    assert inspect.isgeneratorfunction(guarded)
    assert list(inspect.signature(guarded).parameters) == ["question", "request"]
    out = guarded("q", None)
    assert next(out) == "partial"
    with pytest.raises(gr.Error, match="Something went wrong"):
        next(out)


def test_long_lines_are_cut_in_stderr_and_in_log_records() -> None:
    sink = io.StringIO()
    BoundedStream(sink, 100).write("short\n" + "P" * 5_000_000 + "\n")
    assert len(sink.getvalue()) < 300 and "characters cut" in sink.getvalue()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "persona %s", ("p" * 10**6,), None)
    ShortRecords(200).filter(record)
    assert len(record.getMessage()) < 300


@pytest.fixture
def handlers(mini_assistant, tmp_path: Path) -> Handlers:
    settings = mini_assistant.settings.model_copy(
        update={"user_data_dir": tmp_path / "ud", "feedback_per_hour": 2, "temp_dir": tmp_path}
    )
    return Handlers(Assistant(settings))


def _request(host: str = "10.0.0.7", user: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(username=user, session_hash="s", client=SimpleNamespace(host=host))


def _like(index: int, liked: bool | str = True) -> SimpleNamespace:
    return SimpleNamespace(index=index, liked=liked, value="")


CHAT = [{"role": "user", "content": "q?"}, {"role": "assistant", "content": "It is 30 days."}]


def test_feedback_is_limited_per_client(handlers: Handlers) -> None:
    answers = [Answer("q?", "It is 30 days. [1]", (), False)]
    replies = [
        handlers.ratings.rate(CHAT, answers, "solicitor", _like(1), _request())[1] for _ in range(2)
    ]
    rated = {"answer": 0, "rating": "helpful", "id": "0123456789ab"}
    replies.append(handlers.ratings.comment(answers, rated, "ok", "solicitor", _request())[0])
    assert [r.startswith("Thank you") for r in replies] == [True, True, False]
    assert "a lot of feedback in the last hour" in replies[2]
    other = handlers.ratings.rate(CHAT, answers, "solicitor", _like(1, False), _request("10.0.0.8"))
    assert other[1].startswith("Thank you: answer 1 marked not helpful")
    lines = (handlers.settings.user_data_dir / "feedback.jsonl").read_text().splitlines()
    assert len(lines) == 3


def test_a_thumb_on_a_message_rates_that_answer_and_a_comment_amends_it(handlers) -> None:
    import json

    answers = [Answer("first?", "One. [1]", (), False), Answer("second?", "Two. [1]", (), False)]
    chat = [*CHAT, {"role": "user", "content": "second?"}, {"role": "assistant", "content": "2"}]
    rated, status, panel, _ = handlers.ratings.rate(
        chat, answers, "trainer", _like(1, False), _request()
    )
    assert rated["answer"] == 0 and rated["rating"] == "not_helpful"
    assert panel["visible"] is True and "answer 1 marked not helpful" in status
    said, box, rated = handlers.ratings.comment(answers, rated, "Wrong Act.", "trainer", _request())
    assert said == "Thank you: your comment is saved on this machine." and box == ""
    first, second = [
        json.loads(x)
        for x in (handlers.settings.user_data_dir / "feedback.jsonl").read_text().splitlines()
    ]
    assert first["question"] == "first?" and first["comment"] == ""
    assert second["comment"] == "Wrong Act." and second["amends"] == first["id"]
    assert second["rating"] == "not_helpful" and second["question"] == "first?"
    # a thumb on a question, or a message still being written, records nothing
    assert handlers.ratings.rate(chat, answers[:1], "trainer", _like(3), _request())[0] is None
    assert handlers.ratings.rate(chat, answers, "trainer", _like(0), _request())[0] is None
    lines = (handlers.settings.user_data_dir / "feedback.jsonl").read_text().splitlines()
    assert len(lines) == 2


def test_a_bad_date_is_said_next_to_its_field_and_the_question_is_kept(handlers) -> None:
    """Issue 16, item 5: no error overlay; the conversation and the question stay."""
    answers = [Answer("q?", "It is 30 days.", (), False)]
    out = list(
        handlers.respond(
            "What is the threshold?",
            CHAT,
            answers,
            [],
            [],
            "Library",
            "solicitor",
            "2018-31-12",
            _request(),
        )
    )
    assert len(out) == 1
    question, chat, kept, _, question_error, date_error = out[0]
    assert question == "What is the threshold?" and chat == CHAT and kept == answers
    assert question_error == ""
    assert date_error.startswith("⚠ “2018-31-12” is not a date. Write it as YYYY-MM-DD")
    assert handlers.check_as_at("2018-31-12") == date_error
    assert handlers.check_as_at("2018-12-31") == "" and handlers.check_as_at("") == ""


def test_a_refused_question_is_kept_with_its_message(handlers) -> None:
    too_long = "Why? " * 500
    out = list(handlers.respond(too_long, [], [], [], [], "Library", "solicitor", "", _request()))
    question, chat, answers, _, question_error, _ = out[-1]
    assert question == too_long and chat == [] and answers == []
    assert question_error == "⚠ Questions are limited to 2000 characters."
    empty = list(handlers.respond("  ", [], [], [], [], "Library", "solicitor", "", _request()))
    assert empty[-1][4] == "⚠ Type a question first."


def test_an_unexpected_failure_mid_answer_is_a_message_with_a_reference(
    handlers, monkeypatch, caplog
) -> None:
    def broken(*args, **kwargs):
        yield "partial"
        raise RuntimeError("boom")

    monkeypatch.setattr(handlers.assistant, "ask_stream", broken)
    out = list(handlers.respond("Is it?", [], [], [], [], "Library", "solicitor", "", _request()))
    question, chat, answers, _, question_error, _ = out[-1]
    assert question == "Is it?" and chat == [] and answers == []
    assert question_error.startswith("⚠ Something went wrong on the server; it has been logged")
    assert "RuntimeError" in caplog.text


def test_the_workspace_forgets_only_files_in_the_upload_cache(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    cached = workspace.uploads / "3f2a" / "notes.md"
    cached.parent.mkdir(parents=True)
    cached.write_text("x")
    elsewhere = tmp_path / "mine.md"
    elsewhere.write_text("y")
    workspace.forget([cached, elsewhere])
    assert not cached.exists() and not cached.parent.exists()
    assert elsewhere.exists()
