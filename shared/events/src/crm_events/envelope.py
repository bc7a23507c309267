"""The envelope every stored and published event carries (DESIGN.md, "Write side")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

# Metadata and Envelope are named tuples: immutable like frozen dataclasses, but built in a fraction
# of the time, and read-all builds one per event (a rebuild reads millions).


class Metadata(NamedTuple):
    """Who did it, and why: the actor and the request/event that caused it."""

    actor_id: str
    role: str
    branch: str
    correlation_id: str
    causation_id: str | None = None


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event on its way into the store: the store assigns version, position, recorded_at."""

    event_id: UUID
    type: str
    schema_version: int
    occurred_at: datetime
    data: dict[str, Any]
    metadata: Metadata


class Envelope(NamedTuple):
    """A stored event as every reader sees it."""

    event_id: UUID
    type: str
    schema_version: int
    stream_id: str
    version: int
    position: int
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]
    metadata: Metadata
