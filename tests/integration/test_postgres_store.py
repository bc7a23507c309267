"""The event store contract against PostgreSQL, plus what only the PostgreSQL backend promises:
append-only at the database level, and a reader that never skips a slow committer."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import orjson
import psycopg
import pytest
import pytest_asyncio
from crm_platform.eventstore import AppendResult, ConcurrencyError, open_store
from crm_platform.eventstore.postgres import PostgresEventStore, open_pool
from crm_platform.settings import Settings
from prometheus_client import REGISTRY
from psycopg import sql
from psycopg.types.json import Json, Jsonb

from .store_contract import (
    EventStoreContract,
    new_event,
    new_stream,
    read_all_after,
    rich_event,
    tail,
)


@pytest.fixture(scope="session")
def pg_schema() -> str:
    return f"contract_{uuid4().hex[:10]}"


@pytest_asyncio.fixture(loop_scope="session")
async def store(database_url: str, pg_schema: str) -> AsyncIterator[PostgresEventStore]:
    # through the composition root, as every service opens it; 16 concurrent writers and one
    # reader each hold a connection of their own
    settings = Settings(database_url=database_url, event_store="postgres")
    store = await open_store(settings, pg_schema, connections=20)
    assert isinstance(store, PostgresEventStore)
    try:
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


@pytest_asyncio.fixture(loop_scope="session")
async def fresh(database_url: str) -> AsyncIterator[PostgresEventStore]:
    """A store in a schema of its own: its positions start at 1, so expectations are exact."""
    pool = open_pool(database_url, max_size=4, name="fresh-store-test")
    await pool.open(wait=True)
    store = PostgresEventStore(pool, f"fresh_{uuid4().hex[:10]}")
    try:
        await store.ensure_schema()
        yield store
    finally:
        await store.close()


def appended_total(schema: str) -> float:
    """The `crm_events_appended_total` counter of one context (0 before its first append)."""
    value = REGISTRY.get_sample_value("crm_events_appended_total", {"context": schema})
    return value or 0.0


async def wait_until_blocked(store: PostgresEventStore, task: asyncio.Task[Any]) -> None:
    """Until some session of this database waits for a lock (the task's statement), or 10 s."""
    query = (
        "select count(*) from pg_locks l join pg_stat_activity a using (pid)"
        " where not l.granted and a.datname = current_database()"
    )
    for _ in range(1000):
        async with store.pool.connection() as conn:
            row = await (await conn.execute(query)).fetchone()
        if row and row[0] > 0:
            return
        assert not task.done(), task
        await asyncio.sleep(0.01)
    raise AssertionError("the statement never waited for the lock")


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

    async def test_an_append_that_loses_a_race_on_the_version_reports_the_winner(
        self, store: PostgresEventStore, raw: psycopg.AsyncConnection[Any]
    ) -> None:
        """Another transaction holds version 1 of the stream uncommitted: an append expecting 0
        waits on it, then fails on the unique version once it commits: a concurrency error naming
        version 1, whether or not the append carried a key (a key not seen before stays unseen)."""
        for key, events in [
            (None, [new_event(1)]),
            (f"key-{uuid4()}", [new_event(1), new_event(2)]),
        ]:
            stream = new_stream("race")
            await _insert_raw_event(raw, store.schema, stream, 1)
            losing = asyncio.create_task(
                store.append(stream, events, expected_version=0, idempotency_key=key)
            )
            await wait_until_blocked(store, losing)
            await raw.commit()

            with pytest.raises(ConcurrencyError) as caught:
                await losing
            assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == (
                stream,
                0,
                1,
            )
            assert [e.version for e in await store.read_stream(stream)] == [1]
            if key is not None:
                assert await store.idempotent_result(key) is None

    async def test_concurrent_repeats_of_one_keyed_command_append_once(
        self, store: PostgresEventStore
    ) -> None:
        """The same command (same key, same expected version) sent eight times at once: one append,
        eight equal answers, seven of them replays."""
        stream = new_stream()
        key = f"key-{uuid4()}"
        batches = [[new_event(w)] for w in range(4)] + [
            [new_event(w), new_event(w + 1)] for w in range(4)
        ]

        results = await asyncio.gather(
            *(store.append(stream, b, expected_version=0, idempotency_key=key) for b in batches)
        )

        first = [r for r in results if not r.replayed]
        assert len(first) == 1
        assert [dataclasses.replace(r, replayed=False) for r in results] == first * 8
        stored = await store.read_stream(stream)
        assert [e.event_id for e in stored] in [[e.event_id for e in b] for b in batches]
        assert first[0] == AppendResult(stream, len(stored), stored[-1].position)

    async def test_appends_are_counted_per_context(self, store: PostgresEventStore) -> None:
        stream = new_stream()
        key = f"key-{uuid4()}"
        before = appended_total(store.schema)

        await store.append(stream, [new_event(1)], expected_version=0)
        assert appended_total(store.schema) == before + 1
        await store.append(stream, [new_event(i) for i in range(3)], expected_version=1)
        assert appended_total(store.schema) == before + 4
        await store.append(stream, [new_event(5)], expected_version=4, idempotency_key=key)
        assert appended_total(store.schema) == before + 5

        # neither a conflict nor a replay appends anything
        with pytest.raises(ConcurrencyError):
            await store.append(stream, [new_event(6)], expected_version=1)
        await store.append(stream, [new_event(5)], expected_version=4, idempotency_key=key)
        assert appended_total(store.schema) == before + 5

    async def test_recorded_at_is_the_database_clock_at_the_append(
        self, store: PostgresEventStore
    ) -> None:
        """On this backend the store's clock is this machine's: recorded_at falls inside the append."""
        stream = new_stream()
        long_ago = datetime(2001, 1, 1, tzinfo=UTC)
        event = rich_event(1, schema_version=1, occurred_at=long_ago, causation_id="cause")
        before = datetime.now(UTC)
        await store.append(stream, [event], expected_version=0)
        after = datetime.now(UTC)

        (stored,) = await store.read_stream(stream)

        assert before <= stored.recorded_at <= after
        assert stored.occurred_at == long_ago
        # as_of asks about the record, not the moment the event claims to have occurred
        assert await store.read_stream(stream, as_of=long_ago + timedelta(days=1)) == []
        assert await store.read_stream(stream, as_of=after) == [stored]

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


# -- a store of its own: exact positions ---------------------------------------------------------


async def test_read_all_after_a_position_returns_only_later_positions(
    fresh: PostgresEventStore,
) -> None:
    """In a new store the positions are 1, 2, 3: after=N returns positions > N only, after=0 (and
    no `after`) everything, and a position no event holds is an error, not an empty page."""
    stream = new_stream()
    await fresh.append(stream, [new_event(1)], expected_version=0)
    await fresh.append(stream, [new_event(2), new_event(3)], expected_version=1)

    async def positions(**kw: Any) -> list[int]:
        return [e.position for e in await fresh.read_all(**kw)]

    assert await positions() == [1, 2, 3]
    assert await positions(after=0) == [1, 2, 3]
    assert await positions(after=-1) == [1, 2, 3]
    assert await positions(after=1) == [2, 3]
    assert await positions(after=2) == [3]
    assert await positions(after=3) == []
    assert await positions(after=0, limit=2) == [1, 2]
    assert await positions(after=1, limit=1) == [2]
    assert [e.version for e in await fresh.read_all(after=1)] == [2, 3]
    for missing in (4, 99):
        with pytest.raises(ValueError, match=f"no event at position {missing}"):
            await fresh.read_all(after=missing)
    assert await fresh.horizon() == 3


async def test_an_empty_store_reads_empty(fresh: PostgresEventStore) -> None:
    assert await fresh.read_all() == []
    assert await fresh.read_all(after=0, limit=1) == []
    assert await fresh.horizon() == 0
    with pytest.raises(ValueError, match="no event at position 1"):
        await fresh.read_all(after=1)


async def test_import_streams_writes_whole_streams_from_version_1(
    fresh: PostgresEventStore,
) -> None:
    a, b = new_stream("import-a"), new_stream("import-b")
    at = datetime(2022, 5, 6, 7, 8, 9, 101112, tzinfo=UTC)
    events_a = [
        rich_event(i, schema_version=i + 1, occurred_at=at, causation_id=f"c{i}") for i in range(3)
    ]
    events_b = [rich_event(9, schema_version=4, occurred_at=at, causation_id=None)]
    before = appended_total(fresh.schema)

    written = await fresh.import_streams([(a, events_a), (b, events_b)])

    assert written == 4
    assert appended_total(fresh.schema) == before + 4
    everything = await fresh.read_all()
    assert [(e.stream_id, e.version, e.position) for e in everything] == [
        (a, 1, 1),
        (a, 2, 2),
        (a, 3, 3),
        (b, 1, 4),
    ]
    for e, n in zip(everything, [*events_a, *events_b], strict=True):
        assert (e.event_id, e.type, e.schema_version, e.occurred_at, e.data, e.metadata) == (
            n.event_id,
            n.type,
            n.schema_version,
            n.occurred_at,
            n.data,
            n.metadata,
        )
    assert await fresh.read_stream(a) == everything[:3]
    # an imported stream takes commands like any other
    result = await fresh.append(b, [new_event(2)], expected_version=1)
    assert (result.version, result.position) == (2, 5)


async def test_a_refused_import_is_not_counted(fresh: PostgresEventStore) -> None:
    taken = new_stream("taken")
    await fresh.import_streams([(taken, [new_event(1)])])
    before = appended_total(fresh.schema)

    with pytest.raises(ConcurrencyError):
        await fresh.import_streams(
            [(new_stream("newcomer"), [new_event(1)]), (taken, [new_event(2)])]
        )

    assert appended_total(fresh.schema) == before


async def test_history_defaults_to_the_whole_store_in_batches_of_20_000(
    fresh: PostgresEventStore,
) -> None:
    stream = new_stream()
    await fresh.import_streams([(stream, [new_event(i) for i in range(20_001)])])
    upto = await fresh.horizon()
    assert upto == 20_001

    sizes = [len(batch) async for batch in fresh.history(["ContractTestHappened"], upto=upto)]
    assert sizes == [20_000, 1]
    small = [
        [e.position for e in batch]
        async for batch in fresh.history(["ContractTestHappened"], upto=5, batch=2)
    ]
    assert small == [[1, 2], [3, 4], [5]]
    assert await fresh.stream_versions(7) == {stream: 7}


async def test_history_streams_through_a_server_side_cursor(fresh: PostgresEventStore) -> None:
    """A rebuild's history may not fit in memory: between batches the database holds the rest
    (its session's last statement is a FETCH), not the client."""
    await fresh.import_streams([(new_stream(), [new_event(i) for i in range(5)])])
    batches = fresh.history(["ContractTestHappened"], upto=5, batch=2)

    first = await anext(batches)
    async with fresh.pool.connection() as conn:
        rows = await (
            await conn.execute(
                "select query from pg_stat_activity where datname = current_database()"
                " and state = 'idle in transaction'"
            )
        ).fetchall()
    rest = [e.position async for batch in batches for e in batch]

    assert [e.position for e in first] == [1, 2]
    assert rest == [3, 4, 5]
    assert [q for (q,) in rows if q.lower().startswith("fetch forward 2 from")], rows


async def test_ensure_schema_waits_for_other_schema_changes(
    database_url: str, raw: psycopg.AsyncConnection[Any]
) -> None:
    """Services starting together must not race on DDL: every starter (the event stores and the
    read models) takes the same advisory lock first."""
    pool = open_pool(database_url, max_size=2, name="ddl-test")
    await pool.open(wait=True)
    store = PostgresEventStore(pool, f"ddl_{uuid4().hex[:10]}")
    try:
        await raw.execute("select pg_advisory_xact_lock(hashtext('crm.ddl'))")
        creating = asyncio.create_task(store.ensure_schema())
        await wait_until_blocked(store, creating)
        await raw.rollback()
        await creating

        stream = new_stream()
        await store.append(stream, [new_event(1)], expected_version=0)
        assert [e.version for e in await store.read_stream(stream)] == [1]
        await store.ensure_schema()  # a second start changes nothing
        assert [e.version for e in await store.read_stream(stream)] == [1]
    finally:
        await store.close()


async def test_pool_connections_autocommit_and_speak_json(database_url: str) -> None:
    pool = open_pool(database_url, max_size=2)
    assert pool.closed  # nothing connects before `await pool.open()`
    await pool.open(wait=True)
    try:
        async with pool.connection() as conn:
            assert conn.autocommit
            row = await (
                await conn.execute(
                    "select %s::jsonb, %s::json",
                    (Jsonb({"a": [1, 2.5, "x", None]}), Jsonb({"b": {"c": True}})),
                )
            ).fetchone()
        assert row == ({"a": [1, 2.5, "x", None]}, {"b": {"c": True}})
    finally:
        await pool.close()


async def test_pool_json_settings_stay_on_the_pool(
    database_url: str, raw: psycopg.AsyncConnection[Any]
) -> None:
    """The pool speaks JSON with orjson (compact text; a 30-digit integer would become a float);
    every other connection in the process keeps psycopg's defaults: `json.dumps` text, exact
    integers."""
    big = 123456789012345678901234567890
    pool = open_pool(database_url, max_size=1)
    await pool.open(wait=True)
    try:
        async with pool.connection() as conn:
            compact = await (await conn.execute("select %s::text", (Json({"a": 1}),))).fetchone()
        assert compact == ('{"a":1}',)  # orjson's text: the pool's own setting
        row = await (
            await raw.execute("select %s::text, %s::jsonb", (Json({"a": 1}), f'{{"big": {big}}}'))
        ).fetchone()
        assert row == ('{"a": 1}', {"big": big})
    finally:
        await pool.close()


async def test_the_backend_comes_from_the_settings() -> None:
    with pytest.raises(RuntimeError, match="CRM_ESDB_URL"):
        await open_store(Settings(event_store="esdb", esdb_url=""), "leads")
    with pytest.raises(ValueError, match="CRM_EVENT_STORE='mongo'"):
        await open_store(Settings(event_store="mongo"), "leads")
    with pytest.raises(RuntimeError, match="CRM_DATABASE_URL"):
        await open_store(Settings(event_store="postgres", database_url=""), "leads")
