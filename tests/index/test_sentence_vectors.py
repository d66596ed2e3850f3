"""The memory-mapped sentence-vector file: round trip, legacy npz, damage detection."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.sentence_vectors import (
    LEGACY,
    SENTENCES,
    read_sentence_vectors,
    write_sentence_vectors,
)


def _vectors(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "doc-a#0": rng.standard_normal((3, 8)).astype(np.float32),
        "doc-a#1": np.zeros((0, 0), np.float32),  # a chunk with no quotable sentence
        "doc-b#0": rng.standard_normal((1, 8)).astype(np.float32),
    }


def test_round_trip_is_memory_mapped_float16(tmp_path):
    original = _vectors()
    write_sentence_vectors(tmp_path, original)
    stored = read_sentence_vectors(tmp_path)
    assert list(stored) == list(original)
    assert stored["doc-a#1"].shape[0] == 0
    for cid, vec in original.items():
        if len(vec):
            assert stored[cid].dtype == np.float16
            assert isinstance(stored[cid].base, np.memmap) or isinstance(stored[cid], np.memmap)
            np.testing.assert_allclose(stored[cid].astype(np.float32), vec, atol=5e-3, rtol=1e-3)
    assert stored.get("missing") is None
    assert not list(tmp_path.glob("*.tmp"))


def test_rewrite_replaces_while_an_old_reader_keeps_its_view(tmp_path):
    write_sentence_vectors(tmp_path, _vectors(1))
    old = read_sentence_vectors(tmp_path)
    before = np.array(old["doc-b#0"])
    write_sentence_vectors(tmp_path, {"doc-c#0": np.ones((2, 8), np.float32)})
    np.testing.assert_array_equal(old["doc-b#0"], before)  # the old inode stays mapped
    assert list(read_sentence_vectors(tmp_path)) == ["doc-c#0"]


def test_empty_and_missing(tmp_path):
    assert len(read_sentence_vectors(tmp_path)) == 0
    write_sentence_vectors(tmp_path, {})
    assert len(read_sentence_vectors(tmp_path)) == 0


def test_legacy_npz_is_still_read(tmp_path):
    vec = np.arange(16, dtype=np.float32).reshape(2, 8)
    np.savez(
        tmp_path / LEGACY,
        ids=np.array(["d#0"], dtype=object),
        sizes=np.array([2]),
        vectors=vec,
    )
    np.testing.assert_array_equal(read_sentence_vectors(tmp_path)["d#0"], vec)


def test_truncated_file_is_refused(tmp_path):
    path = write_sentence_vectors(tmp_path, _vectors())
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="truncated"):
        read_sentence_vectors(tmp_path)
    (tmp_path / SENTENCES).write_bytes(b"garbage!" * 4)
    with pytest.raises(ValueError, match="not a sentence-vector file"):
        read_sentence_vectors(tmp_path)


def test_stored_vectors_are_reused_only_while_they_match_the_passage() -> None:
    import numpy as np

    from assistant.index.sentence_vectors import stored_for
    from assistant.text.sentences import split_sentences
    from assistant.types import Chunk

    text = "The authority published a notice. It then waited thirty days for every response."
    chunk = Chunk(chunk_id="d#0", doc_id="d", text=text, locator="")
    rows = np.ones((len(split_sentences(text)), 4), dtype=np.float32)
    assert stored_for({"d#0": rows}, chunk) is rows
    assert stored_for({"d#0": rows[:1]}, chunk) is None  # the passage changed since
    assert stored_for({}, chunk) is None and stored_for(None, chunk) is None
