"""Requirements of part 01's exercises, each in the words a learner reads in the task."""

REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "01.1": (
        "calls fn(*args, **kwargs)",
        "returns a pair: fn's result and the peak bytes as an int",
        "the peak bytes while fn ran, not what is left at the end",
        "only what fn allocates: not the caller's memory or its earlier peak",
        "tracemalloc left as found: off if it was off, still on if the caller was tracing",
        "tracemalloc restored also when fn raises",
        "fn's exception reaches the caller unchanged",
    ),
    "01.2": (
        "each incident mapped to the skill that prevents it",
        "each answer one of the six skills, spelled as in the table",
    ),
}
