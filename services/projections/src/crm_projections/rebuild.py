"""Rebuild a read model from the event stores into new tables, then swap them in atomically.

The fast path: the whole history is folded in memory with the read model's own `evolve` (the very
function the incremental path runs, so the two cannot disagree), written with COPY into tables of a
staging schema, and swapped in one transaction: the old tables are dropped, the new ones moved into
`projections`, the read model's progress replaced, the reporting views recreated. Readers see the
old tables until the commit and the new ones after it, never a half-built state. Events committed
while the rebuild ran are applied right after the swap by the usual catch-up, which is idempotent.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from typing import Any

from crm_events import Envelope
from crm_platform.eventstore.postgres import PostgresEventStore
from crm_platform.process import paused_gc
from sqlalchemy import MetaData, Table, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_projections.projector import Projector
from crm_projections.readmodel import ReadModel, Rows
from crm_projections.tables import create_views

Progress = Callable[[int, int], None]  # (events read so far, events in the stores)
BATCH = 20_000


async def _count(stores: dict[str, PostgresEventStore], contexts: tuple[str, ...]) -> int:
    total = 0
    for context in contexts:
        store = stores[context]
        async with store.pool.connection() as conn:
            cur = await conn.execute(f'select count(*) from "{store.schema}".events')
            total += (await cur.fetchone() or (0,))[0]
    return total


async def fold(
    stores: dict[str, PostgresEventStore], model: ReadModel, progress: Progress | None = None
) -> tuple[Rows, dict[str, int], dict[str, int], int]:
    """The read model's rows after the whole history, each stream's last version, the last
    position read from each context's store, and how many events were read."""
    rows = Rows()
    versions: dict[str, int] = {}
    checkpoints: dict[str, int] = {}
    total = await _count(stores, model.contexts) if progress else 0
    seen = 0
    for context in model.contexts:
        store = stores[context]
        after = 0
        pending = asyncio.ensure_future(store.read_all(after, BATCH))
        while batch := await pending:
            after = batch[-1].position
            pending = asyncio.ensure_future(store.read_all(after, BATCH))  # read ahead
            _evolve_all(rows, model, batch, versions)
            checkpoints[context] = after
            seen += len(batch)
            if progress:
                progress(seen, total)
    return rows, versions, checkpoints, seen


def _evolve_all(
    rows: Rows, model: ReadModel, batch: list[Envelope], versions: dict[str, int]
) -> None:
    handles, evolve = model.handles, model.evolve
    for e in batch:
        versions[e.stream_id] = e.version
        if e.type in handles:
            evolve(rows, e)


async def _copy(conn: AsyncConnection, table: Table, rows: Any) -> None:
    raw = await conn.get_raw_connection()
    pg: Any = raw.driver_connection
    columns = [c.name for c in table.columns]
    names = ", ".join(f'"{c}"' for c in columns)
    async with pg.cursor().copy(
        f'copy "{table.schema}"."{table.name}" ({names}) from stdin'
    ) as copy:
        for row in rows:
            await copy.write_row([row.get(c) for c in columns])


async def rebuild(
    engine: AsyncEngine,
    stores: dict[str, PostgresEventStore],
    model: ReadModel,
    progress: Progress | None = None,
) -> int:
    """Rebuild `model`; returns the number of events read. Safe while the projections run."""
    staging = f"rebuild_{model.name}"
    lock = zlib.crc32(f"crm.rebuild.{model.name}".encode())
    with paused_gc():  # millions of small acyclic objects: the collector would only slow it down
        rows, versions, checkpoints, read = await fold(stores, model, progress)
    meta = MetaData()
    new = [t.to_metadata(meta, schema=staging) for t in model.tables]
    async with engine.begin() as conn:
        await conn.execute(text("select pg_advisory_xact_lock(:k)"), {"k": lock})
        await conn.execute(text(f'drop schema if exists "{staging}" cascade'))
        await conn.execute(text(f'create schema "{staging}"'))
        await conn.run_sync(meta.create_all)
        with paused_gc():
            for old, table in zip(model.tables, new, strict=True):
                await _copy(conn, table, rows.all(old))
        await conn.execute(
            text(f'create table "{staging}".progress (stream_id text primary key, version int)')
        )
        raw = await conn.get_raw_connection()
        pg: Any = raw.driver_connection
        async with pg.cursor().copy(
            f'copy "{staging}".progress (stream_id, version) from stdin'
        ) as copy:
            for stream_id, version in versions.items():
                await copy.write_row((stream_id, version))
        # the swap: one transaction, so readers see the old tables or the new ones, nothing between
        for old in model.tables:
            await conn.execute(text(f'drop table if exists projections."{old.name}" cascade'))
            await conn.execute(text(f'alter table "{staging}"."{old.name}" set schema projections'))
        await conn.execute(
            text("delete from projections.stream_progress where projection = :p"), {"p": model.name}
        )
        await conn.execute(
            text(
                "insert into projections.stream_progress (projection, stream_id, version)"
                f' select :p, stream_id, version from "{staging}".progress'
            ),
            {"p": model.name},
        )
        await conn.execute(
            text("delete from projections.store_checkpoints where projection = :p"),
            {"p": model.name},
        )
        for context, position in checkpoints.items():
            await conn.execute(
                text(
                    "insert into projections.store_checkpoints (projection, context, position)"
                    " values (:p, :c, :pos)"
                ),
                {"p": model.name, "c": context, "pos": position},
            )
        await conn.execute(text(f'drop schema "{staging}" cascade'))
        await create_views(conn)
        await conn.execute(
            text(
                "insert into projections.read_model_versions (name, fingerprint) values (:n, :f)"
                " on conflict (name) do update set fingerprint = excluded.fingerprint,"
                " built_at = now()"
            ),
            {"n": model.name, "f": model.fingerprint()},
        )
    # whatever was committed while we folded: the idempotent catch-up applies it
    await Projector(engine, stores, model).catch_up()
    return read


async def ensure_current(
    engine: AsyncEngine, stores: dict[str, PostgresEventStore], model: ReadModel
) -> bool:
    """Rebuild `model` if it was built with other tables or logic (or never); True if rebuilt."""
    async with engine.connect() as conn:
        built = (
            await conn.execute(
                text("select fingerprint from projections.read_model_versions where name = :n"),
                {"n": model.name},
            )
        ).scalar()
    if built == model.fingerprint():
        return False
    await rebuild(engine, stores, model)
    return True
