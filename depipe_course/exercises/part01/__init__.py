"""Part 01 — Production Python is not Python 101.

One module per exercise, imported here in id order:

* ``ex1_peak_memory``: 01.1, the peak memory of one call, measured with tracemalloc.
* ``ex2_incident_skills``: 01.2, a quiz: which skill prevents which incident.
"""

from __future__ import annotations

from depipe_course.exercises.part01 import ex1_peak_memory, ex2_incident_skills
from depipe_course.exercises.part01.ex2_incident_skills import SKILLS

__all__ = ["SKILLS", "ex1_peak_memory", "ex2_incident_skills"]
