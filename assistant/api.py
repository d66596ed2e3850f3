"""The one API that the CLI and the web app sit on."""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answering.condense import condense, previous_question
from assistant.answering.extractive import (
    Candidate,
    Evidence,
    abstain,
    assess,
    cite,
    missing_type,
    select_units,
    states_not_known,
)
from assistant.answering.generate import (
    generate,
    regime_sources,
    sentence_embedder,
    verification_notes,
    verified,
    verified_generation,
)
from assistant.answering.prompts import PERSONAS, model_abstained
from assistant.answering.provenance import with_provenance
from assistant.answering.question import Question, analyse, asks, thesaurus
from assistant.answering.units import build_units
from assistant.answering.verify import claim_text, has_citations, split_answer
from assistant.answering.weights import ComposerWeights, SupportRule
from assistant.config import Settings, get_settings, offline_environment
from assistant.errors import InvalidInput
from assistant.features.services import Services
from assistant.index.sentence_vectors import stored_for
from assistant.index.store import Manifest, index_embedding_path, path_mismatch
from assistant.ingest.pipeline import IngestReport, Progress, build_index
from assistant.law.as_at import LawDate, asks_which_law, law_date
from assistant.law.in_force import at_date, fits_date, prefer_in_force
from assistant.law.query import normalise_query
from assistant.models.embedding import embed_texts, embedding_path
from assistant.models.llm import ChatModel
from assistant.protocols import Searchable
from assistant.retrieval.library import Filters, Library, normalise_filters
from assistant.retrieval.passages import suppress_near_duplicates, with_neighbours
from assistant.text.dates import day_text
from assistant.text.sanitize import strip_controls
from assistant.types import UPLOAD_DOC_TYPE, Answer, Hit, Stage

logger = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 2000
MAX_TOP_K = 50  # as Settings.top_k allows
UNIT_VECTOR_CACHE = 4096
# Asked once at start-up (`warm_up`): it exercises retrieval, composition and verification.
WARM_UP_QUESTION = (
    "What is the minimum period for requests to participate in an innovation partnership?"
)
# What an answer is doing, as `ask_stream(stages=True)` reports it.
STAGES = {
    "question": "Reading the question…",
    "search": "Searching the library…",
    "compose": "Choosing the sentences that answer it…",
    "write": "Writing the answer…",
    "verify": "Checking citations…",
    "date": "Checking the law as at {day}…",
}
WarmUpProgress = Callable[[int, int, str, float | None], None]


@dataclasses.dataclass(frozen=True, slots=True)
class Request:
    """One question as asked: everything an answer depends on besides the library."""

    question: str
    filters: Filters | None = None
    history: Sequence[dict[str, str]] | None = None
    top_k: int | None = None
    persona: str | None = None
    as_at: date | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class _Understood:
    """The question as the steps after it read it."""

    question: str
    query: str  # standalone (with what a follow-up carries over) and respelled, for search
    context: str  # what a follow-up carried over, or ""
    asked: Question


@dataclasses.dataclass(frozen=True, slots=True)
class _Found:
    """What retrieval found and how much it supports an answer."""

    asked: Question  # with the regime judged for the day the law is taken at
    vector: np.ndarray
    hits: list[Hit]
    law: LawDate
    evidence: Evidence
    embed_ms: float
    retrieve_ms: float


def limit_blas_threads(threads: int) -> None:
    """Cap the BLAS threads of every BLAS library loaded in this process so far (0 leaves the
    default); called for each Assistant, since a library loaded later starts uncapped."""
    if threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="blas")


