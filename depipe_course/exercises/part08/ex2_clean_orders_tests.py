"""08.2: the learner's pytest tests for ``clean_orders``, graded by mutation.

The listed tests must pass on a correct ``clean_orders`` and fail on each wrong version
below (a mutant breaks one rule of 08.1); each mutant caught earns its share. The correct
version is ``@instructor_only``: a learner release keeps its signature and docstring only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from depipe_course.edition import instructor_only
from depipe_course.exercises import _mutation, exercise
from depipe_course.exercises._mutation import Mutant

VALID_STATUSES = ("placed", "confirmed", "delivered", "cancelled")


# The example test each stub ships with: a suite holding only this, unchanged, is "not attempted".
CLEAN_ORDERS_SKELETON_NAME = "test_keeps_a_valid_order"
CLEAN_ORDERS_SKELETON = '''
def test_keeps_a_valid_order():
    orders = pd.DataFrame({
        "order_id": [1], "customer_id": [7], "amount": [19.99],
        "status": ["placed"], "created_at": ["2026-03-01T12:00:00Z"],
    })
    # YOUR ANSWER HERE: cleaned = clean_orders(orders), then assert what must be true of it
'''.strip("\n") + "\n"


@instructor_only  # a correct clean_orders: left out of the learner edition
def _clean_orders_variant(df: Any, flaw: str = "") -> Any:
    """The correct ``clean_orders`` when ``flaw`` is empty; with one rule broken otherwise."""
    import pandas as pd

    if flaw == "mutates":
        df["status"] = df["status"].astype("str").str.strip().str.lower()  # the bug: writes into the input
    orders = df if flaw == "keeps all duplicates" else df.drop_duplicates(
        subset="order_id", keep="last" if flaw == "keeps last duplicate" else "first")
    amount = pd.to_numeric(orders["amount"], errors="coerce")
    status = orders["status"].astype("str")
    if flaw != "no strip":
        status = status.str.strip()
    if flaw != "no lower":
        status = status.str.lower()
    text = orders["created_at"]
    if flaw == "ignores offsets":
        text = text.astype("str").str.replace(r"(Z|[+-]\d\d:?\d\d)$", "", regex=True)
    created_at = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    if flaw == "keeps zero":
        valid = amount >= 0
    elif flaw == "keeps negative":
        valid = (amount != 0) & amount.notna()
    elif flaw == "keeps missing amount":
        valid = ~(amount <= 0)
    else:
        valid = amount > 0
    if flaw == "keeps unknown statuses":
        valid &= status.notna()
    else:
        valid &= status.isin([s for s in VALID_STATUSES if flaw != "drops cancelled" or s != "cancelled"])
    if flaw != "keeps bad dates":
        valid &= created_at.notna()
    if flaw == "drops everything":
        valid &= False
    return orders.assign(amount=amount, status=status, created_at=created_at).loc[valid].reset_index(drop=True)


def _clean_mutant(flaw: str) -> Callable[[Any], Any]:
    def clean_orders(df: Any) -> Any:
        return _clean_orders_variant(df, flaw)

    return clean_orders


correct_clean_orders = _clean_mutant("")

CLEAN_ORDERS_MUTANTS = (
    Mutant("keeps orders whose amount is 0", _clean_mutant("keeps zero"),
           "Put an order with amount 0 next to a valid one and assert only the valid one is left."),
    Mutant("keeps orders with a negative amount", _clean_mutant("keeps negative"),
           "A refund-like amount of -5 is not a sale: assert that order is dropped."),
    Mutant("keeps orders with no amount", _clean_mutant("keeps missing amount"),
           "An amount of None (NaN) must be dropped too: assert it is."),
    Mutant("does not lower-case the status", _clean_mutant("no lower"),
           "Feed 'DELIVERED' and assert the row is kept with status 'delivered'."),
    Mutant("does not strip spaces around the status", _clean_mutant("no strip"),
           "Feed ' delivered ' and assert the row is kept with status 'delivered'."),
    Mutant("keeps unknown statuses such as 'shipped'", _clean_mutant("keeps unknown statuses"),
           "Feed a status outside the four valid ones and assert the row is dropped."),
    Mutant("drops cancelled orders, which are valid", _clean_mutant("drops cancelled"),
           "All four statuses are valid: assert a 'cancelled' order is kept."),
    Mutant("keeps orders whose created_at cannot be parsed", _clean_mutant("keeps bad dates"),
           "Feed a created_at like 'not-a-date' and assert the row is dropped."),
    Mutant("reads '+05:30' timestamps as if they were UTC", _clean_mutant("ignores offsets"),
           "Feed '2026-03-01T17:30:00+05:30' and assert created_at is 12:00 UTC."),
    Mutant("keeps every row of a duplicated order_id", _clean_mutant("keeps all duplicates"),
           "Feed two rows with the same order_id and assert only one is left."),
    Mutant("keeps the last row of a duplicated order_id instead of the first", _clean_mutant("keeps last duplicate"),
           "Give the two rows of one order_id different amounts and assert the first amount is kept."),
    Mutant("drops the valid orders too (returns no rows)", _clean_mutant("drops everything"),
           "Assert what must be left, not only what must be gone: a valid order must come back."),
    Mutant("changes the frame it was given", _clean_mutant("mutates"),
           "Keep a deep copy of the input, call clean_orders, and assert the input still equals "
           "the copy (pd.testing.assert_frame_equal)."),
)

suite = exercise("08.2", "Tests for clean_orders, graded by mutation", ["clean_orders_tests"], uses=["08.1"])
_mutation.register(suite, list_name="clean_orders_tests", target="clean_orders", correct=correct_clean_orders,
                   mutants=CLEAN_ORDERS_MUTANTS, points_each=0.5,
                   skeleton=CLEAN_ORDERS_SKELETON_NAME)
