"""Shared fixtures: an isolated environment, settings on a temporary index, a mini corpus.

Unit tests use the deterministic `fake-hash` embedder (hashed bag of words, defined in
assistant/models/embedding.py), so they never load torch or touch the network. Tests marked `slow`
use the real shipped model; they are not skipped by default (the README test command runs them).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from assistant.config import Settings, get_settings

FAKE_MODEL = "fake-hash"
# The shipped abstain_threshold is calibrated for the real model's cosines. Hashed bags of words
# score differently (stopwords alone give ~0.3), so tests on the fake embedder use their own.
FAKE_ABSTAIN_THRESHOLD = 0.40
# Likewise the source-authority prior (Settings.secondary_weight) is tuned for the real model on
# the shipped corpus. On the three-document fixture corpora the hashing embedder's dense ranking
# is near noise, so the prior would decide which fixture document comes first; fixtures run
# neutral and the prior has its own tests (test_retrieve, test_integration_real_model).
FAKE_SECONDARY_WEIGHT = 1.0
_MODEL_CACHE = os.path.join(tempfile.gettempdir(), f"assistant-test-models-{os.getpid()}")


def pytest_configure(config: pytest.Config) -> None:
    # Also declared in pyproject; repeated here so the marker is known to any pytest run.
    config.addinivalue_line(
        "markers", "slow: loads the real shipped sentence-transformers model (not skipped)"
    )
    # One ONNX export of the real model per test run, shared by every index the slow tests
    # build (by default each index folder would hold, and make, its own).
    if "ASSISTANT_MODEL_CACHE_DIR" not in os.environ:
        os.environ["ASSISTANT_MODEL_CACHE_DIR"] = _MODEL_CACHE


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_MODEL_CACHE, ignore_errors=True)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """No unit test reads the real index/ or loads a real model (the llm `env_setup` idea)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "env-index"))
    monkeypatch.setenv("ASSISTANT_EMBED_MODEL", FAKE_MODEL)
    monkeypatch.setenv("ASSISTANT_ABSTAIN_THRESHOLD", str(FAKE_ABSTAIN_THRESHOLD))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def fake_settings(index_dir: Path, corpus_dir: Path) -> Settings:
    """Settings for the hashing embedder, with its own calibrations (see above)."""
    return Settings(
        index_dir=index_dir,
        corpus_dir=corpus_dir,
        embed_model=FAKE_MODEL,
        abstain_threshold=FAKE_ABSTAIN_THRESHOLD,
        secondary_weight=FAKE_SECONDARY_WEIGHT,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return fake_settings(tmp_path / "index", tmp_path / "corpus")


CASE_STUDY = """\
---
doc_id: leics-cip-mini
title: "Leicestershire Children's Innovation Partnership: appointment of the partner"
doc_type: case_study
regime: PCR2015
publisher: "Leicestershire County Council"
source_url: https://www.leicestershire.gov.uk/cip
published: 2019-01-15
jurisdiction: England
last_reviewed: 2026-11-25
status: current
---

# Leicestershire Children's Innovation Partnership

## Award of the partnership

Leicestershire County Council ran a two-stage procurement to find a partner for its
Children's Innovation Partnership. Barnardo's was appointed as the council's innovation
partner in December 2018, after a competitive tender under the light touch regime. The
partnership covers fostering, residential care and edge of care services for looked after
children in the county.

## What the partner does

The charity works with the council as a design partner first and a provider second. Together
they redesign children's services, share the savings and invest in new placements for young
people with complex needs. The council and the charity meet every month on a joint board.

## Sources

- [Council cabinet report](https://www.leicestershire.gov.uk/cabinet/2018) about Barnardo's.
"""

REGULATION = """\
---
doc_id: pcr2015-reg31-mini
title: "PCR 2015 regulation 31: innovation partnership"
doc_type: regulation
regime: PCR2015
publisher: "legislation.gov.uk (The National Archives)"
source_url: https://www.legislation.gov.uk/uksi/2015/102/regulation/31
published: 2015-02-05
jurisdiction: "England, Wales and Northern Ireland"
last_reviewed: 2026-11-25
status: current
legislation: uksi/2015/102
---

# PCR 2015 regulation 31

## Regulation 31 — Innovation partnership

(4) The contracting authority may set up the innovation partnership with one partner or
with several partners conducting separate research and development activities.

(5) The minimum period for the receipt of requests to participate shall be 30 days from
the date on which the contract notice is sent.

(6) Only those economic operators invited by the contracting authority following its
assessment of the information provided may participate in the procedure.

## Regulation 32 — Negotiated procedure without prior publication

(1) In the specific cases and circumstances laid down in this regulation, contracting
authorities may award public contracts by a negotiated procedure without prior publication
where no tenders or no suitable tenders have been submitted in response to an open procedure.
"""

PA_2023 = """\
---
doc_id: pa2023-mini
title: "Procurement Act 2023 section 20: competitive tendering procedures"
doc_type: regulation
regime: PA2023
publisher: "legislation.gov.uk (The National Archives)"
source_url: https://www.legislation.gov.uk/ukpga/2023/54/section/20
published: 2023-10-26
jurisdiction: "England, Wales and Northern Ireland"
last_reviewed: 2026-11-25
status: current
legislation: ukpga/2023/54
---

# Procurement Act 2023

## Section 20 — Competitive tendering procedures

(1) A contracting authority may award a public contract by following a competitive tendering
procedure, which is either an open procedure or a competitive flexible procedure.

(2) A competitive flexible procedure is any other procedure that the contracting authority
considers appropriate for the purpose of awarding the public contract, and it may include
stages of negotiation, dialogue and prototype testing for innovative solutions.
"""

GUIDANCE = """\
---
doc_id: guide-mini
title: "Guide: choosing between the regimes"
doc_type: guidance
regime: general
publisher: "Innovation Partnership Assistant project"
source_url: https://example.org/guides/choosing-a-regime
published: 2025-03-01
jurisdiction: "England"
last_reviewed: 2026-11-25
status: current
---

# Choosing between the regimes

## Which rules apply

A procurement commenced before 24 February 2025 stays under the Public Contracts Regulations
2015 until the contract ends. A procurement commenced on or after that date follows the
Procurement Act 2023 instead (see pcr2015-reg31-mini). Commissioners should record the
commencement date in the file because the transitional rules depend on it.

## Checklist for commissioners

Write down the need, test the market, pick the procedure and publish the notice. Keep a note
of every decision and the reasons for it, since the audit trail protects the authority when a
bidder challenges the award.
"""

# A learning module (corpus/README.md, "Learning modules") on the mini corpus: every part, each
# item citing a mini document.
MODULE = """\
---
doc_id: module-mini-periods
title: "Learning module: innovation partnership periods"
doc_type: guidance
regime: general
publisher: "Innovation Partnership Assistant project"
source_url: https://example.org/modules/periods
published: 2026-12-02
jurisdiction: "England"
last_reviewed: 2026-12-02
status: current
topic: "innovation partnership periods"
keywords: ["innovation partnership periods", "minimum periods", "requests to participate"]
---

# Learning module: innovation partnership periods

An innovation partnership runs on fixed minimum periods, and the authority decides how many
partners to appoint (reg. 31(4)-(5); see pcr2015-reg31-mini).

## Learning objectives

By the end of the session participants can:

1. State the minimum period for requests to participate.
2. Explain when the authority may work with one partner or several.

## Key points

1. The minimum period for the receipt of requests to participate is 30 days from the date the
   contract notice is sent (reg. 31(5); see pcr2015-reg31-mini).
2. The authority may set up the partnership with one partner or with several partners
   conducting separate research and development activities (reg. 31(4); see pcr2015-reg31-mini).
3. A procurement commenced before 24 February 2025 stays under the Public Contracts Regulations
   2015 until the contract ends (see guide-mini).

## Scenario: A short deadline

A council plans to give providers 20 days to ask to take part in an innovation partnership.

**Question:** Is 20 days long enough?

**Debrief:** No. The minimum period for the receipt of requests to participate is 30 days from
the date the contract notice is sent (reg. 31(5); see pcr2015-reg31-mini).

## Discussion questions

1. Why might an authority choose several partners rather than one? (reg. 31(4); see
   pcr2015-reg31-mini)
2. How would you plan a timetable that respects the minimum periods? (reg. 31(5); see
   pcr2015-reg31-mini)

## Quiz

### Question 1

What is the minimum period for requests to participate in an innovation partnership?

- [ ] 10 days
- [x] 30 days
- [ ] 35 days

**Why:** The minimum period for the receipt of requests to participate is 30 days from the date
the contract notice is sent (reg. 31(5); see pcr2015-reg31-mini).
"""

MINI_DOCS = {
    "case_studies/leics-cip-mini.md": CASE_STUDY,
    "regulations/pcr2015-reg31-mini.md": REGULATION,
    "regulations/pa2023-mini.md": PA_2023,
    "guidance/guide-mini.md": GUIDANCE,
}


def write_mini_corpus(folder: Path) -> Path:
    for name, text in MINI_DOCS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def mini_corpus(tmp_path: Path) -> Path:
    """Four small Markdown documents with full front matter, in tmp_path/corpus."""
    return write_mini_corpus(tmp_path / "corpus")


@pytest.fixture(scope="session")
def mini_assistant(tmp_path_factory: pytest.TempPathFactory):
    """An Assistant whose index holds the mini corpus, built once per session. Read-only:
    tests that ingest, edit or delete build their own index."""
    from assistant.api import Assistant

    root = tmp_path_factory.mktemp("mini")
    corpus = write_mini_corpus(root / "corpus")
    assistant = Assistant(fake_settings(root / "index", corpus))
    report = assistant.ingest()
    assert report.ok and report.chunks_total > 0
    return assistant
