"""/healthz: database, cache/broker and migrations, for load balancers and compose."""

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse


def _database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _cache():
    cache.set("healthz", "ok", 5)
    return "ok" if cache.get("healthz") == "ok" else "failing"


def _broker():
    if not settings.REDIS_URL:
        return "eager (no broker configured)"
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    return "ok"


def _migrations():
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if not plan else f"{len(plan)} pending"


CHECKS = {"database": _database, "cache": _cache, "broker": _broker, "migrations": _migrations}


def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # noqa: BLE001 - any failure is a failed check
            results[name] = f"failing: {error.__class__.__name__}"
    healthy = all(value == "ok" or value.startswith("eager") for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
