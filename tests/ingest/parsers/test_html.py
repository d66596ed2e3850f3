"""Golden tests for the HTML parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingest.parsers.html import parse_html

FIXTURES = Path(__file__).parents[2] / "fixtures"
PAGE = Path("page.html")


def _page(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def test_sample_html_sections_and_heading_paths() -> None:
    path = FIXTURES / "sample.html"
    doc = parse_html(path, path.read_bytes())
    top = ("Buying for schools",)
    thresholds = (*top, "Thresholds")
    low = (*thresholds, "Low value purchases")
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        (top, "Schools must get value for money when they buy goods & services."),
        (thresholds, "Contracts worth more than £214,904 must follow the full procurement rules."),
        (thresholds, "Check for an existing framework."),
        (thresholds, "Ask at least three suppliers for quotes."),
        (low, "For small purchases you can simply compare prices."),
        (low, "Value | Route\nUnder £10,000 | Compare prices"),
        ((*top, "Getting help"), "Contact the schools commercial team."),
    ]


def test_sample_html_title_and_canonical_url() -> None:
    path = FIXTURES / "sample.html"
    doc = parse_html(path, path.read_bytes())
    assert doc.title == "Buying for schools"
    assert doc.meta["source_url"] == "https://www.gov.uk/guidance/buying-for-schools"


@pytest.mark.parametrize(
    "furniture",
    ["Skip to", "cookies", "header link", "menu", "breadcrumb", "sidebar", "feedback", "footer",
     "analytics", "font-family", "JavaScript"],
)  # fmt: skip
def test_sample_html_has_no_boilerplate(furniture: str) -> None:
    path = FIXTURES / "sample.html"
    doc = parse_html(path, path.read_bytes())
    assert all(furniture not in s.text for s in doc.sections)


def test_only_boilerplate_raises() -> None:
    data = _page(
        '<header role="banner">GOV.UK</header><nav><a href="/">Home</a></nav>'
        '<div class="cookie-banner"><p>We use cookies.</p></div>'
        "<footer><p>Crown copyright</p></footer><script>track()</script>"
    )
    with pytest.raises(IngestError, match="no body text"):
        parse_html(PAGE, data)


def test_body_is_used_without_main_and_title_falls_back_to_h1() -> None:
    data = _page(
        "<header><p>Site banner</p></header><div><h1>Social value</h1>"
        "<p>Award criteria may include social value.</p><div>A loose line of text.</div></div>"
        '<div role="contentinfo"><p>Contact us</p></div>'
    )
    doc = parse_html(PAGE, data)
    assert doc.title == "Social value"
    assert [s.text for s in doc.sections] == [
        "Award criteria may include social value.",
        "A loose line of text.",
    ]
    assert doc.sections[0].heading_path == ("Social value",)


def test_article_header_with_h1_is_kept_and_og_url_used() -> None:
    head = '<meta property="og:url" content="https://example.org/notes/1">'
    data = _page(
        "<article><header><h1>Framework notes</h1></header><p>Lots split the market.</p>"
        "<footer><p>Share this page</p></footer></article>",
        head,
    )
    doc = parse_html(PAGE, data)
    assert doc.title == "Framework notes"
    assert doc.meta["source_url"] == "https://example.org/notes/1"
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        (("Framework notes",), "Lots split the market.")
    ]


def test_nested_blocks_are_not_duplicated_and_pre_keeps_lines() -> None:
    data = _page(
        "<main><ul><li><p>Outer item</p><ul><li>inner item</li></ul></li></ul>"
        "<dl><dt>Term</dt><dd>Definition</dd></dl><pre>line one\nline two</pre></main>"
    )
    texts = [s.text for s in parse_html(PAGE, data).sections]
    assert texts == ["Outer item inner item", "Term", "Definition", "line one\nline two"]


def test_inline_markup_keeps_word_spacing() -> None:
    data = _page("<main><p>See <a href='#'>regulation 32</a>, then <b>act</b>.</p></main>")
    assert parse_html(PAGE, data).sections[0].text == "See regulation 32, then act."


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Buying for schools - GOV.UK", "Buying for schools"),
        ("Terms and conditions - goods", "Terms and conditions - goods"),
        ("Tendering | Example Council", "Tendering"),
        ("Guidance - Topic - GOV.UK", "Guidance - Topic"),
    ],
)
def test_title_site_suffix_is_trimmed(title: str, expected: str) -> None:
    data = _page("<main><p>Text.</p></main>", f"<title>{title}</title>")
    assert parse_html(PAGE, data).title == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'<meta charset="windows-1252"><p>\x93Value\x94 \xa3100</p>', "“Value” £100"),
        (b'<meta charset="iso-8859-1"><p>\x93Value\x94 \xa3100</p>', "“Value” £100"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            b"<p>\xc2\xa3100</p>",
            "£100",
        ),
        (b"<p>\xc2\xa3100 and caf\xc3\xa9</p>", "£100 and café"),
        (b"<p>Legacy \xa3100</p>", "Legacy £100"),  # undeclared and not UTF-8: Windows-1252
        (b'<meta charset="no-such-codec"><p>\xc2\xa3100 \xff</p>', "£100 \ufffd"),
        (b"\xef\xbb\xbf<p>\xc2\xa3100</p>", "£100"),
        (b'<meta charset="hex"><p>\xc2\xa3100</p>', "£100"),  # a codec, but not for text
        (b'<meta charset="utf-16"><p>\xc2\xa3100</p>', "£100"),
        ("\ufeff<p>£100</p>".encode("utf-16-le"), "£100"),
        ("\ufeff<p>£100</p>".encode("utf-16-be"), "£100"),
    ],
)
def test_charset_is_respected(data: bytes, expected: str) -> None:
    assert parse_html(PAGE, data).sections[0].text == expected
