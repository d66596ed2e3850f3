"""Start-up and progress (issue 16, item 3): the index and the model load, and one question
is answered, before the page is served, with a progress line on the console; so the first
answer a user gets takes about as long as any other; and while an answer is made a status line
says what is happening. A fresh app process, timed in Chromium, answering with a language
model (tests/llm_server.py, a real HTTP server) that takes a second to reply, so the status
line has time to be seen as a person would see it.

With UI_TEST_MODEL=real this measures the shipped model, whose loading made the first answer
take ~18 s before (bench/first_answer.py records both; docs/operations.md has the figures).
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from tests.llm_server import Reply, ScriptedLLMServer, source_number
from tests.ui.conftest import _start, _stop, _wait

pytestmark = [pytest.mark.browser, pytest.mark.server]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
QUESTION = "What is the standstill period under the Procurement Act 2023?"
TOLERANCE_S = 2.0  # the target: the first answer within 2 s of a warm one
MODEL_DELAY_S = 1.0  # how long the scripted model takes before it writes
STATUSES = """() => {
    window.statuses = [];
    new MutationObserver(() => {
        for (const el of document.querySelectorAll('#chat .answer-status')) {
            if (!window.statuses.includes(el.textContent)) window.statuses.push(el.textContent);
        }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _cited(messages) -> str:
    try:
        n = source_number(messages, "standstill")
    except AssertionError:
        n = 1
    return f"Under the Procurement Act 2023 the standstill period is 8 working days [{n}]."


def _time_answers(url: str, n: int) -> tuple[list[float], list[str]]:
    """Seconds from Ask to the answer's sources, n times; the status lines seen the first time."""
    from playwright.sync_api import sync_playwright

    times, seen = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(300_000)
            page.goto(url, wait_until="load")
            page.locator("#ask").wait_for()
            page.evaluate(STATUSES)
            for k in range(n):
                page.locator("#question textarea").fill(QUESTION)
                began = time.monotonic()
                page.locator("#ask").click()
                page.locator("#sources section[data-answer='0']").wait_for()
                times.append(time.monotonic() - began)
                if k == 0:
                    seen = page.evaluate("window.statuses")
                    assert page.locator("#chat .answer-status").count() == 0
                # each answer in a fresh conversation: no follow-up to condense, the same work
                page.locator("#clear").click()
                page.locator("#sources section").wait_for(state="detached")
        finally:
            browser.close()
    return times, seen


@pytest.fixture
def model() -> ScriptedLLMServer:
    server = ScriptedLLMServer().start()
    server.script(*[Reply(_cited, delay=MODEL_DELAY_S) for _ in range(8)])
    yield server
    server.stop()


def test_the_first_answer_after_start_up_is_as_quick_as_a_warm_one(
    app, model: ScriptedLLMServer, tmp_path: Path
) -> None:
    shutil.copytree(app.index_dir, tmp_path / "index")
    log = tmp_path / "app.log"
    proc, port = _start(
        tmp_path / "index",
        tmp_path / "user_data",
        log,
        ASSISTANT_LLM_BACKEND="openai",
        ASSISTANT_LLM_BASE_URL=model.openai_url,
        ASSISTANT_LLM_MODEL="test-model",
        ASSISTANT_LLM_RETRIES="0",
    )
    try:
        _wait(port, proc, timeout=900)
        console = log.read_text(encoding="utf-8", errors="replace")
        # everything is loaded, with a progress line per step, before the server listens
        steps = [
            r"\[1/4\] Loading the library index \.\.\. done in [\d.]+ s",
            r"\[2/4\] Loading the embedding model \.\.\. done in [\d.]+ s",
            r"\[3/4\] Answering a first question \.\.\. done in [\d.]+ s",
            r"\[4/4\] Preparing the page \.\.\. done in [\d.]+ s",
            r"Ready in [\d.]+ s\.",
            rf"Serving on http://127\.0\.0\.1:{port}/",
        ]
        found = [re.search(step, console) for step in steps]
        assert all(found), console
        assert [m.start() for m in found] == sorted(m.start() for m in found)
        (first, *warm), seen = _time_answers(f"http://127.0.0.1:{port}/", 3)
    finally:
        _stop(proc)
    assert len(model.requests) == 4  # the warm-up's question, then the three asked
    typical = min(warm)
    assert first - typical <= TOLERANCE_S, f"first {first:.2f} s, warm {warm}"
    # while the model wrote, the answer said so
    assert "Writing the answer…" in seen, seen
