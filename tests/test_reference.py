"""depipe_course.reference: solutions/ as importable modules and as cells."""

from __future__ import annotations

from depipe_course import exercises, reference


def test_sections_split_on_markers_and_keep_their_imports() -> None:
    """Each section starts after its marker and carries its own imports."""
    sections = reference.sections("01")
    assert sections["01.1"].startswith("import tracemalloc")
    assert "# %%" not in sections["01.1"]


def test_objects_are_the_modules_names() -> None:
    """Reference objects are the solution module's attributes for the exercise's names."""
    from solutions import part01

    assert reference.objects(exercises.get("01.1")) == {"peak_memory": part01.peak_memory}


def test_objects_used_by_collects_dependencies() -> None:
    """An exercise without dependencies gets no reference objects injected."""
    assert reference.objects_used_by(exercises.get("01.1")) == {}
