"""Relay + projection against the real broker: a broker that repeats and loses messages, and a
projection killed (SIGKILL) mid-stream, still end with the same funnel as a rebuild from the store."""

from __future__ import annotations

import asyncio
import time
from uuid import uuid4

import psycopg
import pytest
from aiokafka import AIOKafkaProducer
from crm_cli.system import System
from crm_events import Metadata, envelope_to_json
from crm_events.opportunities import CONTEXT
from crm_platform.eventstore import open_store
from crm_platform.eventstore.postgres import open_pool
from crm_platform.local import ensure_database
from crm_platform.relay import Relay
from crm_platform.settings import Settings, topic
from crm_projections.connections import engine_for
from crm_projections.projector import Projector
from crm_projections.read_models import funnel
from crm_projections.tables import create_all

from .history import write_history

META = Metadata("loader", "sales_rep", "SH01", "test")
FUNNEL = (
    "select opportunity_id, branch, stage, amount from projections.funnel_opportunities order by 1"
)


def rows(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(FUNNEL).fetchall()


def progress_total(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select coalesce(sum(version), 0) from projections.stream_progress"
            " where projection = 'funnel'"
        ).fetchone()
    return int(row[0]) if row else 0


async def wait_for(url: str, total: int, *, exact: bool = True, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while progress_total(url) < total and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert progress_total(url) == total if exact else progress_total(url) >= total


async def test_kill_redeliver_and_lose_still_converge_to_the_rebuild(
    pg_admin_url: str, broker: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    url = ensure_database(pg_admin_url, f"crm_relay_{uuid4().hex[:8]}")
    store = await open_store(Settings(database_url=url), CONTEXT)
    pool = open_pool(url, max_size=2)  # the relay's own bookkeeping
    await pool.open()
    engine = engine_for(url)
    await create_all(engine)  # so progress can be polled before the projection first starts
    await engine.dispose()
    await write_history(store, 150)
    total_versions = sum(1 for _ in await store.read_all(0, limit=100_000))

    system = System(url, broker, "secret", log_dir=tmp_path_factory.mktemp("relay-logs"))
    system.env()
    system.start_service("projections")
    stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store, CONTEXT, broker, db=pool).run(stop))
    try:
        # kill -9 the projection while it works, then start it again
        await asyncio.sleep(1.5)
        system.kill_service("projections")
        await write_history(store, 100)
        system.start_service("projections")

        # the broker repeats what it already delivered, and loses some: publish a duplicate of
        # every event, then new events whose predecessors never reach Kafka (gaps)
        everything = await store.read_all(0, limit=100_000)
        producer = AIOKafkaProducer(bootstrap_servers=broker)
        await producer.start()
        try:
            for e in everything[: len(everything) // 2]:
                await producer.send(topic(CONTEXT), envelope_to_json(e), key=e.stream_id.encode())
            stop.set()
            await relay  # from here on, the relay is away: new events reach Kafka only partly
            await write_history(store, 50)
            late = await store.read_all(everything[-1].position, limit=100_000)
            for e in late[1::2]:  # every other event: its predecessor is missing
                await producer.send(topic(CONTEXT), envelope_to_json(e), key=e.stream_id.encode())
            await producer.flush()
        finally:
            await producer.stop()

        # what must reach the projection: everything written before its restart (it catches up
        # from the store at start-up) and the late events that were sent; its catch-up may also
        # have raced ahead into the late events, hence "at least"
        reached: dict[str, int] = {}
        for e in [*everything, *late[1::2]]:
            reached[e.stream_id] = max(reached.get(e.stream_id, 0), e.version)
        await wait_for(url, sum(reached.values()), exact=False)

        # a restart heals what the broker lost, from the store
        system.stop_service("projections")
        system.start_service("projections")
        all_events = await store.read_all(0, limit=100_000)
        await wait_for(url, sum({e.stream_id: e.version for e in all_events}.values()))
    finally:
        stop.set()
        await relay
        system.stop()

    # the rebuild: the same read model built straight from the store into a fresh database
    rebuilt_url = ensure_database(pg_admin_url, f"crm_rebuild_{uuid4().hex[:8]}")
    engine = engine_for(rebuilt_url)
    await create_all(engine)
    projector = Projector(engine, {CONTEXT: store}, funnel.MODEL)
    assert await projector.catch_up() == len(all_events)
    await engine.dispose()
    await store.close()
    await pool.close()

    incremental = rows(url)
    assert len(incremental) == 300
    assert incremental == rows(rebuilt_url)
    assert total_versions > 150
