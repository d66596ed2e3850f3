"""The interfaces that steps and features are written against, so that any library can be
searched and any assistant asked (issue 15, item 2: no `Any` for them).

- `Searchable`: what the answer pipeline reads of a library: `retrieval.library.Library`,
  a user's collection, or `features.uploads.MergedLibrary` (library plus uploads).
- `Asker`: what a feature needs of the assistant (`assistant.api.Assistant`, or the same
  assistant answering from another library through `Assistant.using`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from assistant.config import Settings
from assistant.types import Answer, Chunk, Hit

if TYPE_CHECKING:
    from assistant.retrieval.library import Filters


@runtime_checkable
class Searchable(Protocol):
    """A library the answer pipeline can search and quote from."""

    @property
    def settings(self) -> Settings: ...

    @property
    def embedder(self) -> Any: ...

    @property
    def chunks(self) -> Mapping[str, Chunk]: ...

    @property
    def term_df(self) -> Mapping[str, int]: ...

    @property
    def sentence_vectors(self) -> Mapping[str, Any]: ...

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        k: int | None = None,
        vector: list[float] | None = None,
        concepts: Sequence[Sequence[str]] = (),
    ) -> list[Hit]: ...


@runtime_checkable
class Asker(Protocol):
    """An assistant a feature can ask, and whose library it can search."""

    @property
    def settings(self) -> Settings: ...

    @property
    def library(self) -> Searchable: ...

    def ask(
        self,
        question: str,
        filters: Filters | None = None,
        history: Sequence[dict[str, str]] | None = None,
        top_k: int | None = None,
        persona: str | None = None,
        as_at: date | None = None,
    ) -> Answer: ...

    def using(self, library: Searchable) -> Asker: ...
