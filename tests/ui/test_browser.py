"""The page in a real headless browser (Debian chromium driven by Playwright).

The tests share one page and run in file order, as a person would use it: ask, follow an
answer's [n] to its source, open a library document from its card, switch persona and filter,
rate an answer, mistype a date, export, upload, check which rules apply, build a trainer pack,
list case studies, then look at the page on a phone-sized screen. Screenshots go to a
temporary folder: the README's pictures come from docs/screenshots.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
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
NOTES = """# Rutland foster care pilot notes

The Rutland pilot placed twelve sibling groups with foster carers during its first year.
Carers in the Rutland pilot received a weekly allowance supplement of forty pounds.
The pilot board met quarterly at Oakham Castle to review outcomes for the children.
"""
# Generous: the shipped model on a busy 2-core machine can take tens of seconds per answer.
WAIT_MS = 120_000
STANDSTILL = "What is the standstill period under the Procurement Act 2023?"
BOT = "#chat [data-testid='bot']"  # one per answer in the conversation
CARDS = "#sources .answer-sources.current .source-card"  # the shown answer's sources
REQUESTS: list[str] = []  # every URL any page of this module asked for


@pytest.fixture(scope="module")
def browser():
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def _open(browser, url: str, width: int, height: int):
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.on("request", lambda request: REQUESTS.append(request.url))
    # Not "networkidle": the page keeps a heartbeat stream open for its session state.
    page.goto(url, wait_until="load")
    page.locator("#ask").wait_for()
    return page


@pytest.fixture(scope="module")
def page(browser, app_url: str):
    page = _open(browser, app_url, 1280, 900)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary folder: a test run never rewrites the README's pictures (those come from
    docs/screenshots.py, on the shipped model)."""
    return tmp_path_factory.mktemp("img")


