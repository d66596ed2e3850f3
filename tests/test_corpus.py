"""The shipped library (corpus/): front matter schema, ids, links, legal locators, cross-refs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from assistant.chunking import chunk_document
from assistant.parsers import parse_file
from assistant.types import DOC_TYPES, REGIMES

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DOCS = sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md")
STATUSES = ("current", "historical", "superseded")
REQUIRED = (
    "doc_id", "title", "doc_type", "regime", "publisher", "source_url", "published",
    "jurisdiction", "last_reviewed", "status",
)  # fmt: skip
DOC_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LEGAL_LOCATOR = re.compile(r"^(reg\.|s\.|Sch\.|Art\.|recital) ")
# A cross-reference names another document by id: "(see pcr2015-reg31-innovation-partnership)".
SEE_DOC = re.compile(r"\bsee (?:also )?([a-z0-9]+(?:-[a-z0-9]+)+)")
_FRONT = re.compile(r"^---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def _front_matter(path: Path) -> dict:
    match = _FRONT.match(path.read_text(encoding="utf-8"))
    assert match, f"{path.name}: no front matter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict), f"{path.name}: front matter is not a mapping"
    return data


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _rel(path: Path) -> str:
    return str(path.relative_to(CORPUS))


def test_the_library_has_enough_documents() -> None:
    assert len(DOCS) >= 30


@pytest.mark.parametrize("path", DOCS, ids=_rel)
def test_front_matter_schema(path: Path) -> None:
    meta = _front_matter(path)
    missing = [key for key in REQUIRED if meta.get(key) in (None, "")]
    assert not missing, f"{_rel(path)}: missing {missing}"
    assert meta["doc_id"] == path.stem
    assert DOC_ID.match(meta["doc_id"])
    assert meta["doc_type"] in DOC_TYPES
    assert meta["regime"] in REGIMES
    assert meta["status"] in STATUSES
    url = urlparse(meta["source_url"])
    assert meta["source_url"].startswith("https://") and url.netloc, meta["source_url"]
    assert ISO_DATE.match(_iso(meta["published"])), meta["published"]
    assert ISO_DATE.match(_iso(meta["last_reviewed"])), meta["last_reviewed"]
    for key in ("title", "publisher", "jurisdiction"):
        assert str(meta[key]).strip()


def test_doc_ids_are_unique() -> None:
    seen: dict[str, list[str]] = {}
    for path in DOCS:
        seen.setdefault(_front_matter(path)["doc_id"], []).append(_rel(path))
    duplicates = {k: v for k, v in seen.items() if len(v) > 1}
    assert not duplicates


# Known corpus gaps, reported to the corpus editors rather than edited here. strict=True: once a
# document is fixed its entry fails as XPASS, so the list cannot go stale.
# Documents whose legal locators are known to be missing, with the reason (none today).
KNOWN_GAPS: dict[str, str] = {}
LEGISLATION_DOCS = [p for p in DOCS if _front_matter(p).get("legislation")]
LEGISLATION_PARAMS = [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[p.stem]))
    if p.stem in KNOWN_GAPS
    else p
    for p in LEGISLATION_DOCS
]


def test_some_documents_link_to_legislation() -> None:
    assert len(LEGISLATION_DOCS) >= 10


@pytest.mark.parametrize("path", LEGISLATION_PARAMS, ids=_rel)
def test_legislation_documents_yield_legal_locators_and_links(path: Path) -> None:
    chunks = chunk_document(parse_file(path))
    assert chunks
    legal = [c for c in chunks if LEGAL_LOCATOR.match(c.locator)]
    assert legal, f"{_rel(path)}: no chunk has a legal locator: {[c.locator for c in chunks]}"
    assert any(c.url.startswith("https://www.legislation.gov.uk/") for c in legal), (
        f"{_rel(path)}: no legal chunk links to legislation.gov.uk"
    )


def test_cross_references_name_existing_documents() -> None:
    ids = {_front_matter(p)["doc_id"] for p in DOCS}
    dangling = []
    for path in DOCS:
        if _front_matter(path)["doc_type"] != "guidance":
            continue
        for ref in sorted(set(SEE_DOC.findall(path.read_text(encoding="utf-8")))):
            if ref not in ids:
                dangling.append(f"{_rel(path)} -> {ref}")
    assert not dangling, "dangling 'see <doc_id>' references:\n" + "\n".join(dangling)
