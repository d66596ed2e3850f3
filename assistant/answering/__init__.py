"""Answering: from a question and the passages found to a cited, checked answer.

- `question`: what a question asks for (answer type, cases named, thesaurus terms).
- `condense`: a follow-up rewritten as a standalone query.
- `extractive`: the composer that quotes answer units (`units`) with [n] markers, or abstains.
  (Formerly `answer`, which did not say how the answer is made.)
- `generate`: the sources a model sees, generation that falls back instead of failing, and
  verification of any answer. (Formerly `grounded`, which said nothing about its contents.)
- `verify`, `facts`: every sentence checked against the sources it cites.
- `provenance`: whether a sentence comes from the library or a user's upload.
- `prompts`: every prompt sent to a language model.
- `weights`: the composer's and the verifier's calibrated numbers, from the settings.
"""
