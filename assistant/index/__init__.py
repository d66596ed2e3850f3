"""The index on disk and how it stays whole.

- `store`: Chroma (dense), BM25 (sparse), chunks and a manifest, kept in step.
- `sentence_vectors`: per-chunk answer-sentence vectors, memory-mapped. (Formerly `vectors`,
  which did not say that it holds only sentence vectors.)
- `staging`, `repair`, `locking`: updates that never lose the index, one writer at a time.
"""
