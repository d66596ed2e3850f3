"""Hostile uploads, made on the spot: small on disk, expensive to parse without caps.

Used by tests/features/test_upload_limits.py (small sizes) and bench/hostile_uploads.py (the
sizes of issue 17's probe). Each writes one file and returns its path.
"""

from __future__ import annotations

import io
import random
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

DOCUMENT_XML = "word/document.xml"
_WORDS = (
    "procurement partner contract innovation authority tender award notice value threshold "
    "supplier evaluation criteria prototype research development phase payment milestone"
).split()
_MB = 1_000_000


def _docx_parts() -> dict[str, bytes]:
    """The parts of a one-paragraph DOCX made by python-docx."""
    import docx

    document = docx.Document()
    document.add_paragraph("A short hostile test document.")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write_docx(path: Path, body: Iterator[bytes]) -> Path:
    """A DOCX whose document.xml is streamed from `body`; the other parts are python-docx's."""
    parts = _docx_parts()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            if name != DOCUMENT_XML:
                archive.writestr(name, data)
        with archive.open(DOCUMENT_XML, "w", force_zip64=True) as handle:
            for piece in body:
                handle.write(piece)
    return path


def _split_document() -> tuple[bytes, bytes, bytes]:
    """python-docx's document.xml as (head up to <w:body>, body content, tail)."""
    xml = _docx_parts()[DOCUMENT_XML]
    start = xml.index(b"<w:body>") + len(b"<w:body>")
    end = xml.index(b"<w:sectPr")
    return xml[:start], xml[start:end], xml[end:]


def zip_bomb_docx(path: Path, unpacked_mb: float) -> Path:
    """A DOCX whose document.xml holds one XML comment of `unpacked_mb` MB (about 1/1000 of
    that on disk): the probe's 1 MB file that unpacked to 1 GB."""
    head, body, tail = _split_document()

    def pieces() -> Iterator[bytes]:
        yield head + b"<!--"
        left = int(unpacked_mb * _MB)
        block = b"a" * _MB
        while left > 0:
            yield block[: min(left, _MB)]
            left -= _MB
        yield b"-->" + body + tail

    return _write_docx(path, pieces())


def paragraph_bomb_docx(path: Path, paragraphs: int) -> Path:
    """A DOCX of `paragraphs` one-line paragraphs (the probe's: 20,000 in 40 KB)."""
    head, _, tail = _split_document()

    def pieces() -> Iterator[bytes]:
        yield head
        for n in range(paragraphs):
            yield b"<w:p><w:r><w:t>Paragraph %d of the bomb.</w:t></w:r></w:p>" % n
        yield tail

    return _write_docx(path, pieces())


def many_pages_pdf(path: Path, pages: int, words_per_page: int = 60) -> Path:
    """A PDF of `pages` pages of junk words, different on every page (made with fpdf2)."""
    from fpdf import FPDF

    rng = random.Random(pages)
    pdf = FPDF()
    pdf.set_font("helvetica", size=9)
    for _ in range(pages):
        pdf.add_page()
        for line in range(0, words_per_page, 12):
            words = " ".join(rng.choice(_WORDS) for _ in range(min(12, words_per_page - line)))
            pdf.cell(text=words.capitalize() + ".", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def slow_pdf(path: Path, operators: int, pages: int = 1) -> Path:
    """A PDF of a few kB whose pages all show one content stream of `operators` words, one
    word at a time: text extraction takes about 0.1 ms per operator and page. (pypdf stops
    a stream at about 1M tokens, so slower files need more pages, not more operators.)"""
    content = b"BT /F1 12 Tf 72 700 Td " + b"(word ) Tj " * operators + b"ET"
    stream = zlib.compress(content, 9)
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
    ] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def many_passages_md(path: Path, sections: int, words: int = 250) -> Path:
    """Markdown of `sections` headed sections of `words` junk words in sentences of 15:
    about one passage each."""
    rng = random.Random(sections)
    parts = [f"# Junk notes {path.stem}\n"]
    for n in range(sections):
        sentences = [
            " ".join(rng.choice(_WORDS) for _ in range(min(15, words - start))).capitalize()
            for start in range(0, words, 15)
        ]
        parts.append(f"## Section {n}\n\n{'. '.join(sentences)}.\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
