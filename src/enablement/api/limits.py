"""Rate limits: a token bucket per name (a key, a client address), counted in this process or,
with ENABLEMENT_REDIS_URL, in Redis, so a key cannot multiply its limit by spreading requests
over nodes. When Redis does not answer, each process counts on its own until it does, with a
warning at most once a minute."""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Protocol

import redis

from enablement.errors import RateLimitedError

log = logging.getLogger(__name__)


class Limiter(Protocol):
    def take(self, name: str) -> None:
        """Spend one from `name`'s bucket; RateLimitedError (with retry_after) when empty."""
        ...


def refuse(tokens: float, rate: float, message: str) -> RateLimitedError:
    """The error for a bucket holding `tokens` (< 1), refilled at `rate` a second."""
    wait = max(1, math.ceil((1.0 - tokens) / rate))
    return RateLimitedError(f"{message}; retry in {wait} s.", retry_after=wait)


class RateLimiter:
    """A token bucket per name: `per_minute`, refilled continuously. Buckets live in the
    worker's memory, so each worker process counts on its own."""

    def __init__(self, per_minute: int, *, message: str = "Rate limit exceeded") -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.message = message
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, name: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens = self._level(name, now)
            if tokens < 1.0:
                self._buckets[name] = (tokens, now)
                raise refuse(tokens, self.rate, self.message)
            if len(self._buckets) > 100_000:  # forget the idle: guessed names cannot fill memory
                self._buckets = {
                    k: v for k, v in self._buckets.items() if self._level(k, now) < self.capacity
                }
            self._buckets[name] = (tokens - 1.0, now)

    def _level(self, name: str, now: float) -> float:
        tokens, stamp = self._buckets.get(name, (self.capacity, now))
        return min(self.capacity, tokens + (now - stamp) * self.rate)


# The same bucket, kept in a Redis hash and updated atomically; Redis's clock, so nodes whose
# clocks differ agree. Returns {1 if taken else 0, tokens left as a string}.
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(held[1]) or capacity
local stamp = tonumber(held[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - stamp) * rate)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return {taken, tostring(tokens)}
"""

RETRY_REDIS_S = 5.0  # after Redis fails, count locally this long before asking it again
WARN_EVERY_S = 60.0


class RedisRateLimiter:
    """The token bucket of RateLimiter, shared by every node through Redis at `url`, under keys
    `enablement:<scope>:<name>`. Falls back to `fallback` (per process) while Redis fails."""

    def __init__(
        self, url: str, per_minute: int, *, scope: str, message: str = "Rate limit exceeded"
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.message = message
        self.prefix = f"enablement:{scope}:"
        self.fallback = RateLimiter(per_minute, message=message)
        client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._take = client.register_script(_TAKE)
        self._down_until = 0.0
        self._warned = -math.inf
        self._lock = threading.Lock()

    def take(self, name: str) -> None:
        now = time.monotonic()
        if now < self._down_until:
            self.fallback.take(name)
            return
        try:
            taken, tokens = self._take(keys=[self.prefix + name], args=[self.capacity, self.rate])
        except redis.RedisError as exc:
            self._down(now, exc)
            self.fallback.take(name)
            return
        if not int(taken):
            raise refuse(float(tokens), self.rate, self.message)

    def _down(self, now: float, exc: Exception) -> None:
        with self._lock:
            self._down_until = now + RETRY_REDIS_S
            if now - self._warned >= WARN_EVERY_S:
                self._warned = now
                log.warning(
                    "Redis does not answer (%s): rate limits are counted per process until it "
                    "does", exc,
                )  # fmt: skip


def limiter(
    per_minute: int, *, redis_url: str | None, scope: str, message: str = "Rate limit exceeded"
) -> Limiter:
    """Per process, or shared through Redis when `redis_url` is set."""
    if redis_url:
        return RedisRateLimiter(redis_url, per_minute, scope=scope, message=message)
    return RateLimiter(per_minute, message=message)
