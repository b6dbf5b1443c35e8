"""``python -m depipe_course`` is the ``depipe`` command."""

import sys

from depipe_course.cli import main

sys.exit(main())
