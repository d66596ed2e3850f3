"""Follow-up question -> standalone query for retrieval ("and how long did it last?" after a
Leicestershire question). A configured model rewrites it; without one, or when the model
cannot answer, `standalone_query` carries over only what the follow-up lacks."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from assistant.answering.prompts import condense_messages
from assistant.answering.question import CUE_WORDS, AnswerType, answer_type, thesaurus
from assistant.models.llm import ChatModel, LLMUnavailable
from assistant.text.tokens import CITATION, STOPWORDS, tokenize

logger = logging.getLogger(__name__)
# A question that opens like this continues the conversation ("and under the Act?").
_CONTINUES = re.compile(r"^\W*(and|but|so|also|then|what about|how about|same)\b", re.I)
_PRONOUN = re.compile(r"\b(it|its|they|them|their|that|this|those|these|he|she|there)\b", re.I)
# ... or points back with its last words or its subject ("as well?", "the Welsh equivalent?",
# "does that apply to light touch contracts too?").
_POINTS_BACK = re.compile(
    r"\b(too|as well|either|instead|equivalent|counterpart|the same|same for|then)\W*$"
    r"|\bequivalent\b"
    r"|^\W*(\w+\s+){0,2}(it|that|this|they|those|these)\s+(apply|applies|work|change|"
    r"differ|cover|count|mean|last|include|have|need|still)\b",
    re.I,
)
# ... of which these point back at a thing asked about, not at the council or partner.
_THING_PRONOUN = re.compile(r"\b(it|its|that|this|those|these)\b", re.I)
# Words that name a regime; a follow-up that names one does not inherit the other.
_REGIME_WORD = re.compile(
    r"\b(PCR|PCR2015|PA|PA23|PA2023|Act|Regulations|regs|2015|2023|old|new|rules|LTR)\b", re.I
)
# A question with this many content words or fewer says too little to stand alone.
THIN_QUESTION = 1
# ... and a pronoun in a question this short points back rather than inside the question.
PRONOUN_REACH = 4
# A follow-up with this many words of its own or fewer (besides a regime) asks what the
# question before it asked.
THIN_FOLLOW_UP = 2
# A question this short that names no case is taken to be about the case under discussion.
CASE_REACH = 5
# A follow-up with more content words than this (and no pronoun) carries over only the case
# and the regime under discussion.
FULL_FOLLOW_UP = 6


def _message_text(content: object) -> str:
    """A chat message's text: a string, or the text parts of a list of parts (as chat UIs
    send them: ["text", {"type": "text", "text": "..."}, {"path": "file.pdf"}])."""
    if isinstance(content, str):
        return content
    if isinstance(content, list | tuple):
        parts = [p if isinstance(p, str) else p.get("text", "") for p in content if p]
        return " ".join(p for p in parts if isinstance(p, str))
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return ""


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z0-9£.'’()-]+", text) if w.lower() not in STOPWORDS]


def leans_on_history(question: str) -> bool:
    """Whether a question needs the conversation to be understood."""
    words = _content_words(question)
    return (
        bool(_CONTINUES.search(question))
        or bool(_POINTS_BACK.search(question))
        or len(words) <= THIN_QUESTION
        # nothing but what kind of answer it wants: "roughly how much?", "how many exactly?"
        or not any(t not in CUE_WORDS for t in tokenize(question))
        or (bool(_PRONOUN.search(question)) and len(words) <= PRONOUN_REACH)
    )


def carried_topic(question: str, history: Sequence[dict[str, str]] | None) -> str:
    """What a follow-up lacks, from the conversation: the content words of the last question
    (and of the one before, when the last was itself a follow-up). Empty for a question that
    stands on its own, however short ("What was the light touch threshold?")."""
    asked = [_message_text(m.get("content")) for m in history or () if m.get("role") == "user"]
    if not asked:
        return ""
    if not leans_on_history(question):
        return _case_carried(question, asked)
    words = thesaurus()
    if len(_content_words(question)) > FULL_FOLLOW_UP and not _THING_PRONOUN.search(question):
        # a follow-up saying most of what it asks ("so if they add a new service line in
        # 2026, which modification rules apply?") takes the case and regime, not the topic
        return _case_and_regime(asked)
    # a follow-up asking its own thing ("when did it start?", "what flexibilities do they
    # get?") takes only the subject of the questions before, not what they asked about
    subject: Callable[[str], str] = str if is_thin(question) else words.without_attributes
    regime = bool(_REGIME_WORD.search(question))
    if regime:  # "and under the Act?" after "reg 77": the old regime's pinpoints stay behind
        subject = _without_pinpoints(subject)
    topic = _content_words(words.without_alternatives(subject(asked[-1]), question))
    if len(asked) > 1 and leans_on_history(asked[-1]):
        earlier = words.without_alternatives(subject(asked[-2]), question)
        topic = _content_words(earlier) + topic
    topic += _referents(question, history)
    if regime:  # "and under PA23?": the new regime replaces the old
        topic = [w for w in topic if not _REGIME_WORD.fullmatch(w.strip("?.,"))]
    return " ".join(dict.fromkeys(w.strip("?.,") for w in topic))


# A pronoun standing for someone ("when did the partnership with them start?").
_WHO_PRONOUN = re.compile(r"\b(them|they|their|he|she|him|her|his)\b", re.I)


def _referents(question: str, history: Sequence[dict[str, str]] | None) -> list[str]:
    """Who a follow-up's "them" may be: the bodies the last answer's first sentence names
    that the last question did not ("which charity won?" -> "Barnardo's")."""
    if not _WHO_PRONOUN.search(question) or not history:
        return []
    turns = list(history)
    last = turns[-1] if turns and turns[-1].get("role") == "assistant" else None
    asked = next((m for m in reversed(turns) if m.get("role") == "user"), None)
    if last is None or asked is None:
        return []
    words = thesaurus()
    lead = _message_text(last.get("content")).split("[", 1)[0]
    new = words.named(lead) - words.named(_message_text(asked.get("content")))
    return [words.entities[name][0] for name in sorted(new)]


def _case_and_regime(asked: Sequence[str]) -> str:
    """The case and the regime under discussion, from the latest question naming each."""
    words = thesaurus()
    named = next((words.named(q) for q in reversed(asked) if words.named(q)), frozenset())
    regime = next((m for q in reversed(asked) for m in _REGIME_WORD.findall(q)), "")
    return " ".join([*sorted(named), regime]).strip()


def _without_pinpoints(subject: Callable[[str], str]) -> Callable[[str], str]:
    return lambda text: CITATION.sub(" ", subject(text))


def _case_carried(question: str, asked: Sequence[str]) -> str:
    """The case under discussion, for a short question that names none ("when was the
    contract meant to start?" after a Leicestershire question); nothing else."""
    words = thesaurus()
    if len(_content_words(question)) > CASE_REACH or words.named(question):
        return ""
    if _REGIME_WORD.search(question):  # "when did the Act go live?" is about the Act
        return ""
    for earlier in reversed(asked):
        named = words.named(earlier)
        if named:
            return " ".join(sorted(named))
    return ""


def is_thin(question: str) -> bool:
    """Whether a follow-up asks nothing of its own beyond a regime or a pointer back ("what
    about under PA23 - same?"), so it asks what the question before it asked."""
    if answer_type(question) is not AnswerType.OTHER:
        return False
    own = [
        w
        for w in _content_words(_POINTS_BACK.sub(" ", _CONTINUES.sub(" ", question)))
        if not _REGIME_WORD.fullmatch(w.strip("?.,-")) and not _PRONOUN.fullmatch(w)
    ]
    return len(own) <= THIN_FOLLOW_UP


def previous_question(question: str, history: Sequence[dict[str, str]] | None) -> str:
    """The user's last question, when `question` leans on it and asks nothing of its own
    (so it keeps that question's kind of answer); empty otherwise."""
    asked = [_message_text(m.get("content")) for m in history or () if m.get("role") == "user"]
    return asked[-1] if asked and leans_on_history(question) and is_thin(question) else ""


def standalone_query(question: str, history: Sequence[dict[str, str]] | None) -> str:
    """Without an LLM, a follow-up is made standalone by carrying over its topic."""
    topic = carried_topic(question, history)
    return f"{question} {topic}" if topic else question


# A rewrite longer than this many times the follow-up plus the last question has wandered
# (answered the question instead of restating it): use the heuristic.
MAX_GROWTH = 3


def condense(
    question: str, history: Sequence[dict[str, str]] | None, generator: ChatModel | None
) -> str:
    """The query to retrieve with; the question itself when there is no history."""
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
