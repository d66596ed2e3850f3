"""Citation verification on the extractive answers to the whole question set.

Builds a fresh index of corpus/ with the shipped model, answers every question in
eval/questions.jsonl and reports, over the answered ones:
- the share of claim sentences their cited source supports, and dangling citations (must be 0);
- two negative controls that show the verifier can say no: each answer sentence checked
  against a passage of another document (share wrongly accepted), and each sentence with a
  figure checked with that figure changed (share caught).

Writes bench/results/verification.json. Run: .venv/bin/python bench/verify_extractive.py
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant import Assistant, Settings  # noqa: E402
from assistant.answering.generate import sentence_embedder  # noqa: E402
from assistant.answering.verify import (  # noqa: E402
    Source,
    claim_text,
    is_claim,
    split_answer,
    verify,
)
from assistant.features.evaluation import read_questions  # noqa: E402

OUT = ROOT / "bench" / "results" / "verification.json"
_MARKER = re.compile(r"\[(\d+)\]")
_FIGURE = re.compile(r"\b\d+\b")


def _sources(answer) -> list[Source]:
    return [Source(c.n, c.text, c.title, c.locator) for c in answer.citations]


def _claims(answer) -> list[tuple[str, int]]:
    """(claim sentence, the source number it cites) for every cited claim of an answer."""
    out = []
    for piece in split_answer(answer.text):
        cited = [int(n) for n in _MARKER.findall(piece)]
        claim = claim_text(piece)
        if cited and is_claim(claim):
            out.append((claim, cited[0]))
    return out


def _other_passage(library, doc_id: str, rng: random.Random):
    chunks = [c for c in library.chunks.values() if c.doc_id != doc_id]
    return rng.choice(chunks)


def _controls(assistant, answers, rng: random.Random) -> dict:
    """Wrong-source acceptance and altered-figure catch rates over all cited claims."""
    wrong = accepted = altered = caught = 0
    for answer in answers:
        hits = [_hit(c) for c in answer.citations]
        embed = sentence_embedder(assistant.library, hits)
        by_n = {c.n: c for c in answer.citations}
        for claim, n in _claims(answer):
            other = _other_passage(assistant.library, by_n[n].doc_id, rng)
            wrong_source = Source(1, other.text, other.title, other.locator)
            check = verify(f"{claim} [1]", [wrong_source], embed, assistant.support)
            wrong += 1
            accepted += check.unsupported == ()
            figures = _FIGURE.findall(claim)
            if figures:
                changed = _FIGURE.sub(lambda m: str(int(m.group(0)) + 1), claim, count=1)
                source = Source(1, by_n[n].text, by_n[n].title, by_n[n].locator)
                altered += 1
                caught += (
                    verify(f"{changed} [1]", [source], embed, assistant.support).unsupported != ()
                )
    return {
        "wrong_source_claims": wrong,
        "wrong_source_accepted_share": round(accepted / wrong, 4) if wrong else None,
        "altered_figure_claims": altered,
        "altered_figure_caught_share": round(caught / altered, 4) if altered else None,
    }


def _hit(citation):
    """A Hit-shaped view of a citation, for the stored-sentence-vector cache."""
    from assistant.types import Chunk, Hit

    chunk = Chunk(citation.chunk_id, citation.doc_id, citation.text, citation.locator)
    return Hit(chunk, citation.score)


def run(assistant: Assistant) -> dict:
    rows = read_questions(ROOT / "eval" / "questions.jsonl")
    answers, claims, supported, dangling, removed, seconds = [], 0, 0, 0, 0, []
    flagged: list[dict[str, str]] = []
    for row in rows:
        answer = assistant.ask(row["question"], persona=row.get("persona"))
        if answer.abstained:
            continue
        answers.append(answer)
        numbers = {c.n for c in answer.citations}
        dangling += sum(int(n) not in numbers for n in _MARKER.findall(answer.text))
        started = time.perf_counter()
        hits = [_hit(c) for c in answer.citations]
        embed = sentence_embedder(assistant.library, hits)
        check = verify(answer.text, _sources(answer), embed, assistant.support)
        seconds.append(time.perf_counter() - started)
        claims, supported = claims + check.claims, supported + check.supported
        flagged += [{"question": row["question"], "sentence": u} for u in check.unsupported]
        removed += len(check.dangling)
    return {
        "questions": len(rows),
        "answered": len(answers),
        "claim_sentences": claims,
        "supported_sentences": supported,
        "supported_share": round(supported / claims, 4) if claims else None,
        "dangling_citations_in_answers": dangling,
        "dangling_citations_removed_by_verifier": removed,
        "verify_ms_median": round(statistics.median(seconds) * 1000, 2) if seconds else None,
        "support_threshold": assistant.settings.support_min,
        "controls": _controls(assistant, answers, random.Random(0)),
        "flagged": flagged,
    }


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    try:
        settings = Settings(index_dir=tmp, corpus_dir=ROOT / "corpus", llm_backend="none")
        assistant = Assistant(settings)
        assistant.ingest(rebuild=True)
        report = {"embed_model": settings.embed_model, **run(assistant)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    OUT.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
