"""Property tests: whatever bytes arrive, a parser returns a SourceDoc or raises IngestError."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import IngestError
from assistant.ingest.parsers.docx import parse_docx
from assistant.ingest.parsers.html import parse_html
from assistant.ingest.parsers.pdf import parse_pdf
from assistant.types import SourceDoc

FIXTURES = Path(__file__).parents[2] / "fixtures"
# Hypothesis reports slow examples after they finish; the alarm catches a real hang.
HANG_SECONDS = 20
FUZZ = settings(
    max_examples=50,
    deadline=timedelta(seconds=5),
    database=None,  # keep the repository free of .hypothesis/ example databases
    suppress_health_check=[HealthCheck.too_slow],
)
PARSERS: dict[str, Callable[[Path, bytes], SourceDoc]] = {
    "sample.pdf": parse_pdf,
    "sample.docx": parse_docx,
    "sample.html": parse_html,
}
HTML_PIECES = [
    "<main>", "</main>", "<nav>", "</nav>", "<footer>", "<h1>", "</h1>", "<h3>", "<p>", "</p>",
    "<li>", "<table><tr><td>", "</td><td>", "<pre>", "<br>", "<script>x()", "</script>",
    '<meta charset="utf-16">', '<meta charset="bogus">', '<meta charset="hex">',
    '<div class="cookie">', "<div>", "</div>",
    '<link rel="canonical">', "<title>", "</title>", "text", "£", "&amp;", "<!--", "-->", "\x00",
]  # fmt: skip


class _Hang(BaseException):
    """Not an Exception, so no parser's error handling can swallow it."""


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    def _raise(signum: int, frame: object) -> None:
        raise _Hang(f"parser still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _check(parser: Callable[[Path, bytes], SourceDoc], data: bytes) -> None:
    with _time_limit(HANG_SECONDS):
        try:
            doc = parser(Path("fuzz.bin"), data)
        except IngestError as exc:
            assert exc.reason
            return
    assert isinstance(doc, SourceDoc)
    assert all(section.text.strip() for section in doc.sections)


@st.composite
def _mutated(draw: st.DrawFn, name: str) -> bytes:
    """A fixture with a few bytes overwritten and perhaps its tail cut off."""
    data = bytearray((FIXTURES / name).read_bytes())
    for _ in range(draw(st.integers(0, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(1, len(data)))])


@pytest.mark.parametrize("parser", [parse_pdf, parse_docx, parse_html])
@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes(parser: Callable[[Path, bytes], SourceDoc], data: bytes) -> None:
    _check(parser, data)


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ
@given(data=st.data())
def test_mutated_fixtures(name: str, data: st.DataObject) -> None:
    _check(PARSERS[name], data.draw(_mutated(name)))


@FUZZ
@given(text=st.text(max_size=2000))
def test_random_text_as_html(text: str) -> None:
    _check(parse_html, text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(pieces=st.lists(st.sampled_from(HTML_PIECES), max_size=60))
def test_tag_soup_html(pieces: list[str]) -> None:
    _check(parse_html, "".join(pieces).encode("utf-8"))
