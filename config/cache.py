"""The Redis cache, failing open: when Redis is down the API keeps serving.

The cache holds nothing the product needs to be right (throttle counters, the worker
heartbeat, short-lived locks are not kept here), so a Redis outage must not become a
server error. Each operation that cannot reach Redis is logged and answers as a miss
(``get`` → default, ``add``/``set`` → False, ``incr`` → the delta); after a failure the
cache is skipped for ``RETRY_AFTER`` seconds so a Redis that is away (or a firewall that
drops packets) costs one connection timeout per process, not one per request.
``/healthz`` reports the cache as degraded meanwhile.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

RETRY_AFTER = 10.0


class CacheUnavailable(Exception):
    """Raised by ``check`` (health) only; every other operation fails open."""


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    @property
    def is_down(self):
        return time.monotonic() < self._down_until

    def _guard(self, operation, fallback, call):
        if self.is_down:
            return fallback
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - any Redis failure fails open
            self._down_until = time.monotonic() + RETRY_AFTER
            log.warning("Cache %s failed (%s): failing open", operation, error.__class__.__name__)
            return fallback

    def check(self):
        """For /healthz: a round trip to Redis now, raising if it fails."""
        try:
            self._cache.get_client(write=True).ping()
        except Exception as error:
            self._down_until = time.monotonic() + RETRY_AFTER
            raise CacheUnavailable(error.__class__.__name__) from error
        self._down_until = 0.0

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "add", False, lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version)
        )

    def get(self, key, default=None, version=None):
        return self._guard(
            "get", default, lambda: super(FailOpenRedisCache, self).get(key, default, version)
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "set", False, lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "touch", False, lambda: super(FailOpenRedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key, version=None):
        return self._guard(
            "delete", False, lambda: super(FailOpenRedisCache, self).delete(key, version)
        )

    def get_many(self, keys, version=None):
        return self._guard(
            "get_many", {}, lambda: super(FailOpenRedisCache, self).get_many(keys, version)
        )

    def has_key(self, key, version=None):
        return self._guard(
            "has_key", False, lambda: super(FailOpenRedisCache, self).has_key(key, version)
        )

    def incr(self, key, delta=1, version=None):
        return self._guard(
            "incr", delta, lambda: super(FailOpenRedisCache, self).incr(key, delta, version)
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "set_many",
            list(data),
            lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version),
        )

    def delete_many(self, keys, version=None):
        return self._guard(
            "delete_many", None, lambda: super(FailOpenRedisCache, self).delete_many(keys, version)
        )

    def clear(self):
        return self._guard("clear", False, lambda: super(FailOpenRedisCache, self).clear())
