"""Source markers: one home for the [n] patterns and their renumbering (issue 15, item 3)."""

from __future__ import annotations

from assistant.text.markers import MARKER, MARKERS, map_markers, numbers_in, renumber


def test_single_and_grouped_markers() -> None:
    assert [m[1] for m in MARKER.finditer("A [1]. B [12].")] == ["1", "12"]
    assert [m[1] for m in MARKERS.finditer("A [1, 2]. B [2–4]. C [3].")] == ["1, 2", "2–4", "3"]


def test_renumber_maps_single_markers_and_keeps_the_rest() -> None:
    assert renumber("A [1]. B [2]. C [3].", {1: 2, 2: 1}) == "A [2]. B [1]. C [3]."


def test_groups_expand_and_map() -> None:
    assert numbers_in("1, 2") == [1, 2]
    assert numbers_in("2–4") == [2, 3, 4]
    assert map_markers("A [1, 3].", {1: 1, 3: 2}.get) == "A [1][2]."
    assert map_markers("A [5].", {1: 1}.get) == "A."
