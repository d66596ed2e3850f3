"""Error hierarchy; each class carries a policy (skip the file, abort with a hint, abstain)."""

from __future__ import annotations

from pathlib import Path


class AssistantError(Exception):
    """Base class: the CLI prints these as one line and exits non-zero."""


class IngestError(AssistantError):
    """This file cannot be ingested: report it, skip it, carry on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type[IngestError], tuple[Path, str]]:
        # Pickled by path and reason (not the message), so it crosses from a parse worker.
        return (type(self), (self.path, self.reason))


class UnsupportedFormat(IngestError):
    """No parser for this file type."""


class LimitExceeded(IngestError):
    """The file is over an upload cap (size, pages, passages, memory, time): refused before it
    could use up the server's memory or CPU."""


class IndexMissing(AssistantError):
    """There is no built index: run `assistant ingest`."""

    def __init__(self, index_dir: Path | str) -> None:
        super().__init__(f"No index at {index_dir}; run `assistant ingest` first.")


class IndexBusy(AssistantError):
    """Another ingest holds the lock."""


class ConfigError(AssistantError):
    """Configuration that cannot work (e.g. an embedding model that is not there)."""


class InvalidInput(AssistantError, ValueError):
    """A request the assistant cannot take (a filter value outside its vocabulary, a
    negative k): the message says what is allowed, without echoing a huge value back."""


class ModuleError(AssistantError):
    """A learning module that does not follow the module structure (corpus/README.md): the
    trainer pack leaves it out and says so; the corpus test names the file, line and fix."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")
