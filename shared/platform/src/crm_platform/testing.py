"""What the services' tests share: the one given/when/then helper every domain test uses (pure
functions, no I/O), and an in-memory event store with a service's command table run over it as its
routes run it (crm_platform.commands.perform)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast
from uuid import uuid4

from crm_api import Route
from crm_events import Envelope, NewEvent

from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request, Shown, perform
from crm_platform.commands import Spec as CommandSpec
from crm_platform.domain import Decider, DomainError
from crm_platform.eventstore import AppendResult, ConcurrencyError, EventStore
from crm_platform.settings import Settings


@dataclass(frozen=True)
class Spec:
    decider: Decider[Any, Any, Any]
    history: Sequence[Any] = ()

    def given(self, *events: Any) -> Spec:
        return Spec(self.decider, events)

    def when(self, command: Any) -> list[Any]:
        return list(self.decider.decide(command, self.decider.fold(self.history)))

    def then(self, command: Any, expected: Sequence[Any]) -> None:
        assert self.when(command) == list(expected)

    def state(self) -> Any:
        """The state the history folds to: what a record's read answers, checked field by field."""
        return self.decider.fold(self.history)

    def refuses(
        self, command: Any, *, field: str | None = None, match: str | None = None
    ) -> DomainError:
        """The command breaks a rule: a DomainError naming `field` (None: the record as a whole)."""
        try:
            events = self.when(command)
        except DomainError as error:
            assert error.field == field, f"refused naming {error.field!r}, not {field!r}: {error}"
            assert match is None or re.search(match, str(error)), f"{error} !~ {match}"
            return error
        raise AssertionError(f"{command!r} was accepted with {events!r}")


@dataclass
class MemoryStore:
    """The part of the event store the command tables, reactions and checks use, in memory; it
    records every stream read (`reads`), so a test can tell a read was spared."""

    streams: dict[str, list[Envelope]] = field(default_factory=dict)
    log: list[Envelope] = field(default_factory=list)
    keys: dict[str, AppendResult] = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> AppendResult:
        earlier = await self.idempotent_result(idempotency_key or "")
        if earlier is not None:
            return earlier
        stream = self.streams.setdefault(stream_id, [])
        if len(stream) != expected_version:
            raise ConcurrencyError(stream_id, expected_version, len(stream))
        for e in events:
            envelope = Envelope(
                e.event_id, e.type, e.schema_version, stream_id, len(stream) + 1,
                len(self.log) + 1, e.occurred_at, e.occurred_at, e.data, e.metadata,
            )  # fmt: skip
            stream.append(envelope)
            self.log.append(envelope)
        result = AppendResult(stream_id, len(stream), len(self.log))
        if idempotency_key is not None:
            self.keys[idempotency_key] = result
        return result

    async def read_stream(
        self, stream_id: str, *, up_to_version: int | None = None, as_of: datetime | None = None
    ) -> list[Envelope]:
        self.reads.append(stream_id)
        return list(self.streams.get(stream_id, []))

    async def idempotent_result(self, key: str) -> AppendResult | None:
        earlier = self.keys.get(key)
        return None if earlier is None else replace(earlier, replayed=True)

    async def streams_with(self, types: Collection[str], field: str, value: str) -> list[str]:
        return sorted({e.stream_id for e in self.log if e.type in types and e.data[field] == value})

    async def streams_of(self, types: Collection[str]) -> set[str]:
        return {e.stream_id for e in self.log if e.type in types}

    def types(self, stream_id: str) -> list[str]:
        """The types of a stream's events, in order."""
        return [e.type for e in self.streams.get(stream_id, [])]


def request(actor: Actor, at: datetime, key: str | None = None) -> Request:
    """A call's envelope at `at`, with a fresh correlation id and an optional Idempotency-Key."""
    return Request(actor, str(uuid4()), at, idempotency_key=key)


@dataclass(frozen=True)
class Table:
    """A service's command table, each spec run as its route runs it (the roles are the route's)."""

    context: str
    specs: Mapping[Route, CommandSpec]

    @classmethod
    def of(cls, context: str, commands: Iterable[CommandSpec]) -> Table:
        return cls(context, {spec.route: spec for spec in commands})

    async def command(
        self,
        store: MemoryStore,
        route: Route,
        req: Request,
        path: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Accepted:
        done = await perform(
            self.specs[route], self.context, req, cast(EventStore, store), Settings(), path, body
        )
        assert isinstance(done, Accepted)
        return done

    async def read(
        self, store: MemoryStore, route: Route, req: Request, path: Mapping[str, str]
    ) -> Shown:
        shown = await perform(
            self.specs[route], self.context, req, cast(EventStore, store), Settings(), path
        )
        assert isinstance(shown, tuple)
        return shown
