"""Reference solutions, one module per part of the course.

Each module is importable and is also a sequence of cells: ``# %% [PP.N]`` starts the
source that ``depipe solve`` puts into exercise PP.N's cell (see
``depipe_course.reference``). Sections carry their own imports so each runs alone.
"""
