"""Rate limits for logins and public endpoints: "at most N hits per key in any W seconds".

The algorithm is a sliding log: each allowed hit is remembered with its time
until it falls out of the window. Unlike a fixed window it allows no double
burst at a window boundary, its Retry-After is exact, and the memory a key
costs is bounded by its limit (refused hits are not remembered).

Two backends, picked by :func:`build_rate_limiter` from the settings:

- :class:`MemoryRateLimiter` — one process (the default; thread-safe);
- :class:`RedisRateLimiter` — shared by every web process that points at the
  same Redis (``OTKLIK_REDIS_URL``); one Lua script per hit keeps it atomic.

Example::

    wait = limiter.hit(f"login:ip:{ip}", limit=10, window_seconds=60)
    if wait is not None:
        raise wait.error("too many attempts")
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from otklik.errors import RateLimited

if TYPE_CHECKING:
    import redis

    from otklik.config import Settings

Clock = Callable[[], float]
"""Seconds since some fixed point; injected in tests instead of sleeping."""


@dataclass(frozen=True)
class RetryAfter:
    """A refusal: how long until the next hit for the key would be allowed."""

    seconds: float

    @property
    def header(self) -> str:
        """The value of an HTTP ``Retry-After`` header (whole seconds, at least 1)."""
        return str(self.whole_seconds)

    @property
    def whole_seconds(self) -> int:
        return max(1, math.ceil(self.seconds))

    def error(self, message: str) -> RateLimited:
        return RateLimited(message, retry_after=self.whole_seconds)


class RateLimiter(ABC):
    """Counts hits per key. ``limit`` and ``window_seconds`` are given per call, so one
    limiter serves logins, survey submissions and the API with different rules."""

    @abstractmethod
    def hit(self, key: str, *, limit: int, window_seconds: float) -> RetryAfter | None:
        """Count one hit: None when allowed; a :class:`RetryAfter` (and nothing counted)
        when ``limit`` hits already happened in the last ``window_seconds``."""

    @abstractmethod
    def peek(self, key: str, *, limit: int, window_seconds: float) -> RetryAfter | None:
        """Would a hit be refused now? Counts nothing — logins check before spending
        an argon2 verification and count only failures."""

    @abstractmethod
    def reset(self, key: str) -> None:
        """Forget a key's hits (e.g. after a successful login)."""

    def check(
        self, key: str, *, limit: int, window_seconds: float, message: str = "too many requests"
    ) -> None:
        """Count one hit or raise :class:`~otklik.errors.RateLimited`."""
        wait = self.hit(key, limit=limit, window_seconds=window_seconds)
        if wait is not None:
            raise wait.error(message)


def _validate(limit: int, window_seconds: float) -> None:
    if limit < 1 or window_seconds <= 0:
        raise ValueError("a rate limit needs limit >= 1 and window_seconds > 0")


class MemoryRateLimiter(RateLimiter):
    """Per-process limiter. Keys nobody hits any more are swept at most once a
    ``sweep_seconds``, so many one-off client addresses do not grow memory forever."""

    def __init__(self, *, clock: Clock = time.monotonic, sweep_seconds: float = 60.0) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (window of the last hit, times of the allowed hits, oldest first)
        self._logs: dict[str, tuple[float, deque[float]]] = {}
        self._sweep_seconds = sweep_seconds
        self._next_sweep = clock() + sweep_seconds

    def hit(self, key: str, *, limit: int, window_seconds: float) -> RetryAfter | None:
        return self._apply(key, limit, window_seconds, record=True)

    def peek(self, key: str, *, limit: int, window_seconds: float) -> RetryAfter | None:
        return self._apply(key, limit, window_seconds, record=False)

    def reset(self, key: str) -> None:
        with self._lock:
            self._logs.pop(key, None)

    def __len__(self) -> int:
        """How many keys are tracked (for tests and metrics)."""
        return len(self._logs)

    def _apply(self, key: str, limit: int, window: float, *, record: bool) -> RetryAfter | None:
        _validate(limit, window)
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            entry = self._logs.get(key)
            log = entry[1] if entry is not None else deque()
            while log and log[0] <= now - window:
                log.popleft()
            # A lowered limit leaves extra entries; the oldest that still counts decides.
            if len(log) >= limit:
                return RetryAfter(log[-limit] + window - now)
            if record:
                log.append(now)
                self._logs[key] = (window, log)
            elif entry is not None and not log:
                del self._logs[key]
            return None

    def _sweep(self, now: float) -> None:
        stale = [k for k, (window, log) in self._logs.items() if not log or log[-1] <= now - window]
        for k in stale:
            del self._logs[k]
        self._next_sweep = now + self._sweep_seconds


# KEYS[1] = the log (a sorted set of hit ids scored by time in ms)
# ARGV = now_ms (negative: use the Redis server clock, shared by all web processes),
#        window_ms, limit, record (1/0), a unique member id
_SLIDING_LOG = """
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local decisive = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  return tonumber(decisive[2]) + window - now
end
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[1], window)
end
return -1
"""


class RedisRateLimiter(RateLimiter):
    """Limiter shared by several processes through Redis.

    Time comes from the Redis server (one clock for every web process) unless a
    ``clock`` is injected. Keys are ``<prefix><key>`` and expire with their window.
    """

    def __init__(
        self, client: redis.Redis, *, prefix: str = "otklik:rl:", clock: Clock | None = None
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._clock = clock
        self._script = client.register_script(_SLIDING_LOG)

    @classmethod
    def from_url(cls, url: str, **kwargs) -> RedisRateLimiter:
        import redis

        # Short timeouts: a login page must not hang because Redis does.
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return cls(client, **kwargs)

    def hit(self, key: str, *, limit: int, window_seconds: float) -> RetryAfter | None:
        return self._apply(key, limit, window_seconds, record=True)

    def peek(self, key: str, *, limit: int, window_seconds: float) -> RetryAfter | None:
        return self._apply(key, limit, window_seconds, record=False)

    def reset(self, key: str) -> None:
        self._client.delete(self._prefix + key)

    def close(self) -> None:
        self._client.close()

    def _apply(self, key: str, limit: int, window: float, *, record: bool) -> RetryAfter | None:
        _validate(limit, window)
        now_ms = -1 if self._clock is None else int(self._clock() * 1000)
        window_ms = max(1, int(window * 1000))
        member = secrets.token_hex(8)
        wait_ms = int(
            self._script(
                keys=[self._prefix + key],
                args=[now_ms, window_ms, limit, "1" if record else "0", member],
            )
        )
        return None if wait_ms < 0 else RetryAfter(wait_ms / 1000)


def build_rate_limiter(settings: Settings) -> RateLimiter:
    """Redis when ``OTKLIK_REDIS_URL`` is set (limits hold across processes), else memory."""
    if settings.redis_url:
        return RedisRateLimiter.from_url(settings.redis_url)
    return MemoryRateLimiter()
