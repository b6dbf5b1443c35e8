"""Build a learner edition of the course: ``depipe release --out DIR``.

``manifest.py`` declares what goes in and how it is changed on the way; ``build.py``
carries it out; ``verify.py`` proves the result gives no answer away. The learner
edition's own behaviour (no references, precomputed expectations, checks graded by
the instructor only) lives in ``depipe_course.edition``, which the release ships.
See docs/release.md.
"""

from __future__ import annotations

from depipe_course.release.build import Release, ReleaseError, build
from depipe_course.release.manifest import MANIFEST, Manifest

__all__ = ["MANIFEST", "Manifest", "Release", "ReleaseError", "build"]
