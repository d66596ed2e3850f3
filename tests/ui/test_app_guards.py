"""The page's error handling, feedback limit, upload cache and bounded logs (issue 17, item 5),
on the app's own functions."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from app import Handlers, Workspace, _guarded
from assistant.api import Assistant
from assistant.errors import AssistantError
from assistant.logs import BoundedStream, ShortRecords
from assistant.types import Answer


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


def test_feedback_is_limited_per_client(handlers: Handlers) -> None:
    record = handlers.feedback("helpful")
    answers = [Answer("q?", "It is 30 days. [1]", (), False)]
    replies = [record(answers, "ok", "solicitor", _request())[0] for _ in range(3)]
    assert [r.startswith("Thank you") for r in replies] == [True, True, False]
    assert "a lot of feedback in the last hour" in replies[2]
    assert record(answers, "ok", "solicitor", _request("10.0.0.8"))[0].startswith("Thank you")
    lines = (handlers.settings.user_data_dir / "feedback.jsonl").read_text().splitlines()
    assert len(lines) == 3


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
