"""Rebuild a read model from the event stores into new tables, then swap them in atomically.

The fast path: the whole history is folded in memory with the read model's own `evolve` (the very
function the incremental path runs, so the two cannot disagree), written with COPY into tables of a
staging schema, and swapped in one transaction: the old tables are dropped, the new ones moved into
`projections`, the read model's progress replaced, the reporting views recreated. Readers see the
old tables until the commit and the new ones after it, never a half-built state. Events committed
while the rebuild ran are applied right after the swap by the usual catch-up, which is idempotent.

Only the event types the model handles are read (the database skips the others), up to the event
every reader could see when the rebuild began. A large history is folded by several worker
processes (CRM_REBUILD_WORKERS, default: one per core), each taking the streams of one part by a
hash of the stream id and copying its rows into the staging tables: a read model's rows belong to
one stream each (every model here keys its rows by the id of the stream its events come from),
so the parts never touch the same row. Folding is CPU-bound, so the workers scale with the cores.
Every event is upcast to the current schema version of its type before evolve, as in the
incremental path.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import operator
import os
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from crm_events.registry import Registry, registry
from crm_platform.eventstore import EventStore, open_store
from crm_platform.process import paused_gc
from crm_platform.settings import Settings
from sqlalchemy import MetaData, Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from crm_projections.projector import Projector
from crm_projections.readmodel import ReadModel, Rows, upcast
from crm_projections.registry import READ_MODELS
from crm_projections.tables import create_views

Progress = Callable[[int, int], None]  # (events read so far, events to read)
BATCH = 20_000
PARALLEL_FROM = 200_000  # events to fold: below this, starting workers costs more than it saves


def _workers() -> int:
    return max(1, int(os.environ.get("CRM_REBUILD_WORKERS", str(os.cpu_count() or 1))))


async def _count(stores: dict[str, EventStore], model: ReadModel) -> int:
    return sum([await stores[context].count(model.handles) for context in model.contexts])


async def fold(
    stores: dict[str, EventStore],
    model: ReadModel,
    upto: dict[str, int],
    part: tuple[int, int] = (0, 1),
    read: Callable[[int], None] | None = None,
    events: Registry = registry,
) -> tuple[Rows, int]:
    """The read model's rows after the history up to `upto` (context -> position) of the streams
    of `part`, and how many events were folded; `read(n)` is told of every batch."""
    rows = Rows()
    seen = 0
    # an event at its type's current version needs no upcast: checked inline, the hot loop saves
    # a call per event (upcast itself only compares the same two versions)
    current = {name: events.version(name) for name in model.handles}
    for context in model.contexts:
        if not upto.get(context):
            continue
        batches = stores[context].history(model.handles, upto=upto[context], part=part)
        pending = asyncio.ensure_future(anext(batches, []))
        while batch := await pending:
            pending = asyncio.ensure_future(anext(batches, []))  # read ahead while folding
            evolve = model.evolve
            for e in batch:
                evolve(rows, e if e.schema_version == current[e.type] else upcast(e, events))
            seen += len(batch)
            if read:
                read(len(batch))
    return rows, seen


async def _copy(conn: AsyncConnection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    raw = await conn.get_raw_connection()
    pg: Any = raw.driver_connection
    columns = [c.name for c in table.columns]
    names = ", ".join(f'"{c}"' for c in columns)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    types = [c.type.compile(dialect=dialect).split("(")[0].lower() for c in table.columns]
    async with pg.cursor().copy(
        f'copy "{table.schema}"."{table.name}" ({names}) from stdin (format binary)'
    ) as copy:
        copy.set_types(types)
        values = operator.itemgetter(*columns)  # evolve writes whole rows: every column is there
        for row in rows:
            await copy.write_row(values(row) if len(columns) > 1 else (values(row),))


async def _fold_into(
    engine: AsyncEngine,
    stores: dict[str, EventStore],
    model: ReadModel,
    staging: str,
    upto: dict[str, int],
    part: tuple[int, int],
    read: Callable[[int], None] | None,
) -> int:
    """Fold one part of the history and COPY its rows into the staging tables (committed)."""
    with paused_gc():  # millions of small acyclic objects: the collector would only slow it down
        rows, seen = await fold(stores, model, upto, part, read)
        meta = MetaData()
        async with engine.begin() as conn:
            for table in model.tables:
                await _copy(conn, table.to_metadata(meta, schema=staging), rows.all(table))
    return seen


# --- a worker process ---------------------------------------------------------------------------
_counter: Synchronized[int] | None = None


def _start_worker(counter: Synchronized[int]) -> None:
    """A forked worker starts with the modules already imported (a spawned interpreter would
    import them all again for every rebuild). It owns nothing of its parent's: it opens its
    own pools on a loop of its own (the parent's running-loop mark is cleared first), and it ends
    through os._exit, so no finaliser ever touches a connection it inherited."""
    global _counter
    _counter = counter
    asyncio.events._set_running_loop(None)


def _count_read(n: int) -> None:
    if _counter is not None:
        with _counter.get_lock():
            _counter.value += n


def _worker(url: str, name: str, staging: str, upto: dict[str, int], part: tuple[int, int]) -> int:
    model = next(m for m in READ_MODELS if m.name == name)

    async def run() -> int:
        engine = create_async_engine(url, pool_size=1)
        stores: dict[str, EventStore] = {}
        settings = Settings(database_url=url.replace("postgresql+psycopg://", "postgresql://", 1))
        try:
            for context in model.contexts:
                stores[context] = await open_store(settings, context, connections=2)
            return await _fold_into(engine, stores, model, staging, upto, part, _count_read)
        finally:
            for store in stores.values():
                await store.close()
            await engine.dispose()

    return asyncio.run(run())


Workers = tuple[ProcessPoolExecutor, "Synchronized[int]", int]  # the pool, its counter, its size


def _start_workers(workers: int) -> Workers:
    """The worker processes (forked where the platform can: see `_start_worker`)."""
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    counter = context.Value("q", 0)
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(counter,)
    )
    return pool, counter, workers


async def _fold_in_workers(
    engine: AsyncEngine,
    model: ReadModel,
    staging: str,
    upto: dict[str, int],
    workers: Workers,
    progress: Callable[[int], None] | None,
) -> int:
    pool, counter, n = workers
    url = engine.url.render_as_string(hide_password=False)
    loop = asyncio.get_running_loop()
    parts = [
        loop.run_in_executor(pool, _worker, url, model.name, staging, upto, (k, n))
        for k in range(n)
    ]
    done = asyncio.gather(*parts)
    while not done.done():
        await asyncio.wait([done], timeout=0.2)
        if progress:
            progress(counter.value)
    return sum(done.result())


async def _versions(stores: dict[str, EventStore], upto: dict[str, int]) -> dict[str, int]:
    versions: dict[str, int] = {}
    for context, position in upto.items():
        if position:
            versions.update(await stores[context].stream_versions(position))
    return versions


async def rebuild(
    engine: AsyncEngine,
    stores: dict[str, EventStore],
    model: ReadModel,
    progress: Progress | None = None,
    workers: int | None = None,
) -> int:
    """Rebuild `model`; returns the number of events folded. Safe while the projections run."""
    lock = zlib.crc32(f"crm.rebuild.{model.name}".encode())
    async with engine.connect() as guard:  # one rebuild of a model at a time
        await guard.execute(text("select pg_advisory_lock(:k)"), {"k": lock})
        await guard.commit()
        try:
            return await _rebuild(engine, stores, model, progress, workers)
        finally:
            await guard.execute(text("select pg_advisory_unlock(:k)"), {"k": lock})
            await guard.commit()


async def _rebuild(
    engine: AsyncEngine,
    stores: dict[str, EventStore],
    model: ReadModel,
    progress: Progress | None,
    workers: int | None,
) -> int:
    staging = f"rebuild_{model.name}"
    upto = {c: await stores[c].horizon() for c in model.contexts}
    size = sum(upto.values())  # positions are numbered from 1: about the events in the stores
    count = workers or (_workers() if size >= PARALLEL_FROM else 1)
    pool = _start_workers(count) if count > 1 else None
    try:
        total = await _count(stores, model) if progress else 0

        def tell(read: int) -> None:
            if progress:
                progress(read, total)

        meta = MetaData()
        for table in model.tables:
            table.to_metadata(meta, schema=staging)
        async with engine.begin() as conn:  # the staging tables, visible to the workers
            await conn.execute(text(f'drop schema if exists "{staging}" cascade'))
            await conn.execute(text(f'create schema "{staging}"'))
            await conn.run_sync(meta.create_all)
        versions = asyncio.ensure_future(_versions(stores, upto))  # the database, meanwhile
        if pool is not None:
            folded = await _fold_in_workers(engine, model, staging, upto, pool, tell)
        else:
            seen = 0

            def read(n: int) -> None:
                nonlocal seen
                seen += n
                tell(seen)

            folded = await _fold_into(engine, stores, model, staging, upto, (0, 1), read)
        tell(folded)
        await versions
    finally:
        if pool is not None:
            pool[0].shutdown()
    async with engine.begin() as conn:
        await _swap(conn, model, staging, upto, versions.result())
    # whatever was committed while we folded: the idempotent catch-up applies it
    await Projector(engine, stores, model).catch_up()
    return folded


async def _swap(
    conn: AsyncConnection,
    model: ReadModel,
    staging: str,
    upto: dict[str, int],
    versions: dict[str, int],
) -> None:
    """Put the staging tables in place of the model's, with the progress they were built to."""
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
    for context, position in upto.items():
        if position:
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


async def ensure_current(
    engine: AsyncEngine, stores: dict[str, EventStore], model: ReadModel
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
