"""A rebuild from the stores gives exactly the read model the incremental path built, and swaps in
while writers keep appending."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4

import pytest_asyncio
from crm_events import Metadata
from crm_platform.eventstore import EventStore
from crm_platform.local import ensure_database
from crm_projections.connections import engine_for, open_stores
from crm_projections.projector import Projector
from crm_projections.read_models import funnel
from crm_projections.rebuild import rebuild
from crm_projections.registry import READ_MODELS
from crm_projections.tables import create_all
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from .history import write_history

META = Metadata("loader", "sales_rep", "SH01", "test")
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
STAGES = ("bidding", "negotiation", "won")


async def snapshot(engine: AsyncEngine, name: str) -> tuple[list[tuple[object, ...]], ...]:
    async with engine.connect() as conn:
        funnel = (
            await conn.execute(text("select * from projections.funnel_opportunities order by 1"))
        ).all()
        progress = (
            await conn.execute(
                text(
                    "select stream_id, version from projections.stream_progress"
                    " where projection = :p order by 1"
                ),
                {"p": name},
            )
        ).all()
        report = (await conn.execute(text("select * from reporting.funnel order by 1, 2"))).all()
        stays = (
            await conn.execute(text("select * from projections.opportunity_stays order by 1, 2"))
        ).all()
    return tuple([tuple(r) for r in rows] for rows in (funnel, progress, report, stays))


@pytest_asyncio.fixture(loop_scope="session")
async def setup(
    pg_admin_url: str,
) -> AsyncIterator[tuple[AsyncEngine, dict[str, EventStore]]]:
    url = ensure_database(pg_admin_url, f"rebuild_{uuid4().hex[:8]}")
    engine = engine_for(url)
    await create_all(engine)
    stores = await open_stores(url, READ_MODELS)
    try:
        yield engine, stores
    finally:
        for store in stores.values():
            await store.close()
        await engine.dispose()


async def test_rebuild_equals_the_incremental_read_model(
    setup: tuple[AsyncEngine, dict[str, EventStore]],
) -> None:
    engine, stores = setup
    model = funnel.MODEL
    store = stores["opportunities"]
    await write_history(store, 150, seed=1)
    # incremental, in uneven batches as Kafka would deliver them, with duplicates
    events, after = [], 0
    while batch := await store.read_all(after, 1000):
        events += batch
        after = batch[-1].position
    projector = Projector(engine, stores, model)
    i, rng = 0, random.Random(3)
    while i < len(events):
        step = rng.randint(1, 40)
        await projector.process("opportunities", events[max(0, i - 3) : i + step])
        i += step
    incremental = await snapshot(engine, model.name)
    assert incremental[0] and incremental[3], "the incremental path built nothing"

    seen: list[tuple[int, int]] = []
    read = await rebuild(engine, stores, model, progress=lambda n, total: seen.append((n, total)))
    assert read == len(events)
    assert seen and seen[-1] == (len(events), len(events))
    assert await snapshot(engine, model.name) == incremental


async def test_rebuild_while_writers_append_ends_complete(
    setup: tuple[AsyncEngine, dict[str, EventStore]],
) -> None:
    engine, stores = setup
    model = funnel.MODEL
    store = stores["opportunities"]
    await write_history(store, 50, seed=2)
    writer = asyncio.create_task(write_history(store, 60, seed=4))
    await rebuild(engine, stores, model)
    await writer
    await Projector(engine, stores, model).catch_up()
    after_rebuild = await snapshot(engine, model.name)
    await rebuild(engine, stores, model)  # a quiet rebuild: the reference
    assert await snapshot(engine, model.name) == after_rebuild
    async with engine.connect() as conn:
        n = (
            await conn.execute(text("select count(*) from projections.funnel_opportunities"))
        ).scalar()
    assert n == 110