def _shot(page, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # show a conversation from its start, not scrolled to its last line
    page.evaluate("document.querySelectorAll('#chat .bubble-wrap').forEach(e => e.scrollTop = 0)")
    page.screenshot(path=str(folder / name), full_page=True)
    assert (folder / name).stat().st_size > 10_000


def _bot_messages(page):
    return page.locator(BOT)


def _ask(page, question: str, submit_with_enter: bool = False) -> str:
    """Ask and wait for the final answer (its sources shown); return its text."""
    before = _bot_messages(page).count()
    box = page.locator("#question textarea")
    box.fill(question)
    if submit_with_enter:
        box.press("Enter")
    else:
        page.locator("#ask").click()
    page.locator(f"#sources section[data-answer='{before}']").wait_for(timeout=WAIT_MS)
    return _bot_messages(page).last.inner_text()


def _in_view(page, selector: str) -> bool:
    """Whether the top of the last element matching `selector` (its first line) is inside
    the conversation's visible area."""
    return page.evaluate(
        """(sel) => {
            const all = document.querySelectorAll(sel), el = all[all.length - 1];
            const wrap = document.querySelector('#chat .bubble-wrap');
            const box = el.getBoundingClientRect(), view = wrap.getBoundingClientRect();
            return box.top >= view.top - 1 && box.top + 20 <= view.bottom;
        }""",
        selector,
    )


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def _click_until(page, selector: str, index: int, shown: str, tries: int = 5) -> None:
    """Click the `index`th match of `selector` until `shown` appears. The chat re-renders its
    messages after a rating, and on a loaded machine a click can land on a button that is
    being replaced (it then does nothing); a person would click again, and so does this."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    buttons = page.locator(selector)
    for attempt in range(tries):
        (buttons.last if index == -1 else buttons.nth(index)).click()
        try:
            page.get_by_text(shown).wait_for(timeout=WAIT_MS // tries)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


def _download(page, button: str, link_box: str, target: Path) -> Path:
    page.locator(button).click()
    link = page.locator(f"{link_box} a").first
    link.wait_for(timeout=WAIT_MS)
    with page.expect_download() as info:
        link.click()
    info.value.save_as(target)
    return target


def test_ask_shows_a_cited_answer_and_its_sources(page, shots) -> None:
    text = _ask(page, STANDSTILL)
    assert "8 working days" in text
    assert re.search(r"\[1\]", text)
    # the status line (tests/ui/test_startup.py sees it) is gone once answered
    assert page.locator("#chat .answer-status").count() == 0
    cards = page.locator(CARDS)
    assert cards.count() >= 1
    first = cards.first
    assert first.locator("h3").inner_text().startswith("[1] ")
    assert first.locator(".badge").count() >= 2  # document type and regime
    first.locator("summary").click()  # open the supporting passage
    assert first.locator("details[open]").count() == 1
    assert first.locator("details mark").count() >= 1  # the cited sentence is highlighted
    assert first.locator("a[href^='http']").count() == 1  # what it is based on
    assert first.locator(".based-on").inner_text().startswith("Based on:")
    # notes are one folded line, not italic paragraphs (issue 16, item 1)
    last = _bot_messages(page).last
    assert last.locator("details.about-answer:not([open]) summary").inner_text() == (
        "About this answer"
    )
    assert last.locator("em").count() == 0
    _shot(page, shots, "answer.png")


def test_the_answer_stays_in_view_and_its_markers_open_their_cards(page) -> None:
    """Issue 16, item 1: after a long answer the conversation shows the question and the
    answer's first sentence, not the end of its references; [n] opens and highlights card n."""
    _ask(
        page, "Explain the difference between the light touch regime and an innovation partnership."
    )
    assert _in_view(page, BOT), "the start of the answer should be in view"
    assert _in_view(page, "#chat [data-testid='user']"), "and the question above it"
    last = _bot_messages(page).last
    markers = last.locator("a[href^='#src-']")
    assert markers.count() >= 2
    target = markers.nth(1).get_attribute("href")[1:]
    markers.nth(1).click()
    card = page.locator(f"#{target}")
    card.wait_for()
    assert "highlight" in card.get_attribute("class")
    assert card.locator("details[open]").count() == 1
    assert page.locator("#sources .source-card.highlight").count() == 1
    assert card.evaluate("el => el.getBoundingClientRect().top < window.innerHeight")
    # an earlier answer's marker shows that answer's sources again
    first = _bot_messages(page).first.locator("a[href='#src-0-1']").first
    first.click()
    shown = page.locator("#sources .answer-sources.current")
    assert shown.get_attribute("data-answer") == "0"
    assert "highlight" in page.locator("#src-0-1").get_attribute("class")


def test_a_library_guide_opens_from_its_card_as_a_page(page, shots) -> None:
    """Issue 16, item 2: the card's title opens the document in the app (a new tab): full
    text, its own sources with their addresses, its last-reviewed date."""
    link = page.locator("#sources .answer-sources.current .source-card h3 a.doc-link").first
    title = link.inner_text()
    with page.context.expect_page() as opened:
        link.click()
    doc = opened.value
    try:
        doc.locator("#library-doc h1").wait_for(timeout=WAIT_MS)
        assert doc.locator("#library-doc h1").inner_text() == title
        assert "?doc=" in doc.url
        assert doc.get_by_role("tab", name="Library").get_attribute("aria-selected") == "true"
        text = doc.locator("#library-doc").inner_text()
        assert "Last reviewed:" in text and "Sources" in text
        sources = doc.locator("#library-doc h2:has-text('Sources') + ul a[href^='https://']")
        assert sources.count() >= 1
        assert len(text) > 2000  # the whole document, not a passage
        _shot(doc, shots, "library.png")
    finally:
        doc.close()


def test_the_keyboard_alone_can_ask(page) -> None:
    text = _ask(page, "How did Leicestershire run market engagement before the tender?", True)
    assert "[1]" in text
    page.locator(f"{CARDS} summary").first.focus()
    page.keyboard.press("Enter")  # a summary opens from the keyboard too
    assert page.locator("#sources details[open]").count() >= 1


def test_persona_switch_changes_examples_and_filters_apply(page) -> None:
    page.get_by_label("solicitor").check()
    page.get_by_text("What is the standstill period").first.wait_for()
    page.get_by_label("regulation", exact=True).check()
    _ask(page, "What is the minimum period for requests to participate?")
    text = page.locator("#sources .answer-sources.current").inner_text()
    assert "regulation" in text
    assert "case_study" not in text and "guidance" not in text
    page.get_by_label("regulation", exact=True).uncheck()


def test_a_thumb_on_a_message_is_recorded_with_an_optional_comment(page, app) -> None:
    """Issue 16, item 4: every answer has its own thumbs; the comment box opens after one."""
    path = app.user_data_dir / "feedback.jsonl"
    before = len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0
    _click_until(page, "#chat button[aria-label='Like']", 0, "answer 1 marked helpful")
    _click_until(page, "#chat button[aria-label='Dislike']", -1, "marked not helpful")
    page.locator("#feedback-comment textarea").fill("Clear, with the regulation cited.")
    page.locator("#feedback-send").click()
    page.get_by_text("your comment is saved").wait_for()
    entries = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()[before:]]
    assert [(e["rating"], e["question"]) for e in entries[:2]] == [
        ("helpful", STANDSTILL),
        ("not_helpful", "What is the minimum period for requests to participate?"),
    ]
    comment = entries[2]
    assert comment["amends"] == entries[1]["id"] and comment["rating"] == "not_helpful"
    assert comment["comment"] == "Clear, with the regulation cited."
    assert comment["persona"] == "solicitor" and comment["citations"]
    assert path.stat().st_mode & 0o077 == 0  # 0600


