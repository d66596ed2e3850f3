"""The page in a real headless browser (Debian chromium driven by Playwright)."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"
# As the environment notes say: without these flags Chromium phones home on start.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def page(app_url: str):
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.requests_seen = []
        page.on("request", lambda request: page.requests_seen.append(request.url))
        page.goto(app_url, wait_until="networkidle")
        yield page
        context.close()
        browser.close()


def _ask(page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    page.locator("#ask").click()
    page.locator("#sources .source-card, #sources p").first.wait_for(timeout=30_000)


def test_ask_shows_a_cited_answer_and_its_sources(page) -> None:
    _ask(page, "When was Barnardo's appointed as Leicestershire's innovation partner?")
    page.get_by_text("December 2018").first.wait_for(timeout=30_000)
    cards = page.locator("#sources .source-card")
    cards.first.wait_for(timeout=30_000)
    assert cards.count() >= 1
    first = cards.first
    assert "[1]" in first.inner_text()
    first.locator("summary").click()  # open the supporting passage
    assert first.locator("details[open]").count() == 1
    assert first.locator("a[href^='http']").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "answer.png"), full_page=True)


def test_persona_switch_changes_examples_and_filters_apply(page) -> None:
    page.get_by_label("solicitor").check()
    page.get_by_text("What is the standstill period").first.wait_for()
    page.get_by_label("regulation").check()
    _ask(page, "What is the minimum period for requests to participate?")
    page.locator("#sources .source-card").first.wait_for(timeout=30_000)
    text = page.locator("#sources").inner_text()
    assert "regulation" in text
    assert "case_study" not in text and "guidance" not in text


def test_page_made_no_request_off_the_machine(page) -> None:
    hosts = {urlparse(u).hostname for u in page.requests_seen if u.startswith("http")}
    assert hosts <= {"127.0.0.1", "localhost"}, hosts
