"""A reaction heals from the source event store: what the broker never delivered is handled anyway,
once, and in stream order (crm_platform.following).

The contracts service runs in-process with its reactions on a real broker and PostgreSQL. The won
deals are written straight into the opportunities store, with no relay: for the contracts service
this is exactly a topic that lost them. Each must still draft its one contract.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import httpx
import psycopg
import pytest
from crm_api import Route
from crm_api import opportunities as api
from crm_contracts.app import create_app
from crm_contracts.domain.contract import contract_id_for
from crm_events.envelope import Envelope
from crm_opportunities.commands import COMMANDS
from crm_platform.auth import Actor, internal_headers
from crm_platform.commands import Accepted, Request, Spec, perform
from crm_platform.eventstore import EventStore, open_store
from crm_platform.eventstore.postgres import open_pool
from crm_platform.following import Follower
from crm_platform.local import ensure_database
from crm_platform.settings import Settings

BRANCH = "RH01"
REP = Actor("rh-rep", "sales_rep", BRANCH)


SPECS: dict[Route, Spec] = {spec.route: spec for spec in COMMANDS}


async def won_deal(store: EventStore) -> str:
    async def do(route: Route, path: dict[str, str] | None = None, body: object = None) -> Accepted:
        req = Request(REP, "heal", datetime.now(UTC))
        done = await perform(SPECS[route], "opportunities", req, store, Settings(), path, body)
        assert isinstance(done, Accepted)
        return done

    opened = await do(
        api.OPEN,
        body=api.OpenOpportunity(
            account_id=f"acct-{uuid4().hex[:6]}",
            name="Pumps",
            amount=Decimal(42000),
            currency="CNY",
            expected_close=date(2027, 6, 30),
        ),
    )
    await do(api.WIN, {"opportunity_id": opened.id})
    return opened.id


def drafts(url: str, opportunity_id: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select count(*) from contracts.events where stream_id = %s and type = 'ContractDrafted'",
            (f"contract-{contract_id_for(opportunity_id)}",),
        ).fetchone()
    return int(row[0]) if row else 0


async def test_won_deals_the_broker_never_carried_draft_their_contract_once(
    pg_admin_url: str, broker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_REACTION_SWEEP_SECONDS", "0.2")
    url = ensure_database(pg_admin_url, f"heal_{uuid4().hex[:8]}")
    opportunities = await open_store(Settings(database_url=url), "opportunities", connections=2)
    before_start = await won_deal(opportunities)  # lost before the service ever ran
    key = uuid4().hex
    app = create_app(
        Settings(database_url=url, kafka_bootstrap=broker, internal_key=key), relay=False
    )
    try:
        async with app.router.lifespan_context(app):
            while_running = await won_deal(opportunities)  # lost while it runs
            async with asyncio.timeout(30):
                while not (drafts(url, before_start) and drafts(url, while_running)):
                    await asyncio.sleep(0.05)
            transport = httpx.ASGITransport(app=app)
            headers = internal_headers(key, REP)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://svc", headers=headers
            ) as c:
                answer = await c.get(f"/contracts/{contract_id_for(while_running)}")
                assert answer.status_code == 200, answer.text
                assert answer.json()["opportunity_id"] == while_running
    finally:
        await opportunities.close()
    assert drafts(url, before_start) == 1 and drafts(url, while_running) == 1


async def test_a_follower_skips_repeats_and_fills_gaps_in_stream_order(pg_admin_url: str) -> None:
    url = ensure_database(pg_admin_url, f"follow_{uuid4().hex[:8]}")
    pool = open_pool(url, max_size=2, name="follow")
    await pool.open()
    opportunities = await open_store(Settings(database_url=url), "opportunities", connections=2)
    try:
        deal = await won_deal(opportunities)
        stream = await opportunities.read_stream(f"opportunity-{deal}")
        assert [e.version for e in stream] == list(range(1, len(stream) + 1))
        assert len(stream) >= 2 and stream[-1].type == "OpportunityWon"
        everything = [(e.type, e.version) for e in stream]
        seen: list[tuple[str, int]] = []

        async def handle(e: Envelope) -> None:
            seen.append((e.type, e.version))

        follower = Follower(
            pool,
            "contracts",
            "opportunities",
            {t for t, _ in everything},
            handle,
            store=opportunities,
        )
        await follower.ensure_schema()
        # only the last event arrives: the ones before are read from the store, all in order
        assert await follower.process([stream[-1]]) == len(stream)
        assert seen == everything
        # repeats change nothing, and neither does a sweep over what was handled
        assert await follower.process(stream) == 0
        assert await follower.sweep() == 0
        assert seen == everything
        # a new stream only the store knows is found by the sweep, in order, once
        other = await won_deal(opportunities)
        assert await follower.sweep() == len(stream)
        assert seen[len(stream) :] == everything
        assert {e.stream_id for e in await opportunities.read_all()} >= {f"opportunity-{other}"}
        assert await follower.sweep() == 0
    finally:
        await opportunities.close()
        await pool.close()