class Assistant(Services):
    """Ask questions of the library; build or update it."""

    def __init__(self, settings: Settings | None = None) -> None:
        offline_environment()
        self.settings = settings or get_settings()
        limit_blas_threads(self.settings.blas_threads)
        self.weights = ComposerWeights.from_settings(self.settings)
        self.support = SupportRule.from_settings(self.settings)
        self._library: Searchable | None = None
        self._generator: ChatModel | None = None
        # units with no stored sentence vector (a short list item), embedded once
        self._unit_vectors: dict[str, np.ndarray] = {}

    @property
    def library(self) -> Searchable:
        if self._library is None:
            self._library = Library.open(self.settings)
        return self._library

    def has_index(self) -> bool:
        return Manifest.read(Path(self.settings.index_dir)) is not None

    def using(self, library: Searchable) -> Assistant:
        """The same assistant answering from another library with the Library search interface,
        e.g. `uploads.MergedLibrary` (the shipped library plus a user's documents)."""
        other = Assistant(self.settings)
        other._library = library
        return other

    def ingest(
        self,
        paths: Sequence[Path] | None = None,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        report = build_index(self.settings, paths, rebuild, progress)
        self._library = None  # reload on next question
        return report

    def ensure_index(self, progress: Progress | None = None) -> IngestReport | None:
        """Build the index from the corpus when there is none yet, or re-embed it when its
        vectors came from another embedding path than this configuration's."""
        manifest = Manifest.read(Path(self.settings.index_dir))
        if manifest is not None and not path_mismatch(manifest, self.settings):
            return None
        return self.ingest(progress=progress)

    def ask(
        self,
        question: str,
        filters: Filters | None = None,
        history: Sequence[dict[str, str]] | None = None,
        top_k: int | None = None,
        persona: str | None = None,
        as_at: date | None = None,
    ) -> Answer:
        """Answer from the library with numbered citations, or abstain. With a model configured
        (`llm_backend`) the model writes the answer from the sources; either way every citation
        is verified and unsupported sentences are listed in `Answer.unsupported`. `as_at`: the
        law as at that day (retrieval prefers material in force then and the answer states the
        regime that applied); without it current material wins (docs/currency.md)."""
        answer = None
        request = Request(question, filters, history, top_k, persona, as_at)
        for item in self._answer(request):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None  # _answer always ends with an Answer
        return answer

    def ask_stream(
        self,
        question: str,
        filters: Filters | None = None,
        history: Sequence[dict[str, str]] | None = None,
        top_k: int | None = None,
        persona: str | None = None,
        as_at: date | None = None,
        stages: bool = False,
    ) -> Iterator[str | Stage | Answer]:
        """Stream an answer: yields `str` text deltas as the model writes them, then exactly one
        `Answer`, always last. With `stages`, also a `Stage` as each step begins ("Searching the
        library…", "Checking citations…"), for a status line. Show the deltas as they come,
        then replace the text with the final `Answer.text`: verification may drop citations,
        renumber them and mark sentences [unverified], and when the model server fails (even
        mid-answer) or no sentence of the model's answer is supported, the final Answer is the
        extractive one with the reason in `Answer.notes`. Without a model, or when abstaining,
        the whole text arrives as one delta. Arguments as for `ask`; an empty or over-long
        question raises AssistantError at the first `next()`."""
        request = Request(question, filters, history, top_k, persona, as_at)
        yield from self._answer(request, stream=True, stages=stages)

    def warm_up(self, progress: WarmUpProgress | None = None) -> dict[str, float]:
        """Load the index and the embedding model and answer one question, so that the first
        question a user asks takes as long as any other. `progress(step, steps, label,
        seconds)` is called as each step starts (seconds None) and ends. Returns seconds per
        step."""
        steps: list[tuple[str, str, Callable[[], object]]] = [
            ("index", "Loading the library index", lambda: self.library),
            ("model", "Loading the embedding model", self._load_model),
            ("answer", "Answering a first question", lambda: self.ask(WARM_UP_QUESTION)),
        ]
        timings: dict[str, float] = {}
        for n, (name, label, run) in enumerate(steps, start=1):
            if progress:
                progress(n, len(steps), label, None)
            began = time.perf_counter()
            run()
            timings[name] = round(time.perf_counter() - began, 2)
            if progress:
                progress(n, len(steps), label, timings[name])
        return timings

    def _load_model(self) -> None:
        self.library.embedder.get_query_embedding(WARM_UP_QUESTION)

    @property
    def generator(self) -> ChatModel | None:
        """The configured language model, or None for the extractive composer."""
        if self._generator is None and self.settings.llm_backend != "none":
            self._generator = ChatModel.from_settings(self.settings)
        return self._generator

    def _answer(
        self, request: Request, *, stream: bool = False, stages: bool = False
    ) -> Iterator[str | Stage | Answer]:
        """Stages (with `stages`), text deltas (with `stream`), then the Answer, whose timings
        and notes say how it was made. The steps: understand the question, retrieve and weigh
        the evidence, answer (abstain, generate or compose and verify), then date and label."""
        question = _checked(request.question, request.top_k, request.persona)
        normalise_filters(request.filters)  # a bad filter fails before any work
        start = time.perf_counter()
        if stages:
            yield _stage("question")
        asked = self._understand(question, request.history)
        if stages:
            yield _stage("search")
        found = self._retrieve(asked, request)
        mark = time.perf_counter()
        timings = {"embed_ms": found.embed_ms, "retrieve_ms": found.retrieve_ms}
        notes: list[str] = []
        answer: Answer | None = None
        if not found.evidence.sufficient(self.settings.abstain_threshold):
            answer = abstain(question, found.hits, found.evidence)
        elif self.generator is not None:
            if stages:
                yield _stage("write")
            answer, said = yield from self._generated(
                question, asked.query, found.hits, request.filters, request.persona, stream, stages
            )
            notes += said
            timings["llm_ms"] = _ms(mark)
            if answer is None:
                timings["llm_fallback"] = 1.0
            elif answer.abstained:
                answer = abstain(question, found.hits, found.evidence)
        if answer is None:
            if stages:
                yield _stage("compose")
            answer, checked = self._extractive(asked, found, request.filters)
            if checked is not None:
                if stages:
                    yield _stage("verify")
                answer, said = checked()
                notes += said
        if stages and found.law.day is not None:
            yield _stage("date", day=day_text(found.law.day))
        # a follow-up may ask for a threshold only with what it carries ("has the light touch
        # figure moved as well?" after a threshold question)
        parts = [*asks(question), *([asked.context] if asked.context else [])]
        answer, dated = at_date(answer, self.library, question, found.law, parts)
        notes += dated
        answer = with_provenance(answer, found.asked.answer_type)
        if stream and (answer.abstained or "llm_ms" not in timings or "llm_fallback" in timings):
            yield answer.text
        timings["compose_ms"] = _ms(mark)
        timings["total_ms"] = _ms(start)
        timings["evidence"] = round(found.evidence.best_cosine, 4)
        yield dataclasses.replace(answer, timings=timings, notes=tuple(notes))

    def _understand(self, question: str, history: Sequence[dict[str, str]] | None) -> _Understood:
        """Step 1: the question made standalone (a follow-up takes what it lacks from the
        conversation), respelled for search, and analysed (answer type, cases, thesaurus)."""
        condensed = condense(question, history, self.generator)
        query = normalise_query(thesaurus().respell(condensed))
        context = condensed if condensed != question else ""
        asked = analyse(question, context, previous_question(question, history))
        return _Understood(question, query, context, asked)

    def _retrieve(self, asked: _Understood, request: Request) -> _Found:
        """Step 2: the passages (hybrid search, the topic and regime searches, in-force
        re-ranking for the day the law is judged at) and how strong the evidence is."""
        library, filters, start = self.library, request.filters, time.perf_counter()
        query, question = asked.query, asked.question
        vector = np.asarray(library.embedder.get_query_embedding(query), dtype=np.float32)
        embed_ms = _ms(start)
        mark = time.perf_counter()
        k = request.top_k or self.settings.top_k
        depth = k * self.settings.search_depth
        found = library.search(query, filters, depth, vector.tolist(), asked.asked.concepts)
        found = self._with_topic_search(found, query, asked.asked, filters, depth)
        # the given date, else the question's
        law = law_date(question, request.as_at, library, asked.context)
        judged = _judged_under(asked.asked, law, library, question)
        factors = (self.settings.out_of_force, self.settings.out_of_force_at_date)
        hits = prefer_in_force(found, law.day, f"{question} {query}", factors=factors)[:k]
        retrieve_ms = _ms(mark)
        # a date re-ranks the passages found; it does not make the library know less
        best = max(
            (h.dense_score for h in [*hits, *found[:k]] if h.dense_score is not None), default=0.0
        )
        evidence = assess(question, hits, best, library.term_df, self.weights)
        return _Found(judged, vector, hits, law, evidence, embed_ms, retrieve_ms)

    def _extractive(
        self, asked: _Understood, found: _Found, filters: Filters | None
    ) -> tuple[Answer, Callable[[], tuple[Answer, list[str]]] | None]:
        """Step 3 without a model: answer units from the passages (and their neighbours, and
        the passages holding the library's nearest sentences), composed; and, unless it
        abstained, the check of every sentence against its cited source, to run next."""
        library = self.library
        passages = with_neighbours(found.hits, library.chunks, self.settings.neighbour_lead)
        if not normalise_filters(filters):
            passages = self._with_sentence_matches(
                passages, found.vector, found.law.day, asked.question
            )
        answer, shown = self._compose(asked.question, found.asked, found.vector, passages)
        if answer.abstained:
            return answer, None

        def check() -> tuple[Answer, list[str]]:
            embed = sentence_embedder(library, passages, shown)
            checked, result = verified(
                answer.text, asked.question, answer.citations, embed, self.support
            )
            return checked, verification_notes(result)

        return answer, check

    def _generated(
        self,
        question: str,
        query: str,
        hits: Sequence[Any],
        filters: Filters | None,
        persona: str | None,
        stream: bool,
        stages: bool = False,
    ) -> Generator[str | Stage, None, tuple[Answer | None, list[str]]]:
        """The model's answer from the sources, verified, with notes on how it was made; an
        abstaining Answer when the model says the sources do not cover it; None (the reason
        in the notes) when the server failed or no sentence of the model's answer is
        supported by the sources."""
        assert self.generator is not None
        sources = regime_sources(self.library, question, query, hits, filters)
        reply = yield from generate(self.generator, question, query, sources, persona, stream)
        if reply.text is None:
            return None, [reply.note]
        text = reply.text
        if model_abstained(text, has_citations(text)):
            said = "The language model found that the sources do not answer this."
            return Answer(question, text, (), True), [said]
        if stages:
            yield _stage("verify")
        embed = sentence_embedder(self.library, sources)
        answer, check = verified_generation(text, question, sources, embed, self.support)
        if check.claims and not check.supported:
            return None, [
                f"None of the {check.claims} sentences of the {self.generator.label}'s answer "
                "is supported by the sources. This is the extractive answer instead."
            ]
        return answer, [f"Written by the {self.generator.label}.", *verification_notes(check)]

    def _with_topic_search(
        self, found: list[Hit], query: str, asked: Question, filters: Filters | None, k: int
    ) -> list[Hit]:
        """`found`, interleaved with the passages found for the question without the regime it
        names, when it asks something besides ("the standstill period under the Procurement Act
        2023": the name alone brings passages about the Act's commencement), and with those
        found among the documents of that regime."""
        topic = thesaurus().without_regimes(query)
        if not asked.regimes or len(_content_terms(topic)) < TOPIC_TERMS or topic == query:
            return found
        vector = self.library.embedder.get_query_embedding(topic)
        extra = self.library.search(topic, filters, k, list(vector), asked.concepts)
        runs = [found, extra]
        if len(asked.regimes) == 1 and not (filters or {}).get("regime"):
            # and among that regime's own documents: "what about under PA23?" after a PCR
            # question carries PCR words that otherwise fill the list with PCR passages
            within = {**(filters or {}), "regime": sorted(asked.regimes)}
            runs.append(self.library.search(topic, within, k, list(vector), asked.concepts))
        seen: set[str] = set()
        out: list[Hit] = []
        for group in itertools.zip_longest(*runs):
            for hit in group:
                if hit is not None and hit.chunk.chunk_id not in seen:
                    seen.add(hit.chunk.chunk_id)
                    out.append(hit)
        return out[: len(found)]

    def _with_sentence_matches(
        self, hits: list[Hit], vector: np.ndarray, as_at: date | None = None, question: str = ""
    ) -> list[Hit]:
        """`hits` and the passages holding the library's sentences nearest the question, so
        an answer sentence in a passage ranked low as a whole can still be quoted; with a
        date, only passages that may speak for the law then (`law.in_force.fits_date`)."""
        stored = self.library.sentence_vectors
        if not hasattr(stored, "nearest_chunks") or not self.settings.sentence_pool:
            return hits
        have = {h.chunk.chunk_id for h in hits}
        pool = self.settings.sentence_pool
        extra = [
            Hit(self.library.chunks[cid], score, dense_score=None)
            for cid, score in stored.nearest_chunks(vector, pool + len(hits))
            if cid not in have
            and cid in self.library.chunks
            and fits_date(self.library.chunks[cid], as_at, question)
        ]
        # a copy of a passage already there (a PDF and its HTML) does not come back this way
        threshold = self.settings.duplicate_threshold
        return suppress_near_duplicates([*hits, *extra], len(hits) + pool, threshold)

    def _compose(
        self, question: str, asked: Question, vector: np.ndarray, hits: Sequence[Hit]
    ) -> tuple[Answer, dict[str, np.ndarray]]:
        """The extractive answer, and the vectors of its sentences as shown (so verifying it
        needs no embedding)."""
        candidates = self._candidates(hits, vector)
        lacking = missing_type(asked, candidates, self.library.term_df, self.weights)
        if lacking:
            return abstain(question, hits, Evidence(0.0, ()), lacking), {}
        names = [thesaurus().named(f"{h.chunk.title} {h.chunk.locator}") for h in hits]
        limit = self.settings.answer_sentences
        df = self.library.term_df
        uploads = frozenset(
            i for i, h in enumerate(hits) if h.chunk.meta.get("doc_type") == UPLOAD_DOC_TYPE
        )
        picks = select_units(asked, candidates, names, limit, df, self.weights, uploads)
        chosen = [candidates[i] for i in picks]
        if not chosen:  # passages too short to quote from: say so rather than answer blank
            return abstain(question, hits, Evidence(0.0, ())), {}
        if states_not_known(asked, chosen[0]):
            # the library's own answer is that this is not established: say so first, with
            # that sentence as the cited evidence, and count it as not answered
            chosen = chosen[:1]
        text, citations = cite(hits, [(c.rank, c.unit.text, c.unit.raw) for c in chosen])
        shown = {claim_text(piece): c.vector for c in chosen for piece in split_answer(c.unit.text)}
        if len(chosen) == 1 and states_not_known(asked, chosen[0]):
            text = f"The library does not confirm this. Its sources say: {text}"
            return Answer(question, text, tuple(citations), True), shown
        return Answer(question, text, tuple(citations), False), shown

    def _candidates(self, hits: Sequence[Hit], vector: np.ndarray) -> list[Candidate]:
        """Every answer unit of `hits`, scored with the stored vectors of its sentences (units
        of passages without stored vectors, such as a fresh upload, are embedded now)."""
        found: list[tuple[int, int, Any, np.ndarray | None]] = []
        for rank, hit in enumerate(hits):
            stored = stored_for(self.library.sentence_vectors, hit.chunk)
            units = build_units(hit.chunk.text)
            for position, unit in enumerate(units):
                if unit.is_prompt or unit.is_about_document:
                    continue
                rows = [m for m in unit.members if m >= 0]
                vectors = (
                    np.asarray(stored[rows], dtype=np.float32)
                    if stored is not None and rows
                    else None
                )
                found.append((rank, position, unit, vectors))
        missing = [i for i, f in enumerate(found) if f[3] is None]
        new = sorted({found[i][2].raw for i in missing} - self._unit_vectors.keys())
        if new:
            fresh = embed_texts(self.library.embedder, new)
            if len(self._unit_vectors) > UNIT_VECTOR_CACHE:
                self._unit_vectors.clear()
            self._unit_vectors.update(zip(new, np.asarray(fresh, dtype=np.float32), strict=True))
        for i in missing:
            found[i] = (*found[i][:3], self._unit_vectors[found[i][2].raw].reshape(1, -1))
        out = []
        for rank, position, unit, vectors in found:
            assert vectors is not None
            cosines = vectors @ vector
            best = int(cosines.argmax())
            chunk = hits[rank].chunk
            out.append(
                Candidate(
                    rank,
                    position,
                    unit,
                    vectors[best],
                    float(cosines[best]),
                    f"{chunk.title} {chunk.locator}",
                )
            )
        return out

    def info(self) -> dict[str, Any]:
        manifest = Manifest.read(Path(self.settings.index_dir))
        docs = manifest.docs if manifest else {}
        return {
            "index_dir": str(Path(self.settings.index_dir).resolve()),
            "store": self.settings.chroma_url or "embedded (PersistentClient)",
            "embed_model": manifest.embed_model if manifest else self.settings.embed_model,
            "embed_path": index_embedding_path(manifest) if manifest else None,
            "embed_path_configured": embedding_path(self.settings),
            "documents": len(docs),
            "chunks": sum(int(d.get("chunks", 0)) for d in docs.values()),
            "by_doc_type": _count(docs, "doc_type"),
            "by_regime": _count(docs, "regime"),
            "built_at": manifest.built_at if manifest else None,
        }


def _checked(question: str, top_k: int | None, persona: str | None) -> str:
    """The question without control characters (NUL, escape sequences), or InvalidInput:
    empty, too long, a k outside 1-50 or an unknown persona (none of it echoed back)."""
    if not isinstance(question, str):
        raise InvalidInput("The question must be text.")
    if len(question) > MAX_QUESTION_CHARS * 4:  # don't even clean a megabyte
        raise InvalidInput(f"Questions are limited to {MAX_QUESTION_CHARS} characters.")
    question = strip_controls(question).strip()
    if not question:
        raise InvalidInput("Please type a question.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidInput(f"Questions are limited to {MAX_QUESTION_CHARS} characters.")
    if top_k is not None and not (type(top_k) is int and 1 <= top_k <= MAX_TOP_K):
        raise InvalidInput(f"k must be a whole number from 1 to {MAX_TOP_K}.")
    if persona and persona not in PERSONAS:
        raise InvalidInput(f"persona must be one of {', '.join(PERSONAS)}.")
    return question


def _judged_under(asked: Question, law: LawDate, library: Any, question: str) -> Question:
    """`asked`, held to the regime in force on the day the law is judged at, when the answer
    will state that regime (a 'law as at' date, or a question asking which law applies on a
    date it writes): a sentence about the other regime's day cannot then contradict the lead."""
    from assistant.law import thresholds

    if law.day is None or (law.from_question and not asks_which_law(question)):
        return asked
    row = thresholds.library_tables(library).regime_on(law.day)
    regime = row.cells.get("regime", "") if row else ""
    if regime not in thesaurus().regimes:
        return asked
    return dataclasses.replace(asked, regimes=frozenset({regime}), regime_fixed=True)


def _stage(name: str, **values: str) -> Stage:
    return Stage(name, STAGES[name].format(**values))


# A question needs this many content terms besides the regime it names for a second search
# without the regime's name.
TOPIC_TERMS = 1


def _content_terms(text: str) -> set[str]:
    from assistant.answering.question import CUE_WORDS
    from assistant.text.tokens import tokenize

    return {t for t in tokenize(text) if t not in CUE_WORDS and not t.isdigit()}


def _count(docs: dict[str, dict[str, Any]], key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for entry in docs.values():
        out[entry.get(key) or "?"] = out.get(entry.get(key) or "?", 0) + 1
    return dict(sorted(out.items()))


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
