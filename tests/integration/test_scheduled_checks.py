"""The scheduled checks of each command service, run by its real worker loop against a real
PostgreSQL store with a fake clock: the follow-up deadline of a lead, the near-breach and breach of
a ticket's SLA, and an unpaid instalment turning overdue and then a bad-debt risk.

Each service is started in-process (its lifespan: store, workers; no relay) with its check every
50 ms and a clock the test sets; records are made and read through the service's own HTTP API,
as the gateway would call it. The clock also counts the checker's runs, so every "nothing is
recorded" and "recorded once" compares a record before and after a known number of completed
runs, and "recorded" means by the first run that saw the time: no sleeping and hoping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from crm_contracts.app import create_app as contracts_app
from crm_leads.app import create_app as leads_app
from crm_platform.auth import Actor, internal_headers
from crm_platform.local import ensure_database
from crm_platform.settings import Settings
from crm_service_desk.app import create_app as service_desk_app
from fastapi import FastAPI

BRANCH = "CK01"
RUNS_DEADLINE_SECONDS = 30.0


class CheckerClock:
    """The scheduled check's clock: the time the test sets, and a count of the check's runs.

    `every` reads its clock once per run, as the run starts, and nothing else reads this one; so
    run k has completed once the clock has been read k + 1 times.
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.reads = 0
        self._read = asyncio.Event()

    def __call__(self) -> datetime:
        self.reads += 1
        self._read.set()
        return self.now

    async def runs(self, count: int) -> None:
        """Return once `count` runs that started after this call (so saw the time as set now)
        have completed; fail if the check stops running."""
        target = self.reads + count + 1
        async with asyncio.timeout(RUNS_DEADLINE_SECONDS):
            while self.reads < target:
                self._read.clear()
                await self._read.wait()


@contextlib.asynccontextmanager
async def running(
    make: Callable[..., FastAPI], pg_admin_url: str, broker: str, clock: CheckerClock
) -> AsyncIterator[Callable[[str, str], httpx.AsyncClient]]:
    """The service with its workers on the fake clock; `client(role, user)` calls its API."""
    url = ensure_database(pg_admin_url, f"checks_{uuid4().hex[:8]}")
    key = uuid4().hex
    settings = Settings(database_url=url, kafka_bootstrap=broker, internal_key=key)
    app = make(settings, relay=False, clock=clock)
    transport = httpx.ASGITransport(app=app)

    def client(role: str, user: str) -> httpx.AsyncClient:
        headers = internal_headers(key, Actor(user, role, BRANCH))
        return httpx.AsyncClient(transport=transport, base_url="http://svc", headers=headers)

    async with app.router.lifespan_context(app):
        yield client


async def ok(answer: Any) -> dict[str, Any]:
    response: httpx.Response = await answer
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def fast_checks(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """Checks every 50 ms, and none may fail: a failed run would pass for one with nothing to do."""
    for service in ("LEADS", "CONTRACTS", "SERVICE_DESK"):
        monkeypatch.setenv(f"CRM_{service}_CHECK_SECONDS", "0.05")
    caplog.set_level(logging.ERROR, logger="crm.workers")
    yield
    failed = [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.name == "crm.workers" and r.getMessage().startswith("scheduled check")
    ]
    assert not failed, failed


@pytest.mark.usefixtures("fast_checks")
async def test_a_lead_without_a_follow_up_turns_overdue_after_48_hours(
    pg_admin_url: str, broker: str
) -> None:
    clock = CheckerClock(datetime.now(UTC))
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
        path = f"/leads/{lead}"
        assigned = await ok(mgr.get(path))
        assigned_at = datetime.fromisoformat(assigned["assigned_at"])

        clock.now = assigned_at + timedelta(hours=47)
        await clock.runs(2)  # an hour before the deadline: nothing is recorded
        assert await ok(mgr.get(path)) == assigned

        clock.now = assigned_at + timedelta(hours=48, minutes=1)
        await clock.runs(1)  # the first run past the deadline records it
        overdue = await ok(mgr.get(path))
        assert overdue["overdue"] and overdue["version"] == assigned["version"] + 1

        await clock.runs(2)  # later runs do not record it again
        assert await ok(mgr.get(path)) == overdue


@pytest.mark.usefixtures("fast_checks")
async def test_a_ticket_is_flagged_at_80_percent_of_its_sla_then_breached_and_escalated(
    pg_admin_url: str, broker: str
) -> None:
    clock = CheckerClock(datetime.now(UTC))
    async with (
        running(service_desk_app, pg_admin_url, broker, clock) as client,
        client("service_agent", "ck-agent") as agent,
    ):
        body = {"account_id": "acct-ck", "ticket_type": "repair", "channel": "phone"}
        ticket = (await ok(agent.post("/tickets", json=body | {"subject": "Leak"})))["id"]
        path = f"/tickets/{ticket}"
        opened = await ok(agent.get(path))
        assert opened["grade"] == "C"  # no grade reached the desk: served as C, 5 days
        opened_at = datetime.fromisoformat(opened["opened_at"])
        deadline = datetime.fromisoformat(opened["deadline"])
        assert deadline - opened_at == timedelta(days=5)

        clock.now = opened_at + timedelta(hours=95)  # 79 % of 120 hours
        await clock.runs(2)
        assert await ok(agent.get(path)) == opened

        clock.now = opened_at + timedelta(hours=97)  # 81 %
        await clock.runs(1)
        flagged = await ok(agent.get(path))
        assert flagged["near_breach_flagged"] and not flagged["breached"]
        assert flagged["version"] == opened["version"] + 1
        await clock.runs(2)  # flagged once
        assert await ok(agent.get(path)) == flagged

        clock.now = deadline + timedelta(minutes=1)
        await clock.runs(1)
        breached = await ok(agent.get(path))
        assert breached["breached"] and breached["escalated"]
        await clock.runs(2)  # breached and escalated once
        assert await ok(agent.get(path)) == breached


@pytest.mark.usefixtures("fast_checks")
async def test_an_unpaid_instalment_turns_overdue_then_raises_a_bad_debt_risk(
    pg_admin_url: str, broker: str
) -> None:
    clock = CheckerClock(datetime.now(UTC))
    first_due = clock.now.date() + timedelta(days=10)
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
        paid = await ok(rep.get(path))

        await clock.runs(2)  # ten days before the first due date: nothing is recorded
        assert await ok(rep.get(path)) == paid

        clock.now = datetime.combine(first_due + timedelta(days=2), time(12), UTC)
        await clock.runs(1)
        overdue = await ok(rep.get(path))
        assert [i["overdue"] for i in overdue["instalments"]] == [True, False, False]
        assert not overdue["bad_debt_raised"]
        await clock.runs(2)  # flagged once
        assert await ok(rep.get(path)) == overdue

        clock.now = datetime.combine(first_due + timedelta(days=62), time(12), UTC)
        await clock.runs(1)  # 62 days past the first due date; default threshold 60
        risky = await ok(rep.get(path))
        assert risky["bad_debt_raised"]
        assert [i["overdue"] for i in risky["instalments"]][:2] == [True, True]
        await clock.runs(2)  # raised once
        assert await ok(rep.get(path)) == risky
