"""Every read model and the analysis over the demo history (every context, every outcome):
- each read model rebuilt from the stores (by two worker processes, each folding half of the
  streams) equals the one built incrementally, in uneven batches with re-deliveries as Kafka
  would hand them over;
- the ABC grades keep their ratios; the rollups add up: branches to regions to the company."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
import pytest_asyncio
from crm_cli import demo
from crm_platform.eventstore import EventStore
from crm_platform.local import ensure_database
from crm_projections import rollups
from crm_projections.app import READ_MODELS, engine_for, open_stores
from crm_projections.projector import Projector
from crm_projections.read_models.customer_value import value
from crm_projections.readmodel import ReadModel
from crm_projections.rebuild import rebuild
from crm_projections.tables import create_all
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

Setup = tuple[AsyncEngine, dict[str, EventStore]]


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def demo_db(pg_admin_url: str) -> AsyncIterator[Setup]:
    url = ensure_database(pg_admin_url, f"demo_analysis_{uuid4().hex[:8]}")
    await demo.load(url)
    engine = engine_for(url)
    await create_all(engine)
    stores = await open_stores(url, READ_MODELS)
    try:
        yield engine, stores
    finally:
        for store in stores.values():
            await store.close()
        await engine.dispose()


async def snapshot(engine: AsyncEngine, model: ReadModel) -> dict[str, list[tuple[Any, ...]]]:
    async with engine.connect() as conn:
        return {
            t.name: [
                tuple(r) for r in await conn.execute(select(t).order_by(*t.primary_key.columns))
            ]
            for t in model.tables
        }


@pytest.mark.parametrize("model", READ_MODELS, ids=[m.name for m in READ_MODELS])
async def test_rebuild_equals_incremental_on_the_demo(demo_db: Setup, model: ReadModel) -> None:
    engine, stores = demo_db
    projector = Projector(engine, stores, model)
    rng = random.Random(model.name)
    for context in model.contexts:
        events, after = [], 0
        while batch := await stores[context].read_all(after, 5000):
            events += batch
            after = batch[-1].position
        i = 0
        while i < len(events):
            step = rng.randint(1, 400)
            await projector.process(context, events[max(0, i - 5) : i + step])
            i += step
    incremental = await snapshot(engine, model)
    assert any(incremental.values()), f"{model.name}: the demo built nothing"
    await rebuild(engine, stores, model, workers=2)  # the path of a large history
    assert await snapshot(engine, model) == incremental


async def test_grades_keep_their_ratios_and_rollups_add_up(demo_db: Setup) -> None:
    engine, stores = demo_db
    for model in READ_MODELS:
        await Projector(engine, stores, model).catch_up()
    frame = await value.compute(engine, demo.DEMO_NOW)
    n = frame.height
    assert n >= len(demo.COMPANIES) * len(demo.BRANCHES)  # and the converted leads
    grades = dict(frame.group_by("grade").len().rows())
    assert grades["A"] == n * 20 // 100
    assert grades["A"] + grades["B"] == n * 50 // 100
    buyers = frame.filter(frame["revenue"] > 0)
    assert buyers.height > 0
    assert (buyers["margin"] < buyers["revenue"]).all()  # the demo's goods cost something

    now = datetime.now(UTC)
    year = rollups.window("year", demo.DEMO_NOW.date())
    async with engine.connect() as conn:

        async def by(group_by: str) -> dict[str, dict[str, Any]]:
            return await rollups.measure(
                conn, year, branch=None, group_by=group_by, tree="as_then", now=now
            )

        branches, regions, company = await by("branch"), await by("region"), await by("company")
    flows = ("won_revenue", "contracts_amount", "tickets_opened", "quota", "receivables")
    assert company["company"]["won_revenue"] > 0 and company["company"]["quota"] > 0
    for measure in flows:
        total = company["company"][measure]
        assert sum(b[measure] for b in branches.values()) == pytest.approx(total)
        for region, members in demo.REGIONS.items():
            in_region = sum(branches[b][measure] for b in members if b in branches)
            assert regions[region][measure] == pytest.approx(in_region), (region, measure)
