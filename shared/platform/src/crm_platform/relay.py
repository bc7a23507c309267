"""The relay: a context's event store -> its Kafka topic, in commit order, at least once.

One relay runs per context: every replica of a service starts one, and a PostgreSQL advisory lock
lets exactly one of them publish. It reads batches with the store's `read_all` after its
checkpoint, publishes each event with key = stream id (so a stream stays in order on one
partition), waits for the broker to acknowledge the whole batch, then moves the checkpoint. A crash
between publish and checkpoint re-publishes the batch: consumers skip what they have already
applied. When Kafka is away it backs off and retries.

The events come from any `EventStore`; the lock and the checkpoint are the service's bookkeeping,
in its PostgreSQL database (`db`, table `<context>.relay_checkpoints`). The lag is measured in
positions: events on PostgreSQL, where positions are dense; log bytes on EventStoreDB.
"""

from __future__ import annotations

import asyncio
import logging
import zlib

from aiokafka import AIOKafkaProducer
from crm_events import envelope_to_json
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from crm_platform.eventstore import EventStore
from crm_platform.eventstore.postgres import ensure_tables
from crm_platform.kafka import ensure_topic, producer
from crm_platform.metrics import RELAY_ERRORS, RELAY_LAG, RELAY_POSITION, RELAY_PUBLISHED
from crm_platform.settings import topic

log = logging.getLogger("crm.relay")

IDLE_SECONDS = 0.02
MAX_BACKOFF_SECONDS = 10.0

DDL = """create schema if not exists {s};
create table if not exists {s}.relay_checkpoints (
    name      text primary key,
    position  bigint not null
)"""


class Relay:
    def __init__(
        self,
        store: EventStore,
        context: str,
        bootstrap: str,
        *,
        db: AsyncConnectionPool,
        partitions: int = 6,
        replication: int = 1,
        batch: int = 2000,
    ) -> None:
        self.store, self.db, self.context, self.bootstrap = store, db, context, bootstrap
        self.topic, self.partitions, self.batch = topic(context), partitions, batch
        self.replication = replication
        s = sql.Identifier(context)
        self._ddl = sql.SQL(DDL).format(s=s)
        self._ready = False
        self._load = sql.SQL(
            "select position from {s}.relay_checkpoints where name = 'kafka'"
        ).format(s=s)
        self._save = sql.SQL(
            "insert into {s}.relay_checkpoints (name, position) values ('kafka', %s)"
            " on conflict (name) do update set position = excluded.position"
        ).format(s=s)
        self._lock_key = zlib.crc32(f"crm.relay.{context}".encode())

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; only the replica holding the lock publishes."""
        await self._ensure_tables()
        async with self.db.connection() as lock_conn:
            while not stop.is_set():
                row = await (
                    await lock_conn.execute("select pg_try_advisory_lock(%s)", (self._lock_key,))
                ).fetchone()
                if row and row[0]:
                    break
                await _sleep(stop, 1.0)
            if stop.is_set():
                return
            try:
                await self._publish_until(stop)
            finally:
                await lock_conn.execute("select pg_advisory_unlock(%s)", (self._lock_key,))

    async def _publish_until(self, stop: asyncio.Event) -> None:
        backoff = 0.1
        while not stop.is_set():
            kafka: AIOKafkaProducer | None = None
            try:
                await ensure_topic(self.bootstrap, self.topic, self.partitions, self.replication)
                kafka = producer(self.bootstrap)
                await kafka.start()
                log.info("relay publishing", extra={"context": self.context})
                await self._pump(kafka, stop)
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                RELAY_ERRORS.labels(self.context).inc()
                log.warning(
                    "relay paused: %s; retrying in %.1fs",
                    exc,
                    backoff,
                    extra={"context": self.context},
                )
                await _sleep(stop, backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            finally:
                if kafka is not None:
                    await kafka.stop()

    async def _pump(self, kafka: AIOKafkaProducer, stop: asyncio.Event) -> None:
        position = await self.checkpoint()
        while not stop.is_set():
            events = await self.store.read_all(after=position, limit=self.batch)
            if not events:
                RELAY_LAG.labels(self.context).set(0)
                await _sleep(stop, IDLE_SECONDS)
                continue
            pending = [
                await kafka.send(
                    self.topic,
                    envelope_to_json(e),
                    key=e.stream_id.encode(),
                    headers=[("type", e.type.encode()), ("content-type", b"application/json")],
                )
                for e in events
            ]
            await asyncio.gather(*pending)
            position = events[-1].position
            async with self.db.connection() as conn:
                await conn.execute(self._save, (position,))
            if len(events) == self.batch:  # a backlog: how far behind
                RELAY_LAG.labels(self.context).set(max(await self.store.horizon() - position, 0))
            RELAY_PUBLISHED.labels(self.context).inc(len(events))
            RELAY_POSITION.labels(self.context).set(position)

    async def _ensure_tables(self) -> None:
        if not self._ready:
            await ensure_tables(self.db, self._ddl)
            self._ready = True

    async def checkpoint(self) -> int:
        await self._ensure_tables()
        async with self.db.connection() as conn:
            row = await (await conn.execute(self._load)).fetchone()
        return int(row[0]) if row else 0


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
