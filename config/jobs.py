"""Queue a background job by its task name once the current transaction commits.

Services enqueue through here, so no service imports its task module: the task module
imports the service, never the other way round. The task is looked up by name; the first
lookup in a web process imports every app's tasks module (Celery's autodiscovery), as a
worker does when it starts.
"""

import logging

from django.db import transaction

from config.celery import app

log = logging.getLogger(__name__)


def task_named(name):
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def enqueue_on_commit(name, *args):
    """Send the task ``name`` with ``args`` after the surrounding transaction commits (at
    once outside one)."""
    transaction.on_commit(lambda: task_named(name).delay(*args))
