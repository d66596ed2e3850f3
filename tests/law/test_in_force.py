"""Law as at a date: in-force periods, ranking that prefers material in force, the cited
regime lead and the notes on superseded or historical sources."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.law import in_force as currency
from assistant.text import dates
from assistant.types import Answer, Chunk, Citation, Hit
from tests.conftest import FAKE_ABSTAIN_THRESHOLD, FAKE_MODEL

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
TODAY = date(2026, 11, 25)
PCR_META = {
    "title": "PCR 2015 regulation 87: standstill",
    "regime": "PCR2015",
    "status": "historical",
    "in_force_from": "2015-02-26",
    "in_force_to": "2025-02-23",
    "superseded_by": "pa-standstill",
}
PA_META = {
    "title": "PA 2023 s. 51: standstill",
    "regime": "PA2023",
    "status": "current",
    "in_force_from": "2025-02-24",
}


def _chunk(doc_id: str, meta: dict, heading: tuple[str, ...] = (), n: int = 0) -> Chunk:
    return Chunk(f"{doc_id}#{n}", doc_id, f"text of {doc_id}", "loc", heading, meta=dict(meta))


def _hit(chunk: Chunk, score: float) -> Hit:
    return Hit(chunk, score)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01", date(2024, 1, 1)),
        ("1 January 2026", date(2026, 1, 1)),
        ("24 Feb 2025", date(2025, 2, 24)),
        ("01/09/2018", date(2018, 9, 1)),
        ("1 Sept 2018", date(2018, 9, 1)),
        ("", None),
        ("soon", None),
    ],
)
def test_parse_day(text: str, expected: date | None) -> None:
    assert dates.parse_day(text) == expected


def test_heading_markers_date_a_passage_and_override_the_document() -> None:
    dated = _chunk(
        "d", PA_META, ("Sch. 1", "Thresholds (in force 24 February 2025 to 31 December 2025)")
    )
    period = currency.passage_period(dated)
    assert period == currency.Period(date(2025, 2, 24), date(2025, 12, 31))
    assert currency.in_force(dated, date(2025, 6, 1)) is True
    assert currency.in_force(dated, None, TODAY) is False  # passage over, document current
    since = _chunk("d", {}, ("Text in force from 25 March 2025",))
    assert currency.in_force(since, date(2025, 3, 24)) is False
    assert currency.in_force(since, date(2025, 3, 25)) is True
    prospective = _chunk("d", {}, ("Part 1", "Prospective: not yet in force"))
    assert currency.in_force(prospective, None, TODAY) is False
    assert currency.in_force(prospective, date(2030, 1, 1)) is False


def test_undated_material_is_neutral_but_superseded_is_not_current() -> None:
    case = _chunk("case", {"status": "historical"})
    assert currency.in_force(case, None, TODAY) is None  # a 2019 case study is not "law"
    assert currency.in_force(case, date(2018, 9, 1)) is None
    # Status says what is current today; dates say what applied on a past day.
    directive = _chunk("eu", {"status": "historical", "in_force_from": "2014-04-17"})
    assert currency.in_force(directive, None, TODAY) is False
    assert currency.in_force(directive, date(2018, 9, 1)) is True
    assert currency.in_force(directive, date(2013, 1, 1)) is False
    old = _chunk("old", {"status": "superseded"})
    assert currency.in_force(old, None, TODAY) is False
    assert currency.in_force(old, date(2018, 9, 1)) is None


def test_ranking_prefers_what_was_in_force_on_the_day() -> None:
    pcr, pa = _chunk("pcr", PCR_META), _chunk("pa", PA_META)
    hits = [_hit(pcr, 0.050), _hit(pa, 0.046)]  # within the no-date factor (0.9)
    question = "How long is the standstill period?"
    now = currency.prefer_in_force(hits, None, question, TODAY)
    assert [h.chunk.doc_id for h in now] == ["pa", "pcr"]
    then = currency.prefer_in_force(list(reversed(hits)), date(2018, 9, 1), question, TODAY)
    assert [h.chunk.doc_id for h in then] == ["pcr", "pa"]
    # A question naming the old regime keeps its passages where retrieval put them.
    named = currency.prefer_in_force(hits, None, "How long was standstill under PCR?", TODAY)
    assert [h.chunk.doc_id for h in named] == ["pcr", "pa"]
    # Re-ranking only moves passages: nothing is dropped, undated ones keep their score.
    case = _hit(_chunk("case", {"status": "historical"}), 0.01)
    assert currency.prefer_in_force([*hits, case], None, question, TODAY)[-1] == case


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What threshold applied on 1 March 2024?", (date(2024, 3, 1), date(2024, 3, 1))),
        ("and in March 2024?", (date(2024, 3, 1), date(2024, 3, 31))),
        (
            "a contract let in 2018 under the 2015 Regulations",
            (date(2018, 1, 1), date(2018, 12, 31)),
        ),
        ("What does the Procurement Act 2023 say?", None),
        ("Is SI 2025/1200 in force?", None),
    ],
)
def test_question_period(question: str, expected) -> None:
    assert dates.question_period(question) == expected


def _citation(n: int, chunk_id: str, quote: str = "", title: str = "") -> Citation:
    doc_id = chunk_id.split("#")[0]
    return Citation(
        n, chunk_id, doc_id, title or doc_id, "loc", "https://x", 0.5, "text", quote=quote
    )


def test_prepend_numbers_the_lead_first_and_renumbers_the_answer() -> None:
    answer = Answer(
        "q",
        "First claim. [1] Second claim. [2] Odd claim. [2] [unverified]",
        (_citation(1, "a#0", "First claim."), _citation(2, "table#1", "Second claim.")),
        False,
        unsupported=("Odd claim. [2]",),
    )
    lead = [
        ("Regime sentence.", [_citation(0, "table#1", "| row |")]),
        ("Figure sentence.", [_citation(0, "table#2", "| fig |")]),
    ]
    out = currency.prepend(answer, lead)
    assert out.text == (
        "Regime sentence. [1] Figure sentence. [2] First claim. [3] Second claim. [1] "
        "Odd claim. [1] [unverified]"
    )
    assert [(c.n, c.chunk_id) for c in out.citations] == [
        (1, "table#1"),
        (2, "table#2"),
        (3, "a#0"),
    ]
    assert out.citations[0].quote == "| row |\nSecond claim."  # both uses highlighted
    assert out.unsupported == ("Odd claim. [1]",)
    assert all(s in out.text for s in out.unsupported)


class _Library:
    """The part of a Library the currency notes read: chunks by id."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = {c.chunk_id: c for c in chunks}


