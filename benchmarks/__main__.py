"""``python -m benchmarks`` (``make bench``): every figure the course claims, measured."""

from benchmarks import feedback

feedback.main()
