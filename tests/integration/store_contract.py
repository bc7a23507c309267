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
from datetime import UTC, datetime
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

    async def test_read_stream_up_to_version(self, store: EventStore) -> None:
        stream = new_stream()
        await store.append(stream, [new_event(i) for i in range(5)], expected_version=0)

        assert [e.version for e in await store.read_stream(stream, up_to_version=3)] == [1, 2, 3]
        assert [e.version for e in await store.read_stream(stream, up_to_version=1)] == [1]
        assert len(await store.read_stream(stream, up_to_version=99)) == 5

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