def test_notes_name_the_current_replacement_of_a_historical_source() -> None:
    pcr, pa = _chunk("pcr", PCR_META), _chunk("pa-standstill", PA_META)
    library = _Library([pcr, pa])
    cited = [
        _citation(1, "pcr#0", title=PCR_META["title"]),
        _citation(2, "pa-standstill#0", title=PA_META["title"]),
    ]
    notes = currency.source_notes(cited, library, None, TODAY)
    assert len(notes) == 1
    assert notes[0].startswith("[1] PCR 2015 regulation 87: standstill is historical material")
    assert "in force from 26 February 2015 to 23 February 2025" in notes[0]
    assert "“PA 2023 s. 51: standstill” (pa-standstill)" in notes[0]
    # As at a day inside its period the old source is the right one: no note for it; the
    # new one was not yet in force.
    then = currency.source_notes(cited, library, date(2018, 9, 1), TODAY)
    assert len(then) == 1 and then[0].startswith("[2] PA 2023 s. 51")
    assert "did not yet apply to a procurement commenced on 1 September 2018" in then[0]


@pytest.fixture(scope="module")
def dated_assistant(tmp_path_factory: pytest.TempPathFactory):
    """A small library: the real thresholds-by-date data document plus a PCR 2015 and a
    Procurement Act passage on the same subject, indexed with the fake embedder."""
    from assistant.api import Assistant

    root = tmp_path_factory.mktemp("dated")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "data" / "thresholds-by-date.md", corpus / "thresholds-by-date.md")
    for doc_id, meta, text in (
        (
            "pcr-standstill",
            PCR_META | {"superseded_by": "pa-standstill"},
            "Under the regulations the standstill period lasts at least 10 calendar days "
            "before the contract is signed, so bidders can challenge the award decision.",
        ),
        (
            "pa-standstill",
            PA_META,
            "Under the Act the standstill period lasts 8 working days before the contract is "
            "signed, starting when the contract award notice is published.",
        ),
    ):
        front = "\n".join(f"{k}: {v}" for k, v in meta.items() if k != "title")
        (corpus / f"{doc_id}.md").write_text(
            f'---\ndoc_id: {doc_id}\ntitle: "{meta["title"]}"\ndoc_type: regulation\n'
            f"publisher: Test\nsource_url: https://example.org/{doc_id}\n"
            f"published: 2015-02-05\njurisdiction: England\n{front}\n---\n\n"
            f"# {meta['title']}\n\n## Standstill period\n\n{text}\n",
            encoding="utf-8",
        )
    settings = Settings(
        index_dir=root / "index",
        corpus_dir=corpus,
        embed_model=FAKE_MODEL,
        abstain_threshold=FAKE_ABSTAIN_THRESHOLD,
    )
    assistant = Assistant(settings)
    assert assistant.ingest().ok
    return assistant


