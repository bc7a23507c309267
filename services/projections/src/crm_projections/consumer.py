"""Following the context topics: one Kafka consumer group per read model (`crm.projections.<name>`).

Each poll takes up to 5,000 records, applies them per context in one transaction (the projector
skips duplicates and heals gaps), and only then commits the offsets. A failure commits nothing:
the consumer is rebuilt after a back-off and the uncommitted records are delivered again, which
the projector absorbs. This is plain aiokafka: under faststream's batch subscriber the same loop
with the same projector consumed far fewer events per second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from aiokafka import AIOKafkaConsumer
from crm_events import Envelope, envelope_from_json
from crm_platform.kafka import ensure_topic
from crm_platform.settings import Settings, topic

from crm_projections.projector import Projector

log = logging.getLogger("crm.projections")
MAX_BACKOFF_SECONDS = 10.0


async def follow(
    projector: Projector,
    settings: Settings,
    stop: asyncio.Event,
    joined: asyncio.Event | None = None,
) -> None:
    """Apply the read model's topics until `stop` is set; `joined` is set once the consumer has
    its partitions (the service reports ready only then, so a write right after start is seen)."""
    bootstrap = settings.require_kafka()
    contexts = {topic(c): c for c in projector.model.contexts}
    backoff = 0.5
    while not stop.is_set():
        consumer = AIOKafkaConsumer(
            *contexts,
            bootstrap_servers=bootstrap,
            group_id=f"crm.projections.{projector.model.name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        try:
            for name in contexts:
                await ensure_topic(
                    bootstrap, name, settings.kafka_partitions, settings.kafka_replication
                )
            await consumer.start()
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=5000)
                by_context: dict[str, list[Envelope]] = defaultdict(list)
                for tp, messages in batch.items():
                    by_context[contexts[tp.topic]].extend(
                        envelope_from_json(m.value or b"{}") for m in messages
                    )
                for context, events in by_context.items():
                    await projector.process(context, events)
                if batch:
                    await consumer.commit()
                if joined is not None and consumer.assignment():
                    joined.set()
                backoff = 0.5
        except Exception:
            log.exception(
                "read model %s: consuming failed; retrying in %.1fs", projector.model.name, backoff
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()
