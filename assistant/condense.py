"""Follow-up question -> standalone query for retrieval ("and how long did it last?" after a
Leicestershire question). A configured model rewrites it; without one, or when the model
cannot answer, the heuristic in `assistant.api.standalone_query` does."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from assistant.llm import ChatModel, LLMUnavailable
from assistant.prompts import condense_messages

logger = logging.getLogger(__name__)
# A rewrite longer than this many times the follow-up plus the last question has wandered
# (answered the question instead of restating it): use the heuristic.
MAX_GROWTH = 3


def condense(
    question: str, history: Sequence[dict[str, str]] | None, generator: ChatModel | None
) -> str:
    """The query to retrieve with; the question itself when there is no history."""
    from assistant.api import standalone_query  # api imports this module

    fallback = standalone_query(question, history)
    if not history or generator is None:
        return fallback
    try:
        rewritten = generator.complete(condense_messages(question, history))
    except LLMUnavailable as exc:
        logger.warning("condensing the follow-up failed (%s); using the heuristic", exc)
        return fallback
    rewritten = " ".join(rewritten.replace("Standalone question:", " ").split()).strip("\"' ")
    if not rewritten or len(rewritten) > MAX_GROWTH * len(fallback) + 40:
        return fallback
    return rewritten
