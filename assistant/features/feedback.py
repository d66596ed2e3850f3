"""Helpful / not helpful feedback on answers, kept on this machine for the maintainers.

One JSON object per line in `user_data_dir/feedback.jsonl`: easy to read with `jq`, to load
with pandas, and to append to safely from several web workers (one write per line, O_APPEND).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.answering.prompts import PERSONAS
from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.features.private import open_private, private_dir
from assistant.text.sanitize import strip_controls
from assistant.types import Answer

Rating = Literal["helpful", "not_helpful"]
RATINGS: tuple[Rating, ...] = ("helpful", "not_helpful")
FEEDBACK_FILE = "feedback.jsonl"
MAX_COMMENT_CHARS = 2000  # a paragraph or two; longer text is cut, not refused
_LOCK = threading.Lock()
_ID = re.compile(r"[0-9a-f]{12}")  # as Feedback.id makes them


@dataclass(frozen=True, slots=True)
class Feedback:
    rating: Rating
    question: str
    answer: str
    citations: list[str] = field(default_factory=list)  # chunk ids, in [n] order
    abstained: bool = False
    comment: str = ""
    user: str = ""
    persona: str = ""
    amends: str = ""  # the id of an earlier entry this one completes (a comment on a rating)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S%z"))


def _clean_comment(comment: str | None) -> str:
    """At most MAX_COMMENT_CHARS, without control characters (cut first: it may be huge)."""
    return strip_controls((comment or "")[: MAX_COMMENT_CHARS * 2]).strip()[:MAX_COMMENT_CHARS]


def feedback_path(settings: Settings) -> Path:
    return Path(settings.user_data_dir) / FEEDBACK_FILE


def record_feedback(
    settings: Settings,
    answer: Answer,
    rating: str,
    comment: str = "",
    user: str = "",
    persona: str = "",
    amends: str = "",
) -> Feedback:
    """Append one feedback line and return what was stored. `amends`: the id of an earlier
    entry this one replaces (the same rating, now with a comment); summaries count the last."""
    if rating not in RATINGS:
        raise AssistantError(f"Feedback must be one of: {', '.join(RATINGS)}.")
    entry = Feedback(
        rating=rating,
        question=answer.question,
        answer=answer.text,
        citations=[c.chunk_id for c in answer.citations],
        abstained=answer.abstained,
        comment=_clean_comment(comment),
        user=user,
        persona=persona if persona in PERSONAS else "",
        amends=amends if _ID.fullmatch(amends or "") else "",
    )
    path = feedback_path(settings)
    private_dir(path.parent)
    line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
    with _LOCK, open_private(path, "a") as handle:
        handle.write(line)
    return entry


def read_feedback(settings: Settings) -> list[dict[str, Any]]:
    """Every stored entry, oldest first; a damaged line is skipped, not fatal."""
    path = feedback_path(settings)
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries


def summarise(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Ratings and comments, counting an amended entry once (as its last amendment)."""
    replaced = {e.get("amends") for e in entries if e.get("amends")}
    entries = [e for e in entries if e.get("id") not in replaced]
    counts: dict[str, int] = {rating: 0 for rating in RATINGS}
    for entry in entries:
        if entry.get("rating") in counts:
            counts[entry["rating"]] += 1
    counts["with_comment"] = sum(1 for e in entries if e.get("comment"))
    return counts
