"""A realistic opportunity history, written through the real command handler."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from crm_events import Metadata
from crm_opportunities.domain.opportunity import (
    ChangeStage,
    OpenOpportunity,
    opportunity,
    stream_id,
)
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle

META = Metadata("loader", "sales_rep", "SH01", "test")
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
STAGES = ("bidding", "negotiation", "won")


async def write_history(store: EventStore, n: int, seed: int = 7) -> None:
    """`n` opportunities in four branches, each moved along the pipeline 0 to 3 stages."""
    rng = random.Random(seed)
    for i in range(n):
        oid = str(uuid4())
        at = T0 + timedelta(hours=i)
        command = OpenOpportunity(
            oid,
            "a",
            f"deal {i}",
            Decimal(rng.randint(1, 900) * 100),
            "CNY",
            date(2027, 1, 1),
            f"B{i % 4}",
            "u",
            at,
        )
        await handle(store, opportunity, stream_id(oid), command, metadata=META, occurred_at=at)
        for stage in STAGES[: rng.randint(0, 3)]:
            at += timedelta(days=rng.randint(1, 20))
            await handle(
                store,
                opportunity,
                stream_id(oid),
                ChangeStage(stage, at),
                metadata=META,
                occurred_at=at,
            )
