"""The projections service: one Kafka consumer group per read model, plus /health and /metrics.

At start-up each read model first catches up from the event stores (the source of truth), then
follows the context topics. Each batch from Kafka is applied in one transaction before its offsets
are committed (faststream's NACK_ON_ERROR: a failed batch is delivered again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from crm_events import envelope_from_json
from crm_platform.eventstore.postgres import PostgresEventStore, open_pool
from crm_platform.http import install_correlation, install_metrics, install_problem_handlers
from crm_platform.kafka import ensure_topic
from crm_platform.settings import Settings, topic
from fastapi import FastAPI
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from crm_projections import funnel, leads, reports, service
from crm_projections.projector import Projector
from crm_projections.readmodel import ReadModel
from crm_projections.rebuild import ensure_current
from crm_projections.tables import create_all

log = logging.getLogger("crm.projections")

READ_MODELS: tuple[ReadModel, ...] = (funnel.MODEL, leads.MODEL, service.MODEL)


def engine_for(url: str) -> AsyncEngine:
    return create_async_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=5, max_overflow=5
    )


async def open_stores(url: str, models: tuple[ReadModel, ...]) -> dict[str, PostgresEventStore]:
    """The event stores of every context the read models follow (read for catch-up and gaps)."""
    stores: dict[str, PostgresEventStore] = {}
    for context in sorted({c for m in models for c in m.contexts}):
        pool = open_pool(url, max_size=4, name=f"projections-{context}")
        await pool.open()
        stores[context] = PostgresEventStore(pool, context)
        await stores[context].ensure_schema()
    return stores


async def _raw(message: KafkaMessage) -> Any:
    return message.body  # bytes, or a list of bytes for a batch: parsed by envelope_from_json


def subscribe(broker: KafkaBroker, projector: Projector, context: str) -> None:
    @broker.subscriber(
        topic(context),
        group_id=f"crm.projections.{projector.model.name}",
        batch=True,
        # large batches: each one is one transaction, so throughput grows with batch size; a
        # fetch waits at most 50 ms for 256 KiB to gather, so a quiet topic still answers fast
        max_records=5000,
        batch_timeout_ms=50,
        fetch_min_bytes=256 * 1024,
        fetch_max_wait_ms=50,
        max_partition_fetch_bytes=4 * 1024 * 1024,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=_raw,
    )
    async def handle(bodies: list[bytes]) -> None:
        await projector.process(context, [envelope_from_json(b) for b in bodies])


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.require_database()
        engine = engine_for(url)
        app.state.engine = engine
        await create_all(engine)
        stores = await open_stores(url, READ_MODELS)
        projectors = [Projector(engine, stores, m) for m in READ_MODELS]
        for p in projectors:
            if await ensure_current(engine, stores, p.model):
                log.info("read model %s was rebuilt: its shape changed", p.model.name)
            caught = await p.catch_up()
            log.info("read model %s caught up from the stores: %d events", p.model.name, caught)
        # faststream logs each batch at INFO: keep that at DEBUG, it costs throughput
        broker = KafkaBroker(settings.require_kafka(), logger=log, log_level=logging.DEBUG)
        for p in projectors:
            for context in p.model.contexts:
                subscribe(broker, p, context)
        await _start_when_kafka_is_up(
            broker, settings, sorted({c for m in READ_MODELS for c in m.contexts})
        )
        app.state.ready = True
        try:
            yield
        finally:
            await broker.stop()
            for store in stores.values():
                await store.close()
            await engine.dispose()

    app = FastAPI(title="CRM projections service (internal)", lifespan=lifespan)
    app.state.ready = False
    app.state.settings = settings
    app.state.followers = {
        context: [m.name for m in READ_MODELS if context in m.contexts]
        for context in {c for m in READ_MODELS for c in m.contexts}
    }
    install_problem_handlers(app)
    install_correlation(app)
    install_metrics(app)
    app.include_router(reports.router)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _start_when_kafka_is_up(
    broker: KafkaBroker, settings: Settings, contexts: list[str]
) -> None:
    """Create the followed topics if no relay has yet (a context may start later), then consume."""
    for attempt in range(600):
        try:
            for context in contexts:
                await ensure_topic(
                    settings.require_kafka(),
                    topic(context),
                    settings.kafka_partitions,
                    settings.kafka_replication,
                )
            await broker.start()
            return
        except Exception as exc:  # broker not up yet
            if attempt % 20 == 0:
                log.warning("waiting for Kafka: %s", exc)
            await asyncio.sleep(0.5)
    raise RuntimeError("Kafka did not come up")