def test_ask_as_at_states_the_regime_then_from_the_regimes_table(dated_assistant) -> None:
    question = "How long is the standstill period before the contract is signed?"
    answer = dated_assistant.ask(question, as_at=date(2018, 9, 1))
    assert not answer.abstained
    assert answer.text.startswith(
        "A procurement commenced on 1 September 2018 fell under the Public Contracts "
        "Regulations 2015"
    )
    first = answer.citations[0]
    assert first.doc_id == "thresholds-by-date" and first.locator == "Which regime applied"
    assert first.quote.startswith("| PCR2015 | 2015-02-26 | 2025-02-23 |")
    assert first.quote in first.text
    # Retrieval preferred the regulations in force then over the Act.
    cited = [c.doc_id for c in answer.citations]
    assert "pcr-standstill" in cited
    if "pa-standstill" in cited:
        assert cited.index("pcr-standstill") < cited.index("pa-standstill")
        assert any(
            n.startswith(f"[{cited.index('pa-standstill') + 1}] PA 2023") for n in answer.notes
        )


def test_ask_without_a_date_flags_an_old_source_and_names_the_current_one(dated_assistant):
    answer = dated_assistant.ask(
        "Can bidders challenge the award decision during the standstill period of 10 calendar days?"
    )
    assert not answer.abstained
    first = min(c.n for c in answer.citations if c.doc_id == "pcr-standstill")
    note = next(n for n in answer.notes if n.startswith(f"[{first}]"))
    assert "historical material" in note and "does not govern a procurement started today" in note
    assert "For current material see “PA 2023 s. 51: standstill” (pa-standstill)." in note
    assert not answer.text.startswith("A procurement commenced")  # no date, no regime lead


def test_a_library_without_the_regimes_table_says_so(mini_assistant) -> None:
    answer = mini_assistant.ask(
        "When was Barnardo's appointed as the council's innovation partner?",
        as_at=date(2018, 12, 1),
    )
    assert not answer.abstained
    assert any("holds no table of regimes by date" in n for n in answer.notes)


REAL_SUBSET = (
    "data/thresholds-by-date.md",
    "pcr2015/pcr2015-regs84-87-reports-standstill.md",
    "pa2023/pa2023-notices-standstill-thresholds.md",
    "pcr2015/pcr2015-reg31-innovation-partnership.md",
    "pa2023/pa2023-innovation-under-cfp.md",
    "pcr2015/pcr2015-regs74-77-light-touch.md",
    "pa2023/pa2023-light-touch-mutuals.md",
    "guidance/guide-commissioner-faq.md",
)


