"""BM25 scores a thesaurus group as one term: a rare synonym does not outweigh the question's
own words and the common word the library uses."""

from assistant.index.bm25 import SparseIndex

TEXTS = [
    "The council awarded the contract to Barnardo's in December.",  # the answer
    "The chosen supplier was named the successful bidder for the framework.",
    "Standstill applies after the award decision notice.",
    "Notices about the contract were published on the platform.",
]
WON = ["win", "won", "wins", "awarded", "award", "appointed", "chosen", "successful bidder"]


def _index() -> SparseIndex:
    return SparseIndex.build([f"c{i}" for i in range(len(TEXTS))], TEXTS)


def test_synonyms_scored_separately_let_a_rare_one_win() -> None:
    expanded = "who won the contract " + " ".join(WON)
    assert _index().search(expanded, 4)[0][0] == "c1"


def test_a_group_scored_as_one_term_finds_the_library_word() -> None:
    ranked = _index().search("who won the contract", 4, concepts=[WON])
    assert ranked[0][0] == "c0"
    assert {cid for cid, _ in ranked} >= {"c0", "c1", "c2"}  # every synonym still counts


def test_a_group_the_query_does_not_use_changes_nothing() -> None:
    plain = _index().search("standstill notice", 4)
    assert _index().search("standstill notice", 4, concepts=[WON]) == plain


def test_a_phrase_of_stopwords_alone_does_not_make_a_group_count_as_used() -> None:
    plain = _index().search("standstill notice", 4)
    assert _index().search("standstill notice", 4, concepts=[["the", "chosen"]]) == plain
