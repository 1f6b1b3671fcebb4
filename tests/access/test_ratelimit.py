"""The rate limiter, on both backends: in-process memory and the real Redis on 127.0.0.1."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis

from otklik.access.ratelimit import (
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    RetryAfter,
    build_rate_limiter,
)
from otklik.config import Settings
from otklik.errors import RateLimited

REDIS_URL = "redis://127.0.0.1:6379/0"


class FakeClock:
    """Injected instead of sleeping: tests move time by hand."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"otklik-test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(params=["memory", "redis"])
def make_limiter(request, redis_prefix) -> Iterator[Callable[..., RateLimiter]]:
    made: list[RateLimiter] = []

    def make(clock=None) -> RateLimiter:
        if request.param == "memory":
            limiter = MemoryRateLimiter(clock=clock or time.monotonic)
        else:
            limiter = RedisRateLimiter.from_url(REDIS_URL, prefix=redis_prefix, clock=clock)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        if isinstance(limiter, RedisRateLimiter):
            limiter.close()


@pytest.fixture
def limiter(make_limiter, clock) -> RateLimiter:
    return make_limiter(clock)


def test_allows_up_to_the_limit_then_refuses_with_exact_wait(limiter, clock):
    for _ in range(3):
        assert limiter.hit("k", limit=3, window_seconds=60) is None
        clock.advance(10)
    wait = limiter.hit("k", limit=3, window_seconds=60)
    assert wait == RetryAfter(30.0)  # the first hit (30 s ago) leaves the window in 30 s
    assert wait.header == "30"


def test_window_slides_one_hit_at_a_time(limiter, clock):
    for _ in range(3):
        assert limiter.hit("k", limit=3, window_seconds=60) is None
        clock.advance(10)
    clock.advance(30)  # the first hit has just expired; the other two still count
    assert limiter.hit("k", limit=3, window_seconds=60) is None
    wait = limiter.hit("k", limit=3, window_seconds=60)
    assert wait is not None and wait.seconds == pytest.approx(10.0)


def test_after_a_full_window_the_key_starts_over(limiter, clock):
    for _ in range(2):
        limiter.hit("k", limit=2, window_seconds=1.5)
    assert limiter.hit("k", limit=2, window_seconds=1.5) is not None
    clock.advance(1.5)
    assert limiter.hit("k", limit=2, window_seconds=1.5) is None
    assert limiter.hit("k", limit=2, window_seconds=1.5) is None


def test_refused_hits_do_not_extend_the_block(limiter, clock):
    limiter.hit("k", limit=1, window_seconds=60)
    for _ in range(5):
        clock.advance(10)
        assert limiter.hit("k", limit=1, window_seconds=60) is not None
    clock.advance(10)  # 60 s after the only allowed hit
    assert limiter.hit("k", limit=1, window_seconds=60) is None


def test_peek_counts_nothing(limiter):
    for _ in range(5):
        assert limiter.peek("k", limit=1, window_seconds=60) is None
    assert limiter.hit("k", limit=1, window_seconds=60) is None
    assert limiter.peek("k", limit=1, window_seconds=60) is not None


def test_keys_are_independent_and_reset_forgets_one(limiter):
    limiter.hit("a", limit=1, window_seconds=60)
    limiter.hit("b", limit=1, window_seconds=60)
    assert limiter.hit("a", limit=1, window_seconds=60) is not None
    limiter.reset("a")
    assert limiter.hit("a", limit=1, window_seconds=60) is None
    assert limiter.hit("b", limit=1, window_seconds=60) is not None


def test_check_raises_rate_limited_with_whole_seconds(limiter, clock):
    limiter.check("k", limit=1, window_seconds=60)
    clock.advance(0.25)
    with pytest.raises(RateLimited, match="slow down") as info:
        limiter.check("k", limit=1, window_seconds=60, message="slow down")
    assert info.value.retry_after == 60  # 59.75 s, rounded up


@pytest.mark.parametrize(("limit", "window"), [(0, 60), (5, 0), (-1, 1)])
def test_nonsense_limits_are_refused(limiter, limit, window):
    with pytest.raises(ValueError, match="limit >= 1"):
        limiter.hit("k", limit=limit, window_seconds=window)


def test_concurrent_hits_allow_exactly_the_limit(make_limiter):
    limiter = make_limiter()  # the real clock: threads really race
    allowed = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(25):
            if limiter.hit("shared", limit=50, window_seconds=60) is None:
                with lock:
                    allowed.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 50


def test_memory_limiter_sweeps_keys_nobody_uses(clock):
    limiter = MemoryRateLimiter(clock=clock, sweep_seconds=60)
    for i in range(100):
        limiter.hit(f"ip:{i}", limit=5, window_seconds=10)
    assert len(limiter) == 100
    clock.advance(61)
    limiter.hit("fresh", limit=5, window_seconds=10)
    assert len(limiter) == 1


def test_redis_limit_is_shared_by_several_processes(redis_prefix):
    # Two clients with their own connections stand in for two web processes.
    a = RedisRateLimiter.from_url(REDIS_URL, prefix=redis_prefix)
    b = RedisRateLimiter.from_url(REDIS_URL, prefix=redis_prefix)
    try:
        assert a.hit("login:ip:10.0.0.1", limit=2, window_seconds=60) is None
        assert b.hit("login:ip:10.0.0.1", limit=2, window_seconds=60) is None
        wait = a.hit("login:ip:10.0.0.1", limit=2, window_seconds=60)
        assert wait is not None and 59 < wait.seconds <= 60
        b.reset("login:ip:10.0.0.1")
        assert a.hit("login:ip:10.0.0.1", limit=2, window_seconds=60) is None
    finally:
        a.close()
        b.close()


def test_redis_uses_server_time_and_keys_expire_with_their_window(redis_prefix):
    limiter = RedisRateLimiter.from_url(REDIS_URL, prefix=redis_prefix)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert limiter.hit("k", limit=1, window_seconds=0.3) is None
        assert limiter.hit("k", limit=1, window_seconds=0.3) is not None
        assert 0 < client.pttl(f"{redis_prefix}k") <= 300
        time.sleep(0.35)
        assert client.exists(f"{redis_prefix}k") == 0
        assert limiter.hit("k", limit=1, window_seconds=0.3) is None
    finally:
        limiter.close()
        client.close()


def test_settings_choose_the_backend(tmp_path):
    assert isinstance(build_rate_limiter(Settings(data_dir=tmp_path)), MemoryRateLimiter)
    shared = build_rate_limiter(Settings(data_dir=tmp_path, redis_url=REDIS_URL))
    try:
        assert isinstance(shared, RedisRateLimiter)
    finally:
        shared.close()
