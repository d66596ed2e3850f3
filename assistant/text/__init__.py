"""Text: tokens, dates and text made safe. The bottom layer of the package: nothing here
imports from the layers above (tests/test_boundaries.py).

- `tokens`: the BM25 tokenizer with legal-citation tokens ("reg. 31(5)" -> "reg31"), the
  stopword list and stems. (Formerly `sparse`, which named the retriever, not the words.)
- `dates`: dates as people write them in questions and documents.
- `sanitize`: links, Markdown, terminal text and log lines made safe for where they go.
"""