@pytest.fixture(scope="module")
def real_assistant(tmp_path_factory: pytest.TempPathFactory):
    """Part of the shipped corpus, indexed with the real shipped embedding model."""
    from assistant.api import Assistant
    from assistant.config import DEFAULT_EMBED_MODEL

    root = tmp_path_factory.mktemp("real-currency")
    (root / "corpus").mkdir()
    for name in REAL_SUBSET:
        shutil.copy(CORPUS / name, root / "corpus" / Path(name).name)
    settings = Settings(
        index_dir=root / "index",
        corpus_dir=root / "corpus",
        embed_model=DEFAULT_EMBED_MODEL,
        abstain_threshold=Settings.model_fields["abstain_threshold"].default,
    )
    assistant = Assistant(settings)
    assert assistant.ingest().ok
    return assistant


@pytest.mark.slow
def test_real_model_same_question_different_law_by_date(real_assistant) -> None:
    question = "How long is the standstill period before the contract is signed?"
    then = real_assistant.ask(question, as_at=date(2018, 9, 1))
    assert then.text.startswith(
        "A procurement commenced on 1 September 2018 fell under the "
        "Public Contracts Regulations 2015"
    )
    assert then.citations[0].doc_id == "thresholds-by-date"
    assert "10 calendar days" in then.text
    assert then.citations[1].doc_id == "pcr2015-regs84-87-reports-standstill"
    now = real_assistant.ask(question)
    assert "8 working days" in now.text.split("[2]")[0]
    assert now.citations[0].doc_id == "pa2023-notices-standstill-thresholds"


@pytest.mark.slow
def test_real_model_threshold_and_superseded_source(real_assistant) -> None:
    figure = real_assistant.ask(
        "What is the light touch threshold for a council's children's social care contract?"
    )
    assert "The light touch threshold is £663,540 for procurements commenced from 1 January " in (
        figure.text
    )
    assert figure.citations[0].locator.endswith("(in force from 1 January 2026)")
    old = real_assistant.ask(
        "What must the procurement documents for an innovation partnership identify?"
    )
    n = min(c.n for c in old.citations if c.doc_id == "pcr2015-reg31-innovation-partnership")
    note = next(x for x in old.notes if x.startswith(f"[{n}]"))
    assert "historical material" in note and "(pa2023-innovation-under-cfp)" in note


