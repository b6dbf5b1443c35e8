"""What checks run inside the learner's process: one module per part, reached with ``learner_module``.

Under the judge the learner's names are proxies; some things exist only where the
learner's code runs (a LogRecord its formatter reads, a sqlite3 connection its loader
checks, the workloads its tracemalloc must see, a watcher on the files it opens). The
checks build and read those here, in the worker, and decide in the judge. These modules
import no check and no reference, so a worker never holds the checks it is graded by.
Whatever they report comes from the learner's process: docs/grading.md says what that
leaves open.
"""
