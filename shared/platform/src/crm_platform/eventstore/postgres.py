"""The PostgreSQL event store (psycopg 3): one schema per context, append-only by trigger.

Commit order without skipping. A sequence-based position is handed out at insert, not at commit, so a
reader that follows positions can pass an event whose slower transaction commits later. Instead,
every row records the id of the transaction that wrote it (`transaction_id`, xid8). `read_all` only
returns rows written by transactions older than the oldest transaction still running
(`pg_snapshot_xmin`), ordered by (transaction_id, position): everything below that horizon is
finished, and anything that commits later has a higher transaction id, so nothing is ever skipped.
Appends are single statements and never serialise on a lock, so concurrent writers share the WAL
flush (group commit). Within a stream the order is the version order: an append of version n+1 only
starts once version n is visible, so its transaction id is higher.

The price: one long-running writing transaction anywhere on the server holds back the horizon, and so
the relay, until it ends. Keep writing transactions short (every write in this system is).

Only `crm_platform.eventstore.open_store` and tools that build a database of their own construct
`PostgresEventStore`; everything else holds an `EventStore`. `open_pool` and `ensure_tables` also
serve the services' own bookkeeping tables, which live in PostgreSQL whatever the event store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from datetime import datetime
from typing import Any

import orjson
import psycopg
from crm_events import Envelope, Metadata, NewEvent
from psycopg import sql
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import AsyncConnectionPool

from crm_platform.eventstore import AppendResult, ConcurrencyError
from crm_platform.metrics import APPENDS

SCHEMA_DDL = """
create schema if not exists {s};

create table if not exists {s}.events (
    position        bigint generated always as identity primary key,
    transaction_id  xid8 not null default pg_current_xact_id(),
    event_id        uuid not null unique,
    stream_id       text not null,
    version         integer not null check (version > 0),
    type            text not null,
    schema_version  integer not null,
    occurred_at     timestamptz not null,
    recorded_at     timestamptz not null default clock_timestamp(),
    data            jsonb not null,
    metadata        jsonb not null,
    unique (stream_id, version)
);
create index if not exists events_commit_order on {s}.events (transaction_id, position);
create index if not exists events_type on {s}.events (type, recorded_at);
create index if not exists events_actor on {s}.events ((metadata->>'actor_id'), recorded_at);

create table if not exists {s}.idempotency_keys (
    key          text primary key,
    stream_id    text not null,
    version      integer not null,
    position     bigint not null,
    recorded_at  timestamptz not null default clock_timestamp()
);

create or replace function {s}.reject_change() returns trigger language plpgsql as $$
begin
    raise exception 'the event log is append-only: % on %.% is not allowed',
        tg_op, tg_table_schema, tg_table_name using errcode = 'restrict_violation';
end $$;

create or replace trigger events_append_only before update or delete on {s}.events
    for each row execute function {s}.reject_change();
create or replace trigger events_no_truncate before truncate on {s}.events
    for each statement execute function {s}.reject_change();
create or replace trigger idempotency_append_only before update or delete on {s}.idempotency_keys
    for each row execute function {s}.reject_change();
create or replace trigger idempotency_no_truncate before truncate on {s}.idempotency_keys
    for each statement execute function {s}.reject_change();
