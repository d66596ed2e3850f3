"""Bad input: every kind of broken file is refused with a clear error naming it, and nothing
else is lost. Property tests throw random bytes and random Markdown at the parsers."""

from __future__ import annotations

import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from assistant.api import Assistant
from assistant.config import Settings, get_settings
from assistant.errors import IngestError
from assistant.index.staging import consistency
from assistant.index.store import read_chunks
from assistant.ingest.chunking import chunk_document
from assistant.ingest.parsers import SUFFIXES, parse_file
from assistant.ingest.parsers.text import parse_text
from assistant.types import SourceDoc

FIXTURES = Path(__file__).parent / "fixtures"
LIMIT_MB = 0.05  # small, so "huge" needs only 60 kB
GOOD = """\
---
doc_id: inbox-good
title: "Inbox note on framework lots"
doc_type: guidance
---

## Lots

The quorvex lot structure splits the framework into regional lots for foster care.
"""
# file name -> (bytes or fixture, words the error must contain)
BAD: dict[str, tuple[bytes | str, str]] = {
    "corrupt.pdf": ("corrupt.pdf", "not a readable PDF"),
    "encrypted.pdf": ("encrypted.pdf", "encrypted PDF"),
    "scanned.pdf": ("no_text.pdf", "no text layer"),
    "corrupt.docx": ("corrupt.docx", "not a readable DOCX"),
    "empty.md": (b"", "empty file"),
    "huge.txt": (b"procurement " * 5500, "over the 0.05 MB limit"),
    "photo.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
    "high-bytes.md": (b"\xc3\x28\xa0\xa1 no NUL here", "not valid UTF-8"),
    "latin1.txt": ("Café au lait and naïve text.\n".encode("latin-1"), "not valid UTF-8"),
    "bad-yaml.md": (b"---\ntitle: a: b: c\n---\n\nBody text.\n", "invalid YAML front matter"),
    "list-front.md": (b"---\n- a\n- list\n---\n\nBody text.\n", "must be a YAML mapping"),
    "sneaky-id.md": (b"---\ndoc_id: ../../etc/x\n---\n\nBody text.\n", "invalid doc_id"),
    "hash-id.md": (b"---\ndoc_id: a#1\n---\n\nBody text.\n", "invalid doc_id"),
    "broken.xml": (b"<?xml version='1.0'?><Legislation><oops", "not well-formed XML"),
    "tool.exe": (b"MZ\x90\x00\x03", "unsupported file type '.exe'"),
    "second-good.md": (GOOD.encode(), "duplicate doc_id 'inbox-good'"),
    "claims-guide.md": (
        b"---\ndoc_id: guide-mini\ntitle: Impostor\n---\n\nThis would replace the guide.\n",
        "duplicate doc_id 'guide-mini' (already indexed from",
    ),
}
LINKS = {  # symlink name -> (target relative to the inbox, words the error must contain)
    "escape.md": ("../outside/secret.md", "outside the ingested folder"),
    "escape-dir": ("../outside", "outside the ingested folder"),
    "dangling.md": ("nowhere.md", "broken symlink"),
}
QUESTION = "When was Barnardo's appointed as Leicestershire's innovation partner?"


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a-good.md").write_text(GOOD, encoding="utf-8")
    (inbox / "nested").mkdir()
    for name, (content, _) in BAD.items():
        data = (FIXTURES / content).read_bytes() if isinstance(content, str) else content
        (inbox / name).write_bytes(data)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nThe private quorvex password is swordfish.\n")
    for name, (target, _) in LINKS.items():
        (inbox / name).symlink_to(target)
    hidden = inbox / ".store"  # hidden folders are not walked, but a link may lead there
    hidden.mkdir()
    (hidden / "linked.md").write_text(GOOD.replace("inbox-good", "inbox-linked"))
    (inbox / "nested" / "inside-link.md").symlink_to("../.store/linked.md")
    return inbox


@pytest.fixture
def limited(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_file_mb": LIMIT_MB})


def test_every_bad_input_is_named_and_nothing_else_is_lost(limited, mini_corpus, tmp_path):
    assistant = Assistant(limited)
    assistant.ingest()
    before = {c.chunk_id: c for c in read_chunks(limited.index_dir)}
    answer = assistant.ask(QUESTION)

    report = assistant.ingest([_inbox(tmp_path)])
    errors = {e.path.name: e.reason for e in report.errors}
    expected = {**{n: w for n, (_, w) in BAD.items()}, **{n: w for n, (_, w) in LINKS.items()}}
    assert sorted(errors) == sorted(expected)
    for name, words in expected.items():
        assert words in errors[name], (name, errors[name])
    assert "swordfish" not in " ".join(errors.values())
    assert report.added == ["inbox-good", "inbox-linked"]
    assert report.removed == [] and report.updated == []

    after = {c.chunk_id: c for c in read_chunks(limited.index_dir)}
    assert {k: v for k, v in after.items() if not k.startswith("inbox-")} == before
    assert not any("swordfish" in c.text or "Impostor" in c.title for c in after.values())
    assert consistency(limited).ok
    again = Assistant(limited)
    assert again.ask(QUESTION).citations == answer.citations
    found = again.ask("How does the quorvex lot structure split the framework?")
    assert found.citations[0].doc_id in {"inbox-good", "inbox-linked"}


def test_the_cli_names_every_bad_file_on_one_line_each(mini_corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "cli-index"))
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", str(LIMIT_MB))
    get_settings.cache_clear()
    from assistant.cli import app

    result = CliRunner().invoke(app, ["ingest", str(_inbox(tmp_path))])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("skipped")]
    assert len(lines) == len(BAD) + len(LINKS) - 1  # claims-guide.md is fine: no guide here
    for name in [*BAD, *LINKS]:
        if name != "claims-guide.md":
            assert any(f"/{name}: " in line for line in lines), name
    assert "Traceback" not in result.output


