"""The event store contract against PostgreSQL, plus what only the PostgreSQL backend promises:
append-only at the database level, and a reader that never skips a slow committer."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import orjson
import psycopg
import pytest
import pytest_asyncio
from crm_platform.eventstore import ConcurrencyError
from crm_platform.eventstore.postgres import PostgresEventStore, open_pool
from psycopg import sql

from .store_contract import EventStoreContract, new_event, new_stream, read_all_after, tail


@pytest.fixture(scope="session")
def pg_schema() -> str:
    return f"contract_{uuid4().hex[:10]}"


@pytest_asyncio.fixture(loop_scope="session")
async def store(database_url: str, pg_schema: str) -> AsyncIterator[PostgresEventStore]:
    # 16 concurrent writers and one reader each hold a connection of their own
    pool = open_pool(database_url, max_size=20, name="contract-test")
    await pool.open(wait=True)
    store = PostgresEventStore(pool, pg_schema)
    try:
        await store.ensure_schema()
        yield store
    finally:
        await store.close()


@pytest_asyncio.fixture(loop_scope="session")
async def raw(database_url: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain connection outside the store (not autocommit: it runs its own transactions)."""
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        try:
            yield conn
        finally:
            await conn.rollback()  # a test that failed half-way must not commit its leftovers


async def _insert_raw_event(
    raw: psycopg.AsyncConnection[Any], schema: str, stream_id: str, version: int
) -> tuple[Any, int]:
    """Insert an event row by SQL in `raw`'s current transaction; return (event id, position)."""
    e = new_event(version)
    cur = await raw.execute(
        sql.SQL(
            "insert into {}.events"
            " (event_id, stream_id, version, type, schema_version, occurred_at, data, metadata)"
            " values (%s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb) returning position"
        ).format(sql.Identifier(schema)),
        (
            e.event_id,
            stream_id,
            version,
            e.type,
            e.schema_version,
            e.occurred_at,
            orjson.dumps(e.data).decode(),
            orjson.dumps(
                {
                    "actor_id": e.metadata.actor_id,
                    "role": e.metadata.role,
                    "branch": e.metadata.branch,
                    "correlation_id": e.metadata.correlation_id,
                    "causation_id": None,
                }
            ).decode(),
        ),
    )
    row = await cur.fetchone()
    assert row is not None
    return e.event_id, row[0]


