"""Users' own documents: a separate collection, searched with or without the library."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.features.uploads import UPLOAD_PREFIX, MergedLibrary, UserCollection

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOTES = """# Rutland foster care pilot notes

The Rutland pilot placed twelve sibling groups with foster carers during its first year.
Carers in the Rutland pilot received a weekly allowance supplement of forty pounds.
The pilot board met quarterly at Oakham Castle to review outcomes for the children.
"""


@pytest.fixture
def collection(mini_assistant, tmp_path: Path) -> UserCollection:
    settings = mini_assistant.settings.model_copy(
        update={"user_data_dir": tmp_path / "user_data", "upload_max_mb": 0.05}
    )
    return UserCollection(settings, owner="alice")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_upload_is_indexed_apart_from_the_library(collection, mini_assistant, tmp_path) -> None:
    results = collection.add([_write(tmp_path, "rutland-notes.md", NOTES)])
    assert [(r.name, r.ok) for r in results] == [("rutland-notes.md", True)]
    assert results[0].doc_id == "rutland-notes"
    assert re.fullmatch(r"added \(\d+ passages?\)", results[0].message)
    assert [d.doc_id for d in collection.documents()] == ["rutland-notes"]
    assert Path(collection.settings.index_dir).is_relative_to(tmp_path / "user_data")
    # the shipped index did not change
    assert "rutland-notes" not in mini_assistant.info()["by_doc_type"]
    assert mini_assistant.info()["documents"] == 4


def test_answers_cite_uploads_with_or_without_the_library(collection, mini_assistant, tmp_path):
    collection.add([_write(tmp_path, "rutland-notes.md", NOTES)])
    question = "What allowance supplement did carers in the Rutland pilot receive?"
    assert mini_assistant.ask(question).abstained  # the library alone knows nothing of Rutland

    only = mini_assistant.using(MergedLibrary(None, collection.library())).ask(question)
    assert not only.abstained
    assert "forty pounds" in only.text
    assert {c.doc_id for c in only.citations} == {UPLOAD_PREFIX + "rutland-notes"}
    assert {c.doc_type for c in only.citations} == {"upload"}

    both = mini_assistant.using(MergedLibrary(mini_assistant.library, collection.library()))
    answer = both.ask(question)
    assert "forty pounds" in answer.text
    assert any(c.doc_id == UPLOAD_PREFIX + "rutland-notes" for c in answer.citations)
    library_answer = both.ask("What is the minimum period for receipt of requests to participate?")
    assert any(c.doc_id == "pcr2015-reg31-mini" for c in library_answer.citations)


def test_filters_narrow_the_library_but_not_the_uploads(collection, mini_assistant, tmp_path):
    collection.add([_write(tmp_path, "rutland-notes.md", NOTES)])
    merged = MergedLibrary(mini_assistant.library, collection.library())
    hits = merged.search("Rutland pilot foster carers allowance", {"doc_type": ["regulation"]}, 8)
    types = {h.chunk.meta["doc_type"] for h in hits}
    assert types <= {"regulation", "upload"}
    assert "upload" in types
    assert len({h.chunk.chunk_id for h in hits}) == len(hits)


def test_bad_files_get_their_own_clear_message(collection, tmp_path) -> None:
    big = _write(tmp_path, "big.txt", "word " * 20_000)  # 100 kB > 0.05 MB limit
    empty = _write(tmp_path, "empty.md", "")
    exe = _write(tmp_path, "tool.exe", "MZ")
    shutil.copy(FIXTURES / "corrupt.pdf", tmp_path / "broken.pdf")
    good = _write(tmp_path, "rutland-notes.md", NOTES)
    results = {r.name: r for r in collection.add([big, empty, exe, tmp_path / "broken.pdf", good])}
    assert results["rutland-notes.md"].ok
    assert not results["big.txt"].ok and "limit" in results["big.txt"].message
    assert not results["empty.md"].ok and "empty" in results["empty.md"].message
    assert not results["tool.exe"].ok and "not accepted" in results["tool.exe"].message
    assert not results["broken.pdf"].ok and results["broken.pdf"].message
    # only the good file was kept
    assert sorted(p.name for p in collection.files_dir.iterdir()) == ["rutland-notes.md"]


def test_real_formats_are_accepted(collection) -> None:
    results = collection.add([FIXTURES / "sample.docx", FIXTURES / "sample.html"])
    assert all(r.ok for r in results), results
    assert len(collection.documents()) == 2


def test_limit_on_number_of_documents(mini_assistant, tmp_path) -> None:
    settings = mini_assistant.settings.model_copy(
        update={"user_data_dir": tmp_path / "ud", "upload_max_files": 1}
    )
    collection = UserCollection(settings)
    first = _write(tmp_path, "a.md", NOTES)
    second = _write(tmp_path, "b.md", NOTES.replace("Rutland", "Oakham"))
    results = collection.add([first, second])
    assert [r.ok for r in results] == [False, True] or [r.ok for r in results] == [True, False]
    refused = next(r for r in results if not r.ok)
    assert "at most 1" in refused.message
    # re-uploading the same file name replaces it and is allowed
    assert collection.add([_write(tmp_path, "a.md", NOTES + "\nA new line about carers.")])[0].ok


def test_remove_deletes_the_document_and_its_passages(collection, mini_assistant, tmp_path):
    collection.add([_write(tmp_path, "rutland-notes.md", NOTES)])
    collection.add([FIXTURES / "sample.html"])
    assert len(collection.documents()) == 2
    collection.remove("rutland-notes")
    assert [d.doc_id for d in collection.documents()] != []
    assert "rutland-notes" not in {d.doc_id for d in collection.documents()}
    hits = collection.library().search("Rutland pilot carers allowance", None, 10)
    assert all("rutland" not in h.chunk.doc_id for h in hits)
    remaining = collection.documents()[0].doc_id
    collection.remove(remaining)
    assert collection.documents() == []
    assert collection.library() is None
    with pytest.raises(AssistantError, match="No uploaded document"):
        collection.remove("rutland-notes")


def test_owners_do_not_see_each_other(mini_assistant, tmp_path) -> None:
    settings = mini_assistant.settings.model_copy(update={"user_data_dir": tmp_path / "ud"})
    alice, bob = UserCollection(settings, "alice"), UserCollection(settings, "../bob")
    alice.add([_write(tmp_path, "rutland-notes.md", NOTES)])
    assert bob.documents() == []
    assert (tmp_path / "ud" / "users").is_dir()
    users = tmp_path / "ud" / "users"
    assert bob.files_dir.parent.parent == users  # "../bob" cannot climb out
    assert [p.relative_to(users) for p in users.rglob("index")] == [Path("alice/index")]


def test_doc_id_filters_reach_the_part_that_holds_the_document(
    collection, mini_assistant, tmp_path
):
    collection.add([_write(tmp_path, "rutland-notes.md", NOTES)])
    merged = MergedLibrary(mini_assistant.library, collection.library())
    query = "Rutland pilot carers innovation partner"
    library_only = merged.search(query, {"doc_id": ["leics-cip-mini"]}, 5)
    assert {h.chunk.doc_id for h in library_only} == {"leics-cip-mini"}
    upload_only = merged.search(query, {"doc_id": [UPLOAD_PREFIX + "rutland-notes"]}, 5)
    assert {h.chunk.doc_id for h in upload_only} == {UPLOAD_PREFIX + "rutland-notes"}
    assert merged.search(query, {"doc_id": ["no-such-doc"]}, 5) == []


def test_merged_chunks_are_tagged_as_hits_show_them(collection, mini_assistant, tmp_path):
    """Neighbouring passages are looked up in MergedLibrary.chunks: an upload's must carry
    the upload id and type there too, or a neighbour would be cited as a library document."""
    collection.add([_write(tmp_path, "rutland-notes.md", NOTES)])
    merged = MergedLibrary(mini_assistant.library, collection.library())
    for key, chunk in merged.chunks.items():
        assert chunk.chunk_id == key
        is_upload = key.startswith(UPLOAD_PREFIX)
        assert chunk.doc_id.startswith(UPLOAD_PREFIX) == is_upload
        assert (chunk.meta.get("doc_type") == "upload") == is_upload


def test_accepted_upload_types_come_from_the_parser_registry() -> None:
    from assistant.features.documents import MARKDOWN_SUFFIXES
    from assistant.features.uploads import ALLOWED_SUFFIXES
    from assistant.ingest.parsers import SUFFIXES, TEXT_SUFFIXES

    assert set(ALLOWED_SUFFIXES) == set(SUFFIXES) - {".xml"}
    assert MARKDOWN_SUFFIXES == TEXT_SUFFIXES == (".md", ".markdown", ".txt")