def test_a_bad_date_is_shown_inline_and_the_question_box_stays_usable(page) -> None:
    """Issue 16, item 5: no blocking overlay; the question is kept; fixing the date works."""
    date_box = page.locator("#as-at textarea, #as-at input").first
    date_box.fill("2018-31-12")
    date_box.blur()
    message = page.locator("#as-at-error")
    message.get_by_text("is not a date").wait_for()
    question = "Which regime applied to a procurement started then?"
    box = page.locator("#question textarea")
    box.fill(question)
    page.locator("#ask").click()
    message.get_by_text("Write it as YYYY-MM-DD").wait_for()
    assert box.input_value() == question  # nothing lost
    assert page.locator("[data-testid='toast-body'], .toast-body").count() == 0
    covered = box.evaluate(
        """el => { const r = el.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            return document.elementFromPoint(x, y) !== el; }"""
    )
    assert not covered, "something lies over the question box"
    box.click()
    box.press("End")
    box.type(" ")
    date_box.fill("2018-09-01")
    text = _ask(page, question)
    assert text and message.inner_text().strip() == ""
    date_box.fill("")


def test_export_the_conversation_as_docx_with_numbered_references(page, app, tmp_path) -> None:
    from docx import Document

    page.get_by_text("Export", exact=True).first.click()  # open the accordion
    panel = page.locator("#export-panel")
    panel.get_by_label("Whole conversation").check()
    panel.get_by_label("Word (.docx)").check()
    path = _download(page, "#export", "#export-file", tmp_path / "conversation.docx")
    document = Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Conversation"
    assert any("8 working days" in t for t in texts)
    refs = [p for p in document.paragraphs[texts.index("References") + 1 :] if p.text[:1] == "["]
    numbers = [int(re.match(r"\[(\d+)\]", p.text)[1]) for p in refs]
    assert numbers == list(range(1, len(refs) + 1)) and len(refs) >= 3
    body = " ".join(texts[: texts.index("References")])
    assert {int(n) for n in re.findall(r"\[(\d+)\]", body)} == set(numbers)
    linked = [h.url for p in refs for h in p.hyperlinks]
    assert linked and all(u.startswith("http") for u in linked)
    # written to the app's private temp folder, readable by its own account only
    kept = [p for p in app.temp_dir.rglob("*.docx")]
    assert kept and all(p.stat().st_mode & 0o077 == 0 for p in kept)
    assert app.temp_dir.stat().st_mode & 0o077 == 0


