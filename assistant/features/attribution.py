"""Attribution: which library sentence states an item a trainer wrote.

A learning module's items name the documents that hold their facts ("see pa2023-modifications").
`Attributor.cite` finds, in those documents, the passage whose sentences say most of the item,
words weighted by rarity in the library (idf), so an item is matched on what it is about and
not on "procurement" or "contract". Failing that it takes the passage holding the item's
pinpoint, then the module's own passage; a question is cited to the passage nearest it.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.features.export import ReferenceList
from assistant.features.generated import without_ids
from assistant.features.modules import Cited, Module
from assistant.protocols import Searchable
from assistant.text.sentences import split_sentences
from assistant.text.tokens import citation_tokens, stems
from assistant.types import Chunk, Citation

# An item sentence is cited to the library sentence holding at least this share of its
# words, weighted by rarity (idf); below it the item is cited to the passage that holds its
# pinpoint, or to the module's own passage.
MIN_SHARE = 0.35
# "(s. 83(1); s. 44(1))" or "(SI 2024/716 reg. 5(3); Birketts, "Where are we now?": a citation,
# not a sentence to quote; a paragraph number "(4) The authority may ..." is a sentence.
_BARE_CITATION = re.compile(r"\((?!\d+[A-Za-z]*\)|[a-z]{1,4}\)\s).*", re.DOTALL)


class Attributor:
    """Cites an authored item to the sentences of a named library document that say it, else
    to the module's own passage. Words count by rarity in the library (idf), so an item is
    matched on what it is about, not on "procurement" or "contract"."""

    def __init__(self, library: Searchable, refs: ReferenceList) -> None:
        self.refs = refs
        self.by_doc: dict[str, list[Chunk]] = defaultdict(list)
        for chunk in library.chunks.values():
            self.by_doc[chunk.doc_id].append(chunk)
        total = max(len(library.chunks), 1)
        self.weight = {t: math.log((total + 1) / (df + 1)) for t, df in library.term_df.items()}
        self.unknown = math.log(total + 1)  # a term no passage holds

    def cite(self, item: Cited, module: Module, strict: bool = True) -> int:
        """The reference for `item`. A question states nothing, so `strict=False` cites it to
        the named document's passage nearest to it, as background for the trainer."""
        for doc_id in (*item.docs, module.doc_id):
            found = self._best(doc_id, item, strict)
            if found:
                chunk, quote = found
                return self.refs.add(Citation.of(chunk, 0, 0.0, quote))
        return self.refs.add(_module_citation(module, item))

    def _mass(self, terms: Iterable[str]) -> float:
        return sum(self.weight.get(t, self.unknown) for t in terms)

    def _best(self, doc_id: str, item: Cited, strict: bool) -> tuple[Chunk, str] | None:
        """The passage of `doc_id` whose sentences say most of the item (each sentence of the
        item matched on its own), else the passage holding the item's pinpoint. Not `strict`
        (a question): the passage holding the pinpoint, else the one nearest the item."""
        best: tuple[tuple[float, ...], Chunk, list[str]] | None = None
        for chunk in self.by_doc.get(doc_id, ()):
            found = self._weigh(chunk, item, strict)
            if found and (best is None or found[0] > best[0]):
                best = (found[0], chunk, found[1])
        if best is None:
            return None
        return best[1], "\n".join(without_ids(q) for q in dict.fromkeys(best[2]))

    def _weigh(
        self, chunk: Chunk, item: Cited, strict: bool
    ) -> tuple[tuple[float, ...], list[str]] | None:
        """How well `chunk` supports `item` (a sort key), with the sentences to quote."""
        sentences = [s for s in split_sentences(chunk.text) if not _BARE_CITATION.fullmatch(s)]
        if not sentences:
            return None  # a table or list of fragments: nothing to quote
        quotes, support = [], 0.0
        for words in (stems(s) for s in split_sentences(item.text) or [item.text]):
            mass, sentence = max((self._mass(words & stems(s)), s) for s in sentences)
            if mass >= MIN_SHARE * self._mass(words) and len(words & stems(sentence)) > 1:
                support += mass
                quotes.append(sentence)
        wanted = set(citation_tokens(item.pinpoint))
        held = set(citation_tokens(" ".join((chunk.locator, *chunk.provisions))))
        pin = 2 * len(wanted & held) + (
            0 if strict else len(wanted & set(citation_tokens(chunk.text)))
        )
        near, nearest = max((self._mass(stems(item.text) & stems(s)), s) for s in sentences)
        if not (support or pin) if strict else not (pin or near):
            return None
        if not strict and near:  # a question: the sentence nearest it, as background
            quotes = [nearest]
        elif not quotes:
            quotes = [
                _pinpointed(sentences, wanted, stems(item.text), self._mass) if pin else nearest
            ]
        return ((support, pin, near) if strict else (pin, near, support)), quotes


def _pinpointed(
    sentences: Sequence[str], wanted: set[str], words: frozenset[str], mass: Any
) -> str:
    """The sentence that states the wanted provision (it cites it, or opens with its paragraph
    number: "(4) The authority may ..." for reg. 31(4)), nearest the item among equals."""
    numbers = {t.rsplit("_", 1)[-1] for t in wanted if t.count("_") > 1}

    def score(sentence: str) -> tuple[int, float]:
        opening = re.match(r"^\((\w+)\)", sentence)
        own = bool(opening and opening.group(1) in numbers)
        return 2 * own + len(wanted & set(citation_tokens(sentence))), mass(words & stems(sentence))

    return max(sentences, key=score)


def _module_citation(module: Module, item: Cited) -> Citation:
    """A citation of the module file itself, for a module the index does not hold."""
    return Citation(
        n=0,
        chunk_id=f"{module.doc_id}|{item.where}",
        doc_id=module.doc_id,
        title=module.title,
        locator=item.where,
        source_url=module.source_url,
        score=0.0,
        text=item.text,
        doc_type="guidance",
        regime="general",
        quote=item.text,
    )
