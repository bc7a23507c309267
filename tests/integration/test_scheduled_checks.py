"""The scheduled checks of each command service, run by its real worker loop against a real
PostgreSQL store with a fake clock: the follow-up deadline of a lead, the near-breach and breach of
a ticket's SLA, and an unpaid instalment turning overdue and then a bad-debt risk.

Each service is started in-process (its lifespan: store, workers; no relay) with its check every
50 ms and a clock the test moves; records are made and read through the service's own HTTP API,
as the gateway would call it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from crm_contracts.entrypoints.api import create_app as contracts_app
from crm_leads.entrypoints.api import create_app as leads_app
from crm_platform.local import ensure_database
from crm_platform.settings import Settings
from crm_service_desk.entrypoints.api import create_app as service_desk_app
from fastapi import FastAPI

BRANCH = "CK01"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@contextlib.asynccontextmanager
async def running(
    make: Callable[..., FastAPI], pg_admin_url: str, broker: str, clock: FakeClock
) -> AsyncIterator[Callable[[str, str], httpx.AsyncClient]]:
    """The service with its workers on the fake clock; `client(role, user)` calls its API."""
    url = ensure_database(pg_admin_url, f"checks_{uuid4().hex[:8]}")
    app = make(Settings(database_url=url, kafka_bootstrap=broker), relay=False, clock=clock)
    transport = httpx.ASGITransport(app=app)

    def client(role: str, user: str) -> httpx.AsyncClient:
        headers = {"X-CRM-User": user, "X-CRM-Role": role, "X-CRM-Branch": BRANCH}
        return httpx.AsyncClient(transport=transport, base_url="http://svc", headers=headers)

    async with app.router.lifespan_context(app):
        yield client


async def ok(answer: Any) -> dict[str, Any]:
    response: httpx.Response = await answer
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def eventually(
    c: httpx.AsyncClient, path: str, done: Callable[[dict[str, Any]], bool]
) -> Any:
    """The record once `done` holds (the check runs every 50 ms), or the last one seen."""
    for _ in range(100):
        record = await ok(c.get(path))
        if done(record):
            return record
        await asyncio.sleep(0.05)
    return record


@pytest.fixture
def fast_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    for service in ("LEADS", "CONTRACTS", "SERVICE_DESK"):
        monkeypatch.setenv(f"CRM_{service}_CHECK_SECONDS", "0.05")


@pytest.mark.usefixtures("fast_checks")
async def test_a_lead_without_a_follow_up_turns_overdue_after_48_hours(
    pg_admin_url: str, broker: str
) -> None:
    clock = FakeClock()
    async with (
        running(leads_app, pg_admin_url, broker, clock) as client,
        client("branch_manager", "ck-mgr") as mgr,
    ):
        body = {
            "source": "referral",
            "company": "Qinghe",
            "contact_name": "Q",
            "email": "q@qh.cn",
        }
        lead = (await ok(mgr.post("/leads", json=body)))["id"]
        await ok(mgr.post(f"/leads/{lead}/assign", json={"rep": "ck-rep"}))

        clock.advance(hours=47)
        await asyncio.sleep(0.3)  # several checks before the deadline: nothing happens
        before = await ok(mgr.get(f"/leads/{lead}"))
        assert not before["overdue"]

        clock.advance(hours=2)
        after = await eventually(mgr, f"/leads/{lead}", lambda r: r["overdue"])
        assert after["overdue"]
        await asyncio.sleep(0.3)  # later checks record it only once
        assert (await mgr.get(f"/leads/{lead}")).headers["etag"] == (
            await mgr.get(f"/leads/{lead}")
        ).headers["etag"]
        assert (await ok(mgr.get(f"/leads/{lead}")))["overdue"]


@pytest.mark.usefixtures("fast_checks")
async def test_a_ticket_is_flagged_at_80_percent_of_its_sla_then_breached_and_escalated(
    pg_admin_url: str, broker: str
) -> None:
    clock = FakeClock()
    async with (
        running(service_desk_app, pg_admin_url, broker, clock) as client,
        client("service_agent", "ck-agent") as agent,
    ):
        body = {"account_id": "acct-ck", "ticket_type": "repair", "channel": "phone"}
        ticket = (await ok(agent.post("/tickets", json=body | {"subject": "Leak"})))["id"]
        path = f"/tickets/{ticket}"
        opened = await ok(agent.get(path))
        assert opened["grade"] == "C"  # no grade reached the desk: served as C, 5 days
        deadline = datetime.fromisoformat(opened["deadline"])
        assert deadline - datetime.fromisoformat(opened["opened_at"]) == timedelta(days=5)

        clock.advance(hours=95)  # 79 % of 120 hours
        await asyncio.sleep(0.3)
        assert not (await ok(agent.get(path)))["near_breach_flagged"]

        clock.advance(hours=2)  # 81 %
        flagged = await eventually(agent, path, lambda r: r["near_breach_flagged"])
        assert flagged["near_breach_flagged"] and not flagged["breached"]

        clock.now = deadline + timedelta(minutes=1)
        breached = await eventually(agent, path, lambda r: r["escalated"])
        assert breached["breached"] and breached["escalated"]
        version = (await agent.get(path)).headers["etag"]
        await asyncio.sleep(0.3)
        assert (await agent.get(path)).headers["etag"] == version  # recorded once


@pytest.mark.usefixtures("fast_checks")
async def test_an_unpaid_instalment_turns_overdue_then_raises_a_bad_debt_risk(
    pg_admin_url: str, broker: str
) -> None:
    clock = FakeClock()
    first_due = date.today() + timedelta(days=10)
    async with (
        running(contracts_app, pg_admin_url, broker, clock) as client,
        client("sales_rep", "ck-rep") as rep,
        client("branch_manager", "ck-mgr") as mgr,
    ):
        line = {"product": "PX-200", "product_line": "pumps", "quantity": 3}
        body = {
            "account_id": "acct-ck",
            "currency": "CNY",
            "lines": [line | {"unit_price": 1000}],
        }
        contract = (await ok(rep.post("/contracts", json=body)))["id"]
        path = f"/contracts/{contract}"
        plan = {"count": 3, "first_due": first_due.isoformat(), "every_months": 1}
        await ok(rep.post(f"{path}/payment-plan/even", json=plan))
        await ok(rep.post(f"{path}/submit"))
        await ok(mgr.post(f"{path}/approve"))
        await ok(rep.post(f"{path}/sign"))
        await ok(rep.post(f"{path}/start"))
        received = datetime.now(UTC).isoformat()
        payment = {"instalment": 1, "amount": 400, "received_at": received, "reference": "B1"}
        await ok(rep.post(f"{path}/payments", json=payment))  # 600 of 1,000 still open

        await asyncio.sleep(0.3)  # not due yet: nothing happens
        assert not any(i["overdue"] for i in (await ok(rep.get(path)))["instalments"])

        clock.advance(days=12)
        overdue = await eventually(rep, path, lambda r: r["instalments"][0]["overdue"])
        assert [i["overdue"] for i in overdue["instalments"]] == [True, False, False]
        assert not overdue["bad_debt_raised"]

        clock.advance(days=60)  # 62 days past the first due date; default threshold 60
        risky = await eventually(rep, path, lambda r: r["bad_debt_raised"])
        assert risky["bad_debt_raised"]
        assert [i["overdue"] for i in risky["instalments"]][:2] == [True, True]
