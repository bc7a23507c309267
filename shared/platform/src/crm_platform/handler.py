"""The one command handler every service uses: load -> fold -> decide -> append.

With `expected_version` (HTTP If-Match) a stream that moved on is a `ConcurrencyError`; without it
a conflicting append is retried on fresh state a bounded number of times. The command may be
built from the state just read (a function of it), so a stream is read once per attempt. An idempotency key that
was seen before returns the first result and appends nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar
from uuid import uuid4

from crm_events import Envelope, Metadata, NewEvent, decode, registry, to_data

from crm_platform.domain import Decider
from crm_platform.eventstore import AppendResult, ConcurrencyError, EventStore
from crm_platform.metrics import COMMANDS, CONFLICTS

C = TypeVar("C")
S = TypeVar("S")

RETRIES = 5


class OtherBranch(Exception):
    """The record belongs to another branch than the one a command is scoped to."""


def same_branch(branch: str) -> Callable[[Any], None]:
    """An `authorize` check for commands that sweep many records (a transfer of an owner's
    records): a record of another branch is left alone, whoever the owner."""

    def check(state: Any) -> None:
        if getattr(state, "branch", branch) != branch:
            raise OtherBranch(branch)

    return check


@dataclasses.dataclass(frozen=True, slots=True)
class Loaded:
    state: Any
    version: int
    position: int


async def load(
    store: EventStore, decider: Decider[Any, S, Any], stream_id: str, **reads: Any
) -> Loaded:
    envelopes: list[Envelope] = await store.read_stream(stream_id, **reads)
    state = decider.fold([decode(e) for e in envelopes])
    last = envelopes[-1] if envelopes else None
    return Loaded(state, last.version if last else 0, last.position if last else 0)


async def handle(
    store: EventStore,
    decider: Decider[C, S, Any],
    stream_id: str,
    command: C | Callable[[S], Awaitable[C]],
    *,
    metadata: Metadata,
    occurred_at: datetime,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
    authorize: Callable[[S], None] | None = None,
    name: str | None = None,
) -> AppendResult:
    """`name` labels the command in metrics (default: the domain command's class)."""
    name = name or type(command).__name__
    if idempotency_key is not None:
        earlier = await store.idempotent_result(idempotency_key)
        if earlier is not None:
            COMMANDS.labels(name, "replayed").inc()
            return earlier
    for attempt in range(RETRIES):
        loaded = await load(store, decider, stream_id)
        if authorize is not None:
            authorize(loaded.state)
        if expected_version is not None and expected_version != loaded.version:
            CONFLICTS.labels(name).inc()
            raise ConcurrencyError(stream_id, expected_version, loaded.version)
        decided = await command(loaded.state) if callable(command) else command
        events = decider.decide(decided, loaded.state)
        if not events:
            COMMANDS.labels(name, "unchanged").inc()
            return AppendResult(stream_id, loaded.version, loaded.position)
        new = [
            NewEvent(
                event_id=uuid4(),
                type=type(e).event_type,
                schema_version=registry.version(type(e).event_type),
                occurred_at=occurred_at,
                data=to_data(e),
                metadata=metadata,
            )
            for e in events
        ]
        try:
            result = await store.append(stream_id, new, loaded.version, idempotency_key)
        except ConcurrencyError:
            CONFLICTS.labels(name).inc()
            if expected_version is not None or attempt == RETRIES - 1:
                raise
            continue
        COMMANDS.labels(name, "replayed" if result.replayed else "accepted").inc()
        return result
    raise AssertionError("unreachable")
