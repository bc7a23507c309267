"""The gateway's report cache: one upstream call for a crowd, answers kept per scope for a short
while, an expired answer served while one caller refreshes it, and failures never kept."""

from __future__ import annotations

import asyncio

import pytest
from crm_gateway.cache import ReportCache
from crm_platform.auth import Actor
from fastapi.responses import Response

MANAGER = Actor("m", "branch_manager", "SH01")
OTHER_MANAGER = Actor("n", "branch_manager", "BJ01")
ANALYST, AUDITOR = Actor("a", "hq_analyst", "HQ"), Actor("u", "auditor", "HQ")


class Upstream:
    def __init__(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.calls, self.status, self.headers = 0, status, headers or {}

    async def __call__(self) -> Response:
        self.calls += 1
        await asyncio.sleep(0.01)
        return Response(f"answer {self.calls}".encode(), self.status, headers=self.headers)


async def test_a_crowd_asking_at_once_makes_one_upstream_call() -> None:
    cache, upstream = ReportCache(1.0), Upstream()
    key = cache.key(MANAGER, "/v1/reports/funnel", b"")
    answers = await asyncio.gather(*(cache.get(key, upstream) for _ in range(50)))
    assert upstream.calls == 1
    assert {a.body for a in answers} == {b"answer 1"}
    assert (await cache.get(key, upstream)).body == b"answer 1"  # kept
    assert upstream.calls == 1


def test_answers_are_kept_per_scope_not_per_user() -> None:
    path = "/v1/reports/funnel"
    assert ReportCache.key(ANALYST, path, b"") == ReportCache.key(AUDITOR, path, b"")
    assert ReportCache.key(MANAGER, path, b"") != ReportCache.key(OTHER_MANAGER, path, b"")
    assert ReportCache.key(MANAGER, path, b"") != ReportCache.key(ANALYST, path, b"")
    assert ReportCache.key(ANALYST, path, b"branch=SH01") != ReportCache.key(ANALYST, path, b"")


async def test_an_expired_answer_is_refreshed_by_one_caller_while_the_others_get_it() -> None:
    cache, upstream = ReportCache(0.05), Upstream()
    key = cache.key(MANAGER, "/v1/reports/funnel", b"")
    await cache.get(key, upstream)
    assert cache.fresh(key) is not None
    await asyncio.sleep(0.06)
    assert cache.fresh(key) is None  # the first caller after expiry refreshes
    stale = cache.fresh(key)  # the others meanwhile get the expired answer
    assert stale is not None and stale.body == b"answer 1"
    assert (await cache.get(key, upstream)).body == b"answer 2"
    assert cache.fresh(key).body == b"answer 2"  # type: ignore[union-attr]
    await asyncio.sleep(0.11)  # expired for longer than the grace: nobody is served it
    assert cache.fresh(key) is None and cache.fresh(key) is None


@pytest.mark.parametrize(
    "upstream", [Upstream(status=404), Upstream(headers={"X-CRM-Stale": "true"})]
)
async def test_refusals_and_stale_answers_are_never_kept(upstream: Upstream) -> None:
    cache = ReportCache(1.0)
    key = cache.key(MANAGER, "/v1/reports/funnel", b"branch=XX")
    await cache.get(key, upstream)
    await cache.get(key, upstream)
    assert upstream.calls == 2


async def test_an_upstream_failure_reaches_every_waiter_and_is_not_kept() -> None:
    cache, calls = ReportCache(1.0), 0

    async def failing() -> Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("projections away")

    key = cache.key(MANAGER, "/v1/reports/funnel", b"")
    results = await asyncio.gather(
        *(cache.get(key, failing) for _ in range(5)), return_exceptions=True
    )
    assert calls == 1 and all(isinstance(r, RuntimeError) for r in results)
    assert cache.fresh(key) is None and not cache.flights


async def test_a_zero_lifetime_turns_the_cache_off() -> None:
    cache, upstream = ReportCache(0), Upstream()
    key = cache.key(MANAGER, "/v1/reports/funnel", b"")
    await cache.get(key, upstream)
    await cache.get(key, upstream)
    assert upstream.calls == 2
