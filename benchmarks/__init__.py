"""Benchmarks: the course's speed and memory claims, measured. Run ``make bench``."""