def test_a_file_that_breaks_keeps_its_last_good_version(settings, mini_corpus) -> None:
    assistant = Assistant(settings)
    assistant.ingest()
    answer = assistant.ask(QUESTION)
    case = mini_corpus / "case_studies" / "leics-cip-mini.md"
    good = case.read_bytes()
    case.write_bytes(good.replace(b"title:", b"title: a: b:", 1))  # now invalid YAML
    report = assistant.ingest()
    assert [e.path.name for e in report.errors] == ["leics-cip-mini.md"]
    assert report.removed == [] and report.chunks_embedded == 0
    assert Assistant(settings).ask(QUESTION).citations == answer.citations

    case.write_bytes(good.replace(b"December 2018", b"January 2019"))
    report = Assistant(settings).ingest()
    assert report.ok and report.updated == ["leics-cip-mini"]
    assert "January 2019" in Assistant(settings).ask(QUESTION).text


def test_html_scripts_styles_and_handlers_never_reach_the_index(tmp_path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><style>body{color:red}</style><script>steal()</script></head><body>"
        "<h1>Guide</h1><p onclick='evil()'>Keep this sentence about tenders.</p>"
        "<noscript>enable js</noscript><script type='module'>import('x')</script></body></html>"
    )
    text = " ".join(s.text for s in parse_file(page).sections)
    assert "Keep this sentence about tenders." in text
    for word in ("steal", "color:red", "evil", "import("):
        assert word not in text


def test_a_symlink_inside_the_folder_is_followed_once(settings, tmp_path) -> None:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "note.md").write_text(GOOD)
    (folder / "sub" / "alias.md").symlink_to("../note.md")
    (folder / "loop").symlink_to(".")  # a folder link into itself is not walked
    report = Assistant(settings).ingest([folder])
    assert report.added == ["inbox-good"]
    assert [e.path.name for e in report.errors] == ["alias.md"]  # the same doc_id twice
    assert "duplicate doc_id" in report.errors[0].reason


# --- property tests -------------------------------------------------------------------------

HANG_SECONDS = 20
FUZZ = settings(
    max_examples=60,
    deadline=timedelta(seconds=5),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class _Hang(BaseException):
    """Not an Exception, so no parser's error handling can swallow it."""


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    def _raise(signum: int, frame: object) -> None:
        raise _Hang(f"still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _survives(path: Path) -> SourceDoc | None:
    """parse_file (and chunking) either works or raises IngestError naming the file."""
    with _time_limit(HANG_SECONDS):
        try:
            doc = parse_file(path, max_bytes=1_000_000)
        except IngestError as exc:
            assert exc.path == path and exc.reason
            return None
        chunks = chunk_document(doc)
    assert chunks and all(c.text.strip() for c in chunks)
    assert all(c.chunk_id.startswith(doc.doc_id + "#") for c in chunks)
    return doc


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_under_any_supported_name(data: bytes, suffix: str) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        path = folder / f"fuzz{suffix}"
        path.write_bytes(data)
        _survives(path)
    finally:
        shutil.rmtree(folder)


_YAML_VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.sampled_from(["", "null", "~", "[1, 2]", "{a: b}", "2025-02-24", "'quoted'", "a: b: c",
                     "- x", "&anchor x", "*anchor", "!!python/object:os.system", "|", ">"]),
)  # fmt: skip
_KEYS = st.sampled_from(["doc_id", "title", "doc_type", "regime", "source_url", "legislation",
                         "published", "status", "x"])  # fmt: skip
_LINES = st.one_of(
    st.text(max_size=80),
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 7), st.text(max_size=40)),
    st.sampled_from(["", "---", "- item", "1. first", "| a | b |", "> quote", "(5) The period",
                     "## Regulation 31 — Innovation partnership", "## Sources", "[link](http://x)",
                     "**bold** and *it*", "```", "<script>x()</script>", "\u202e\u0000", "[7]"]),
)  # fmt: skip


@st.composite
def _markdown(draw: st.DrawFn) -> str:
    head = ""
    if draw(st.booleans()):
        pairs = draw(st.lists(st.tuples(_KEYS, _YAML_VALUES), max_size=6))
        head = "---\n" + "".join(f"{k}: {v}\n" for k, v in pairs) + "---\n"
    return head + "\n".join(draw(st.lists(_LINES, max_size=40)))


@FUZZ
@given(text=_markdown(), suffix=st.sampled_from([".md", ".txt"]))
def test_random_markdown(text: str, suffix: str) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        path = folder / f"note{suffix}"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        _survives(path)
    finally:
        shutil.rmtree(folder)


@FUZZ
@given(text=st.text(max_size=3000))
def test_random_unicode_through_the_text_parser(text: str) -> None:
    with _time_limit(HANG_SECONDS):
        try:
            doc = parse_text(Path("fuzz.md"), text.encode("utf-8", errors="surrogatepass"))
        except IngestError as exc:
            assert exc.reason
            return
    assert isinstance(doc, SourceDoc)
