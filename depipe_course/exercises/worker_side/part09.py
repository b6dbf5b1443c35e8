"""What part 09's checks find out inside the learner's process, where its models live.

Under the judge the learner's classes are proxies: pydantic's decorator registry, the
class bodies and the ``model_config`` keys can be read only where the classes are, and
a deprecation warning is emitted in the process that runs the deprecated call. The
checks reach this module with ``learner_module`` (in the same process, it is simply
this module). See the package docstring for how v1 leftovers are recognised.
"""

from __future__ import annotations

import warnings
from types import TracebackType
from typing import Any


def v1_leftovers(model: Any) -> list[str]:
    """What in ``model`` is pydantic v1 API (empty for a clean v2 model)."""
    from pydantic import BaseModel, ConfigDict

    decorators = model.__pydantic_decorators__
    found = [f"@validator on {name}()" for name in decorators.validators]
    found += [f"@root_validator on {name}()" for name in decorators.root_validators]
    found += [f"class Config in {klass.__name__}" for klass in model.__mro__
              if isinstance(klass, type) and issubclass(klass, BaseModel) and klass is not BaseModel
              and "Config" in vars(klass)]
    known = ConfigDict.__required_keys__ | ConfigDict.__optional_keys__
    found += [f"config key {key!r} (renamed or removed in v2)" for key in model.model_config if key not in known]
    return found


def _is_deprecation(w: warnings.WarningMessage) -> bool:
    category = w.category
    return (issubclass(category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning))
            or category.__module__.startswith("pydantic"))


class DeprecationRecorder:
    """A context manager collecting deprecation and pydantic warnings raised inside it."""

    def __init__(self) -> None:
        self._catching = warnings.catch_warnings(record=True)
        self._caught: list[warnings.WarningMessage] = []

    def __enter__(self) -> DeprecationRecorder:
        self._caught = self._catching.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._catching.__exit__(kind, exc, traceback)

    def seen(self) -> list[str]:
        """Each deprecation recorded so far, as 'Category: first line of the message'."""
        return [f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in self._caught
                if _is_deprecation(w)]
