"""The interfaces features are written against (assistant/protocols.py) are met by the real
components: the shipped library, a merged library, and the assistant answering from either."""

from __future__ import annotations

from pathlib import Path

from assistant.features.uploads import MergedLibrary, UserCollection
from assistant.protocols import Asker, Searchable


def test_libraries_and_assistants_meet_the_protocols(mini_assistant, tmp_path: Path) -> None:
    assert isinstance(mini_assistant.library, Searchable)
    assert isinstance(mini_assistant, Asker)
    settings = mini_assistant.settings.model_copy(update={"user_data_dir": tmp_path / "ud"})
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nThe council met its partner every month to review progress.\n")
    collection = UserCollection(settings, "alice")
    assert [r.ok for r in collection.add([notes])] == [True]
    merged = MergedLibrary(mini_assistant.library, collection.library())
    assert isinstance(merged, Searchable)
    assert isinstance(mini_assistant.using(merged), Asker)
    assert not isinstance(object(), Searchable)
