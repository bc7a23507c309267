"""Applying events to a read model so that a broker that loses or repeats messages cannot corrupt it.

For every batch, in one transaction: lock the read model's progress rows of the batch's streams, skip
each event whose stream version is already applied (a duplicate), fill a missing version by reading
the stream from its event store (a gap), apply what is new (upcast to the current schema versions),
and record the new versions. Kafka offsets are committed only after that transaction, so a crash
re-delivers and the skip absorbs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from crm_events import Envelope
from crm_events.registry import Registry, registry
from crm_platform.eventstore import EventStore
from crm_platform.metrics import PROJECTED, PROJECTION_STALENESS
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_projections.progress import store_checkpoints
from crm_projections.readmodel import ReadModel, apply, upcast

# Plain SQL with array parameters: the same statement text for every batch, so it is prepared once
# (SQLAlchemy's multi-row VALUES would compile anew for every batch size).
_ENSURE_PROGRESS = text(
    "insert into projections.stream_progress (projection, stream_id, version)"
    " select :p, unnest(cast(:streams as text[])), 0 on conflict do nothing"
)
_LOCK_PROGRESS = text(
    "select stream_id, version from projections.stream_progress"
    " where projection = :p and stream_id = any(cast(:streams as text[]))"
    " order by stream_id for update"
)
_SAVE_PROGRESS = text(
    "update projections.stream_progress p set version = m.version, applied_at = now()"
    " from unnest(cast(:streams as text[]), cast(:versions as int[])) as m(stream_id, version)"
    " where p.projection = :p and p.stream_id = m.stream_id"
)


class Projector:
    def __init__(
        self,
        engine: AsyncEngine,
        stores: dict[str, EventStore],
        model: ReadModel,
        events: Registry = registry,
    ) -> None:
        self.engine, self.stores, self.model, self.events = engine, stores, model, events

    async def process(
        self, context: str, events: Sequence[Envelope], *, checkpoint: int | None = None
    ) -> None:
        if not events:
            return
        name = self.model.name
        streams = sorted({e.stream_id for e in events})
        async with self.engine.begin() as conn:
            await conn.execute(_ENSURE_PROGRESS, {"p": name, "streams": streams})
            rows = await conn.execute(_LOCK_PROGRESS, {"p": name, "streams": streams})
            applied: dict[str, int] = {r.stream_id: r.version for r in rows}
            before = dict(applied)
            fresh: list[Envelope] = []
            duplicates = gaps = 0
            for e in events:
                done = applied[e.stream_id]
                if e.version <= done:
                    duplicates += 1
                    continue
                if e.version > done + 1:
                    gaps += 1
                    missing = await self.stores[context].read_stream(
                        e.stream_id, up_to_version=e.version
                    )
                    fresh.extend(m for m in missing if m.version > done)
                else:
                    fresh.append(e)
                applied[e.stream_id] = e.version
            handled = [upcast(e, self.events) for e in fresh if e.type in self.model.handles]
            if handled:
                await apply(conn, self.model, handled)
            moved = [(s, v) for s, v in applied.items() if v != before[s]]
            if moved:
                await conn.execute(
                    _SAVE_PROGRESS,
                    {
                        "p": name,
                        "streams": [m[0] for m in moved],
                        "versions": [m[1] for m in moved],
                    },
                )
            if checkpoint is not None:
                stmt = insert(store_checkpoints).values(
                    projection=name, context=context, position=checkpoint
                )
                await conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=[
                            store_checkpoints.c.projection,
                            store_checkpoints.c.context,
                        ],
                        set_={"position": stmt.excluded.position},
                    )
                )
        PROJECTED.labels(name, "applied").inc(len(fresh))
        PROJECTED.labels(name, "duplicate").inc(duplicates)
        PROJECTED.labels(name, "gap").inc(gaps)
        if fresh:
            PROJECTION_STALENESS.labels(name).set((_now() - fresh[-1].recorded_at).total_seconds())

    async def catch_up(self, batch: int = 5000) -> int:
        """Apply whatever the event stores hold that this read model has not seen; returns count.

        Run at start-up: the local broker keeps nothing across restarts, and a read model must
        still end up complete, so the stores, not the broker, are the source of truth.
        """
        total = 0
        for context in self.model.contexts:
            store = self.stores[context]
            async with self.engine.connect() as conn:
                position = (
                    await conn.execute(
                        select(store_checkpoints.c.position).where(
                            store_checkpoints.c.projection == self.model.name,
                            store_checkpoints.c.context == context,
                        )
                    )
                ).scalar() or 0
            while events := await store.read_all(after=position, limit=batch):
                position = events[-1].position
                await self.process(context, events, checkpoint=position)
                total += len(events)
        return total


def _now() -> datetime:
    return datetime.now(UTC)
