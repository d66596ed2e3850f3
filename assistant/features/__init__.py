"""Features built on the pipeline, each reached through `assistant.api.Assistant`.

- `which_rules`: the "which rules apply?" helper (formerly `regime`).
- `trainer` with `modules`, `attribution` and `generated`: trainer packs from learning modules.
- `cases`: case studies searchable by what happened.
- `uploads`: users' own documents in a separate collection, searched with the library.
- `documents`: the library's documents as whole pages.
- `feedback`, `export`, `private`: what users keep or send, in files only they may read.
- `evaluation`: a question set run through the assistant and scored.
"""
