"""Checks decided where no learner code runs: a judge process, a worker that only answers.

``codec`` says what may cross (plain data, or a handle to an object that stays where it
is), ``channel`` carries requests both ways over one connection, ``mirror`` repeats in
the worker the stage a check sets (a fake clock, environment variables), ``services``
serves the learner's HTTP, AWS and logging from the judge's fakes, ``proc`` reads what
the kernel says about the worker (open files, peak resident memory), ``worker`` and
``judge`` are the two ends, ``kernel`` makes a notebook kernel the worker of ``check()``.

Every exercise is checked this way, by ``check()`` in a notebook and by the grader
alike; docs/grading.md states what it protects and what it leaves open.
"""
