"""Limits and hygiene (issue 17, item 5): rate limits, login backoff, the upload cache, file
modes, upload names the index would skip."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from assistant.features.export import Block, Report, write_report
from assistant.features.feedback import feedback_path, record_feedback
from assistant.features.uploads import UserCollection
from assistant.types import Answer
from assistant.ui.serving import LoginGuard, RateLimiter, sweep_cache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_rate_limiter_allows_the_limit_per_window_and_per_key() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 3600, clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # another client has its own budget
    clock.now += 3599
    assert not limiter.allow("a")
    clock.now += 2  # the first three leave the window
    assert limiter.allow("a")


def test_rate_limiter_memory_is_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 10, clock, max_keys=100)
    for i in range(1000):
        clock.now += 1
        limiter.allow(f"client-{i}")
    assert len(limiter._events) <= 101


def _guard(clock: Clock) -> LoginGuard:
    return LoginGuard([("carol", "right")], 1.0, 3, 60.0, clock, clock.sleep)


def test_failed_logins_wait_and_then_lock_the_name() -> None:
    clock = Clock()
    guard = _guard(clock)
    check = lambda user, password: asyncio.run(guard.check(user, password))  # noqa: E731
    assert check("carol", "right") and clock.slept == []  # success does not wait
    assert [check("carol", "wrong") for _ in range(3)] == [False] * 3
    assert clock.slept == [1.0, 1.0, 1.0]
    assert guard.locked("carol")
    assert not check("carol", "right")  # refused unchecked while locked
    clock.now += 61
    assert check("carol", "right")  # the lock ran out; success clears the count
    assert not guard.locked("carol")


def test_the_lockout_doubles_with_each_further_failure() -> None:
    clock = Clock()
    guard = _guard(clock)
    for _ in range(3):
        asyncio.run(guard.check("carol", "wrong"))
    clock.now += 61
    asyncio.run(guard.check("carol", "wrong"))  # a fourth failure: 120 s
    clock.now += 100
    assert guard.locked("carol")
    clock.now += 21
    assert not guard.locked("carol")


def test_unknown_names_are_treated_like_known_ones() -> None:
    clock = Clock()
    guard = _guard(clock)
    assert not asyncio.run(guard.check("mallory", "x"))
    assert clock.slept == [1.0]


def test_the_login_check_is_a_coroutine_function() -> None:
    """Gradio awaits auth only if it is one; a plain callable's coroutine would be truthy."""
    import inspect

    assert inspect.iscoroutinefunction(_guard(Clock()).check)


def _fill(folder: Path, name: str, size: int, age_s: float, now: float) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (now - age_s, now - age_s))
    return path


def test_sweep_drops_old_files_then_the_oldest_over_the_quota(tmp_path: Path) -> None:
    now = 1_000_000.0
    old = _fill(tmp_path, "a/old.pdf", 10, 7200, now)
    mid = _fill(tmp_path, "b/mid.pdf", 600, 600, now)
    new = _fill(tmp_path, "c/new.pdf", 600, 60, now)
    freed = sweep_cache(tmp_path, max_bytes=1000, max_age_s=3600, now=now)
    assert freed == 610
    assert not old.exists() and not mid.exists() and new.exists()
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()  # empty folders go


def test_sweep_keeps_what_fits(tmp_path: Path) -> None:
    kept = _fill(tmp_path, "x/kept.md", 100, 10, 1_000_000.0)
    assert sweep_cache(tmp_path, 1000, 3600, now=1_000_000.0) == 0
    assert kept.exists()


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_exports_are_private_files(tmp_path: Path, fmt) -> None:
    old = os.umask(0o022)
    try:
        report = Report("Answer", (Block("paragraph", "It is 30 days."),), ())
        path = write_report(report, tmp_path, fmt)
    finally:
        os.umask(old)
    assert _mode(path) == 0o600


def test_feedback_is_a_private_file(settings, tmp_path: Path) -> None:
    settings = settings.model_copy(update={"user_data_dir": tmp_path / "ud"})
    old = os.umask(0o022)
    try:
        answer = Answer("q?", "It is 30 days. [1]", (), False)
        record_feedback(settings, answer, "helpful", "Fine\x1b[2J\x00 comment", persona="x" * 99)
    finally:
        os.umask(old)
    path = feedback_path(settings)
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    text = path.read_text(encoding="utf-8")
    assert '"comment": "Fine comment"' in text and '"persona": ""' in text


@pytest.mark.parametrize("name", ["README.md", "CONTRIBUTING.md"])
def test_an_upload_named_like_folder_notes_is_listed_and_removable(mini_assistant, tmp_path, name):
    settings = mini_assistant.settings.model_copy(update={"user_data_dir": tmp_path / "ud"})
    collection = UserCollection(settings, "alice")
    path = tmp_path / name
    path.write_text("# Team notes\n\nThe Rutland pilot paid carers forty pounds a week.\n")
    [result] = collection.add([path])
    assert result.ok and result.doc_id, result
    stem = name.removesuffix(".md")
    assert result.name == f"{stem} (document).md"
    assert [d.file_name for d in collection.documents()] == [result.name]
    collection.remove(result.doc_id)
    assert collection.documents() == []


def test_a_file_the_index_skips_is_reported_and_not_kept(mini_assistant, tmp_path, monkeypatch):
    settings = mini_assistant.settings.model_copy(update={"user_data_dir": tmp_path / "ud"})
    collection = UserCollection(settings, "alice")
    # the index leaves the file out (as ingest once did README.md): it must not be kept
    monkeypatch.setattr(UserCollection, "_index", lambda self, *args, **kwargs: None)
    path = tmp_path / "notes.md"
    path.write_text("# Team notes\n\nThe Rutland pilot paid carers forty pounds a week.\n")
    [result] = collection.add([path])
    assert not result.ok and "could not be indexed" in result.message
    assert collection.documents() == [] and not (collection.files_dir / "notes.md").exists()


def test_a_readme_upload_is_kept_as_a_document(mini_assistant, tmp_path):
    settings = mini_assistant.settings.model_copy(update={"user_data_dir": tmp_path / "ud"})
    collection = UserCollection(settings, "alice")
    path = tmp_path / "README.md"
    path.write_text("# Team notes\n\nThe Rutland pilot paid carers forty pounds a week.\n")
    [result] = collection.add([path])
    assert result.ok, result.message
    assert [d.file_name for d in collection.documents()] == [result.name]
    collection.remove(result.doc_id)
    assert collection.documents() == []


def test_bound_output_cuts_stderr_lines_and_log_records(monkeypatch) -> None:
    import io
    import logging
    import sys

    from assistant.logs import bound_output

    sink = io.StringIO()
    monkeypatch.setattr(sys, "stderr", sink)
    handler = logging.StreamHandler(sink)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        bound_output(200)
        logging.getLogger("assistant.test").warning("persona %s", "p" * 5_000_000)
        print("q" * 5_000_000, file=sys.stderr)
    finally:
        root.removeHandler(handler)
    written = sink.getvalue()
    assert written.count("characters cut") == 2
    assert max(len(line) for line in written.splitlines()) < 300
