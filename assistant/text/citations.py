"""How legal provisions are written: each kind (regulation, section, schedule, article, rule,
recital), its abbreviation in a locator (OSCOLA style: "reg. 31(5)", "s. 20", "Sch. 3",
"Art. 31") and its search token ("reg_31_5"). The one vocabulary that headings, CLML ids,
the BM25 tokens and the answer's readable pinpoints all use. It lives in `text/`, the bottom
layer, because the tokenizer needs it; `assistant.law.provisions` parses and links with it."""

from __future__ import annotations

# Kind -> its abbreviation in a locator.
LOCATOR = {
    "regulation": "reg.",
    "section": "s.",
    "schedule": "Sch.",
    "article": "Art.",
    "rule": "r.",
    "recital": "recital",
}
# Kind -> the words a heading writes for it (lower case, without the full stop).
HEADING_WORDS = {
    "regulation": ("regulation", "regulations", "reg", "regs"),
    "section": ("section", "sections", "s", "ss"),
    "article": ("article", "art"),
    "rule": ("rule",),
    "recital": ("recital",),
}
# Kind -> its search token: "reg. 31(5)" is searchable as reg_31 and reg_31_5.
TOKEN = {"regulation": "reg", "section": "sec", "schedule": "sch", "article": "art"}
# Search token -> the locator abbreviation, to show a token as people write it.
READABLE = {token: LOCATOR[kind] for kind, token in TOKEN.items()}


def kind_of(word: str) -> str:
    """The kind a citation's word names: 'reg' / 'Regulations' -> 'regulation', 's' ->
    'section', 'Sch' -> 'schedule', 'Art' -> 'article'."""
    word = word.lower()
    if word.startswith("sch"):
        return "schedule"
    if word.startswith("art"):
        return "article"
    return {"r": "regulation", "s": "section"}.get(word[0], word)
