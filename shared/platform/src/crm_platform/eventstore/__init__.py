"""The event store port: what every backend (PostgreSQL, EventStoreDB) promises.

Everything that reads or writes events goes through `EventStore`: the command handler, the
services' lookups and scheduled checks, the relay, the reactions, the projector and the rebuild.
`open_store(settings, context)` picks the backend from `CRM_EVENT_STORE` (postgres by default,
or esdb at `CRM_ESDB_URL`); it is the only place a backend class is named, and `close()` ends it.

Events live in the configured store. A service's own bookkeeping (the fingerprints of idempotent
requests, reaction progress, the relay's checkpoint and its leader lock) lives in the service's
PostgreSQL database (`CRM_DATABASE_URL`) whatever the backend: it is not history, it changes in
place, and the leader lock needs PostgreSQL's advisory locks.

The contract (DESIGN.md "Write side"), proven for each backend by tests/integration/store_contract.py:
- `append` is atomic and fails with `ConcurrencyError` when the stream is not at `expected_version`
  (0 = the stream must not exist yet); an `idempotency_key` seen before returns the first result
  and appends nothing.
- `read_stream` returns one stream in version order, optionally only up to a version or a moment.
- `read_all(after)` returns the events recorded after the event at global position `after`, in the
  store's commit order, and never skips an event that a slower concurrent transaction commits later.
- `horizon`, `history`, `stream_versions` and `count` are the rebuild's bulk reads up to a fixed end;
  `streams_with` and `streams_of` find candidate streams for reactions and scheduled checks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from crm_events import Envelope, NewEvent

from crm_platform.settings import Settings


class ConcurrencyError(Exception):
    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"{stream_id} is at version {actual}, not {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True, slots=True)
class AppendResult:
    stream_id: str
    version: int  # the stream's version after the append
    position: int  # global position of the last event appended
    replayed: bool = False  # True when an idempotency key answered with an earlier result


class EventStore(Protocol):
    # -- commands -------------------------------------------------------------------------------
    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> AppendResult: ...

    async def idempotent_result(self, key: str) -> AppendResult | None: ...

    async def read_stream(
        self, stream_id: str, *, up_to_version: int | None = None, as_of: datetime | None = None
    ) -> list[Envelope]: ...

    # -- following the log (relay, reactions, projector) ----------------------------------------
    async def read_all(self, after: int = 0, limit: int = 1000) -> list[Envelope]: ...

    # -- lookups of services and scheduled checks -----------------------------------------------
    async def streams_with(self, types: Collection[str], field: str, value: str) -> list[str]:
        """Streams (sorted) holding an event of one of `types` whose data `field` equals `value`."""
        ...

    async def streams_of(self, types: Collection[str]) -> set[str]:
        """Streams holding an event of one of `types`."""
        ...

    # -- bulk reads of rebuilds: a fixed end, only the types a reader handles -------------------
    async def horizon(self) -> int:
        """The position of the last event in read order that every reader can see now (0: none)."""
        ...

    def history(
        self,
        types: Collection[str],
        *,
        upto: int,
        part: tuple[int, int] = (0, 1),
        batch: int = 20_000,
    ) -> AsyncIterator[list[Envelope]]:
        """Events of `types` up to the event at `upto`, in read order, in batches of at most
        `batch`. `part=(k, n)`: only the streams of the k-th of n parts, each stream whole in
        exactly one part."""
        ...

    async def stream_versions(self, upto: int) -> dict[str, int]:
        """Each stream's last version up to the event at `upto` (every type counts)."""
        ...

    async def count(self, types: Collection[str]) -> int:
        """How many events of `types` the store holds (a rebuild's progress bar)."""
        ...

    async def import_streams(self, streams: Sequence[tuple[str, Sequence[NewEvent]]]) -> int:
        """Write whole new streams (versions 1..n); returns the events written. A stream that
        exists already is a `ConcurrencyError` (expected 0) and nothing of the batch is written.
        For generated histories and migrations, never for commands."""
        ...

    # -- running ----------------------------------------------------------------------------------
    async def ping(self) -> None:
        """Return when the store answers; raise when it does not (health checks)."""
        ...

    async def close(self) -> None: ...


async def open_store(settings: Settings, context: str, *, connections: int = 10) -> EventStore:
    """The event store of `context` on the configured backend, ready to use; `close()` ends it.
    `connections`: at most this many at once (PostgreSQL's pool size)."""
    match settings.event_store:
        case "postgres":
            from crm_platform.eventstore.postgres import PostgresEventStore, open_pool

            pool = open_pool(settings.require_database(), max_size=connections, name=context)
            await pool.open()
            store = PostgresEventStore(pool, context)
            try:
                await store.ensure_schema()
            except BaseException:
                await store.close()
                raise
            return store
        case "esdb":
            from crm_platform.eventstore.esdb import EsdbEventStore

            return EsdbEventStore(settings.require_esdb(), context)
        case other:
            raise ValueError(f"CRM_EVENT_STORE={other!r}: expected 'postgres' or 'esdb'")


__all__ = ["AppendResult", "ConcurrencyError", "EventStore", "open_store"]
