"""Following another context's events so that a broker that loses or repeats them changes nothing.

A reaction (a won deal drafts a contract, a grade reaches the desk) reads the source context's
topic for speed, but the source's event store is the truth. Per source stream the follower keeps the
version it has handled last: a repeated event is skipped, and an event whose predecessors never
arrived first has them read from the source store and handled in order. Per source context it keeps
a position in the source store up to which everything has been seen: a sweep reads the store after
it, so even the last events of a stream that the broker lost (or a topic emptied by a restart) are
handled. The source store is any `EventStore` (opened with `open_store` for the source context);
progress is bookkeeping, in the reacting context's own schema of its PostgreSQL database.

Reactions must still be idempotent (their commands carry the event id as idempotency key, or the
aggregate answers a repeat with no events): progress is saved after the reaction's own append, so a
crash in between hands the event over once more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence

from crm_events import Envelope
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from crm_platform.eventstore import EventStore
from crm_platform.eventstore.postgres import ensure_tables

DDL = """
create schema if not exists {s};
create table if not exists {s}.reaction_progress (
    source text not null,
    stream_id text not null,
    version integer not null,
    primary key (source, stream_id)
);
create table if not exists {s}.reaction_checkpoints (
    source text primary key,
    position bigint not null
);
"""
_PROGRESS = (
    "select stream_id, version from {s}.reaction_progress where source = %s and stream_id = any(%s)"
)
_SAVE = """insert into {s}.reaction_progress (source, stream_id, version)
    select %s, unnest(%s::text[]), unnest(%s::int[])
    on conflict (source, stream_id) do update
    set version = greatest(excluded.version, reaction_progress.version)"""
_CHECKPOINT = "select position from {s}.reaction_checkpoints where source = %s"
_SAVE_CHECKPOINT = """insert into {s}.reaction_checkpoints (source, position) values (%s, %s)
    on conflict (source) do update set position = greatest(excluded.position, reaction_checkpoints.position)"""

Handle = Callable[[Envelope], Awaitable[None]]


class Follower:
    """The events of context `source`, each handled once and in stream order by `handle`.

    `pool`: the reacting service's database (its progress); `store`: the source context's event
    store, read only."""

    def __init__(
        self,
        pool: AsyncConnectionPool,
        schema: str,
        source: str,
        handles: Collection[str],
        handle: Handle,
        *,
        store: EventStore,
    ) -> None:
        self.pool, self.source, self.handles, self.handle = pool, source, handles, handle
        self.store: EventStore = store
        self._s = sql.Identifier(schema)

    def _sql(self, text: str) -> sql.Composed:
        return sql.SQL(text).format(s=self._s)

    async def ensure_schema(self) -> None:
        await ensure_tables(self.pool, self._sql(DDL))

    async def process(self, events: Sequence[Envelope]) -> int:
        """Handle what is new in `events` (filling gaps from the source store); returns how many
        events of a handled type were handed to the reaction."""
        if not events:
            return 0
        streams = sorted({e.stream_id for e in events})
        async with self.pool.connection() as conn:
            rows = await (
                await conn.execute(self._sql(_PROGRESS), (self.source, streams))
            ).fetchall()
        done: dict[str, int] = {s: 0 for s in streams} | {s: v for s, v in rows}
        before = dict(done)
        handled = 0
        for event in events:
            last = done[event.stream_id]
            if event.version <= last:
                continue  # a repeat
            todo = [event]
            if event.version > last + 1:  # a gap: the broker lost what came before
                missing = await self.store.read_stream(event.stream_id, up_to_version=event.version)
                todo = [m for m in missing if m.version > last]
            for e in todo:
                if e.type in self.handles:
                    await self.handle(e)
                    handled += 1
            done[event.stream_id] = event.version
        moved = [(s, v) for s, v in done.items() if v != before[s]]
        if moved:
            async with self.pool.connection() as conn:
                await conn.execute(
                    self._sql(_SAVE),
                    (self.source, [m[0] for m in moved], [m[1] for m in moved]),
                )
        return handled

    async def sweep(self, batch: int = 500) -> int:
        """Handle whatever the source store holds beyond the checkpoint; returns as `process`."""
        async with self.pool.connection() as conn:
            row = await (await conn.execute(self._sql(_CHECKPOINT), (self.source,))).fetchone()
        position = int(row[0]) if row else 0
        handled = 0
        while events := await self.store.read_all(after=position, limit=batch):
            handled += await self.process(events)
            position = events[-1].position
            async with self.pool.connection() as conn:
                await conn.execute(self._sql(_SAVE_CHECKPOINT), (self.source, position))
        return handled
