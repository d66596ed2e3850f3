"""The Typer CLI, driven in-process with CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import get_settings

CITATION_KEYS = {"n", "doc_id", "title", "locator", "source_url", "score", "text"}
REGULATION_DOCS = {"pcr2015-reg31-mini", "pa2023-mini"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, mini_corpus: Path, tmp_path: Path) -> Path:
    """The CLI reads its settings from the environment: point it at the mini corpus."""
    index = tmp_path / "cli-index"
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(mini_corpus))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(index))
    get_settings.cache_clear()
    return index


@pytest.fixture
def ingested(runner: CliRunner, cli_env: Path) -> Path:
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 0, result.output
    return cli_env


def _json(text: str) -> dict:
    return json.loads(text)


def test_ingest_succeeds_on_a_good_corpus(runner, cli_env) -> None:
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 0, result.output
    assert "4 files: 4 added" in result.output
    assert "0 failed" in result.output
    assert (cli_env / "manifest.json").exists()


def test_ingest_exits_1_and_names_the_file_that_failed(runner, cli_env, mini_corpus) -> None:
    # Brackets in the name must not be eaten as console markup.
    (mini_corpus / "broken-notes[draft].md").write_text("---\ntitle: a: b: c\n---\n\nBody.\n")
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 1
    assert "broken-notes[draft].md: invalid YAML" in result.stderr
    assert "invalid YAML front matter" in result.stderr
    assert "1 failed" in result.stderr
    assert "Traceback" not in result.output


def test_ask_json_has_the_documented_shape(runner, ingested) -> None:
    question = "When was Barnardo's appointed as Leicestershire's innovation partner?"
    result = runner.invoke(app, ["ask", question, "--json"])
    assert result.exit_code == 0, result.output
    data = _json(result.stdout)
    assert {"question", "answer", "abstained", "citations", "timings"} <= set(data)
    assert data["question"] == question
    assert data["abstained"] is False
    assert "December 2018" in data["answer"]
    assert data["citations"]
    for citation in data["citations"]:
        assert set(citation) >= CITATION_KEYS
        assert f"[{citation['n']}]" in data["answer"]
    assert data["citations"][0]["doc_id"] == "leics-cip-mini"
    assert data["timings"]["total_ms"] >= 0


def test_ask_plain_text_lists_numbered_sources(runner, ingested) -> None:
    result = runner.invoke(app, ["ask", "What is a competitive flexible procedure?"])
    assert result.exit_code == 0, result.output
    assert "[1] Procurement Act 2023 section 20" in result.stdout
    assert "s. 20(1)–(2)" in result.stdout


def test_ask_doc_type_filter_only_cites_that_type(runner, ingested) -> None:
    result = runner.invoke(
        app, ["ask", "What is the minimum period for requests to participate?", "--json",
              "--doc-type", "regulation"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = _json(result.stdout)
    assert data["citations"], data["answer"]
    assert {c["doc_id"] for c in data["citations"]} <= REGULATION_DOCS
    assert {c["doc_type"] for c in data["citations"]} == {"regulation"}


def test_ask_with_an_unknown_regime_value_is_a_clear_error(runner, ingested):
    result = runner.invoke(app, ["ask", "innovation partnership", "--json", "--regime", "XYZ"])
    assert result.exit_code == 2, result.output
    assert "Unknown regime 'XYZ': use one of PCR2015, PA2023, EU2014, general." in result.output
    assert "Traceback" not in result.output


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    return set()


def test_eval_writes_results_and_prints_metrics(runner, ingested, tmp_path) -> None:
    questions = tmp_path / "QUESTIONS.jsonl"
    rows = [
        {
            "id": "q1",
            "question": "When was Barnardo's appointed as Leicestershire's innovation partner?",
            "expected_doc_ids": ["leics-cip-mini"],
            "facts": ["December 2018"],
            "answerable": True,
        },
        {
            "id": "q2",
            "question": "What is a competitive flexible procedure?",
            "expected_doc_ids": ["pa2023-mini"],
            "facts": ["competitive flexible procedure"],
            "answerable": True,
        },
        {"id": "q3", "question": "What is the recipe for a Victoria sponge cake?",
         "answerable": False},
    ]  # fmt: skip
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    results = tmp_path / "out" / "RESULTS.jsonl"
    result = runner.invoke(app, ["eval", str(questions), "--out", str(results)])
    assert result.exit_code == 0, result.output

    lines = results.read_text().splitlines()
    assert len(lines) == len(rows)
    for row, line in zip(rows, lines, strict=True):
        data = json.loads(line)
        assert {"id", "question", "answer", "abstained", "citations", "timings"} <= set(data)
        assert data["id"] == row["id"]
        assert data["question"] == row["question"]
    assert json.loads(lines[2])["abstained"] is True

    metrics = _json(result.stdout)
    assert {"hit@5", "mrr", "fact_coverage", "abstention_accuracy"} <= _keys(metrics)
    overall = metrics.get("overall", metrics)
    assert overall["hit@5"] == 1.0
    assert overall["abstention_accuracy"] == 1.0


def test_info_reports_the_index(runner, ingested) -> None:
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0, result.output
    data = _json(result.stdout)
    assert data["documents"] == 4
    assert data["chunks"] > 4
    assert data["embed_model"] == "fake-hash"
    assert Path(data["index_dir"]) == ingested.resolve()


def test_ask_without_an_index_is_a_one_line_error(runner, cli_env) -> None:
    result = runner.invoke(app, ["ask", "What is an innovation partnership?"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("error:")
    assert "assistant ingest" in message


def test_ask_rejects_an_empty_question_cleanly(runner, ingested) -> None:
    result = runner.invoke(app, ["ask", "   "])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.stderr.strip().startswith("error:")


@pytest.fixture
def with_module(runner: CliRunner, cli_env: Path, mini_corpus: Path) -> Path:
    from tests.conftest import MODULE

    (mini_corpus / "guidance" / "module-mini-periods.md").write_text(MODULE, encoding="utf-8")
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 0, result.output
    return cli_env


def test_pack_prints_a_trainer_pack_built_from_the_module(runner, with_module, tmp_path) -> None:
    result = runner.invoke(app, ["pack", "innovation partnership periods"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# Trainer pack: innovation partnership periods")
    for heading in ("## Learning objectives", "## Worked scenarios", "## Quiz answers"):
        assert heading in text
    assert "Question 1: B) 30 days." in text
    data = _json(runner.invoke(app, ["pack", "innovation partnership periods", "--json"]).stdout)
    assert data["modules"] == ["Learning module: innovation partnership periods"]
    assert data["quiz"][0]["letter"] == "B" and data["quiz"][0]["generated"] is False
    out = tmp_path / "packs" / "periods.docx"
    written = runner.invoke(app, ["pack", "innovation partnership periods", "--out", str(out)])
    assert written.exit_code == 0 and out.stat().st_size > 0


def test_pack_errors_are_one_line(runner, with_module, tmp_path) -> None:
    bad = runner.invoke(app, ["pack", "innovation partnership periods", "--out", "pack.pdf"])
    assert bad.exit_code == 2 and "--out takes a .md or .docx file" in bad.stderr
    uncovered = runner.invoke(app, ["pack", "Nottinghamshire's Acme partnership outcomes"])
    assert uncovered.exit_code == 2 and "does not cover" in uncovered.stderr
    assert "Traceback" not in uncovered.output


def test_serve_works_from_any_directory_without_the_repository_on_the_path(
    tmp_path: Path,
) -> None:
    """`assistant serve` reaches the page through the package (no `import app`, no sys.path
    insertion): run from an empty folder, with only the installed package importable."""
    import os
    import subprocess
    import sys

    site = tmp_path / "site"
    site.mkdir()
    (site / "assistant").symlink_to(Path(__file__).resolve().parents[1] / "assistant")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import assistant.ui.server as server\n"
        "server.main = lambda host=None, port=None: print('serving', host, port)\n"
        "from assistant.cli import app\n"
        "app(['serve', '--host', '127.0.0.1', '--port', '8123'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n{code}"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "serving 127.0.0.1 8123" in result.stdout, result.stderr[-2000:]