def test_upload_a_document_and_get_an_answer_citing_it(page, app, tmp_path, shots) -> None:
    import httpx

    _tab(page, "My documents")
    notes = tmp_path / "rutland-notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    big = tmp_path / "big-scan.txt"  # over the 10 MB limit: refused alone, not the selection
    big.write_bytes(b"Rutland pilot minutes. " * 550_000)
    page.locator("#upload input[type=file]").set_input_files([str(notes), str(empty), str(big)])
    page.locator("#upload").get_by_text("rutland-notes").first.wait_for()  # name, suffix apart
    page.locator("#upload").get_by_text("big-scan").first.wait_for()
    cached = page.locator("#upload a[href*='rutland-notes']").first.get_attribute("href")
    assert httpx.get(urljoin(page.url, cached), timeout=30).status_code == 200
    page.locator("#upload-add").click()
    results = page.locator("#upload-results")
    results.get_by_text("rutland-notes.md").wait_for(timeout=WAIT_MS)
    table = results.inner_text()
    assert re.search(r"rutland-notes\.md\s+Added", table)
    assert re.search(r"empty\.txt\s+Not added\s+empty file", table)
    assert re.search(r"big-scan\.txt\s+Not added\s+file is 12\.\d MB, over the 10 MB limit", table)
    assert "Rutland foster care pilot notes" in page.locator("#my-documents").inner_text()
    # the upload left Gradio's cache: its address serves nothing, to anyone
    assert httpx.get(urljoin(page.url, cached), timeout=30).status_code in (403, 404)
    kept = [p for p in app.user_data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "rutland-notes.md" for p in kept)
    assert all(p.stat().st_mode & 0o077 == 0 for p in kept), "user_data files must be 0600"
    _shot(page, shots, "uploads.png")

    _tab(page, "Ask")
    page.get_by_label("Library + my documents").check()
    text = _ask(page, "What allowance supplement did carers in the Rutland pilot receive?")
    assert "forty pounds" in text
    card = page.locator("#sources .source-card", has_text="Rutland foster care pilot notes")
    assert card.locator(".badge.upload").inner_text() == "your document"
    # an upload is marked in the answer and its reference line, never styled as the library
    assert "(your document)" in text
    assert "Your document: Rutland foster care pilot notes" in text
    assert card.locator("a").count() == 0 and card.locator(".badge").count() == 1


def test_another_browser_session_does_not_see_these_documents(browser, app_url, page) -> None:
    """Without a login every browser session has its own uploads (issue 17, item 2)."""
    other = _open(browser, app_url, 1280, 900)
    try:
        _tab(other, "My documents")
        other.get_by_text("You have no documents yet.").wait_for()
        assert "Rutland" not in other.locator("#my-documents").inner_text()
    finally:
        other.context.close()
    _tab(page, "My documents")  # the first session still has its document
    assert "Rutland foster care pilot notes" in page.locator("#my-documents").inner_text()


def test_remove_the_document_again(page) -> None:
    _tab(page, "My documents")
    page.locator("#upload-remove").click()
    page.get_by_text("You have no documents yet.").wait_for()
    _tab(page, "Ask")
    page.get_by_label("My documents only").check()
    page.locator("#question textarea").fill("What did the Rutland pilot pay carers?")
    page.locator("#ask").click()
    # a clear message next to the question, which is kept; no toast to close
    page.locator("#question-error").get_by_text("no documents").wait_for()
    assert (
        page.locator("#question textarea").input_value() == "What did the Rutland pilot pay carers?"
    )
    page.get_by_label("Library", exact=True).check()


def test_which_rules_apply_helper(page, tmp_path, shots) -> None:
    from docx import Document

    _tab(page, "Which rules apply?")
    page.locator("#start-date textarea, #start-date input").first.fill("2019-05-01")
    page.get_by_label("Light touch services (social care, education, health-related)").check()
    page.locator("#rules").click()
    result = page.locator("#rules-result")
    # the report has rendered when its references have (which sections it has depends on the
    # passages found; "Provisions cited" is checked in tests/test_regime.py)
    result.get_by_text("References", exact=True).wait_for(timeout=WAIT_MS)
    text = result.inner_text()
    assert "falls under the Public Contracts Regulations 2015" in text
    assert "24 February 2025" in text
    assert result.locator("a[href^='https://www.legislation.gov.uk']").count() >= 1
    _shot(page, shots, "which-rules.png")
    path = _download(page, "#rules-export", "#rules-export-file", tmp_path / "rules.docx")
    paragraphs = [p.text for p in Document(str(path)).paragraphs]
    assert paragraphs[0].startswith("Which rules apply: Light touch services")
    assert any(p.startswith("[1] ") for p in paragraphs)