"""

# In Envelope's field order, metadata split into text columns and data fetched as text and parsed with
# orjson directly: decoding a row is then one positional constructor call and one JSON parse, cheaper
# than psycopg's jsonb loader (read-all is the relay's and the rebuild's hot path).
_COLUMNS = (
    "event_id, type, schema_version, stream_id, version, position, occurred_at, recorded_at, data::text,"
    " metadata->>'actor_id', metadata->>'role', metadata->>'branch', metadata->>'correlation_id',"
    " metadata->>'causation_id'"
)

_APPEND = """
with head as (
    select coalesce(max(version), 0) as v from {s}.events where stream_id = %(stream)s
), ins as (
    insert into {s}.events
        (event_id, stream_id, version, type, schema_version, occurred_at, data, metadata)
    select e.event_id, %(stream)s, head.v + e.n, e.type, e.schema_version, e.occurred_at,
           e.data, e.metadata
    from head, unnest(%(ids)s::uuid[], %(types)s::text[], %(svs)s::int[],
                      %(ats)s::timestamptz[], %(datas)s::jsonb[], %(metas)s::jsonb[])
               with ordinality as e(event_id, type, schema_version, occurred_at, data, metadata, n)
    where head.v = %(expected)s
    returning version, position
){idem}
select (select v from head), max(version), max(position) from ins
"""

# One event per command is the common case: plain parameters are cheaper to bind than arrays.
_APPEND_ONE = """
with head as (
    select coalesce(max(version), 0) as v from {s}.events where stream_id = %(stream)s
), ins as (
    insert into {s}.events
        (event_id, stream_id, version, type, schema_version, occurred_at, data, metadata)
    select %(id)s, %(stream)s, head.v + 1, %(type)s, %(sv)s, %(at)s, %(data)s::jsonb, %(meta)s::jsonb
    from head
    where head.v = %(expected)s
    returning version, position
){idem}
select (select v from head), max(version), max(position) from ins
"""

_IDEM = """, idem as (
    insert into {s}.idempotency_keys (key, stream_id, version, position)
    select %(key)s, %(stream)s, max(version), max(position) from ins having count(*) > 0
)"""


_loads = orjson.loads


def _row_to_envelope(r: tuple[Any, ...]) -> Envelope:
    return Envelope(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        r[6],
        r[7],
        _loads(r[8]),
        Metadata(r[9], r[10], r[11], r[12], r[13]),
    )


def _metadata_json(m: Metadata) -> str:
    return orjson.dumps(
        {
            "actor_id": m.actor_id,
            "role": m.role,
            "branch": m.branch,
            "correlation_id": m.correlation_id,
            "causation_id": m.causation_id,
        }
    ).decode()


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    set_json_loads(orjson.loads, conn)
    set_json_dumps(lambda o: orjson.dumps(o).decode(), conn)


def open_pool(url: str, *, max_size: int = 10, name: str = "crm") -> AsyncConnectionPool:
    """An autocommit connection pool with orjson for json/jsonb; call `await pool.open()`."""
    return AsyncConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True},
        configure=_configure,
        open=False,
        name=name,
    )


async def ensure_tables(pool: AsyncConnectionPool, ddl: sql.Composed) -> None:
    """Run idempotent DDL (`create ... if not exists`) under the lock every starter takes, so
    services starting together never race on it (the event stores, own tables, read models)."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select pg_advisory_xact_lock(hashtext('crm.ddl'))")
        await conn.execute(ddl)


