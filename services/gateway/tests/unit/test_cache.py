"""The gateway's report cache: one upstream call for a crowd, answers kept per scope for a short
while, an expired answer served while one caller refreshes it, and failures never kept.

Time is a fake clock the tests move (nothing here sleeps on the wall clock); an upstream call
yields to the event loop once, so a crowd gathered at once arrives while it is in flight.
"""

from __future__ import annotations

import asyncio

import pytest
from crm_gateway.cache import ReportCache
from crm_platform.auth import Actor
from fastapi.responses import Response

MANAGER = Actor("m", "branch_manager", "SH01")
OTHER_MANAGER = Actor("n", "branch_manager", "BJ01")
ANALYST, AUDITOR = Actor("a", "hq_analyst", "HQ"), Actor("u", "auditor", "HQ")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Upstream:
    def __init__(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.calls, self.status, self.headers = 0, status, headers or {}

    async def __call__(self) -> Response:
        self.calls += 1
        await asyncio.sleep(0)  # in flight: the rest of the crowd arrives meanwhile
        return Response(f"answer {self.calls}".encode(), self.status, headers=self.headers)


async def test_a_crowd_asking_at_once_makes_one_upstream_call() -> None:
    clock = Clock()
    cache, upstream = ReportCache(1.0, clock), Upstream()
    key = cache.key(MANAGER, "/v1/reports/funnel", b"")
    answers = await asyncio.gather(*(cache.get(key, upstream) for _ in range(50)))
    assert upstream.calls == 1
    assert {a.body for a in answers} == {b"answer 1"}
    clock.now += 0.75
    assert (await cache.get(key, upstream)).body == b"answer 1"  # kept for its lifetime
    assert upstream.calls == 1
    clock.now += 0.25
    assert (await cache.get(key, upstream)).body == b"answer 2"  # and not a moment longer
    assert upstream.calls == 2


def test_answers_are_kept_per_scope_not_per_user() -> None:
    path = "/v1/reports/funnel"
    assert ReportCache.key(ANALYST, path, b"") == ReportCache.key(AUDITOR, path, b"")
    assert ReportCache.key(MANAGER, path, b"") != ReportCache.key(OTHER_MANAGER, path, b"")
    assert ReportCache.key(MANAGER, path, b"") != ReportCache.key(ANALYST, path, b"")
    assert ReportCache.key(ANALYST, path, b"branch=SH01") != ReportCache.key(ANALYST, path, b"")


async def test_an_expired_answer_is_refreshed_by_one_caller_while_the_others_get_it() -> None:
    clock = Clock()
    cache, upstream = ReportCache(1.0, clock), Upstream()
    key = cache.key(MANAGER, "/v1/reports/funnel", b"")
    await cache.get(key, upstream)  # kept until t + 1
    clock.now += 0.5
    assert cache.fresh(key) is not None and cache.fresh(key) is not None  # fresh: no refresh
    clock.now += 1.0  # expired half a lifetime ago, within the grace of one more lifetime
    assert cache.fresh(key) is None  # the first caller after expiry refreshes
    stale = cache.fresh(key)  # the others meanwhile get the expired answer
    assert stale is not None and stale.body == b"answer 1"
    assert (await cache.get(key, upstream)).body == b"answer 2"  # kept until t + 2.5
    assert cache.fresh(key).body == b"answer 2"  # type: ignore[union-attr]
    clock.now += 2.5  # expired 1.5 ago, longer than the grace: nobody is served it
    assert cache.fresh(key) is None and cache.fresh(key) is None


@pytest.mark.parametrize(
    "upstream", [Upstream(status=404), Upstream(headers={"X-CRM-Stale": "true"})]
)
async def test_refusals_and_stale_answers_are_never_kept(upstream: Upstream) -> None:
    cache = ReportCache(1.0, Clock())
    key = cache.key(MANAGER, "/v1/reports/funnel", b"branch=XX")
    await cache.get(key, upstream)
    await cache.get(key, upstream)
    assert upstream.calls == 2


async def test_an_upstream_failure_reaches_every_waiter_and_is_not_kept() -> None:
    cache, calls = ReportCache(1.0, Clock()), 0

    async def failing() -> Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)  # in flight: the other callers arrive meanwhile
        raise RuntimeError("projections away")

    key = cache.key(MANAGER, "/v1/reports/funnel", b"")
    results = await asyncio.gather(
        *(cache.get(key, failing) for _ in range(5)), return_exceptions=True
    )
    assert calls == 1 and all(isinstance(r, RuntimeError) for r in results)
    assert cache.fresh(key) is None and not cache.flights


async def test_a_zero_lifetime_turns_the_cache_off() -> None:
    cache, upstream = ReportCache(0, Clock()), Upstream()
    key = cache.key(MANAGER, "/v1/reports/funnel", b"")
    await cache.get(key, upstream)
    await cache.get(key, upstream)
    assert upstream.calls == 2
