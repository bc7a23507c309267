"""Background workers of a command service: reactions to other contexts' events, scheduled checks.

A reaction consumes a foreign context's topic in the consumer group `crm.<context>.reactions` and
turns each event it cares about into one of its own commands; it also reads the foreign context's
event store after its checkpoint, at start and now and then, and per source stream skips repeats
and fills gaps, so a broker that loses events delays a reaction but never drops it
(crm_platform.following). Delivery is at least once, so every reaction must be idempotent (derive
the idempotency key from the event id, or let the aggregate answer a repeated reaction with no
events). The offset is committed only after the batch is handled; a transient failure (database
away) is retried with back-off and never skips an event. A command the
domain refuses is logged and counted as a dead letter, and the stream moves on: a business refusal
does not get better by retrying.

A scheduled check runs every `seconds` with the current time, the one place the clock is read;
the domain receives `now` in its command, so tests drive the same checks with a fake clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from crm_events import Envelope, envelope_from_json

from crm_platform.auth import Actor
from crm_platform.commands import Request
from crm_platform.domain import DomainError
from crm_platform.eventstore import EventStore, open_store
from crm_platform.following import Follower
from crm_platform.kafka import ensure_topic
from crm_platform.metrics import DEAD_LETTERS, REACTIONS
from crm_platform.service import Service, Worker
from crm_platform.settings import topic

log = logging.getLogger("crm.workers")

Reaction = Callable[[Service, Envelope], Awaitable[None]]
Check = Callable[[EventStore, datetime], Awaitable[object]]
MAX_BACKOFF_SECONDS = 10.0


def system_request(service: Service, cause: Envelope, at: datetime | None = None) -> Request:
    """The request of a command the system issues in reaction to `cause` (its actor and causation)."""
    branch = cause.metadata.branch
    return Request(
        actor=Actor(f"system:{service.context}", "admin", branch),
        correlation_id=cause.metadata.correlation_id,
        at=at or datetime.now(UTC),
        idempotency_key=f"reaction:{cause.event_id}",
        causation_id=str(cause.event_id),
    )


async def _handle(service: Service, reaction: Reaction, envelope: Envelope) -> None:
    try:
        await reaction(service, envelope)
        REACTIONS.labels(service.context, envelope.type, "applied").inc()
    except DomainError as exc:
        DEAD_LETTERS.labels(service.context, envelope.type).inc()
        log.warning(
            "reaction to %s %s refused: %s",
            envelope.type,
            envelope.event_id,
            exc.message,
            extra={"correlation_id": envelope.metadata.correlation_id},
        )


def reactions(source: str, handlers: Mapping[str, Reaction]) -> Worker:
    """A worker reacting to events of context `source`, by event type: from its topic as they
    come, and from its event store at start and every `CRM_REACTION_SWEEP_SECONDS` (default 10),
    so an event the broker lost is handled all the same (crm_platform.following)."""
    sweep_seconds = float(os.environ.get("CRM_REACTION_SWEEP_SECONDS", "10"))

    async def react(service: Service, stop: asyncio.Event) -> None:
        async def handle(envelope: Envelope) -> None:
            await _handle(service, handlers[envelope.type], envelope)

        bootstrap = service.settings.require_kafka()
        loop = asyncio.get_running_loop()
        backoff = 0.5
        follower: Follower | None = None
        try:
            while not stop.is_set():
                consumer = AIOKafkaConsumer(
                    topic(source),
                    bootstrap_servers=bootstrap,
                    group_id=f"crm.{service.context}.reactions",
                    enable_auto_commit=False,
                    auto_offset_reset="earliest",
                )
                try:
                    if follower is None:  # the source's store, read only: its service writes it
                        store = await open_store(service.settings, source, connections=2)
                        follower = Follower(
                            service.db, service.context, source, set(handlers), handle, store=store
                        )
                    await follower.ensure_schema()
                    await follower.sweep()
                    swept = loop.time()
                    await ensure_topic(
                        bootstrap,
                        topic(source),
                        service.settings.kafka_partitions,
                        service.settings.kafka_replication,
                    )
                    await consumer.start()
                    while not stop.is_set():
                        batches = await consumer.getmany(timeout_ms=500, max_records=500)
                        events = [
                            envelope_from_json(message.value or b"{}")
                            for messages in batches.values()
                            for message in messages
                        ]
                        if events:
                            await follower.process(events)
                            await consumer.commit()
                        if loop.time() - swept >= sweep_seconds:
                            await follower.sweep()
                            swept = loop.time()
                        backoff = 0.5
                except Exception:
                    log.exception("reactions to %s failed; retrying in %.1fs", source, backoff)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                finally:
                    with contextlib.suppress(Exception):
                        await consumer.stop()
        finally:
            if follower is not None:
                await follower.store.close()

    react.__name__ = f"reactions_to_{source}"
    return react


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def every(seconds: float, check: Check, clock: Clock = utc_now) -> Worker:
    """A worker running `check(store, clock())` on the service's store every `seconds` (first run
    right away).

    `clock` is read exactly once per run, as the run starts: a test's fake clock counts the runs.
    """

    async def scheduled(service: Service, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await check(service.store, clock())
            except Exception:
                log.exception("scheduled check %s failed", check.__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)

    scheduled.__name__ = f"every_{seconds:g}s_{check.__name__}"
    return scheduled


def every_configured(variable: str, check: Check, clock: Clock = utc_now) -> Worker:
    """`every` with its interval in seconds read from the environment `variable` (default 60)."""
    return every(float(os.environ.get(variable, "60")), check, clock)
