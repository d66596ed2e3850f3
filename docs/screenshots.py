"""The README's pictures (docs/img/*.png), from the real app on the shipped model, in Chromium.

Starts `python app.py` on `index/` (built with the shipped model: `assistant ingest`) with a
throw-away user folder, then uses the page as a person would and saves each picture: a cited
answer with a source followed from its [n] and a thumb given, a library guide opened from its
card, the which-rules helper, a trainer pack, the case studies, an upload, and the phone
layout. Run it again after the corpus or the page changes:

    .venv/bin/python docs/screenshots.py [--index index] [--out docs/img]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
QUESTION = "Why did Leicestershire not use the regulation 31 procedure?"
NOTES = """# Rutland foster care pilot notes

The Rutland pilot placed twelve sibling groups with foster carers during its first year.
Carers in the Rutland pilot received a weekly allowance supplement of forty pounds.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(index: Path, work: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(index),
        "ASSISTANT_PORT": str(port),
        "ASSISTANT_USER_DATA_DIR": str(work / "user_data"),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log = (work / "app.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((work / "app.log").read_text()[-2000:])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}/"
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise TimeoutError("the app did not start")


def _shot(page, out: Path, name: str, full: bool = True) -> None:
    page.wait_for_timeout(300)  # let the last render settle
    page.screenshot(path=str(out / name), full_page=full)
    print(f"saved {out / name}")


def _ask(page, question: str) -> None:
    before = page.locator("#chat [data-testid='bot']").count()
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.locator(f"#sources section[data-answer='{before}']").wait_for()


def _answer_and_library(page, out: Path) -> None:
    _ask(page, QUESTION)
    bot = page.locator("#chat [data-testid='bot']").last
    bot.locator("a[href='#src-0-2']").first.click()  # follow [2] to its card
    page.locator("#chat button[aria-label='Like']").last.click()
    page.locator("#feedback-status").get_by_text("marked helpful").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, out, "answer.png")
    link = page.locator("#sources .answer-sources.current .source-card h3 a.doc-link").first
    with page.context.expect_page() as opened:
        link.click()
    doc = opened.value
    doc.set_viewport_size({"width": 1280, "height": 1500})
    doc.locator("#library-doc h1").wait_for()
    _shot(doc, out, "library.png", full=False)
    doc.close()


def _helpers(page, out: Path, work: Path) -> None:
    page.get_by_role("tab", name="Which rules apply?").click()
    page.locator("#start-date textarea, #start-date input").first.fill("2019-05-01")
    page.get_by_label("Light touch services (social care, education, health-related)").check()
    page.locator("#rules").click()
    page.locator("#rules-result").get_by_text("Provisions cited").wait_for()
    _shot(page, out, "which-rules.png")
    page.get_by_role("tab", name="Trainer pack").click()
    page.get_by_text("the light touch regime", exact=True).click()
    page.locator("#pack-build").click()
    page.locator("#pack").get_by_text("Quiz answers").wait_for()
    _shot(page, out, "trainer-pack.png")
    page.get_by_role("tab", name="Case studies").click()
    page.locator("#cases-find").click()
    page.locator("#cases-result").get_by_text("Leicestershire").first.wait_for()
    _shot(page, out, "cases.png")
    page.get_by_role("tab", name="My documents").click()
    notes = work / "rutland-notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files([str(notes)])
    page.locator("#upload").get_by_text("rutland-notes").first.wait_for()
    page.locator("#upload-add").click()
    page.locator("#my-documents").get_by_text("Rutland foster care pilot notes").wait_for()
    _shot(page, out, "uploads.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    if not (args.index / "manifest.json").exists():
        sys.exit(f"no index in {args.index}: run `assistant ingest` first")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        proc, url = _start(args.index.resolve(), Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.set_default_timeout(300_000)
                page.goto(url, wait_until="load")
                page.locator("#ask").wait_for()
                _answer_and_library(page, args.out)
                _helpers(page, args.out, Path(tmp))
                phone = browser.new_page(viewport={"width": 390, "height": 844})
                phone.set_default_timeout(300_000)
                phone.goto(url, wait_until="load")
                phone.locator("#ask").wait_for()
                _ask(phone, QUESTION)
                _shot(phone, args.out, "narrow.png")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
