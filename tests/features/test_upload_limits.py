"""Hostile uploads (issue 17, OWASP LLM10): each is parsed once, in a child process with
memory and time limits, and refused at its cap with a clear message, while a good file in the
same selection is still added."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import LimitExceeded
from assistant.features.uploads import UserCollection
from assistant.ingest import sandbox
from assistant.ingest.parsers import parse_file
from assistant.ingest.sandbox import UploadLimits, parse_isolated
from tests.hostile_files import (
    many_pages_pdf,
    many_passages_md,
    paragraph_bomb_docx,
    slow_pdf,
    zip_bomb_docx,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOOD = """# Rutland foster care pilot notes

The Rutland pilot placed twelve sibling groups with foster carers during its first year.
Carers in the Rutland pilot received a weekly allowance supplement of forty pounds.
"""


def _collection(mini_assistant, tmp_path: Path, **caps: object) -> UserCollection:
    settings = mini_assistant.settings.model_copy(
        update={"user_data_dir": tmp_path / "user_data", **caps}
    )
    return UserCollection(settings, owner="mallory")


def _good(tmp_path: Path) -> Path:
    path = tmp_path / "rutland-notes.md"
    path.write_text(GOOD, encoding="utf-8")
    return path


def _add_with_good(collection: UserCollection, hostile: Path, good: Path) -> str:
    """Upload the hostile file and a good one together: the good one is added, the hostile
    one refused and not kept. Returns the hostile file's message."""
    results = {r.name: r for r in collection.add([hostile, good])}
    assert results[good.name].ok, results[good.name].message
    assert not results[hostile.name].ok
    assert [d.file_name for d in collection.documents()] == [good.name]
    assert sorted(p.name for p in collection.files_dir.iterdir()) == [good.name]
    return results[hostile.name].message


def test_zip_bomb_docx_is_refused_from_its_zip_directory(mini_assistant, tmp_path) -> None:
    collection = _collection(mini_assistant, tmp_path, upload_max_unzipped_mb=20)
    bomb = zip_bomb_docx(tmp_path / "bomb.docx", unpacked_mb=30)
    assert bomb.stat().st_size < 100_000
    message = _add_with_good(collection, bomb, _good(tmp_path))
    assert message == "it unpacks to 31 MB, over the 20 MB limit for a document's contents"


def test_docx_part_compressed_like_a_bomb_is_refused(mini_assistant, tmp_path) -> None:
    collection = _collection(mini_assistant, tmp_path, upload_max_zip_ratio=100)
    bomb = zip_bomb_docx(tmp_path / "bomb.docx", unpacked_mb=5)  # under the size cap
    message = _add_with_good(collection, bomb, _good(tmp_path))
    assert "times its stored size, over the limit of 100 times" in message


def test_paragraph_bomb_docx_is_refused(mini_assistant, tmp_path) -> None:
    collection = _collection(mini_assistant, tmp_path, upload_max_paragraphs=500)
    bomb = paragraph_bomb_docx(tmp_path / "paragraphs.docx", 1_000)
    message = _add_with_good(collection, bomb, _good(tmp_path))
    assert message == (
        "it has 1,000 paragraphs, over the limit of 500 paragraphs per file; "
        "split it into smaller files"
    )


def test_many_page_pdf_is_refused(mini_assistant, tmp_path) -> None:
    collection = _collection(mini_assistant, tmp_path, upload_max_pages=20)
    pdf = many_pages_pdf(tmp_path / "junk.pdf", 40)
    message = _add_with_good(collection, pdf, _good(tmp_path))
    assert message.startswith("it has 40 pages, over the limit of 20 pages per file")


def test_file_over_the_passage_cap_is_refused(mini_assistant, tmp_path) -> None:
    collection = _collection(mini_assistant, tmp_path, upload_max_passages=10)
    notes = many_passages_md(tmp_path / "long-notes.md", 30)
    message = _add_with_good(collection, notes, _good(tmp_path))
    assert "passages, over the limit of 10 passages per file" in message


def test_passage_cap_per_user_counts_every_document(mini_assistant, tmp_path) -> None:
    first = many_passages_md(tmp_path / "first.md", 6)
    collection = _collection(mini_assistant, tmp_path, upload_max_user_passages=10)
    [added] = collection.add([first])
    kept = collection.documents()[0].chunks
    assert added.ok and 4 <= kept <= 10
    second = many_passages_md(tmp_path / "second.md", 10 - kept + 1)
    good = _good(tmp_path)
    results = {r.name: r for r in collection.add([second, good])}
    assert results["rutland-notes.md"].ok
    assert not results["second.md"].ok
    assert "over the limit of 10 per user; remove a document first" in results["second.md"].message
    # a new version of a kept file replaces its passages, it does not add to them
    total = sum(d.chunks for d in collection.documents())
    assert collection.add([many_passages_md(tmp_path / "first.md", 10 - total + kept)])[0].ok


