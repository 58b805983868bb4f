"""Celery wired to the Flask app: tasks run in an app context and take ids, never ORM objects.

Job state lives in PostgreSQL; Redis is only the doorbell.
"""

from __future__ import annotations

import functools
from typing import Any

from celery import Celery, Task
from flask import Flask


def init_celery(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=app.config["REDIS_URL"],
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # Worker processes: the plan jobs this machine runs at once, the same setting
        # that shares the cores between them (core/planning/cores.py, docs/scaling.md).
        worker_concurrency=int(app.config.get("PLAN_JOBS_AT_ONCE", 1)),
        # Must exceed the longest solver limit, or Redis redelivers running tasks.
        broker_transport_options={"visibility_timeout": 7200},
        broker_connection_retry_on_startup=True,
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


@functools.cache
def _worker_app() -> Celery:
    from api import create_app
    from api.startup import check_database_login

    flask_app = create_app()
    check_database_login(flask_app)  # a worker starts like the web: never as the owner
    celery: Celery = flask_app.extensions["celery"]
    return celery


# `celery -A api.celery_app worker` looks up this name; building it lazily keeps
# importing this module free of side effects.
def __getattr__(name: str) -> Any:
    if name in ("celery", "app"):
        return _worker_app()
    raise AttributeError(name)
