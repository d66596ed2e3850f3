"""Ingest: documents in, chunks out, into the index.

- `parsers/`: one parser per format, dispatched by suffix.
- `chunking`: SourceDoc -> Chunks that keep provision, page and heading.
- `pipeline`: parse -> chunk -> embed -> Chroma + BM25, incrementally. (Formerly `ingest`,
  the name of this package now.)
- `legislation`: official legislation from legislation.gov.uk. (Formerly
  `legislation_import`.)
- `sandbox`: parses one untrusted upload in a child process with limits.

Kept free of imports: the sandbox's child process imports `assistant.ingest.parsers` and must
not pay for the pipeline.
"""
