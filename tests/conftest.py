"""Test-wide set-up: a throw-away progress folder, and no real network."""

from __future__ import annotations

import os
import tempfile

# Before anything imports depipe_course: progress written by check() goes to a
# scratch folder, never to the developer's home. Kernels started by nbval inherit it.
os.environ.setdefault("DEPIPE_STATE_DIR", tempfile.mkdtemp(prefix="depipe-test-state-"))
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ.setdefault("DEPIPE_NBVAL", "1")
