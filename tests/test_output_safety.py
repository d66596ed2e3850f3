"""Links, exports and terminals (issue 17, item 4): only http(s) links anywhere, no live HTML
in Markdown exports, no terminal control sequences in CLI output."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app as cli
from assistant.config import get_settings
from assistant.features.export import Block, Reference, Report, answer_report, to_docx, to_markdown
from assistant.text.sanitize import markdown_url, safe_url, strip_controls
from assistant.types import Answer, Chunk, Citation

EVIL_URLS = [
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "/relative/path",
    "https://",
    "https://exa mple.org/",
    "http://example.org/\x1b]8;;x",
]
HOSTILE = '<script>alert(1)</script> and <img src=x onerror="alert(2)">'
# Hidden text (SGR 8), an OSC 8 link, a window title, a bell, an 8-bit CSI, a NUL and a CR.
ESCAPES = (
    "\x1b[8mhidden\x1b[0m \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 "
    "\x1b]0;pwned\x07 \x9b31m\x00red\r"
)


@pytest.mark.parametrize("url", EVIL_URLS)
def test_only_http_and_https_links_are_kept(url: str) -> None:
    assert safe_url(url) == ""
    assert markdown_url(url) == ""


@pytest.mark.parametrize(
    "url",
    ["https://www.legislation.gov.uk/uksi/2015/102/regulation/31", "http://127.0.0.1:7860/x?a=1"],
)
def test_real_links_pass(url: str) -> None:
    assert safe_url(url) == url


def test_a_link_cannot_end_a_markdown_link_early() -> None:
    assert markdown_url("https://x.org/a_(b)<c>") == "https://x.org/a_%28b%29%3Cc%3E"


def test_control_sequences_are_stripped_and_text_kept() -> None:
    cleaned = strip_controls(ESCAPES + "\nline two\tend")
    assert cleaned == "hidden click  red\nline two\tend"
    assert not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in cleaned)


def _chunk(url: str, text: str = "It is 30 days.") -> Chunk:
    meta = {"title": f"Reg 31 {HOSTILE}", "doc_type": "regulation", "source_url": url}
    return Chunk("d#0", "d", text, "reg. 31(5)", url=url, meta=meta)


def test_citations_never_carry_a_script_link() -> None:
    assert Citation.of(_chunk("javascript:alert(document.domain)"), 1, 0.5).source_url == ""
    good = "https://www.legislation.gov.uk/uksi/2015/102/regulation/31"
    assert Citation.of(_chunk(good), 1, 0.5).source_url == good


def test_the_source_card_renders_no_script_link() -> None:
    from assistant.ui.render import card as _card

    raw = Citation(1, "d#0", "d", HOSTILE, "p. 1", "javascript:alert(document.domain)", 0.5, "t")
    html = _card(raw, HOSTILE)
    assert "javascript:" not in html and "href" not in html
    assert "<script" not in html and "<img" not in html


def _hostile_report() -> Report:
    reference = Reference(1, HOSTILE, "p. 1", "javascript:alert(1)", quote=HOSTILE)
    good = Reference(2, "Good [x](javascript:alert(3))", "", "https://ok.example/a)b")
    return Report(
        f"Report {HOSTILE}",
        (Block("heading", HOSTILE), Block("paragraph", f"{HOSTILE} [1]"), Block("quote", HOSTILE)),
        (reference, good),
        subtitle=HOSTILE,
    )


def test_markdown_exports_show_html_as_text_and_link_only_http() -> None:
    markdown = to_markdown(_hostile_report())
    assert "<script" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert "javascript:" not in markdown.replace("\\](javascript:", "")  # only as inert text
    assert "[Good \\[x\\](javascript:alert(3))](https://ok.example/a%29b)" in markdown
    assert "<https://ok.example/a%29b>" in markdown


def test_docx_exports_link_only_http_and_survive_control_characters(tmp_path: Path) -> None:
    from docx import Document

    report = _hostile_report()
    report = Report(report.title + ESCAPES, report.blocks, report.references, report.subtitle)
    document = Document(str(to_docx(report, tmp_path / "r.docx")))
    targets = [rel.target_ref for rel in document.part.rels.values() if rel.is_external]
    assert targets == ["https://ok.example/a)b"]
    title = document.paragraphs[0].text
    assert title.endswith("hidden click  red") and "\x1b" not in title


def test_an_answer_export_drops_a_script_source_url(tmp_path: Path) -> None:
    citation = Citation(1, "d#0", "d", "Doc", "p. 1", "javascript:alert(1)", 0.5, "t")
    report = answer_report(Answer("q?", "It is so. [1]", (citation,), False))
    assert "javascript" not in to_markdown(report)


@pytest.fixture
def escaping_corpus(mini_corpus: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    sequences = ESCAPES.replace("\x00", "")  # the text parser refuses a file with NUL as binary
    (mini_corpus / "terminal-trap.md").write_text(
        "---\ndoc_id: terminal-trap\ntitle: Rutland pilot notes\n"
        "doc_type: guidance\nregime: general\n---\n\n"
        f"# Rutland \x1b]0;owned\x07pilot {sequences}\n\n"
        # hidden text, a window title and an 8-bit CSI in the sentence the answer quotes
        "The Rutland pilot placed \x1b[8mtwelve\x1b[0m sibling groups \x1b]0;owned\x07with "
        "foster carers in its \x9b1mfirst year.\n"
        f"Carers in the Rutland pilot received a weekly supplement of forty pounds {sequences}.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(mini_corpus))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "cli-index"))
    get_settings.cache_clear()
    assert CliRunner().invoke(cli, ["ingest"]).exit_code == 0
    return mini_corpus


QUESTION = "What allowance supplement did carers in the Rutland pilot receive?"


@pytest.mark.parametrize("extra", [[], ["--json"], ["--stream"]])
def test_cli_output_has_no_control_sequences(escaping_corpus, extra) -> None:
    from assistant.api import Assistant

    answer = Assistant(get_settings()).ask(QUESTION)
    assert "\x1b" in answer.text and "\x9b" in answer.text  # the document's codes reach it
    result = CliRunner().invoke(cli, ["ask", QUESTION, *extra])
    assert result.exit_code == 0, result.output
    assert "Rutland pilot" in result.stdout
    assert not any(c in result.output for c in "\x1b\x07\x9b\x00\r"), repr(result.output)
    assert "owned" not in result.output and "evil.example" not in result.output
    if extra == ["--json"]:
        assert "hidden" in result.stdout  # the text stays, only the controls go
