"""Part 07 — Configuration and secrets: settings from the environment, a database URL, a secret manager.

One module per exercise, imported here in id order:

* ``ex1_pipeline_config``: 07.1, ``PipelineConfig`` (pydantic-settings).
* ``ex2_database_url``: 07.2, ``database_url``.
* ``ex3_get_secret``: 07.3, ``get_secret`` from AWS Secrets Manager.
"""

from __future__ import annotations

from depipe_course.exercises.part07 import ex1_pipeline_config, ex2_database_url, ex3_get_secret

__all__ = ["ex1_pipeline_config", "ex2_database_url", "ex3_get_secret"]
