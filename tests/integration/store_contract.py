"""The event store contract (DESIGN.md "Write side"), one suite for every backend.

A backend's test module subclasses `EventStoreContract` and provides a `store` fixture. The suite
never cleans up: every test writes to fresh streams (uuid4 ids) and reads the global log only from
the position it saw before it started writing, so the tests share one store and stay independent.
Backend-only rules (e.g. PostgreSQL's append-only trigger) belong in the backend's subclass.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from crm_events import Envelope, Metadata, NewEvent
from crm_platform.eventstore import AppendResult, ConcurrencyError, EventStore

EVENT_TYPE = "ContractTestHappened"

# The concurrency test: WRITERS tasks append TOTAL_APPENDS single-event appends between them, to
# private streams and to SHARED_STREAMS streams that every writer uses (so appends conflict).
WRITERS = 16
TOTAL_APPENDS = 20_000
PRIVATE_STREAMS_PER_WRITER = 40
SHARED_STREAMS = 24
SHARED_SHARE = 0.3


def new_event(n: int = 0, **data: Any) -> NewEvent:
    return NewEvent(
        event_id=uuid4(),
        type=EVENT_TYPE,
        schema_version=1,
        occurred_at=datetime.now(UTC),
        data={"n": n, **data},
        metadata=Metadata(
            actor_id="contract-test",
            role="admin",
            branch="HQ",
            correlation_id=str(uuid4()),
        ),
    )


def rich_event(
    n: int, *, schema_version: int, occurred_at: datetime, causation_id: str | None
) -> NewEvent:
    """An event whose every field differs from `new_event`'s defaults, so a round trip that drops
    or swaps a field shows."""
    return NewEvent(
        event_id=uuid4(),
        type=f"RoundTripped{n}",
        schema_version=schema_version,
        occurred_at=occurred_at,
        data={
            "n": n,
            "text": 'Zürich ☃ "quoted"',
            "big": 2**53 + n,
            "ratio": 0.1,
            "none": None,
            "flag": True,
            "list": [1, "two", {"three": 3}],
            "nested": {"a": {"b": []}},
        },
        metadata=Metadata(
            actor_id=f"user-{n}",
            role="sales_rep",
            branch=f"B{n}",
            correlation_id=f"corr-{uuid4()}",
            causation_id=causation_id,
        ),
    )


def typed(type_: str, **data: Any) -> NewEvent:
    """A `new_event` of another type (a test's own types keep its reads to its own events)."""
    return dataclasses.replace(new_event(0, **data), type=type_)


def new_stream(prefix: str = "contract") -> str:
    return f"{prefix}-{uuid4()}"


async def tail(store: EventStore) -> int:
    """The global position of the last event `read_all` can see now (0 for an empty store)."""
    last = 0
    while page := await store.read_all(after=last, limit=1000):
        last = page[-1].position
    return last


async def read_all_after(store: EventStore, after: int, limit: int = 1000) -> list[Envelope]:
    """Every event `read_all` returns after `after`, page by page."""
    events: list[Envelope] = []
    while page := await store.read_all(after=after, limit=limit):
        events.extend(page)
        after = page[-1].position
    return events


class EventStoreContract:
    """What every EventStore backend must pass. Subclasses provide the `store` fixture."""

    # -- append and optimistic concurrency ------------------------------------------------------

    async def test_append_to_new_stream(self, store: EventStore) -> None:
        stream = new_stream()
        events = [new_event(i) for i in range(3)]

        result = await store.append(stream, events, expected_version=0)

        assert result.stream_id == stream
        assert result.version == 3
        assert not result.replayed
        stored = await store.read_stream(stream)
        assert [e.event_id for e in stored] == [e.event_id for e in events]
        assert result.position == stored[-1].position

    async def test_stale_expected_version_raises_with_actual_version(
        self, store: EventStore
    ) -> None:
        stream = new_stream()
        await store.append(stream, [new_event(1)], expected_version=0)
        await store.append(stream, [new_event(2)], expected_version=1)

        with pytest.raises(ConcurrencyError) as caught:
            await store.append(stream, [new_event(3)], expected_version=1)

        assert caught.value.stream_id == stream
        assert caught.value.expected == 1
        assert caught.value.actual == 2
        assert len(await store.read_stream(stream)) == 2

    async def test_expected_zero_on_existing_stream_raises(self, store: EventStore) -> None:
        stream = new_stream()
        await store.append(stream, [new_event(1)], expected_version=0)

        with pytest.raises(ConcurrencyError) as caught:
            await store.append(stream, [new_event(2)], expected_version=0)

        assert caught.value.actual == 1
        assert len(await store.read_stream(stream)) == 1

    async def test_expected_version_ahead_of_stream_raises(self, store: EventStore) -> None:
        """No gaps in a stream: an append may not claim a version the stream has not reached."""
        stream = new_stream()
        with pytest.raises(ConcurrencyError) as caught:
            await store.append(stream, [new_event(1)], expected_version=1)
        assert caught.value.actual == 0
        assert await store.read_stream(stream) == []

        await store.append(stream, [new_event(1)], expected_version=0)
        with pytest.raises(ConcurrencyError) as caught:
            await store.append(stream, [new_event(2)], expected_version=5)
        assert caught.value.actual == 1
        assert [e.version for e in await store.read_stream(stream)] == [1]

    async def test_batch_append_has_consecutive_versions(self, store: EventStore) -> None:
        stream = new_stream()
        await store.append(stream, [new_event(0)], expected_version=0)
        batch = [new_event(i) for i in range(1, 6)]

        result = await store.append(stream, batch, expected_version=1)

        assert result.version == 6
        stored = await store.read_stream(stream)
        assert [e.version for e in stored] == [1, 2, 3, 4, 5, 6]
        assert [e.event_id for e in stored[1:]] == [e.event_id for e in batch]
        positions = [e.position for e in stored]
        assert positions == sorted(positions)
        assert len(set(positions)) == len(positions)
        assert result.position == stored[-1].position

    async def test_rejected_batch_appends_nothing(self, store: EventStore) -> None:
        stream = new_stream()
        await store.append(stream, [new_event(0)], expected_version=0)
        before = await tail(store)

        with pytest.raises(ConcurrencyError):
            await store.append(stream, [new_event(i) for i in range(5)], expected_version=0)

        assert len(await store.read_stream(stream)) == 1
        assert await read_all_after(store, before) == []

    async def test_concurrent_batches_are_all_or_nothing(self, store: EventStore) -> None:
        """Racing batches to one new stream: one wins whole, the others leave no trace."""
        stream = new_stream()
        batches = [[new_event(10 * w + i) for i in range(5)] for w in range(8)]

        outcomes = await asyncio.gather(
            *(store.append(stream, b, expected_version=0) for b in batches),
            return_exceptions=True,
        )

        won = [i for i, o in enumerate(outcomes) if isinstance(o, AppendResult)]
        assert len(won) == 1, outcomes
        lost = [o for o in outcomes if not isinstance(o, AppendResult)]
        assert all(isinstance(o, ConcurrencyError) and o.actual == 5 for o in lost), lost
        stored = await store.read_stream(stream)
        assert [e.version for e in stored] == [1, 2, 3, 4, 5]
        assert [e.event_id for e in stored] == [e.event_id for e in batches[won[0]]]

    async def test_append_of_no_events_is_refused(self, store: EventStore) -> None:
        stream = new_stream()
        with pytest.raises(ValueError):
            await store.append(stream, [], expected_version=0)
        assert await store.read_stream(stream) == []

    # -- idempotency ----------------------------------------------------------------------------

    async def test_idempotency_key_replays_first_result(self, store: EventStore) -> None:
        stream = new_stream()
        key = f"key-{uuid4()}"
        first = await store.append(stream, [new_event(1)], expected_version=0, idempotency_key=key)
        assert not first.replayed

        # the same command again (same expected version), then once more on the moved stream
        again = await store.append(stream, [new_event(1)], expected_version=0, idempotency_key=key)
        fresh = await store.append(stream, [new_event(1)], expected_version=1, idempotency_key=key)

        replayed = dataclasses.replace(first, replayed=True)
        assert again == replayed
        assert fresh == replayed
        assert [e.version for e in await store.read_stream(stream)] == [1]
        assert await store.idempotent_result(key) == replayed

    async def test_a_key_used_again_on_another_stream_replays_and_appends_nothing(
        self, store: EventStore
    ) -> None:
        """The key names the command, not the stream: a repeat sent to another stream (one event
        or a batch) still answers the first result and leaves that stream untouched."""
        first_stream, single_stream, batch_stream = new_stream(), new_stream(), new_stream()
        key = f"key-{uuid4()}"
        first = await store.append(
            first_stream, [new_event(1)], expected_version=0, idempotency_key=key
        )
        start = await tail(store)

        single = await store.append(
            single_stream, [new_event(2)], expected_version=0, idempotency_key=key
        )
        batch = await store.append(
            batch_stream, [new_event(3), new_event(4)], expected_version=0, idempotency_key=key
        )

        replayed = AppendResult(first_stream, 1, first.position, replayed=True)
        assert (single, batch) == (replayed, replayed)
        assert await store.read_stream(single_stream) == []
        assert await store.read_stream(batch_stream) == []
        assert len(await store.read_stream(first_stream)) == 1
        assert await read_all_after(store, start) == []

    async def test_unknown_idempotency_key_is_none(self, store: EventStore) -> None:
        assert await store.idempotent_result(f"never-used-{uuid4()}") is None

    async def test_failed_append_does_not_record_its_key(self, store: EventStore) -> None:
        stream = new_stream()
        key = f"key-{uuid4()}"
        with pytest.raises(ConcurrencyError):
            await store.append(stream, [new_event()], expected_version=3, idempotency_key=key)
        assert await store.idempotent_result(key) is None

        result = await store.append(stream, [new_event()], expected_version=0, idempotency_key=key)
        assert result.version == 1 and not result.replayed

    # -- reading one stream ---------------------------------------------------------------------

    async def test_read_stream_in_version_order(self, store: EventStore) -> None:
        stream = new_stream()
        other = new_stream()
        appended: list[NewEvent] = []
        for i in range(4):
            batch = [new_event(i)]
            await store.append(stream, batch, expected_version=i)
            await store.append(other, [new_event(i)], expected_version=i)
            appended.extend(batch)

        stored = await store.read_stream(stream)

        assert [e.version for e in stored] == [1, 2, 3, 4]
        assert [e.event_id for e in stored] == [e.event_id for e in appended]
        assert {e.stream_id for e in stored} == {stream}
        assert [e.data["n"] for e in stored] == [0, 1, 2, 3]
        assert all(e.type == EVENT_TYPE and e.schema_version == 1 for e in stored)
        assert stored[0].metadata == appended[0].metadata
        assert await store.read_stream(new_stream()) == []

    async def test_every_envelope_field_survives_a_round_trip(self, store: EventStore) -> None:
        """What was appended is what is read, field by field, through both reads and both kinds of
        append (one event, a batch): ids, types, schema versions, the moment it occurred (in
        another time zone, to the microsecond), data of every JSON kind, and all of the metadata
        (a causation id set and unset)."""
        start = await tail(store)
        stream = new_stream()
        minus_five = timezone(timedelta(hours=-5))
        single = rich_event(
            1,
            schema_version=3,
            occurred_at=datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=minus_five),
            causation_id=f"cause-{uuid4()}",
        )
        batch = [
            rich_event(
                2,
                schema_version=2,
                occurred_at=datetime(2019, 12, 31, 8, 0, 0, 1, tzinfo=UTC),
                causation_id=None,
            ),
            rich_event(
                3,
                schema_version=7,
                occurred_at=datetime(2031, 7, 4, 12, 30, 0, 999999, tzinfo=minus_five),
                causation_id=f"cause-{uuid4()}",
            ),
        ]
        before = datetime.now(UTC)
        one = await store.append(stream, [single], expected_version=0)
        two = await store.append(stream, batch, expected_version=1)
        after = datetime.now(UTC)

        stored = await store.read_stream(stream)

        appended = [single, *batch]
        # position and recorded_at are the store's to choose; they are checked below
        assert stored == [
            Envelope(
                a.event_id,
                a.type,
                a.schema_version,
                stream,
                version,
                e.position,
                a.occurred_at,
                e.recorded_at,
                a.data,
                a.metadata,
            )
            for version, (a, e) in enumerate(zip(appended, stored, strict=True), 1)
        ]
        assert stored[0].position == one.position
        assert stored[0].position < stored[1].position < stored[2].position == two.position
        # recorded by the store's clock, which may not be ours: only roughly now, and in order
        slack = timedelta(minutes=5)
        assert all(before - slack <= e.recorded_at <= after + slack for e in stored)
        assert stored[0].recorded_at <= stored[1].recorded_at <= stored[2].recorded_at
        assert await store.read_all(after=start) == stored

    async def test_read_stream_up_to_version(self, store: EventStore) -> None:
        stream = new_stream()
        await store.append(stream, [new_event(i) for i in range(5)], expected_version=0)

        assert [e.version for e in await store.read_stream(stream, up_to_version=3)] == [1, 2, 3]
        assert [e.version for e in await store.read_stream(stream, up_to_version=1)] == [1]
        assert len(await store.read_stream(stream, up_to_version=99)) == 5

    async def test_read_stream_up_to_version_includes_that_version_and_no_later(
        self, store: EventStore
    ) -> None:
        stream = new_stream()
        events = [new_event(i) for i in range(4)]
        await store.append(stream, events, expected_version=0)

        for n in range(1, 7):
            upto = await store.read_stream(stream, up_to_version=n)
            assert [e.event_id for e in upto] == [e.event_id for e in events[:n]], n

    async def test_read_stream_as_of(self, store: EventStore) -> None:
        stream = new_stream()
        await store.append(stream, [new_event(1)], expected_version=0)
        await asyncio.sleep(0.01)  # two appends at visibly different moments
        await store.append(stream, [new_event(2)], expected_version=1)
        first, second = await store.read_stream(stream)
        assert first.recorded_at < second.recorded_at

        as_of_first = await store.read_stream(stream, as_of=first.recorded_at)
        assert [e.event_id for e in as_of_first] == [first.event_id]
        as_of_second = await store.read_stream(stream, as_of=second.recorded_at)
        assert [e.version for e in as_of_second] == [1, 2]
        before = await store.read_stream(stream, as_of=datetime(2000, 1, 1, tzinfo=UTC))
        assert before == []

    async def test_read_stream_as_of_includes_a_moment_equal_to_an_events_time(
        self, store: EventStore
    ) -> None:
        """A moment equal to an event's recorded time includes it; a microsecond earlier does not.
        Combined with a version, both limits hold."""
        stream = new_stream()
        await store.append(stream, [new_event(1)], expected_version=0)
        await asyncio.sleep(0.01)
        await store.append(stream, [new_event(2)], expected_version=1)
        first, second = await store.read_stream(stream)
        tick = timedelta(microseconds=1)

        async def versions(**kw: Any) -> list[int]:
            return [e.version for e in await store.read_stream(stream, **kw)]

        assert await versions(as_of=first.recorded_at - tick) == []
        assert await versions(as_of=first.recorded_at) == [1]
        assert await versions(as_of=second.recorded_at - tick) == [1]
        assert await versions(as_of=second.recorded_at) == [1, 2]
        assert await versions(as_of=second.recorded_at + timedelta(days=1)) == [1, 2]
        # the moment in another time zone is the same moment
        assert await versions(as_of=first.recorded_at.astimezone(timezone(timedelta(hours=9)))) == [
            1
        ]
        assert await versions(as_of=second.recorded_at, up_to_version=1) == [1]
        assert await versions(as_of=first.recorded_at, up_to_version=2) == [1]

    # -- reading everything ---------------------------------------------------------------------

    async def test_read_all_after_returns_exactly_the_later_events(self, store: EventStore) -> None:
        start = await tail(store)
        a, b = new_stream(), new_stream()
        appended: list[UUID] = []
        for i in range(3):
            e = new_event(i)
            await store.append(a, [e], expected_version=i)
            appended.append(e.event_id)
        pair = [new_event(10), new_event(11)]
        await store.append(b, pair, expected_version=0)
        appended += [e.event_id for e in pair]

        after = await store.read_all(after=start)

        assert [e.event_id for e in after] == appended
        positions = [e.position for e in after]
        assert len(set(positions)) == len(positions)
        assert start not in positions
        # a position identifies one event: reading after it returns exactly what follows it
        for i, event in enumerate(after):
            rest = await store.read_all(after=event.position)
            assert [e.event_id for e in rest] == appended[i + 1 :]

    async def test_read_all_envelopes_match_read_stream(self, store: EventStore) -> None:
        start = await tail(store)
        stream = new_stream()
        await store.append(stream, [new_event(i) for i in range(3)], expected_version=0)

        assert await store.read_all(after=start) == await store.read_stream(stream)

    async def test_read_all_limit_pages_through_everything(self, store: EventStore) -> None:
        start = await tail(store)
        stream = new_stream()
        events = [new_event(i) for i in range(7)]
        for i, e in enumerate(events):
            await store.append(stream, [e], expected_version=i)

        pages: list[list[Envelope]] = []
        after = start
        while page := await store.read_all(after=after, limit=3):
            pages.append(page)
            after = page[-1].position
        assert [len(p) for p in pages] == [3, 3, 1]
        assert [e.event_id for p in pages for e in p] == [e.event_id for e in events]

        # the whole log from the start, in small pages: every event once, ours at the end
        everything = await read_all_after(store, 0, limit=97)
        assert len({e.position for e in everything}) == len(everything)
        assert len({e.event_id for e in everything}) == len(everything)
        assert [e.event_id for e in everything[-7:]] == [e.event_id for e in events]
        assert everything == await read_all_after(store, 0, limit=1000)

    async def test_read_all_limit_is_exact(self, store: EventStore) -> None:
        """limit=k returns the first k events after the position, not k-1 or k+1."""
        start = await tail(store)
        stream = new_stream()
        events = [new_event(i) for i in range(5)]
        await store.append(stream, events, expected_version=0)
        ids = [e.event_id for e in events]

        for k in range(1, 8):
            page = await store.read_all(after=start, limit=k)
            assert [e.event_id for e in page] == ids[:k], k

    async def test_read_all_returns_a_thousand_events_by_default(self, store: EventStore) -> None:
        start = await tail(store)
        stream = new_stream()
        events = [new_event(i) for i in range(1001)]
        await store.append(stream, events, expected_version=0)

        page = await store.read_all(after=start)

        assert [e.event_id for e in page] == [e.event_id for e in events[:1000]]
        rest = await store.read_all(after=page[-1].position)
        assert [e.event_id for e in rest] == [events[1000].event_id]

    # -- concurrent writers and a following reader ----------------------------------------------

    async def test_concurrent_writers_and_a_following_reader(self, store: EventStore) -> None:
        """16 writers race (with conflicts) while one reader follows read_all: no event is lost,
        none is seen twice, and every stream is seen in version order without gaps."""
        run = f"conc-{uuid4().hex[:12]}"
        shared = [f"{run}-shared-{k}" for k in range(SHARED_STREAMS)]
        start = await tail(store)
        appended: dict[UUID, tuple[str, int, int]] = {}  # event id -> (stream, version, position)
        conflicts = 0
        writers_done = asyncio.Event()

        async def writer(w: int, appends: int) -> None:
            nonlocal conflicts
            rng = random.Random(w)
            private = [f"{run}-w{w}-{k}" for k in range(PRIVATE_STREAMS_PER_WRITER)]
            known: dict[str, int] = defaultdict(int)  # what this writer believes each version is
            for i in range(appends):
                stream = rng.choice(shared if rng.random() < SHARED_SHARE else private)
                event = new_event(i, writer=w)
                for _attempt in range(10_000):
                    try:
                        result = await store.append(stream, [event], expected_version=known[stream])
                    except ConcurrencyError as exc:
                        assert exc.actual > known[stream], (exc, known[stream])
                        conflicts += 1
                        known[stream] = exc.actual  # re-read: the stream has moved on
                        continue
                    break
                else:
                    raise AssertionError(f"{stream}: no successful append in 10,000 attempts")
                assert result.version == known[stream] + 1
                known[stream] = result.version
                appended[event.event_id] = (stream, result.version, result.position)

        seen: dict[UUID, Envelope] = {}
        seen_order: dict[str, list[int]] = defaultdict(list)

        async def reader() -> None:
            last = start
            while len(seen) < TOTAL_APPENDS:
                page = await store.read_all(after=last, limit=1000)
                if not page:
                    if writers_done.is_set() and not await store.read_all(after=last, limit=1):
                        return  # everything committed is read: the assertions below report
                    await asyncio.sleep(0.002)
                    continue
                for e in page:
                    last = e.position
                    if not e.stream_id.startswith(run):
                        continue
                    assert e.event_id not in seen, f"{e.event_id} seen twice"
                    versions = seen_order[e.stream_id]
                    expected = versions[-1] + 1 if versions else 1
                    assert e.version == expected, (
                        f"{e.stream_id}: version {e.version} after {versions[-3:]}"
                    )
                    versions.append(e.version)
                    seen[e.event_id] = e

        per_writer = [TOTAL_APPENDS // WRITERS] * WRITERS
        per_writer[0] += TOTAL_APPENDS - sum(per_writer)
        began = time.perf_counter()
        async with asyncio.timeout(240):
            following = asyncio.create_task(reader())
            try:
                await asyncio.gather(*(writer(w, n) for w, n in enumerate(per_writer)))
            except BaseException:
                following.cancel()
                raise
            finished_writing = time.perf_counter()
            writers_done.set()
            await following
        elapsed = time.perf_counter() - began
        print(
            f"\n{WRITERS} writers: {len(appended)} appends ({conflicts} conflicts retried) in"
            f" {finished_writing - began:.1f}s; reader caught up after {elapsed:.1f}s"
        )

        assert len(appended) == TOTAL_APPENDS
        assert conflicts > 0, "shared streams should have produced concurrency conflicts"
        assert len(seen) == len(appended)
        assert seen.keys() == appended.keys()
        for event_id, (stream, version, position) in appended.items():
            e = seen[event_id]
            assert (e.stream_id, e.version, e.position) == (stream, version, position)
        for stream, versions in seen_order.items():
            assert versions == list(range(1, len(versions) + 1)), stream

    # -- lookups of services and scheduled checks -----------------------------------------------

    async def test_streams_with_and_streams_of_find_streams_by_type_and_field(
        self, store: EventStore
    ) -> None:
        tag = uuid4().hex[:8]
        owned, renamed, watched = f"Owned{tag}", f"Renamed{tag}", f"Watched{tag}"
        a, b, c, other, moved = (new_stream("acct") for _ in range(5))
        await store.append(c, [typed(owned, owner="u1"), typed(owned, owner="u1")], 0)
        await store.append(a, [typed(owned, owner="u1")], 0)
        await store.append(b, [typed(owned, owner="u2"), typed(renamed, owner="u1")], 0)
        await store.append(other, [typed(watched, owner="u1")], 0)
        await store.append(moved, [typed(owned, to="u1")], 0)

        assert await store.streams_with([owned], "owner", "u1") == sorted([a, c])
        assert await store.streams_with((owned, watched), "owner", "u1") == sorted([a, c, other])
        assert await store.streams_with({owned, renamed}, "owner", "u2") == [b]
        assert await store.streams_with([owned], "to", "u1") == [moved]
        assert await store.streams_with([owned], "owner", "u3") == []
        assert await store.streams_with([], "owner", "u1") == []
        assert await store.streams_of([owned]) == {a, b, c, moved}
        assert await store.streams_of((renamed, watched)) == {b, other}
        assert await store.streams_of([f"Nothing{tag}"]) == set()

    # -- bulk reads of rebuilds -----------------------------------------------------------------

    async def test_horizon_is_the_last_event_read_all_can_see(self, store: EventStore) -> None:
        result = await store.append(new_stream(), [new_event(1), new_event(2)], 0)
        assert await store.horizon() == result.position == await tail(store)

    async def test_history_reads_up_to_a_fixed_end_only_the_types_asked_in_disjoint_parts(
        self, store: EventStore
    ) -> None:
        """`horizon` fixes an end later appends do not move; `history` returns only the asked
        types, in read order, in batches of at most `batch`, each stream whole in exactly one
        part; `stream_versions` and `count` count every event."""
        tag = uuid4().hex[:8]
        kind, other_kind = f"Folded{tag}", f"Skipped{tag}"
        streams = [new_stream("history") for _ in range(20)]
        for s in streams:
            await store.append(s, [typed(kind), typed(other_kind), typed(kind)], 0)
        upto = await store.horizon()
        await store.append(streams[0], [typed(kind)], expected_version=3)  # after the end

        async def read(part: tuple[int, int], batch: int = 20_000) -> list[tuple[str, int]]:
            found: list[tuple[str, int]] = []
            async for events in store.history([kind], upto=upto, part=part, batch=batch):
                assert 0 < len(events) <= batch
                assert {e.type for e in events} == {kind}
                found += [(e.stream_id, e.version) for e in events]
            return found

        whole = await read((0, 1))
        assert whole == [(s, v) for s in streams for v in (1, 3)]  # appended one after another
        assert await read((0, 1), batch=7) == whole
        halves = [await read((0, 2)), await read((1, 2))]
        assert sorted(halves[0] + halves[1]) == sorted(whole)
        assert {s for s, _ in halves[0]}.isdisjoint({s for s, _ in halves[1]})
        assert all(halves), "20 streams all fell into one part"
        assert [x async for x in store.history([f"Nothing{tag}"], upto=upto)] == []

        versions = await store.stream_versions(upto)
        assert {s: versions[s] for s in streams} == dict.fromkeys(streams, 3)
        assert await store.count([kind]) == 41
        assert await store.count({kind, other_kind}) == 61
        assert await store.count([f"Nothing{tag}"]) == 0

    # -- importing whole streams ----------------------------------------------------------------

    async def test_import_streams_writes_whole_new_streams_from_version_1(
        self, store: EventStore
    ) -> None:
        start = await tail(store)
        a, b = new_stream("import-a"), new_stream("import-b")
        events_a, events_b = [new_event(i) for i in range(3)], [new_event(9)]

        assert await store.import_streams([(a, events_a), (b, events_b)]) == 4

        imported = await read_all_after(store, start)
        assert [(e.stream_id, e.version, e.event_id) for e in imported] == [
            (a, 1, events_a[0].event_id),
            (a, 2, events_a[1].event_id),
            (a, 3, events_a[2].event_id),
            (b, 1, events_b[0].event_id),
        ]
        assert await store.read_stream(a) == imported[:3]
        # an imported stream takes commands like any other
        assert (await store.append(b, [new_event(2)], expected_version=1)).version == 2
        assert await store.import_streams([]) == 0

    async def test_import_of_an_existing_stream_writes_nothing(self, store: EventStore) -> None:
        taken, newcomer = new_stream("taken"), new_stream("newcomer")
        await store.append(taken, [new_event(1)], expected_version=0)
        start = await tail(store)

        with pytest.raises(ConcurrencyError) as caught:
            await store.import_streams([(newcomer, [new_event(1)]), (taken, [new_event(2)])])

        assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == (taken, 0, 1)
        assert await store.read_stream(newcomer) == []
        assert await read_all_after(store, start) == []

    # -- running --------------------------------------------------------------------------------

    async def test_ping_answers(self, store: EventStore) -> None:
        await store.ping()
