"""Value objects passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.text.sanitize import safe_url

DOC_TYPES = ("case_study", "regulation", "guidance", "commentary")
REGIMES = ("PCR2015", "PA2023", "EU2014", "general")
# What an uploaded document says about itself (title, source_url, regime, doc_type) is its
# uploader's claim: kept in chunk meta under this prefix and shown as such, never in the
# fields the library's own sources fill (docs/security.md, item 3).
CLAIM_PREFIX = "claimed_"
UPLOAD_DOC_TYPE = "upload"  # the doc_type of every passage from a user's own documents
# Front-matter keys copied onto every chunk (and into Chroma metadata) for filters and display.
META_KEYS = (
    "title",
    "doc_type",
    "regime",
    "publisher",
    "source_url",
    "published",
    "jurisdiction",
    "status",
    # Currency (docs/currency.md): ISO dates and the doc_id of the current replacement.
    "in_force_from",
    "in_force_to",
    "superseded_by",
    # Case-study attributes (assistant/features/cases.py); in a document holding several cases each
    # is a "; "-separated list, aligned by position.
    "case_name",
    "authority",
    "service_area",
    "route",
    "value",
    "term",
    "partner_type",
    "outcome",
    "year",
)


@dataclass(frozen=True, slots=True)
class Section:
    """A structural unit of a parsed document, before size-based chunking."""

    text: str
    heading_path: tuple[str, ...] = ()
    provision: str | None = None  # "reg. 31(5)", "s. 20(2)(b)", "Sch. 3"
    page: int | None = None
    url: str | None = None  # link to this provision or page, when known


@dataclass(frozen=True, slots=True)
class SourceDoc:
    """One parsed document: metadata from front matter (or the file) and its sections."""

    doc_id: str
    title: str
    path: str
    meta: dict[str, str]
    sections: tuple[Section, ...]
    content_hash: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable passage with a human locator."""

    chunk_id: str  # f"{doc_id}#{n}", stable across runs for unchanged documents
    doc_id: str
    text: str
    locator: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None
    url: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    provisions: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.meta.get("title", self.doc_id)

    def context_line(self) -> str:
        """Title, heading path and locator: what gives a passage its context."""
        heading = " › ".join(self.heading_path)
        return " — ".join(dict.fromkeys(x for x in (self.title, heading, self.locator) if x))

    def embed_text(self) -> str:
        """The text we embed: title and locator give a passage its context."""
        return f"{self.context_line()}\n{self.text}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(
            chunk_id=data["chunk_id"],
            doc_id=data["doc_id"],
            text=data["text"],
            locator=data["locator"],
            heading_path=tuple(data.get("heading_path", ())),
            page=data.get("page"),
            url=data.get("url", ""),
            meta=dict(data.get("meta", {})),
            provisions=tuple(data.get("provisions", ())),
        )


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks each retriever gave it."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    sparse_rank: int | None = None
    dense_score: float | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered source in an answer; `n` matches the [n] markers in the text."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    locator: str
    source_url: str
    score: float
    text: str
    doc_type: str = ""
    regime: str = ""
    quote: str = ""  # the sentences of `text` the answer drew on, one per line
    # An uploaded document's claims about itself, e.g. (("regime", "PCR2015"),): unchecked.
    claims: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "claims": dict(self.claims)}

    @classmethod
    def of(cls, chunk: Chunk, n: int, score: float, quote: str = "") -> Citation:
        """Citation number `n` of a passage."""
        return cls(
            n=n,
            chunk_id=chunk.chunk_id,
            doc_id=chunk.doc_id,
            title=chunk.title,
            locator=chunk.locator,
            source_url=safe_url(chunk.url or chunk.meta.get("source_url", "")),
            score=round(float(score), 4),
            text=chunk.text,
            doc_type=chunk.meta.get("doc_type", ""),
            regime=chunk.meta.get("regime", ""),
            quote=quote,
            claims=tuple(
                (key.removeprefix(CLAIM_PREFIX), value)
                for key, value in sorted(chunk.meta.items())
                if key.startswith(CLAIM_PREFIX) and value
            ),
        )


@dataclass(frozen=True, slots=True)
class Stage:
    """What an answer in the making is doing now (`Assistant.ask_stream(stages=True)`), for a
    status line: `name` for programs, `label` for people."""

    name: str  # "question", "search", "compose", "write", "verify", "date"
    label: str  # "Searching the library…"


@dataclass(frozen=True, slots=True)
class Answer:
    """What `Assistant.ask` returns."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    timings: dict[str, float] = field(default_factory=dict)
    nearest: tuple[str, ...] = ()  # titles of the nearest documents when abstaining
    # Sentences no cited source supports, exactly as they stand in `text` (where each is
    # followed by " [unverified]"), so a UI can find and mark them.
    unsupported: tuple[str, ...] = ()
    # Plain-language remarks on how the answer was made ("the model server was unreachable;
    # this is the extractive answer").
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "nearest": list(self.nearest),
            "timings": dict(self.timings),
            "unsupported": list(self.unsupported),
            "notes": list(self.notes),
        }
