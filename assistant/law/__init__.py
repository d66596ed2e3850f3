"""Knowledge of the law, all of it read from the library: provisions, regimes, what was in
force on a day, thresholds, and the abbreviations practitioners type. Imports only `text` and
the value types, never the pipeline above it (tests/test_boundaries.py).

- `provisions`: "reg. 31(5)", "s. 20(2)", "Sch. 1", "Art. 4": recognised, formatted, linked.
  (Formerly `legal`.)
- `in_force`: which documents and passages were in force on a day, retrieval that prefers
  them, and notes when an answer cites what did not apply then. (Formerly `currency`, a name
  that reads as money in a domain full of £ thresholds.)
- `as_at`: the day the law is judged at: the date given, else the question's, else today.
  (Formerly `lawdate`.)
- `thresholds`: regimes and thresholds by date, from the library's data tables.
- `query`: query normalisation (abbreviations spelled out for both retrievers).
"""