class PostgresEventStore:
    """The event store of one context, in the PostgreSQL schema of the same name."""

    def __init__(self, pool: AsyncConnectionPool, schema: str) -> None:
        self.pool = pool
        self.schema = schema
        s = sql.Identifier(schema)
        idem = sql.SQL(_IDEM).format(s=s)
        self._append = sql.SQL(_APPEND).format(s=s, idem=sql.SQL(""))
        self._append_idem = sql.SQL(_APPEND).format(s=s, idem=idem)
        self._append_one = sql.SQL(_APPEND_ONE).format(s=s, idem=sql.SQL(""))
        self._append_one_idem = sql.SQL(_APPEND_ONE).format(s=s, idem=idem)
        cols = sql.SQL(_COLUMNS)
        self._read_stream = sql.SQL(
            "select {c} from {s}.events where stream_id = %(stream)s"
            " and (%(upto)s::int is null or version <= %(upto)s)"
            " and (%(asof)s::timestamptz is null or recorded_at <= %(asof)s) order by version"
        ).format(c=cols, s=s)
        self._read_all_from_start = sql.SQL(
            "select {c} from {s}.events"
            " where transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
            " order by transaction_id, position limit %(limit)s"
        ).format(c=cols, s=s)
        self._read_all_after = sql.SQL(
            "select {c} from {s}.events"
            " where transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
            " and (transaction_id, position) >"
            " (select transaction_id, position from {s}.events where position = %(after)s)"
            " order by transaction_id, position limit %(limit)s"
        ).format(c=cols, s=s)
        self._exists = sql.SQL("select 1 from {s}.events where position = %s").format(s=s)
        self._horizon = sql.SQL(
            "select position from {s}.events"
            " where transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
            " order by transaction_id desc, position desc limit 1"
        ).format(s=s)
        upto = "(select transaction_id, position from {s}.events where position = %(upto)s)"
        self._history = sql.SQL(
            "select {c} from {s}.events where type = any(%(types)s)"
            " and abs(hashtext(stream_id)) %% %(parts)s = %(part)s"
            f" and (transaction_id, position) <= {upto}"
            " order by transaction_id, position"
        ).format(c=cols, s=s)
        self._versions = sql.SQL(
            "select stream_id, max(version) from {s}.events"
            f" where (transaction_id, position) <= {upto} group by stream_id"
        ).format(s=s)
        self._head = sql.SQL(
            "select coalesce(max(version), 0) from {s}.events where stream_id = %s"
        ).format(s=s)
        self._idem_lookup = sql.SQL(
            "select stream_id, version, position from {s}.idempotency_keys where key = %s"
        ).format(s=s)

    async def ensure_schema(self) -> None:
        await ensure_tables(self.pool, sql.SQL(SCHEMA_DDL).format(s=sql.Identifier(self.schema)))

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> AppendResult:
        if not events:
            raise ValueError("append needs at least one event")
        params: dict[str, Any] = {
            "stream": stream_id,
            "expected": expected_version,
            "key": idempotency_key,
        }
        if len(events) == 1:
            (e,) = events
            params.update(
                id=e.event_id,
                type=e.type,
                sv=e.schema_version,
                at=e.occurred_at,
                data=orjson.dumps(e.data).decode(),
                meta=_metadata_json(e.metadata),
            )
            query = self._append_one if idempotency_key is None else self._append_one_idem
        else:
            params.update(
                ids=[e.event_id for e in events],
                types=[e.type for e in events],
                svs=[e.schema_version for e in events],
                ats=[e.occurred_at for e in events],
                datas=[orjson.dumps(e.data).decode() for e in events],
                metas=[_metadata_json(e.metadata) for e in events],
            )
            query = self._append if idempotency_key is None else self._append_idem
        async with self.pool.connection() as conn:
            try:
                cur = await conn.execute(query, params)
            except psycopg.errors.UniqueViolation as exc:
                # a key seen before answers with its first result, whatever the conflict was (the
                # repeat usually collides on the stream's version before it reaches the key)
                if idempotency_key and (replay := await self._replay(conn, idempotency_key)):
                    return replay
                head = await (await conn.execute(self._head, (stream_id,))).fetchone()
                raise ConcurrencyError(stream_id, expected_version, head[0] if head else 0) from exc
            head, version, position = await cur.fetchone()  # type: ignore[misc]
            if version is None:
                # nothing appended: the stream has moved on, perhaps by this very key's first append
                if idempotency_key and (replay := await self._replay(conn, idempotency_key)):
                    return replay
                raise ConcurrencyError(stream_id, expected_version, head)
        APPENDS.labels(self.schema).inc(len(events))
        return AppendResult(stream_id, version, position)

    async def import_streams(self, streams: Sequence[tuple[str, Sequence[NewEvent]]]) -> int:
        """Write whole new streams in one COPY (generated histories, migrations from another
        system): versions 1..n each; a stream that already exists fails the whole batch with a
        `ConcurrencyError`, nothing is written. Not for commands: they append with an expected
        version."""
        s = sql.Identifier(self.schema)
        copy_sql = sql.SQL(
            "copy {s}.events (event_id, stream_id, version, type, schema_version, occurred_at,"
            " data, metadata) from stdin"
        ).format(s=s)
        try:
            n = await self._copy(copy_sql, streams)
        except psycopg.errors.UniqueViolation as exc:
            # which stream was taken: asked only now, so a clean import costs no extra query
            taken = sql.SQL(
                "select stream_id, max(version) from {s}.events where stream_id = any(%s)"
                " group by stream_id order by 1 limit 1"
            ).format(s=s)
            async with self.pool.connection() as conn:
                row = await (await conn.execute(taken, ([sid for sid, _ in streams],))).fetchone()
            if row is None:
                raise  # not a stream: an event id stored before
            raise ConcurrencyError(row[0], 0, row[1]) from exc
        APPENDS.labels(self.schema).inc(n)
        return n

    async def _copy(
        self, copy_sql: sql.Composed, streams: Sequence[tuple[str, Sequence[NewEvent]]]
    ) -> int:
        n = 0
        async with (
            self.pool.connection() as conn,
            conn.transaction(),
            conn.cursor().copy(copy_sql) as copy,
        ):
            for stream_id, events in streams:
                for version, e in enumerate(events, 1):
                    await copy.write_row(
                        (
                            e.event_id,
                            stream_id,
                            version,
                            e.type,
                            e.schema_version,
                            e.occurred_at,
                            orjson.dumps(e.data).decode(),
                            _metadata_json(e.metadata),
                        )
                    )
                    n += 1
        return n

    async def _replay(self, conn: psycopg.AsyncConnection[Any], key: str) -> AppendResult | None:
        row = await (await conn.execute(self._idem_lookup, (key,))).fetchone()
        return AppendResult(row[0], row[1], row[2], replayed=True) if row else None

    async def idempotent_result(self, key: str) -> AppendResult | None:
        async with self.pool.connection() as conn:
            return await self._replay(conn, key)

    async def read_stream(
        self, stream_id: str, *, up_to_version: int | None = None, as_of: datetime | None = None
    ) -> list[Envelope]:
        params = {"stream": stream_id, "upto": up_to_version, "asof": as_of}
        async with self.pool.connection() as conn:
            rows = await (await conn.execute(self._read_stream, params)).fetchall()
        return [_row_to_envelope(r) for r in rows]

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[Envelope]:
        async with self.pool.connection() as conn:
            if after <= 0:
                cur = await conn.execute(self._read_all_from_start, {"limit": limit})
            else:
                cur = await conn.execute(self._read_all_after, {"after": after, "limit": limit})
            rows = await cur.fetchall()
            if (
                not rows
                and after > 0
                and not await (await conn.execute(self._exists, (after,))).fetchone()
            ):
                raise ValueError(f"{self.schema}: there is no event at position {after}")
        return [_row_to_envelope(r) for r in rows]

    # --- bulk reads for rebuilds: a fixed end, only the types a reader handles ------------------
    async def horizon(self) -> int:
        """The position of the last event in read order that every reader can see now (0: none):
        an end for `history` and `stream_versions` that later appends do not move."""
        async with self.pool.connection() as conn:
            row = await (await conn.execute(self._horizon)).fetchone()
        return int(row[0]) if row else 0

    async def history(
        self,
        types: Collection[str],
        *,
        upto: int,
        part: tuple[int, int] = (0, 1),
        batch: int = 20_000,
    ) -> AsyncIterator[list[Envelope]]:
        """Events of `types` up to the event at `upto`, in read order, in batches: one query
        streamed through a server-side cursor (the database skips the other types, so they cost
        nothing to decode). `part=(k, n)`: only the streams of the k-th of n parts, by a hash of
        the stream id, so n readers can share a history without splitting any stream."""
        params = {"types": list(types), "upto": upto, "part": part[0], "parts": part[1]}
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("set local cursor_tuple_fraction = 1")  # all of it will be read
            cursor = conn.cursor(name=f"history_{part[0]}")
            await cursor.execute(self._history, params)
            while rows := await cursor.fetchmany(batch):
                yield [_row_to_envelope(r) for r in rows]

    async def stream_versions(self, upto: int) -> dict[str, int]:
        """Each stream's last version up to the event at `upto`."""
        async with self.pool.connection() as conn:
            rows = await (await conn.execute(self._versions, {"upto": upto})).fetchall()
        return {stream: version for stream, version in rows}

    async def streams_with(self, types: Collection[str], field: str, value: str) -> list[str]:
        """Streams holding an event of one of `types` whose data `field` equals `value` (e.g. every
        record a user ever owned): candidates for a reaction, which re-checks each on its state."""
        query = sql.SQL(
            "select distinct stream_id from {s}.events where type = any(%s) and data->>%s = %s"
        ).format(s=sql.Identifier(self.schema))
        async with self.pool.connection() as conn:
            rows = await (await conn.execute(query, (list(types), field, value))).fetchall()
        return sorted(r[0] for r in rows)  # by code point, as every backend sorts

    async def streams_of(self, types: Collection[str]) -> set[str]:
        """Streams holding an event of one of `types` (candidates for a scheduled check)."""
        query = sql.SQL("select distinct stream_id from {s}.events where type = any(%s)").format(
            s=sql.Identifier(self.schema)
        )
        async with self.pool.connection() as conn:
            rows = await (await conn.execute(query, (list(types),))).fetchall()
        return {r[0] for r in rows}

    async def count(self, types: Collection[str]) -> int:
        """How many events of `types` the store holds (a rebuild's progress bar)."""
        query = sql.SQL("select count(*) from {s}.events where type = any(%s)").format(
            s=sql.Identifier(self.schema)
        )
        async with self.pool.connection() as conn:
            row = await (await conn.execute(query, (list(types),))).fetchone()
        return int(row[0]) if row else 0

    async def ping(self) -> None:
        async with self.pool.connection(timeout=2) as conn:
            await conn.execute("select 1")

    async def close(self) -> None:
        await self.pool.close()
