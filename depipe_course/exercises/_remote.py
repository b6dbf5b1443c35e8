"""Questions a check asks about the learner's classes and values, wherever they live.

Under the judge the learner's classes are proxies: ``issubclass`` and ``isinstance``
cannot see through them, so checks ask these instead. Each works on local objects too
(the same check runs in the same process for parts not yet moved to the judge).
"""

from __future__ import annotations

from typing import Any

from depipe_course.judging.channel import Remote


def class_names(cls: Any) -> tuple[str, ...]:
    """Qualified names of ``cls`` and its bases (``pydantic.main.BaseModel``), in MRO order."""
    if isinstance(cls, Remote):
        return tuple(cls._endpoint.request("describe", cls)["mro"])
    mro = getattr(cls, "__mro__", None)
    if not isinstance(mro, tuple):
        return ()
    return tuple(f"{c.__module__}.{c.__qualname__}" for c in mro)


def subclass_of(cls: Any, *names: str) -> bool:
    """Whether ``cls`` derives from a class named in ``names`` (qualified, or bare)."""
    for full in class_names(cls):
        if full in names or full.rsplit(".", 1)[-1] in names:
            return True
    return False


def instance_of(value: Any, cls: Any) -> bool:
    """``isinstance(value, cls)`` where either may be the learner's (asked of the worker then)."""
    from depipe_course.judging.codec import RemoteEnum

    if isinstance(value, RemoteEnum):  # a member of the learner's enum, carried by value
        return value.type_name in class_names(cls)[:1] and value.name in enum_members(cls)
    for side in (value, cls):
        if isinstance(side, Remote):
            return bool(side._endpoint.request("isinstance", value, cls))
    return isinstance(cls, type | tuple) and isinstance(value, cls)


def enum_members(cls: Any) -> dict[str, Any]:
    """``{name: value}`` of an enum class (the learner's, or one here)."""
    if isinstance(cls, Remote):
        return dict(cls._endpoint.request("describe", cls)["members"])
    return {m.name: m.value for m in cls}
