"""Retrieval: the library's hybrid search (`library`: dense + BM25 fused by reciprocal rank;
formerly `retrieve`) and passage-level clean-up of a ranking (`passages`)."""
