"""The shared cache (Redis), degrading gracefully: when Redis is down or unreachable, each cache
call is answered by a per-process memory cache instead of raising, and a warning is logged. Pages
keep answering; what lives in the cache is then per process until Redis is back (sign-in failure
counters still count, in each process; a finished batch job's summary is read from its record).
"""

from __future__ import annotations

import logging

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache("resilient-redis-fallback", {"TIMEOUT": params.get("TIMEOUT", 300)})


def _resilient(name: str):
    redis_method = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        try:
            return redis_method(self, *args, **kwargs)
        except RedisError as exc:
            logger.warning("Cache (Redis) unavailable, %s answered by this process's memory: %s", name, exc)
            return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


for _name in _METHODS:
    setattr(ResilientRedisCache, _name, _resilient(_name))
