"""depipe_course.grading.claims: stored outputs that claim success."""

from __future__ import annotations

from depipe_course.grading.claims import claimed_ids


def _nb(*texts: str) -> dict:
    return {"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "execute_result", "data": {"text/plain": text}} for text in texts]}]}


def test_a_passing_headline_is_a_claim() -> None:
    """check()'s own passing headline names its exercise as claimed."""
    assert claimed_ids(_nb("01.1 Measure peak memory: Correct (6/6 points)"), ["01.1", "01.2"]) == {"01.1"}


def test_not_attempted_output_claims_nothing() -> None:
    """The shipped 'Not attempted (0/6 points)' output is not a claim."""
    assert claimed_ids(_nb("01.1 Measure peak memory: Not attempted (0/6 points)"), ["01.1"]) == set()


def test_hand_written_points_are_a_claim() -> None:
    """A hand-edited stream output with points is a claim too."""
    output = {"output_type": "stream", "text": ["01.2 passed: 6/6 points\n"]}
    nb = {"cells": [{"cell_type": "code", "outputs": [output]}]}
    assert claimed_ids(nb, ["01.1", "01.2"]) == {"01.2"}
