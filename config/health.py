"""/healthz: for load balancers, compose and people on call.

Critical checks (the database and migrations) failing answer 503: this instance cannot
serve. Degraded checks (the cache, the broker, the background worker) failing still answer
200 with ``"status": "degraded"`` and the names in ``degraded``: the site keeps serving
(the cache fails open, jobs that cannot be queued say so on their rows), but someone
should look. The answer also says when a Celery worker was last seen (the heartbeat beat
task, config.tasks) and how long the oldest queued job has waited (config.jobs).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone

# A worker not seen for this long (the heartbeat runs every minute) is degraded.
WORKER_SEEN_WITHIN = 180
# A job waiting this long to start is degraded (the sweeper re-queues at 30 minutes).
QUEUE_WAIT_LIMIT = 15 * 60


def _eager():
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def _database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _cache():
    check = getattr(cache, "check", None)
    if check is not None:  # config.cache.FailOpenRedisCache: a real round trip
        check()
        return "ok"
    cache.set("healthz", "ok", 5)
    return "ok" if cache.get("healthz") == "ok" else "failing"


def _broker():
    if not settings.REDIS_URL:
        return "eager (no broker configured)"
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
    return "ok"


def _migrations():
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if not plan else f"{len(plan)} pending"


def worker_last_seen_seconds():
    from config.tasks import WORKER_SEEN_KEY

    seen = cache.get(WORKER_SEEN_KEY)
    if seen is None:
        return None
    return max(0, round(timezone.now().timestamp() - float(seen)))


def _worker():
    if _eager():
        return "eager (tasks run in the web process)"
    age = worker_last_seen_seconds()
    if age is None:
        return "failing: no worker seen"
    if age > WORKER_SEEN_WITHIN:
        return f"failing: last seen {age} s ago"
    return "ok"


def _queue():
    from config.jobs import oldest_queued_age

    age = oldest_queued_age()
    if age is not None and age > QUEUE_WAIT_LIMIT and not _eager():
        return f"failing: oldest queued job waiting {age} s"
    return "ok"


CRITICAL = {"database": _database, "migrations": _migrations}
CHECKS = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "migrations": _migrations,
    "worker": _worker,
    "queue": _queue,
}


def _fine(value):
    return value == "ok" or value.startswith("eager")


def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # noqa: BLE001 - any failure is a failed check
            results[name] = f"failing: {error.__class__.__name__}"
    failing = [name for name in CRITICAL if not _fine(results.get(name, "ok"))]
    degraded = [
        name for name, value in results.items() if not _fine(value) and name not in CRITICAL
    ]
    body = {
        "status": "failing" if failing else "degraded" if degraded else "ok",
        "checks": results,
        "degraded": degraded,
    }
    for key, measure in (
        ("worker_last_seen_seconds", worker_last_seen_seconds),
        ("oldest_queued_job_seconds", _oldest),
    ):
        try:
            body[key] = measure()
        except Exception:  # noqa: BLE001 - reported in checks already
            body[key] = None
    return JsonResponse(body, status=503 if failing else 200)


def _oldest():
    from config.jobs import oldest_queued_age

    return oldest_queued_age()
