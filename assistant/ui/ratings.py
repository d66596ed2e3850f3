"""Feedback on each answer: a thumb on the message, saved at once, then an optional comment
saved as an amendment of that entry (assistant/features/feedback.py writes both lines)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant import Assistant
from assistant.ui.chat import answer_number
from assistant.ui.serving import RateLimiter

TOO_MUCH_FEEDBACK = (
    "You have sent a lot of feedback in the last hour; thank you. Please try again later."
)


def client_key(request: gr.Request | None) -> str:
    """Whom a rate limit counts: the login, else the address the request came from."""
    user = getattr(request, "username", None)
    if user:
        return f"user:{user}"
    client = getattr(request, "client", None)
    return f"address:{getattr(client, 'host', None) or 'unknown'}"


class Ratings:
    """The Ask tab's feedback events, limited per client (`feedback_per_hour`)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.limit = RateLimiter(assistant.settings.feedback_per_hour, 3600)

    def rate(self, history, answers, persona, liked: gr.LikeData, request: gr.Request):
        """A thumb on one answer: recorded at once, and the comment box opens for that
        rating. Outputs: the rating (state), status, comment panel, comment box."""
        index = liked.index if isinstance(liked.index, int) else -1
        k = answer_number(history or [], index)
        answers = list(answers or [])
        if k is None or k >= len(answers):
            return None, "Rate an answer once it is complete.", gr.update(visible=True), ""
        if liked.liked not in (True, False):  # the thumb was taken back: nothing to record
            return None, "Rating withdrawn; nothing more is recorded.", gr.update(), ""
        if not self.limit.allow(client_key(request)):
            return None, TOO_MUCH_FEEDBACK, gr.update(visible=True), ""
        rating = "helpful" if liked.liked else "not_helpful"
        user = getattr(request, "username", None) or ""
        entry = self.assistant.record_feedback(answers[k], rating, "", user, persona)
        said = "helpful" if liked.liked else "not helpful"
        status = (
            f"Thank you: answer {k + 1} marked {said}, saved on this machine. "
            "Add a comment if you like."
        )
        rated = {"answer": k, "rating": rating, "id": entry.id}
        return rated, status, gr.update(visible=True), ""

    def comment(self, answers, rated: Any, comment, persona, request: gr.Request):
        """The optional comment on the last rating, saved with it. Outputs: status, comment
        box, rating (state)."""
        answers = list(answers or [])
        if not isinstance(rated, dict) or not 0 <= rated.get("answer", -1) < len(answers):
            return "Rate an answer with 👍 or 👎 first, then add your comment.", comment, rated
        if not (comment or "").strip():
            return "Type a comment first (your rating is already saved).", "", rated
        if not self.limit.allow(client_key(request)):
            return TOO_MUCH_FEEDBACK, comment, rated
        user = getattr(request, "username", None) or ""
        entry = self.assistant.record_feedback(
            answers[rated["answer"]],
            rated.get("rating", ""),
            comment,
            user,
            persona,
            rated.get("id", ""),
        )
        return "Thank you: your comment is saved on this machine.", "", {**rated, "id": entry.id}
