"""What the assistant offers besides a question's answer: which rules apply, trainer packs,
case studies, users' documents, the library's pages, feedback, legislation import and
evaluation. Mixed into `assistant.api.Assistant`, so the CLI and the web page reach every
feature through the one object (tests/test_boundaries.py keeps them to the public API).

Each method is a thin call into its feature module, imported on first use so that
`import assistant` stays light."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.features.cases import Case, CaseFilters, CaseMatch
    from assistant.features.documents import LibraryDocument, Listing
    from assistant.features.feedback import Feedback
    from assistant.features.trainer import TrainerPack
    from assistant.features.uploads import UserCollection
    from assistant.features.users import Users
    from assistant.features.which_rules import RegimeAdvice
    from assistant.ingest.legislation import ImportResult
    from assistant.protocols import Asker, Searchable
    from assistant.retrieval.library import Filters
    from assistant.types import Answer


class Services:
    """The features, as methods of the assistant (see the module docstring)."""

    settings: Settings
    _users: Users | None = None

    if TYPE_CHECKING:  # defined by Assistant

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

    def which_rules(self, start: date | str, kind: str) -> RegimeAdvice:
        """The regime for a procurement commenced on `start`, and the cited rules for `kind`."""
        from assistant.features.which_rules import which_rules_apply

        return which_rules_apply(self, start, kind)

    def trainer_pack(self, topic: str, filters: Filters | None = None) -> TrainerPack:
        """A cited learning-session pack for `topic` (AssistantError if the library lacks it)."""
        from assistant.features.trainer import build_pack

        return build_pack(self, topic, filters)

    def find_cases(self, filters: CaseFilters | None = None) -> list[Case]:
        """The library's case studies that pass `filters`."""
        from assistant.features.cases import find_cases

        return find_cases(self.library, filters)

    def cases_like(
        self, description: str, k: int = 3, filters: CaseFilters | None = None
    ) -> tuple[list[CaseMatch], Answer]:
        """The `k` case studies most like the situation described, and the cited answer
        saying what matches."""
        from assistant.features.cases import cases_answer, cases_like

        matches = cases_like(self.library, description, k, filters)
        return matches, cases_answer(description, matches)

    @property
    def users(self) -> Users:
        """Each login's (or anonymous session's) own uploaded documents."""
        from assistant.features.users import Users

        if self._users is None:
            self._users = Users(self.settings)
        return self._users

    def scope(self, uploads: UserCollection | None, library: bool, mine: bool) -> Any:
        """The assistant answering from the shipped library, the user's documents, or both."""
        from assistant.features.uploads import search_scope

        return search_scope(self, uploads, library, mine)

    def catalogue(self) -> dict[str, Listing]:
        """Every document of the built index by doc_id ({} without an index)."""
        from assistant.features.documents import catalogue

        return catalogue(self.settings)

    def document(self, doc_id: str) -> LibraryDocument:
        """The library document `doc_id` as a whole page."""
        from assistant.features.documents import open_document

        return open_document(self.settings, doc_id, self.library.chunks)

    def record_feedback(
        self,
        answer: Answer,
        rating: str,
        comment: str = "",
        user: str = "",
        persona: str = "",
        amends: str = "",
    ) -> Feedback:
        """Append one helpful / not helpful line about `answer` (see features/feedback.py)."""
        from assistant.features.feedback import record_feedback

        return record_feedback(self.settings, answer, rating, comment, user, persona, amends)

    def import_legislation(self, reference: str) -> ImportResult:
        """Fetch an Act or SI from legislation.gov.uk and index it by provision."""
        from assistant.ingest.legislation import import_legislation

        return import_legislation(self.settings, reference)

    def evaluate_file(
        self, questions: Path, out: Path | None = None, k: int = 5
    ) -> Mapping[str, Any]:
        """Run a JSONL question set and return its metrics (results to `out`)."""
        from assistant.features.evaluation import evaluate_file

        return evaluate_file(self, questions, out, k)
