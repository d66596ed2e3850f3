"""Feedback is appended to a local JSONL file under user_data_dir."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.features.feedback import (
    MAX_COMMENT_CHARS,
    feedback_path,
    read_feedback,
    record_feedback,
    summarise,
)
from assistant.types import Answer, Citation

ANSWER = Answer(
    "What is the standstill period?",
    "It is 8 working days. [1]",
    (Citation(1, "pa2023#4", "pa2023", "PA 2023", "s. 51", "", 0.4, "text"),),
    False,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(user_data_dir=tmp_path / "ud")


def test_feedback_is_stored_as_one_json_line(settings) -> None:
    stored = record_feedback(
        settings, ANSWER, "helpful", "  Clear and cited.  ", "alice", "solicitor"
    )
    path = feedback_path(settings)
    assert path == settings.user_data_dir / "feedback.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["rating"] == "helpful"
    assert entry["comment"] == "Clear and cited."
    assert entry["question"] == ANSWER.question
    assert entry["citations"] == ["pa2023#4"]
    assert entry["user"] == "alice" and entry["persona"] == "solicitor"
    assert entry["id"] == stored.id and entry["at"]


def test_read_and_summarise_skip_damaged_lines(settings) -> None:
    record_feedback(settings, ANSWER, "helpful")
    record_feedback(settings, ANSWER, "not_helpful", "missing the PCR rule")
    with feedback_path(settings).open("a") as handle:
        handle.write("{not json\n")
    entries = read_feedback(settings)
    assert [e["rating"] for e in entries] == ["helpful", "not_helpful"]
    assert summarise(entries) == {"helpful": 1, "not_helpful": 1, "with_comment": 1}


def test_bad_rating_is_refused_and_long_comments_are_cut(settings) -> None:
    with pytest.raises(AssistantError, match="helpful"):
        record_feedback(settings, ANSWER, "meh")
    stored = record_feedback(settings, ANSWER, "not_helpful", "x" * (MAX_COMMENT_CHARS + 50))
    assert len(stored.comment) == MAX_COMMENT_CHARS
    assert read_feedback(Settings(user_data_dir=settings.user_data_dir / "none")) == []


def test_concurrent_writers_do_not_interleave_lines(settings) -> None:
    def write(i: int) -> None:
        for _ in range(20):
            record_feedback(settings, ANSWER, "helpful", f"writer {i} " + "y" * 500)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = read_feedback(settings)
    assert len(entries) == 80


def test_a_comment_amends_its_rating_and_is_counted_once(settings) -> None:
    """Issue 16, item 4: a thumb on a message is saved at once; a comment added afterwards is
    saved as an amendment of that entry, and summaries count the rating once."""
    rating = record_feedback(settings, ANSWER, "not_helpful", "", "", "trainer")
    comment = record_feedback(
        settings, ANSWER, "not_helpful", "Cites the wrong Act.", "", "trainer", rating.id
    )
    entries = read_feedback(settings)
    assert [e["amends"] for e in entries] == ["", rating.id]
    assert entries[-1]["comment"] == "Cites the wrong Act." and comment.amends == rating.id
    assert summarise(entries) == {"helpful": 0, "not_helpful": 1, "with_comment": 1}
    forged = record_feedback(settings, ANSWER, "helpful", "", "", "", "../../etc/passwd")
    assert forged.amends == ""  # only an id of the form the app gives