def test_parser_over_the_time_limit_is_killed(mini_assistant, tmp_path) -> None:
    collection = _collection(mini_assistant, tmp_path, upload_parse_seconds=8)
    slow = slow_pdf(tmp_path / "slow.pdf", 300_000, pages=4)  # 7 kB; about 2 min to extract
    assert slow.stat().st_size < 10_000
    started = time.monotonic()
    message = _add_with_good(collection, slow, _good(tmp_path))
    assert message == "reading it took longer than 8 s, the limit per file; it was stopped"
    assert time.monotonic() - started < 30


def test_parser_over_the_memory_limit_is_stopped(mini_assistant, tmp_path) -> None:
    collection = _collection(
        mini_assistant,
        tmp_path,
        upload_parse_memory_mb=256,
        upload_max_unzipped_mb=1_000,  # let the bomb past the zip checks: memory stops it
        upload_max_zip_ratio=1e9,
    )
    bomb = zip_bomb_docx(tmp_path / "bomb.docx", unpacked_mb=200)
    message = _add_with_good(collection, bomb, _good(tmp_path))
    assert message == (
        "reading it needed more than 256 MB of memory, the limit per file; it was stopped"
    )


def test_each_upload_is_parsed_once_and_never_in_the_app(
    mini_assistant, tmp_path, monkeypatch
) -> None:
    parsed: list[str] = []
    isolated = sandbox.parse_isolated

    def counting(path: Path, limits: UploadLimits):
        parsed.append(path.name)
        return isolated(path, limits)

    def in_app(*args: object, **kwargs: object):
        raise AssertionError("an upload was parsed in the app process")

    monkeypatch.setattr("assistant.features.uploads.parse_isolated", counting)
    monkeypatch.setattr("assistant.ingest.parsers._parser", in_app)
    collection = _collection(mini_assistant, tmp_path)
    assert all(r.ok for r in collection.add([FIXTURES / "sample.docx", _good(tmp_path)]))
    assert all(r.ok for r in collection.add([FIXTURES / "sample.html"]))
    collection.remove("rutland-notes")
    assert parsed == ["sample.docx", "rutland-notes.md", "sample (html).html"]
    assert len(collection.documents()) == 2


@pytest.mark.parametrize("name", ["sample.docx", "sample.html", "sample.pdf"])
def test_sandbox_returns_what_the_parser_makes(settings, name: str) -> None:
    path = FIXTURES / name
    result = parse_isolated(path, UploadLimits.from_settings(settings))
    assert result.doc == parse_file(path)
    assert result.passages > 0


def test_sandbox_child_gets_no_secrets_and_no_search_path(settings, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", "sk-secret")
    seen: dict[str, object] = {}
    popen = subprocess.Popen

    def spy(args, **kwargs):
        seen.update(kwargs, args=args)
        return popen(args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    parse_isolated(_good(tmp_path), UploadLimits.from_settings(settings))
    assert seen["env"] == {"PATH": seen["env"]["PATH"]}  # type: ignore[index]
    assert seen["args"][1] == "-I"  # type: ignore[index]


def test_limit_errors_name_the_upload_not_the_staged_copy(mini_assistant, tmp_path) -> None:
    collection = _collection(mini_assistant, tmp_path, upload_max_pages=1)
    pdf = many_pages_pdf(tmp_path / "two.pdf", 2)
    with pytest.raises(LimitExceeded) as caught:
        collection._parse(pdf, tmp_path / "staged.pdf")
    assert caught.value.path == pdf
    assert not (tmp_path / "staged.pdf").exists()


def test_a_child_killed_by_a_signal_gets_the_limit_it_hit(tmp_path) -> None:
    limits = UploadLimits.from_settings(Settings())
    slow = sandbox._crashed(tmp_path / "a.pdf", -signal.SIGXCPU, b"", limits)
    killed = sandbox._crashed(tmp_path / "a.pdf", -signal.SIGKILL, b"", limits)
    broken = sandbox._crashed(tmp_path / "a.pdf", -signal.SIGSEGV, b"Segmentation", limits)
    assert isinstance(slow, LimitExceeded) and "took longer than 60 s" in slow.reason
    assert isinstance(killed, LimitExceeded) and "more than 1,024 MB" in killed.reason
    assert not isinstance(broken, LimitExceeded) and "could not read the file" in broken.reason


def test_a_garbled_reply_is_a_clear_error_for_that_file(tmp_path) -> None:
    from assistant.errors import IngestError

    limits = UploadLimits.from_settings(Settings())
    for out in (b"", b"not json", b'{"ok": true, "doc": {"doc_id": "x"}, "passages": 1}'):
        with pytest.raises(IngestError, match="reply was garbled"):
            sandbox._read_reply(tmp_path / "a.md", out, limits)
