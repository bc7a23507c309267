"""The event store port: what every backend (PostgreSQL, EventStoreDB) promises.

The contract (DESIGN.md "Write side"), proven for each backend by tests/integration/store_contract.py:
- `append` is atomic and fails with `ConcurrencyError` when the stream is not at `expected_version`
  (0 = the stream must not exist yet); an `idempotency_key` seen before returns the first result
  and appends nothing.
- `read_stream` returns one stream in version order, optionally only up to a version or a moment.
- `read_all(after)` returns the events recorded after the event at global position `after`, in the
  store's commit order, and never skips an event that a slower concurrent transaction commits later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from crm_events import Envelope, NewEvent


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
    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> AppendResult: ...

    async def read_stream(
        self, stream_id: str, *, up_to_version: int | None = None, as_of: datetime | None = None
    ) -> list[Envelope]: ...

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[Envelope]: ...

    async def idempotent_result(self, key: str) -> AppendResult | None: ...

    async def close(self) -> None: ...


__all__ = ["AppendResult", "ConcurrencyError", "EventStore"]
