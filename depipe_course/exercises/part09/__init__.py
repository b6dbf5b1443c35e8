"""Part 09 — Type hints and validation (pydantic v2).

How "v2 only" is checked. The learner's class is already built when a check runs, so
the ``PydanticDeprecatedSince20`` that a v1 ``@validator`` emits at class-definition
time is long gone (and a learner may have silenced it). Pydantic itself, though,
files every decorator it collects in ``cls.__pydantic_decorators__``: v1 ``@validator``
and ``@root_validator`` land in ``.validators`` / ``.root_validators``, the v2
``@field_validator`` and ``@model_validator`` in ``.field_validators`` /
``.model_validators``. That registry is what pydantic builds the validators from, so
reading it catches v1 decorators whatever name they were imported under, inherited
from a base class, or with warnings switched off. An inner ``class Config`` and
config keys renamed in v2 (``orm_mode``, ...) leave traces too (``vars(cls)``,
``model_config``). Warnings that fire at *call* time (``.dict()``, ``parse_obj``,
``datetime.utcfromtimestamp``) are recorded while the checks use the learner's code.

Checks that read naive times run with the local time zone set to India (UTC+05:30,
a POSIX ``TZ`` string needing no zoneinfo files), so code that reads a naive time as
the machine's local time is caught even on a server that runs in UTC.

One module per exercise, imported here in id order (``_shared`` holds what two or more use):

* ``ex1_order``: 09.1, ``OrderStatus`` and ``Order``.
* ``ex2_parse_orders``: 09.2, ``parse_orders`` and its dead letters.
* ``ex3_payment``: 09.3, ``Payment`` for the gateway's records.
"""

from __future__ import annotations

from depipe_course.exercises.part09 import ex1_order, ex2_parse_orders, ex3_payment
from depipe_course.exercises.part09._shared import _describe, _v1_leftovers

__all__ = ["_describe", "_v1_leftovers", "ex1_order", "ex2_parse_orders", "ex3_payment"]