def test_cli_ask_as_at(dated_assistant, monkeypatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.config import get_settings

    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(dated_assistant.settings.index_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    question = "How long is the standstill period before the contract is signed?"
    result = runner.invoke(app, ["ask", question, "--as-at", "2018-09-01"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("A procurement commenced on 1 September 2018 fell under")
    assert "[1] Procurement regimes and thresholds by date" in result.output
    bad = runner.invoke(app, ["ask", question, "--as-at", "last year"])
    assert bad.exit_code == 2
    assert "--as-at takes a date such as 2018-09-01, not 'last year'." in bad.output


# -- Answers for the law as at the date the question writes (assistant/law/as_at.py) --------


@pytest.fixture(scope="module")
def regime_assistant(tmp_path_factory: pytest.TempPathFactory):
    """The mini corpus (with its guide on which rules apply) and the real thresholds table.
    These tests are about the day the law is judged at, not about when to abstain: the
    hashing embedder's cosines for a short question sit below its abstain threshold, so the
    fixture does not abstain on them."""
    from assistant.api import Assistant
    from tests.conftest import fake_settings, write_mini_corpus

    root = tmp_path_factory.mktemp("regime")
    corpus = write_mini_corpus(root / "corpus")
    shutil.copy(CORPUS / "data" / "thresholds-by-date.md", corpus / "thresholds-by-date.md")
    settings = fake_settings(root / "index", corpus).model_copy(update={"abstain_threshold": 0.0})
    assistant = Assistant(settings)
    assert assistant.ingest().ok
    return assistant


def test_ask_names_the_regime_on_the_date_in_the_question(regime_assistant) -> None:
    before = regime_assistant.ask(
        "Which regime applies if our tender notice went out on 20 February 2025?"
    )
    assert before.text.startswith(
        "A procurement commenced on 20 February 2025 fell under the Public Contracts "
        "Regulations 2015"
    )
    assert before.citations[0].doc_id == "thresholds-by-date"
    assert before.notes[0].startswith("The law is taken as at 20 February 2025")
    after = regime_assistant.ask(
        "Which regime applies if our tender notice went out on 3 March 2025?"
    )
    assert after.text.startswith(
        "A procurement commenced on 3 March 2025 falls under the Procurement Act 2023"
    )


def test_ask_with_the_law_as_at_date_overrides_the_question(regime_assistant) -> None:
    answer = regime_assistant.ask(
        "Which regime applies if our tender notice went out on 20 February 2025?",
        as_at=date(2025, 3, 3),
    )
    assert answer.text.startswith(
        "A procurement commenced on 3 March 2025 falls under the Procurement Act 2023"
    )
    assert "not 20 February 2025 as written in the question" in answer.notes[0]


def test_ask_prefers_the_law_in_force_on_the_date_in_the_question(dated_assistant) -> None:
    question = "How long is the standstill period before the contract is signed"
    then = dated_assistant.ask(f"{question} for a procurement commenced on 1 September 2018?")
    cited = [c.doc_id for c in then.citations]
    assert then.text.startswith("A procurement commenced on 1 September 2018 fell under")
    assert "pcr-standstill" in cited
    if "pa-standstill" in cited:
        assert cited.index("pcr-standstill") < cited.index("pa-standstill")
    two = dated_assistant.ask(
        f"{question} if the PIN went out in January 2025 and the tender in April 2025?"
    )
    assert not two.text.startswith("A procurement commenced")
    assert any("fell under different regimes" in n for n in two.notes)


def test_a_date_does_not_make_the_library_know_less(tmp_path: Path) -> None:
    """As at 2018 the passage that best matches "What is the standstill period?" (the Act's)
    drops below reg. 87, which matches less well. The evidence for answering is what the
    library holds, so the answer comes from reg. 87 rather than an abstention."""
    from assistant.api import Assistant
    from tests.conftest import fake_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = {
        "pa-standstill": "What is the standstill period? The standstill period is the mandatory "
        "standstill period of 8 working days.",
        "pcr-standstill": "Under regulation 87 an authority must not conclude the contract for "
        "at least 10 calendar days after sending its award decision notices, so unsuccessful "
        "bidders have time to bring a challenge in court before signature; this standstill "
        "ends at midnight.",
    }
    for doc_id, meta in (("pa-standstill", PA_META), ("pcr-standstill", PCR_META)):
        front = "\n".join(f"{k}: {v}" for k, v in meta.items() if k != "title")
        (corpus / f"{doc_id}.md").write_text(
            f'---\ndoc_id: {doc_id}\ntitle: "{meta["title"]}"\ndoc_type: regulation\n'
            f"publisher: Test\nsource_url: https://example.org/{doc_id}\n"
            f"published: 2015-02-05\njurisdiction: England\n{front}\n---\n\n"
            f"# {meta['title']}\n\n## Standstill period\n\n{texts[doc_id]}\n",
            encoding="utf-8",
        )
    assistant = Assistant(fake_settings(tmp_path / "index", corpus))
    assert assistant.ingest().ok
    question = "What is the standstill period?"
    found = {h.chunk.doc_id: h.dense_score for h in assistant.library.search(question, None, 2)}
    threshold = assistant.settings.abstain_threshold
    assert found["pa-standstill"] > threshold > found["pcr-standstill"]  # the case in point
    then = assistant.ask(question, top_k=1, as_at=date(2018, 9, 1))
    assert not then.abstained
    assert [c.doc_id for c in then.citations] == ["pcr-standstill"]
    assert "10 calendar days" in then.text
    now = assistant.ask(question, top_k=1)
    assert [c.doc_id for c in now.citations] == ["pa-standstill"]


def test_fits_date_keeps_what_may_speak_for_the_law_then() -> None:
    pcr, pa, case = _chunk("pcr", PCR_META), _chunk("pa", PA_META), _chunk("case", {})
    then = date(2018, 9, 1)
    assert [currency.fits_date(c, then) for c in (pcr, pa, case)] == [True, False, True]
    assert all(currency.fits_date(c, None) for c in (pcr, pa, case))  # no date: no filter
    assert currency.fits_date(pa, then, "What does the Procurement Act say on standstill?")


def test_sentence_matches_with_a_date_leave_out_passages_not_in_force(dated_assistant) -> None:
    import numpy as np

    library = dated_assistant.library
    question = "How long is the standstill period before the contract is signed?"
    vector = np.asarray(library.embedder.get_query_embedding(question), dtype=np.float32)
    undated = {h.chunk.doc_id for h in dated_assistant._with_sentence_matches([], vector)}
    assert {"pa-standstill", "pcr-standstill"} <= undated
    then = dated_assistant._with_sentence_matches([], vector, date(2018, 9, 1), question)
    assert "pcr-standstill" in {h.chunk.doc_id for h in then}
    assert "pa-standstill" not in {h.chunk.doc_id for h in then}


@pytest.mark.slow
def test_real_model_the_date_in_the_question_and_the_short_standstill_question(
    real_assistant,
) -> None:
    regime = real_assistant.ask(
        "Which regime applies if our tender notice went out on 20 February 2025?"
    )
    assert regime.text.startswith(
        "A procurement commenced on 20 February 2025 fell under the Public Contracts "
        "Regulations 2015"
    )
    assert regime.notes[0].startswith("The law is taken as at 20 February 2025")
    standstill = real_assistant.ask("What is the standstill period?", as_at=date(2018, 9, 1))
    assert not standstill.abstained
    assert standstill.citations[1].doc_id == "pcr2015-regs84-87-reports-standstill"
    assert "10 calendar days" in standstill.text


def test_the_rank_factors_come_from_the_settings() -> None:
    from assistant.config import Settings

    pcr, pa = _chunk("pcr", PCR_META), _chunk("pa", PA_META)
    hits = [_hit(pcr, 0.050), _hit(pa, 0.046)]
    question = "How long is the standstill period?"
    settings = Settings(out_of_force=1.0)  # no preference for current material
    factors = (settings.out_of_force, settings.out_of_force_at_date)
    kept = currency.prefer_in_force(hits, None, question, TODAY, factors=factors)
    assert [h.chunk.doc_id for h in kept] == ["pcr", "pa"]


def test_a_threshold_for_a_day_still_to_come_is_not_given_as_todays(dated_assistant) -> None:
    answer = dated_assistant.ask(
        "What will the sub-central threshold be for a procurement commenced on 1 January 2099?"
    )
    assert answer.abstained and not answer.citations
    assert answer.text.startswith(
        "The library does not give threshold figures for a procurement commenced on 1 January "
        "2099: that date is still to come"
    )
    assert "The latest figures it holds apply from 1 January 2026." in answer.text
    assert "£207,720" not in answer.text
    # a day already passed is still answered from the tables
    past = dated_assistant.ask(
        "What was the sub-central threshold for a procurement commenced on 1 March 2025?"
    )
    assert not past.abstained and "£214,904" in past.text


def test_one_ask_of_two_may_ask_for_a_threshold(dated_assistant) -> None:
    answer = dated_assistant.ask(
        "works threshold under the Act for a procurement started 2 Feb 2026, and which SI "
        "amended Sch 1?"
    )
    assert answer.text.startswith("The works threshold is £5,193,000 for procurements commenced")


def test_a_follow_up_asks_for_a_threshold_with_what_it_carries(dated_assistant) -> None:
    history = [
        {
            "role": "user",
            "content": "PA23 sub-central threshold for a procurement starting feb 2026?",
        }
    ]
    answer = dated_assistant.ask("has the light touch figure moved as well?", history=history)
    assert answer.text.startswith("The light touch threshold is £663,540 for procurements")
