"""The EventStoreDB / KurrentDB backend of the event store port (esdbclient, asyncio).

It passes the same contract suite as the PostgreSQL store wherever `CRM_ESDB_URL` points to a
server (tests/integration/test_esdb_store.py; docs/architecture.md). Mapping:
- a stream `s` of context `c` is the ESDB stream `c.s`; its version is stream_position + 1;
- the global position is the ESDB commit position; `read_all` reads `$all` filtered to the
  context's stream-name prefix, which ESDB serves in commit order, so nothing is ever skipped;
- data is the event's JSON; the envelope's other fields travel in the ESDB event's metadata;
- the rebuild's bulk reads and the lookups (`history`, `stream_versions`, `count`, `streams_with`,
  `streams_of`) read `$all` filtered by event type (or stream prefix) on the server and select
  the rest on the client: ESDB has no secondary indexes, so they cost a scan of those events;
  a part of `history` is chosen by a CRC-32 of the stream id;
- `import_streams` checks every stream is new, then appends each with "no stream": ESDB has no
  transaction across streams, so a stream created concurrently fails that stream alone.

Idempotency without multi-stream transactions: each key has a small log stream
`crm-idempotency.<sha256>` of `Reserved` (target stream, expected version, the event ids),
`Completed` (the result) and `Released` (the append failed). An append with a key reserves it
first, appends, then completes. A crash after the append but before `Completed` is found by the
next attempt with the key: the target stream holds the reserved event ids at the reserved
versions, so the attempt completes the record and answers the first result instead of appending
twice. A crash before the append leaves a reservation no stream matches: it is released.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Collection, Sequence
from contextlib import aclosing
from datetime import datetime
from typing import Any

import orjson
from crm_events import Envelope, Metadata, NewEvent
from esdbclient import AsyncEventStoreDBClient, RecordedEvent, StreamState
from esdbclient import NewEvent as EsdbEvent
from esdbclient.exceptions import NotFound, WrongCurrentVersion

from crm_platform.eventstore import AppendResult, ConcurrencyError

KEYS = "crm-idempotency"


def esdb_event(e: NewEvent) -> EsdbEvent:
    meta = {
        **e.metadata._asdict(),
        "schema_version": e.schema_version,
        "occurred_at": e.occurred_at.isoformat(),
    }
    return EsdbEvent(
        type=e.type, data=orjson.dumps(e.data), metadata=orjson.dumps(meta), id=e.event_id
    )


def envelope(r: RecordedEvent, prefix: str) -> Envelope:
    meta = orjson.loads(r.metadata)
    assert r.commit_position is not None and r.recorded_at is not None
    return Envelope(
        event_id=r.id,
        type=r.type,
        schema_version=int(meta["schema_version"]),
        stream_id=r.stream_name.removeprefix(prefix),
        version=r.stream_position + 1,
        position=r.commit_position,
        occurred_at=datetime.fromisoformat(meta["occurred_at"]),
        recorded_at=r.recorded_at,
        data=orjson.loads(r.data),
        metadata=Metadata(
            meta["actor_id"],
            meta["role"],
            meta["branch"],
            meta["correlation_id"],
            meta.get("causation_id"),
        ),
    )


def key_stream(key: str) -> str:
    return f"{KEYS}.{hashlib.sha256(key.encode()).hexdigest()}"


def _record(kind: str, **fields: Any) -> EsdbEvent:
    return EsdbEvent(type=f"crm.idempotency.{kind}", data=orjson.dumps(fields))


class EsdbEventStore:
    def __init__(self, url: str, context: str = "crm") -> None:
        self.client = AsyncEventStoreDBClient(url)
        self.prefix = f"{context}."
        # esdbclient anchors the pattern itself (^...$)
        self._filter = (f"{re.escape(self.prefix)}.*",)
        self._connected = False

    async def _c(self) -> AsyncEventStoreDBClient:
        if not self._connected:
            await self.client.connect()
            self._connected = True
        return self.client

    async def _stream(self, name: str, **kw: Any) -> Sequence[RecordedEvent]:
        try:
            return await (await self._c()).get_stream(name, **kw)
        except NotFound:
            return ()

    async def _version(self, name: str) -> int:
        last = await self._stream(name, backwards=True, limit=1)
        return last[0].stream_position + 1 if last else 0

    async def _key_log(self, key: str) -> tuple[int, dict[str, Any] | None, str | None]:
        """(records in the key's log, the last record's fields, its kind)."""
        log = await self._stream(key_stream(key))
        if not log:
            return 0, None, None
        last = log[-1]
        return len(log), orjson.loads(last.data), last.type.rsplit(".", 1)[-1]

    async def _settle(self, key: str, length: int, fields: dict[str, Any]) -> AppendResult | None:
        """A reservation left by a crashed attempt: complete it if its events landed, else release."""
        stream = fields["stream"]
        landed = await self._stream(
            self.prefix + stream, stream_position=fields["expected"], limit=len(fields["ids"])
        )
        client = await self._c()
        if [str(r.id) for r in landed] == fields["ids"]:
            result = AppendResult(
                stream, fields["expected"] + len(landed), landed[-1].commit_position or 0
            )
            await client.append_to_stream(
                key_stream(key),
                current_version=length - 1,
                events=[
                    _record(
                        "Completed", stream=stream, version=result.version, position=result.position
                    )
                ],
            )
            return AppendResult(result.stream_id, result.version, result.position, replayed=True)
        await client.append_to_stream(
            key_stream(key), current_version=length - 1, events=[_record("Released")]
        )
        return None

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> AppendResult:
        if not events:
            raise ValueError("append needs at least one event")
        client = await self._c()
        name = self.prefix + stream_id
        length = 0
        if idempotency_key is not None:
            if (earlier := await self.idempotent_result(idempotency_key)) is not None:
                return earlier
            length, fields, kind = await self._key_log(idempotency_key)
            if kind == "Reserved" and fields is not None:
                if (settled := await self._settle(idempotency_key, length, fields)) is not None:
                    return settled
                length += 1
            try:
                await client.append_to_stream(
                    key_stream(idempotency_key),
                    current_version=length - 1 if length else StreamState.NO_STREAM,
                    events=[
                        _record(
                            "Reserved",
                            stream=stream_id,
                            expected=expected_version,
                            ids=[str(e.event_id) for e in events],
                        )
                    ],
                )
            except WrongCurrentVersion:  # the same key, concurrently: let that attempt answer
                return await self.append(stream_id, events, expected_version, idempotency_key)
            length += 1
        try:
            position = await client.append_to_stream(
                name,
                current_version=expected_version - 1 if expected_version else StreamState.NO_STREAM,
                events=[esdb_event(e) for e in events],
            )
        except WrongCurrentVersion:
            if idempotency_key is not None:
                await client.append_to_stream(
                    key_stream(idempotency_key),
                    current_version=length - 1,
                    events=[_record("Released")],
                )
            raise ConcurrencyError(stream_id, expected_version, await self._version(name)) from None
        result = AppendResult(stream_id, expected_version + len(events), position)
        if idempotency_key is not None:
            await client.append_to_stream(
                key_stream(idempotency_key),
                current_version=length - 1,
                events=[
                    _record(
                        "Completed", stream=stream_id, version=result.version, position=position
                    )
                ],
            )
        return result

    async def idempotent_result(self, key: str) -> AppendResult | None:
        _, fields, kind = await self._key_log(key)
        if kind != "Completed" or fields is None:
            return None
        return AppendResult(fields["stream"], fields["version"], fields["position"], replayed=True)

    async def read_stream(
        self, stream_id: str, *, up_to_version: int | None = None, as_of: datetime | None = None
    ) -> list[Envelope]:
        limit = {"limit": up_to_version} if up_to_version is not None else {}
        recorded = await self._stream(self.prefix + stream_id, **limit)
        out = [envelope(r, self.prefix) for r in recorded]
        return [e for e in out if as_of is None or e.recorded_at <= as_of]

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[Envelope]:
        client = await self._c()
        out: list[Envelope] = []
        async with await client.read_all(
            commit_position=after or None,
            filter_include=self._filter,
            filter_by_stream_name=True,
            limit=limit + 1,
        ) as recorded:
            async for r in recorded:
                if r.commit_position == after:  # reading starts at `after` itself
                    continue
                out.append(envelope(r, self.prefix))
                if len(out) == limit:
                    break
        return out

    # -- reading $all by event type ------------------------------------------------------------
    async def _scan(
        self,
        include: str,
        *,
        by_stream_name: bool,
        backwards: bool = False,
        limit: int | None = None,
    ) -> AsyncGenerator[RecordedEvent]:
        """The context's events of `$all` whose stream name or type matches `include`."""
        client = await self._c()
        kw: dict[str, Any] = {"limit": limit} if limit is not None else {}
        async with await client.read_all(
            filter_include=(include,),
            filter_by_stream_name=by_stream_name,
            backwards=backwards,
            **kw,
        ) as recorded:
            async for r in recorded:
                if r.stream_name.startswith(self.prefix):
                    yield r

    def _of_types(self, types: Collection[str]) -> AsyncGenerator[RecordedEvent]:
        return self._scan("(?:" + "|".join(re.escape(t) for t in types) + ")", by_stream_name=False)

    def _everything(self) -> AsyncGenerator[RecordedEvent]:
        return self._scan(self._filter[0], by_stream_name=True)

    async def streams_with(self, types: Collection[str], field: str, value: str) -> list[str]:
        if not types:
            return []
        found: set[str] = set()
        async with aclosing(self._of_types(types)) as recorded:
            async for r in recorded:
                if orjson.loads(r.data).get(field) == value:
                    found.add(r.stream_name.removeprefix(self.prefix))
        return sorted(found)

    async def streams_of(self, types: Collection[str]) -> set[str]:
        if not types:
            return set()
        async with aclosing(self._of_types(types)) as recorded:
            return {r.stream_name.removeprefix(self.prefix) async for r in recorded}

    async def count(self, types: Collection[str]) -> int:
        if not types:
            return 0
        n = 0
        async with aclosing(self._of_types(types)) as recorded:
            async for _ in recorded:
                n += 1
        return n

    async def horizon(self) -> int:
        async with aclosing(
            self._scan(self._filter[0], by_stream_name=True, backwards=True, limit=1)
        ) as recorded:
            async for r in recorded:
                return r.commit_position or 0
        return 0

    async def history(
        self,
        types: Collection[str],
        *,
        upto: int,
        part: tuple[int, int] = (0, 1),
        batch: int = 20_000,
    ) -> AsyncIterator[list[Envelope]]:
        if not types:
            return
        k, n = part
        out: list[Envelope] = []
        async with aclosing(self._of_types(types)) as recorded:
            async for r in recorded:
                if (r.commit_position or 0) > upto:
                    break
                stream_id = r.stream_name.removeprefix(self.prefix)
                if n > 1 and zlib.crc32(stream_id.encode()) % n != k:
                    continue
                out.append(envelope(r, self.prefix))
                if len(out) == batch:
                    yield out
                    out = []
        if out:
            yield out

    async def stream_versions(self, upto: int) -> dict[str, int]:
        versions: dict[str, int] = {}
        async with aclosing(self._everything()) as recorded:
            async for r in recorded:
                if (r.commit_position or 0) > upto:
                    break
                versions[r.stream_name.removeprefix(self.prefix)] = r.stream_position + 1
        return versions

    async def import_streams(self, streams: Sequence[tuple[str, Sequence[NewEvent]]]) -> int:
        for stream_id, _ in streams:
            if version := await self._version(self.prefix + stream_id):
                raise ConcurrencyError(stream_id, 0, version)
        client = await self._c()
        n = 0
        for stream_id, events in streams:
            if not events:
                continue
            try:
                await client.append_to_stream(
                    self.prefix + stream_id,
                    current_version=StreamState.NO_STREAM,
                    events=[esdb_event(e) for e in events],
                )
            except WrongCurrentVersion:
                version = await self._version(self.prefix + stream_id)
                raise ConcurrencyError(stream_id, 0, version) from None
            n += len(events)
        return n

    async def ping(self) -> None:
        await (await self._c()).get_commit_position(timeout=2)

    async def close(self) -> None:
        if self._connected:
            await self.client.close()


__all__ = ["EsdbEventStore"]
