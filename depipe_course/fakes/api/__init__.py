"""A fake payments API for parts 03, 04, 08 and 10: offline, seeded, fault-injecting.

Start with ``FakePaymentsAPI`` (see ``fake.py`` and ``README.md`` beside this file).
"""

from depipe_course.fakes.api.auth import AuthConfig, AuthMode
from depipe_course.fakes.api.clock import FakeClock
from depipe_course.fakes.api.data import DEFECTS, DataSpec
from depipe_course.fakes.api.fake import DEFAULT_BASE_URL, DEFAULT_TOKEN_URL, FakePaymentsAPI
from depipe_course.fakes.api.faults import (
    ConnectionReset,
    Fault,
    FaultQueue,
    FaultSchedule,
    HtmlPage,
    InsertAtFront,
    NoFaults,
    RandomFaults,
    RateLimited,
    RequestBudget,
    ScriptedFaults,
    ServerError,
    TimedOut,
)
from depipe_course.fakes.api.log import CallLog, RecordedCall
from depipe_course.fakes.api.state import ApiState

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TOKEN_URL",
    "DEFECTS",
    "ApiState",
    "AuthConfig",
    "AuthMode",
    "CallLog",
    "ConnectionReset",
    "DataSpec",
    "FakeClock",
    "FakePaymentsAPI",
    "Fault",
    "FaultQueue",
    "FaultSchedule",
    "HtmlPage",
    "InsertAtFront",
    "NoFaults",
    "RandomFaults",
    "RateLimited",
    "RecordedCall",
    "RequestBudget",
    "ScriptedFaults",
    "ServerError",
    "TimedOut",
]