class TestPostgresEventStore(EventStoreContract):
    # -- append-only at the database level ------------------------------------------------------

    @pytest.mark.parametrize(
        "statement",
        [
            "update {}.events set type = 'Tampered' where stream_id = %(stream)s",
            "update {}.events set data = '{{}}'::jsonb",
            "delete from {}.events where stream_id = %(stream)s",
            "delete from {}.events",
            "truncate {}.events",
            "truncate {}.events cascade",
        ],
    )
    async def test_events_are_append_only_in_the_database(
        self,
        store: PostgresEventStore,
        raw: psycopg.AsyncConnection[Any],
        statement: str,
    ) -> None:
        stream = new_stream()
        await store.append(stream, [new_event(i) for i in range(3)], expected_version=0)
        before = await store.read_stream(stream)
        count = sql.SQL("select count(*) from {}.events").format(sql.Identifier(store.schema))
        rows_before = await (await raw.execute(count)).fetchone()
        await raw.rollback()

        query = sql.SQL(statement).format(sql.Identifier(store.schema))
        params = {"stream": stream} if "%(stream)s" in statement else None
        with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
            await raw.execute(query, params)
        await raw.rollback()

        assert await store.read_stream(stream) == before
        assert await (await raw.execute(count)).fetchone() == rows_before
        await raw.rollback()

    async def test_batch_with_a_failing_event_appends_nothing(
        self, store: PostgresEventStore
    ) -> None:
        """Atomicity from the inside: the 3rd event of a batch breaks a constraint (its id is
        already stored), so the two events before it must not be stored either."""
        stream, other = new_stream(), new_stream()
        taken = new_event(0)
        await store.append(other, [taken], expected_version=0)
        before = await tail(store)
        batch = [new_event(1), new_event(2), taken, new_event(4)]

        with pytest.raises((ConcurrencyError, psycopg.Error)):
            await store.append(stream, batch, expected_version=0)

        assert await store.read_stream(stream) == []
        assert await read_all_after(store, before) == []

    # -- the reader never skips a slow committer ------------------------------------------------

    async def test_reader_waits_for_a_slow_committer(
        self, store: PostgresEventStore, raw: psycopg.AsyncConnection[Any]
    ) -> None:
        """A transaction takes position P1 and commits late; a faster one takes P2 > P1 and commits
        first. The reader must not return P2 before P1 is committed, or it would skip P1 forever."""
        start = await tail(store)
        slow_stream, fast_stream = new_stream("slow"), new_stream("fast")

        async with raw.transaction():
            slow_id, p1 = await _insert_raw_event(raw, store.schema, slow_stream, 1)
            fast = new_event(1)
            p2 = (await store.append(fast_stream, [fast], expected_version=0)).position
            assert p2 > p1

            # P2 is committed but P1's transaction is still open: the horizon holds P2 back
            held_back = await read_all_after(store, start)
            assert p2 not in {e.position for e in held_back}
            assert p1 not in {e.position for e in held_back}
            assert await store.read_stream(fast_stream) != []  # committed, just not released yet
        # the slow transaction has committed

        released = await read_all_after(store, start)
        assert [(e.position, e.event_id) for e in released] == [(p1, slow_id), (p2, fast.event_id)]

    async def test_reader_passes_a_rolled_back_transaction(
        self, store: PostgresEventStore, raw: psycopg.AsyncConnection[Any]
    ) -> None:
        start = await tail(store)
        fast = new_event(1)
        await _insert_raw_event(raw, store.schema, new_stream("aborted"), 1)
        p2 = (await store.append(new_stream("fast"), [fast], expected_version=0)).position
        assert await read_all_after(store, start) == []

        await raw.rollback()

        released = await read_all_after(store, start)
        assert [(e.position, e.event_id) for e in released] == [(p2, fast.event_id)]


async def test_history_reads_up_to_a_fixed_end_only_the_types_asked_in_disjoint_parts(
    database_url: str,
) -> None:
    """The bulk read of rebuilds: `horizon` fixes an end later appends do not move; `history`
    returns only the asked types, each stream whole in exactly one part; `stream_versions`
    counts every type."""
    pool = open_pool(database_url, max_size=4, name="history-test")
    await pool.open(wait=True)
    store = PostgresEventStore(pool, f"history_{uuid4().hex[:8]}")
    try:
        await store.ensure_schema()
        streams = [new_stream() for _ in range(20)]
        for s in streams:
            other = dataclasses.replace(new_event(9), type="OtherHappened")
            await store.append(s, [new_event(1), other, new_event(2)], expected_version=0)
        upto = await store.horizon()
        await store.append(streams[0], [new_event(3)], expected_version=3)  # after the end

        async def read(part: tuple[int, int]) -> list[tuple[str, int]]:
            found = []
            async for batch in store.history(["ContractTestHappened"], upto=upto, part=part):
                found += [(e.stream_id, e.version) for e in batch]
            return found

        whole = await read((0, 1))
        assert sorted(whole) == sorted((s, v) for s in streams for v in (1, 3))
        halves = [await read((0, 2)), await read((1, 2))]
        assert sorted(halves[0] + halves[1]) == sorted(whole)
        assert {s for s, _ in halves[0]}.isdisjoint({s for s, _ in halves[1]})
        assert all(halves), "20 streams all hashed to one part"
        assert await store.stream_versions(upto) == dict.fromkeys(streams, 3)
    finally:
        await store.close()