def test_trainer_pack_is_built_and_exported(page, tmp_path, shots) -> None:
    from docx import Document

    _tab(page, "Trainer pack")
    page.get_by_text("the light touch regime", exact=True).click()  # a suggested topic
    # the suggestion fills the box by a round trip to the server: build only once it has
    # (on a loaded machine a click in between built a pack for an empty topic)
    from playwright.sync_api import expect

    expect(page.locator("#topic textarea, #topic input").first).to_have_value(
        "the light touch regime", timeout=WAIT_MS
    )
    page.locator("#pack-build").click()
    pack = page.locator("#pack")
    pack.get_by_text("Discussion questions").wait_for(timeout=WAIT_MS)
    text = pack.inner_text()
    for heading in ("Summary", "Key points", "Quiz", "Quiz answers", "References"):
        assert heading in text
    _shot(page, shots, "trainer-pack.png")
    path = _download(page, "#pack-export", "#pack-export-file", tmp_path / "pack.docx")
    paragraphs = [p.text for p in Document(str(path)).paragraphs]
    assert paragraphs[0] == "Trainer pack: the light touch regime"
    assert "Quiz answers" in paragraphs


def test_case_studies_list_whole_attributes_and_an_empty_year(page) -> None:
    """Issue 16, item 7: no value cut mid-word, and "Year from" is empty, not 0."""
    _tab(page, "Case studies")
    year = page.locator("#cases-year textarea, #cases-year input").first
    assert year.input_value() == ""
    page.locator("#cases-find").click()
    result = page.locator("#cases-result")
    result.get_by_text("Leicestershire").first.wait_for(timeout=WAIT_MS)
    text = result.inner_text()
    assert "with a bespoke partner-selection tender" in text
    assert "…" not in text and "besp)" not in text
    year.fill("18")
    page.locator("#cases-find").click()
    page.locator("#cases-year-error").get_by_text("Write a year such as 2018").wait_for()
    year.fill("")
    page.locator("#cases-find").click()
    page.locator("#cases-year-error").get_by_text("Write a year").wait_for(state="hidden")


def test_an_abstentions_nearest_passages_link_to_their_documents(page) -> None:
    _tab(page, "Ask")
    _ask(page, "What is the capital of France?")
    nearest = page.locator("#sources .answer-sources.current ul.nearest a.doc-link")
    assert nearest.count() >= 1
    assert nearest.first.get_attribute("href").startswith("?doc=")


def test_controls_have_accessible_names(page) -> None:
    _tab(page, "Ask")
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('button, input, textarea, select')]
            .filter(el => el.offsetParent !== null && el.type !== 'file')
            .filter(el => {
                const text = (el.innerText || '').trim() || el.getAttribute('aria-label')
                    || el.getAttribute('aria-labelledby') || el.getAttribute('title');
                const labelled = el.labels && el.labels.length > 0;
                return !(text || labelled);
            })
            .map(el => el.outerHTML.slice(0, 120))"""
    )
    assert unnamed == []


def test_readable_on_a_phone_sized_screen(browser, app_url, shots) -> None:
    phone = _open(browser, app_url, 390, 844)
    try:
        _ask(phone, STANDSTILL)
        overflow = phone.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 390 + 2, f"page is {overflow}px wide on a 390px screen"
        _shot(phone, shots, "narrow.png")
    finally:
        phone.context.close()


def test_page_made_no_request_off_the_machine() -> None:
    assert REQUESTS, "the browser tests should have recorded the page's requests"
    hosts = {urlparse(u).hostname for u in REQUESTS if u.startswith(("http", "ws"))}
    assert hosts <= {"127.0.0.1", "localhost"}, hosts
