"""Sentences: one abbreviation list for splitting passages and answers (issue 15, item 3)."""

from __future__ import annotations

import re

import pytest

from assistant.answering.verify import split_answer
from assistant.text.sentences import ABBREVIATIONS, split_sentences

WORDS = ["reg", "regs", "s", "ss", "para", "paras", "Sch", "Art", "No", "cf", "approx", "Dr"]


@pytest.mark.parametrize("word", WORDS)
def test_an_abbreviation_ends_no_sentence_in_a_passage_or_an_answer(word: str) -> None:
    assert re.fullmatch(ABBREVIATIONS, word.lower())
    text = (
        f"The authority relied on {word}. 31 of the rules in that case. Then it published a notice."
    )
    assert len(split_sentences(text)) == 2
    assert len(split_answer(text)) == 2


def test_a_full_stop_after_an_ordinary_word_ends_the_sentence() -> None:
    text = "The authority published the notice. Then it waited thirty days for the responses."
    assert split_sentences(text) == [
        "The authority published the notice.",
        "Then it waited thirty days for the responses.",
    ]
