"""Tests of the part-10 pipeline end to end, on SQLite and PostgreSQL."""
